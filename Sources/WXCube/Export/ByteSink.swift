/// Where encoded bytes go: a file, a gzip stream, a ZIP entry. Sinks chain
/// (formatter → gzip → file), each taking large chunks.
public protocol ByteSink: AnyObject {
    func write(_ bytes: UnsafeRawBufferPointer) throws
    /// Flushes everything buffered downstream; no writes follow.
    func finish() throws
}

extension ByteSink {
    public func write(_ bytes: [UInt8]) throws {
        try bytes.withUnsafeBytes { try write($0) }
    }
}

/// Bytes kept in memory (short texts, tests).
final class MemorySink: ByteSink {
    private(set) var bytes: [UInt8] = []
    func write(_ b: UnsafeRawBufferPointer) throws { bytes.append(contentsOf: b) }
    func finish() throws {}
}

/// The reusable output buffer every formatter writes into: fixed memory, no
/// per-cell allocation, drained to its sink in large chunks.
///
/// Callers `reserve(n)` once for a bounded piece (a number, a date, a
/// delimiter run) and then use the unchecked appends; texts go through
/// `append(_:UnsafeRawBufferPointer)`, which handles any length.
final class ByteOutput {
    // Exclusivity is not checked at run time for these: every cell touches
    // them several times, the runtime checks cost ~12% of NDJSON export time,
    // and nothing here is reentrant (a sink never writes back into the buffer).
    @exclusivity(unchecked) private var base: UnsafeMutablePointer<UInt8>
    @exclusivity(unchecked) private var capacity: Int
    @exclusivity(unchecked) private(set) var count = 0
    let sink: any ByteSink

    init(sink: any ByteSink, capacity: Int = 1 << 18) {
        self.sink = sink
        self.capacity = capacity
        self.base = .allocate(capacity: capacity)
    }

    deinit { base.deallocate() }

    /// Makes room for `n` more bytes, draining to the sink when full.
    @inline(__always) func reserve(_ n: Int) throws {
        if count + n > capacity { try makeRoom(n) }
    }

    private func makeRoom(_ n: Int) throws {
        try flush()
        if n > capacity {
            base.deallocate()
            capacity = n
            base = .allocate(capacity: n)
        }
    }

    func flush() throws {
        guard count > 0 else { return }
        let chunk = UnsafeRawBufferPointer(start: base, count: count)
        count = 0
        try sink.write(chunk)
    }

    /// Drains the buffer and finishes the sink.
    func finish() throws {
        try flush()
        try sink.finish()
    }

    @inline(__always) func appendUnchecked(_ byte: UInt8) {
        base[count] = byte
        count += 1
    }

    @inline(__always) func appendUnchecked(_ bytes: UnsafeRawBufferPointer) {
        guard let src = bytes.baseAddress, bytes.count > 0 else { return }
        (base + count).update(from: src.assumingMemoryBound(to: UInt8.self), count: bytes.count)
        count += bytes.count
    }

    @inline(__always) func append(_ byte: UInt8) throws {
        try reserve(1)
        appendUnchecked(byte)
    }

    func append(_ bytes: UnsafeRawBufferPointer) throws {
        if count + bytes.count <= capacity {
            appendUnchecked(bytes)
        } else if bytes.count >= capacity / 2 {
            try flush()
            try sink.write(bytes)
        } else {
            try flush()
            appendUnchecked(bytes)
        }
    }

    func append(_ bytes: [UInt8]) throws {
        try bytes.withUnsafeBytes { try append($0) }
    }

    func append(_ text: String) throws {
        var text = text
        try text.withUTF8 { try append(UnsafeRawBufferPointer($0)) }
    }

    /// Decimal digits, never an exponent. Needs 20 reserved bytes.
    @inline(__always) func appendUnchecked(int value: Int) {
        var magnitude = value.magnitude
        if value < 0 { appendUnchecked(UInt8(ascii: "-")) }
        if magnitude < 10 {
            appendUnchecked(UInt8(truncatingIfNeeded: 48 &+ magnitude))
            return
        }
        var digits = 0
        var probe = magnitude
        while probe > 0 {
            digits += 1
            probe /= 10
        }
        var position = count + digits - 1
        while magnitude > 0 {
            base[position] = UInt8(truncatingIfNeeded: 48 &+ magnitude % 10)
            magnitude /= 10
            position -= 1
        }
        count += digits
    }

    func append(int value: Int) throws {
        try reserve(20)
        appendUnchecked(int: value)
    }

    /// The shortest text that parses back to the same Double (Swift's own
    /// algorithm, as `description` prints it, e.g. `0.1`, `1.0`, `1e-05`,
    /// `1e+16`), written without building a String. Finite values only:
    /// callers map NaN and infinities to their format's null. Needs 32 reserved bytes.
    @inline(__always) func appendUnchecked(double value: Double) {
        var stream = DigitStream(output: self)
        value.write(to: &stream)
    }

    /// `YYYY-MM-DD`. Needs 10 reserved bytes.
    @inline(__always) func appendUnchecked(day: Day) {
        let (y, m, d) = day.components
        appendUnchecked(UInt8(truncatingIfNeeded: 48 + (y / 1000) % 10))
        appendUnchecked(UInt8(truncatingIfNeeded: 48 + (y / 100) % 10))
        appendUnchecked(UInt8(truncatingIfNeeded: 48 + (y / 10) % 10))
        appendUnchecked(UInt8(truncatingIfNeeded: 48 + y % 10))
        appendUnchecked(UInt8(ascii: "-"))
        appendUnchecked(UInt8(truncatingIfNeeded: 48 + m / 10))
        appendUnchecked(UInt8(truncatingIfNeeded: 48 + m % 10))
        appendUnchecked(UInt8(ascii: "-"))
        appendUnchecked(UInt8(truncatingIfNeeded: 48 + d / 10))
        appendUnchecked(UInt8(truncatingIfNeeded: 48 + d % 10))
    }
}

/// Receives Double's shortest-round-trip digits. The standard library hands a
/// TextOutputStream the digits through `_writeASCII` straight from a stack
/// buffer, so implementing it avoids a String per number.
private struct DigitStream: TextOutputStream {
    let output: ByteOutput
    mutating func write(_ string: String) {
        for byte in string.utf8 { output.appendUnchecked(byte) }
    }
    mutating func _writeASCII(_ buffer: UnsafeBufferPointer<UInt8>) {
        output.appendUnchecked(UnsafeRawBufferPointer(buffer))
    }
}
