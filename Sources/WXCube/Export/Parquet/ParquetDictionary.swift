/// A column chunk's distinct values, in first-seen order, for its dictionary
/// page; data pages then carry each value's index. Open addressing with
/// linear probing; the table doubles at half full. `reset()` keeps storage.

/// Byte strings (BYTE_ARRAY). The entries are kept PLAIN-encoded (4-byte
/// little-endian length, then the bytes), which is exactly the dictionary
/// page's body.
final class ParquetByteDictionary {
    let entries = ParquetBuffer(capacity: 1 << 16)
    /// Where each entry's bytes start in `entries` (after its length prefix), and their length.
    @exclusivity(unchecked) private var starts: [Int] = []
    @exclusivity(unchecked) private var lengths: [Int] = []
    @exclusivity(unchecked) private var hashes: [UInt64] = []
    /// Entry index + 1; 0 is empty.
    @exclusivity(unchecked) private var slots: [Int32]
    @exclusivity(unchecked) private var mask: Int

    /// `capacity`: the initial table size, a power of two.
    init(capacity: Int = 1024) {
        slots = [Int32](repeating: 0, count: capacity)
        mask = capacity - 1
        initialCapacity = capacity
    }

    private let initialCapacity: Int

    var count: Int { starts.count }
    /// The dictionary page's uncompressed size.
    var byteSize: Int { entries.count }

    func reset() {
        entries.reset(shrinkingAbove: 4 << 20)
        starts.removeAll(keepingCapacity: true)
        lengths.removeAll(keepingCapacity: true)
        hashes.removeAll(keepingCapacity: true)
        if slots.count > 1 << 16 {
            slots = [Int32](repeating: 0, count: initialCapacity)
            mask = initialCapacity - 1
        } else {
            for i in slots.indices { slots[i] = 0 }
        }
    }

    /// The index of `bytes`, added when new (`isNew` then true).
    @inline(__always) func index(of bytes: UnsafeRawBufferPointer, isNew: inout Bool) -> UInt32 {
        let h = Self.hash(bytes)
        var slot = Int(truncatingIfNeeded: h) & mask
        while true {
            let s = Int(slots[slot])
            if s == 0 { break }
            let e = s - 1
            if hashes[e] == h && lengths[e] == bytes.count && equal(e, bytes) {
                isNew = false
                return UInt32(e)
            }
            slot = (slot + 1) & mask
        }
        let e = starts.count
        entries.appendLE32(UInt32(bytes.count))
        starts.append(entries.count)
        lengths.append(bytes.count)
        hashes.append(h)
        entries.append(bytes)
        slots[slot] = Int32(e + 1)
        isNew = true
        if starts.count * 2 > slots.count { grow() }
        return UInt32(e)
    }

    /// Entry `e` PLAIN-encoded: its length prefix, then its bytes.
    func plainEntry(_ e: Int) -> UnsafeRawBufferPointer {
        UnsafeRawBufferPointer(start: entries.base + starts[e] - 4, count: lengths[e] + 4)
    }

    @inline(__always) private func equal(_ e: Int, _ bytes: UnsafeRawBufferPointer) -> Bool {
        guard let b = bytes.baseAddress, bytes.count > 0 else { return true }
        return memcmp(entries.base + starts[e], b, bytes.count) == 0
    }

    private func grow() {
        let size = slots.count * 2
        slots = [Int32](repeating: 0, count: size)
        mask = size - 1
        for e in 0..<hashes.count {
            var slot = Int(truncatingIfNeeded: hashes[e]) & mask
            while slots[slot] != 0 { slot = (slot + 1) & mask }
            slots[slot] = Int32(e + 1)
        }
    }

    /// A fast 64-bit hash of a byte string, 8 bytes per step.
    @inline(__always) static func hash(_ bytes: UnsafeRawBufferPointer) -> UInt64 {
        var h: UInt64 = 0x9E37_79B9_7F4A_7C15 ^ UInt64(bytes.count)
        guard let base = bytes.baseAddress else { return h }
        let n = bytes.count
        var i = 0
        while i + 8 <= n {
            let w = base.loadUnaligned(fromByteOffset: i, as: UInt64.self)
            h = (h ^ w) &* 0xBF58_476D_1CE4_E5B9
            h ^= h >> 29
            i += 8
        }
        if i < n {
            var w: UInt64 = 0
            var shift: UInt64 = 0
            while i < n {
                w |= UInt64(base.load(fromByteOffset: i, as: UInt8.self)) << shift
                shift += 8
                i += 1
            }
            h = (h ^ w) &* 0xBF58_476D_1CE4_E5B9
        }
        h ^= h >> 32
        h = h &* 0x94D0_49BB_1331_11EB
        h ^= h >> 29
        return h
    }
}

/// Fixed-width values (INT64, DOUBLE bit patterns, INT32 dates), as 64-bit
/// keys. A slot holds only the entry's index; the key is compared in
/// `values`. Keys in the slots too would make a lookup touch one cache line
/// instead of two, but triple the table's memory, and a chunk of 50-odd
/// metric columns with tens of thousands of distinct values each holds
/// all their tables at once (docs/parquet.md, Memory).
final class ParquetFixedDictionary {
    @exclusivity(unchecked) private(set) var values: [UInt64] = []
    /// Entry index + 1; 0 is empty.
    @exclusivity(unchecked) private var slots: [UInt32]
    @exclusivity(unchecked) private var mask: Int
    @exclusivity(unchecked) private var shift: UInt64
    private let initialCapacity: Int

    /// `capacity`: the initial table size, a power of two.
    init(capacity: Int = 1024) {
        slots = [UInt32](repeating: 0, count: capacity)
        mask = capacity - 1
        shift = UInt64(64 - capacity.trailingZeroBitCount)
        initialCapacity = capacity
    }

    var count: Int { values.count }

    func reset() {
        values.removeAll(keepingCapacity: values.count <= 4096)
        if slots.count > 8192 {
            slots = [UInt32](repeating: 0, count: initialCapacity)
            mask = initialCapacity - 1
            shift = UInt64(64 - initialCapacity.trailingZeroBitCount)
        } else {
            for i in slots.indices { slots[i] = 0 }
        }
    }

    @inline(__always) func index(of key: UInt64, isNew: inout Bool) -> UInt32 {
        var slot = Int(truncatingIfNeeded: (key &* 0x9E37_79B9_7F4A_7C15) >> shift) & mask
        while true {
            let s = slots[slot]
            if s == 0 { break }
            if values[Int(s) - 1] == key {
                isNew = false
                return s - 1
            }
            slot = (slot + 1) & mask
        }
        let e = values.count
        values.append(key)
        slots[slot] = UInt32(e + 1)
        isNew = true
        // Up to 3/4 full: short probes still, and half the memory of 1/2.
        if values.count * 4 > slots.count * 3 { grow() }
        return UInt32(e)
    }

    private func grow() {
        let size = slots.count * 2
        slots = [UInt32](repeating: 0, count: size)
        mask = size - 1
        shift -= 1
        for (e, key) in values.enumerated() {
            var slot = Int(truncatingIfNeeded: (key &* 0x9E37_79B9_7F4A_7C15) >> shift) & mask
            while slots[slot] != 0 { slot = (slot + 1) & mask }
            slots[slot] = UInt32(e + 1)
        }
    }
}

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif
