import CHints

/// A block of up to `capacity` rows, held until their columns are encoded.
///
/// Each row is kept (one reference) and its cells' address noted, so the
/// column encoders on other threads read cells in place. Going through the
/// arrays instead would retain and release every row array once per column,
/// from two threads at once, which cost more than all the encoding. The
/// addresses stay valid because `rows` keeps the arrays alive and nothing
/// mutates them until `clear()`.
final class ParquetRowBatch: @unchecked Sendable {
    // @unchecked: filled by the exporter, then read by the encoder's threads
    // and cleared by it; never both at once (ParquetBatchEncoder).
    private var rows: [Row] = []
    private var cells: [ParquetRowCells] = []
    private let capacity: Int

    init(rows capacity: Int) {
        self.capacity = capacity
        rows.reserveCapacity(capacity)
        cells.reserveCapacity(capacity)
    }

    var isFull: Bool { rows.count >= capacity }

    func append(_ row: Row) {
        rows.append(row)
        cells.append(row.withUnsafeBufferPointer { ParquetRowCells(base: $0.baseAddress, count: $0.count) })
    }

    func withRows<R>(_ body: (UnsafeBufferPointer<ParquetRowCells>) throws -> R) rethrows -> R {
        try cells.withUnsafeBufferPointer(body)
    }

    func clear() {
        cells.removeAll(keepingCapacity: true)
        rows.removeAll(keepingCapacity: true)
    }
}

extension UnsafeBufferPointer<ParquetRowCells> {
    /// Rows are far apart in memory, so the loads of a column's cells miss
    /// the cache one after another unless asked for a few rows ahead.
    @inline(__always) func prefetch(column i: Int, after r: Int) {
        let ahead = r + ParquetRowCells.prefetchDistance
        guard ahead < count, let base = self[ahead].base else { return }
        // A cell may straddle two cache lines: ask for its first and last byte.
        let cell = UnsafeRawPointer(base + i)
        wx_prefetch(cell)
        wx_prefetch(cell + (MemoryLayout<Value>.size - 1))
    }
}

/// One row's cells, read in place (see `ParquetRowBatch`).
struct ParquetRowCells {
    let base: UnsafePointer<Value>?
    let count: Int
    /// Measured on the benchmark's rows: 8 to 32 are alike, none is ~40% slower.
    static let prefetchDistance = 16

    /// Cell `i`, null when the row is shorter.
    @inline(__always) subscript(i: Int) -> Value { i < count ? base.unsafelyUnwrapped[i] : .null }
}

/// A string cell's UTF-8 bytes, taken without copying the String, whose
/// copy would retain and release its storage (a tenth of the writer's time).
/// Bytes of a string with storage are referred to where they are (the batch
/// keeps the row, and so the string, alive); a small string (up to 15 bytes,
/// kept inside the String value itself, with no address that lasts) is
/// copied in.
struct ParquetStringCell {
    private var inline: (UInt64, UInt64) = (0, 0)
    private var address: UnsafeRawPointer?
    private let count: Int

    /// Nil when the cell is not a string (or its bytes are not contiguous).
    @inline(__always) init?(_ cell: UnsafePointer<Value>, smallLayout: Bool) {
        // Nothing here calls out while `s` is bound, so Swift reads the cell in place without retaining it.
        guard case .string(let s) = cell.pointee else { return nil }
        if smallLayout, let small = Self.small(s) {
            inline = small.bytes
            count = small.count
            return
        }
        var inline: (UInt64, UInt64) = (0, 0)
        guard
            let (address, count) = s.utf8.withContiguousStorageIfAvailable({ bytes -> (UnsafeRawPointer?, Int) in
                // Without the small-string layout, any short string may be a copy on the stack.
                guard !smallLayout && bytes.count <= 15, let source = bytes.baseAddress else {
                    return (UnsafeRawPointer(bytes.baseAddress), bytes.count)
                }
                withUnsafeMutableBytes(of: &inline) { $0.copyMemory(from: UnsafeRawBufferPointer(start: source, count: bytes.count)) }
                return (nil, bytes.count)
            })
        else { return nil }
        self.inline = inline
        self.address = address
        self.count = count
    }

    @inline(__always) mutating func withBytes<R>(_ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        if let address { return try body(UnsafeRawBufferPointer(start: address, count: count)) }
        let count = self.count
        return try withUnsafeBytes(of: &inline) { try body(UnsafeRawBufferPointer(rebasing: $0[..<count])) }
    }

    /// A small string's bytes read from the String value itself: going
    /// through `utf8` makes Swift copy them to the stack first, and reading
    /// back a few bytes just stored stalls the CPU. On 64-bit platforms a
    /// small string is two words: up to 15 bytes, the count in bits 56-59 and
    /// the "small" flag in bit 61 of the second word (the standard library's
    /// StringObject.swift). `smallLayout` checks this once.
    @inline(__always) private static func small(_ s: String) -> (bytes: (UInt64, UInt64), count: Int)? {
        #if _pointerBitWidth(_64) && _endian(little)
            let (low, high) = unsafeBitCast(s, to: (UInt64, UInt64).self)
            guard high & (1 << 61) != 0 else { return nil }
            return ((low, high & 0x00FF_FFFF_FFFF_FFFF), Int(truncatingIfNeeded: (high >> 56) & 0xF))
        #else
            return nil
        #endif
    }

    /// Whether `small(_:)` reads this standard library's small strings right,
    /// checked on strings of several lengths, ASCII and not. If not, every
    /// string goes through `utf8`.
    static let smallLayout: Bool = {
        for text in ["", "a", "abcdefg", "abcdefgh", "abcdefghijklmno", "账号", "微信公众号", "é"] {
            guard let small = small(text), small.count == text.utf8.count else { return false }
            let bytes = withUnsafeBytes(of: small.bytes) { Array($0.prefix(small.count)) }
            guard bytes == Array(text.utf8) else { return false }
        }
        return small(String(repeating: "x", count: 40)) == nil
    }()
}
