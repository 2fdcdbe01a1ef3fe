/// A growable byte buffer the Parquet writer encodes pages, dictionaries and
/// metadata into. `reset()` keeps the storage, so a column's buffers are
/// allocated once and reused for every page and row group (flat memory).
final class ParquetBuffer {
    @exclusivity(unchecked) private(set) var base: UnsafeMutablePointer<UInt8>
    @exclusivity(unchecked) private(set) var capacity: Int
    @exclusivity(unchecked) private(set) var count = 0

    init(capacity: Int = 4096) {
        self.capacity = max(capacity, 16)
        self.base = .allocate(capacity: self.capacity)
    }

    deinit { base.deallocate() }

    var bytes: UnsafeRawBufferPointer { UnsafeRawBufferPointer(start: base, count: count) }
    var isEmpty: Bool { count == 0 }

    func reset() { count = 0 }

    /// Drops storage above `limit` bytes after an unusually large page or chunk.
    func reset(shrinkingAbove limit: Int) {
        count = 0
        if capacity > limit {
            base.deallocate()
            capacity = limit
            base = .allocate(capacity: limit)
        }
    }

    @inline(__always) func reserve(_ n: Int) {
        if count + n > capacity { grow(count + n) }
    }

    private func grow(_ needed: Int) {
        var newCapacity = capacity * 2
        while newCapacity < needed { newCapacity *= 2 }
        let fresh = UnsafeMutablePointer<UInt8>.allocate(capacity: newCapacity)
        fresh.update(from: base, count: count)
        base.deallocate()
        base = fresh
        capacity = newCapacity
    }

    /// Room for `n` bytes at the end; the caller fills them and calls `advance(by:)`.
    @inline(__always) func tail(reserving n: Int) -> UnsafeMutablePointer<UInt8> {
        reserve(n)
        return base + count
    }

    @inline(__always) func advance(by n: Int) { count += n }

    @inline(__always) func append(_ byte: UInt8) {
        reserve(1)
        base[count] = byte
        count += 1
    }

    @inline(__always) func append(_ bytes: UnsafeRawBufferPointer) {
        guard let src = bytes.baseAddress, bytes.count > 0 else { return }
        reserve(bytes.count)
        (base + count).update(from: src.assumingMemoryBound(to: UInt8.self), count: bytes.count)
        count += bytes.count
    }

    func append(_ bytes: [UInt8]) { bytes.withUnsafeBytes { append($0) } }

    func append(_ other: ParquetBuffer) { append(other.bytes) }

    /// Little-endian fixed-width integers (PLAIN encoding, length prefixes).
    @inline(__always) func appendLE32(_ v: UInt32) {
        reserve(4)
        (UnsafeMutableRawPointer(base) + count).storeBytes(of: v.littleEndian, as: UInt32.self)
        count += 4
    }

    @inline(__always) func appendLE64(_ v: UInt64) {
        reserve(8)
        (UnsafeMutableRawPointer(base) + count).storeBytes(of: v.littleEndian, as: UInt64.self)
        count += 8
    }

    /// Unsigned LEB128 (Thrift compact varints, RLE run headers).
    @inline(__always) func appendVarint(_ value: UInt64) {
        reserve(10)
        var v = value
        while v >= 0x80 {
            base[count] = UInt8(truncatingIfNeeded: v) | 0x80
            count += 1
            v >>= 7
        }
        base[count] = UInt8(truncatingIfNeeded: v)
        count += 1
    }

    /// Overwrites 4 bytes at `offset` (a length prefix written before its data was known).
    func patchLE32(_ v: UInt32, at offset: Int) {
        precondition(offset + 4 <= count, "patch outside the buffer")
        (UnsafeMutableRawPointer(base) + offset).storeBytes(of: v.littleEndian, as: UInt32.self)
    }
}

/// A growable list of fixed-width words (definition levels as bytes,
/// dictionary indices as 32-bit words) without Array's uniqueness checks on
/// every append, which cost about a sixth of the Parquet writer's time.
/// `removeAll()` keeps the storage.
final class ParquetWords<Word: FixedWidthInteger & UnsignedInteger> {
    @exclusivity(unchecked) private var base: UnsafeMutablePointer<Word>
    @exclusivity(unchecked) private var capacity: Int
    @exclusivity(unchecked) private(set) var count = 0

    init(capacity: Int = 1024) {
        self.capacity = max(capacity, 16)
        base = .allocate(capacity: self.capacity)
    }

    deinit { base.deallocate() }

    @inline(__always) func append(_ v: Word) {
        if count == capacity { grow() }
        base[count] = v
        count += 1
    }

    private func grow() {
        let fresh = UnsafeMutablePointer<Word>.allocate(capacity: capacity * 2)
        fresh.update(from: base, count: count)
        base.deallocate()
        base = fresh
        capacity *= 2
    }

    func removeAll() { count = 0 }

    var words: UnsafeBufferPointer<Word> { UnsafeBufferPointer(start: base, count: count) }
}
