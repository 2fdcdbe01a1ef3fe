import CZlib

/// zlib's streaming deflate feeding a sink, in either container:
/// `.gzip` (one member, header and CRC/size trailer written by zlib) or
/// `.raw` (bare deflate data, as a ZIP entry holds it).
final class Deflater {
    enum Container {
        case gzip, raw
        var windowBits: Int32 { self == .gzip ? 15 + 16 : -15 }
    }

    /// zlib keeps a pointer back to its z_stream, so it lives at a fixed address.
    private let stream: UnsafeMutablePointer<z_stream>
    private let out: UnsafeMutablePointer<UInt8>
    private let outCapacity: Int
    private let downstream: any ByteSink
    private var ended = false

    init(level: Int, container: Container, downstream: any ByteSink, outCapacity: Int = 1 << 18) throws {
        self.downstream = downstream
        self.outCapacity = outCapacity
        stream = .allocate(capacity: 1)
        stream.initialize(to: z_stream())
        out = .allocate(capacity: outCapacity)
        let clamped = Int32(min(max(level, 0), 9))
        let rc = deflateInit2_(
            stream, clamped, Z_DEFLATED, container.windowBits, 8, Z_DEFAULT_STRATEGY,
            zlibVersion(), Int32(MemoryLayout<z_stream>.size))
        guard rc == Z_OK else {
            stream.deallocate()
            out.deallocate()
            ended = true
            throw ExportError.zlib(operation: "deflateInit2", code: rc)
        }
    }

    deinit {
        if !ended { deflateEnd(stream) }
        stream.deinitialize(count: 1)
        stream.deallocate()
        out.deallocate()
    }

    func write(_ bytes: UnsafeRawBufferPointer) throws {
        guard let base = bytes.baseAddress, bytes.count > 0 else { return }
        var remaining = bytes.count
        var position = UnsafeMutablePointer(mutating: base.assumingMemoryBound(to: UInt8.self))
        while remaining > 0 {
            // avail_in is 32-bit: feed huge chunks in pieces.
            let piece = min(remaining, 1 << 30)
            stream.pointee.next_in = position
            stream.pointee.avail_in = UInt32(piece)
            try run(flush: Z_NO_FLUSH)
            position += piece
            remaining -= piece
        }
    }

    /// Writes the end of the deflate stream (and gzip trailer); does not finish the downstream sink.
    func finish() throws {
        stream.pointee.next_in = nil
        stream.pointee.avail_in = 0
        try run(flush: Z_FINISH)
        deflateEnd(stream)
        ended = true
    }

    private func run(flush: Int32) throws {
        while true {
            stream.pointee.next_out = out
            stream.pointee.avail_out = UInt32(outCapacity)
            let rc = deflate(stream, flush)
            guard rc == Z_OK || rc == Z_STREAM_END || rc == Z_BUF_ERROR else {
                throw ExportError.zlib(operation: "deflate", code: rc)
            }
            let produced = outCapacity - Int(stream.pointee.avail_out)
            if produced > 0 {
                try downstream.write(UnsafeRawBufferPointer(start: out, count: produced))
            }
            if flush == Z_FINISH {
                if rc == Z_STREAM_END { return }
            } else if stream.pointee.avail_in == 0 && stream.pointee.avail_out > 0 {
                return
            }
        }
    }
}

/// A gzip file: one member, level 1-9 (default 6), mtime 0 so the same rows
/// give the same bytes.
public final class GzipSink: ByteSink {
    private let deflater: Deflater
    private let downstream: any ByteSink

    public init(level: Int = SpecDefaults.compressionLevel, downstream: any ByteSink) throws {
        self.downstream = downstream
        deflater = try Deflater(level: level, container: .gzip, downstream: downstream)
    }

    public func write(_ bytes: UnsafeRawBufferPointer) throws { try deflater.write(bytes) }

    public func finish() throws {
        try deflater.finish()
        try downstream.finish()
    }
}

/// CRC-32 (as ZIP uses it) from zlib.
struct CRC32 {
    private(set) var value: UInt32 = 0

    mutating func update(_ bytes: UnsafeRawBufferPointer) {
        guard let base = bytes.baseAddress else { return }
        var remaining = bytes.count
        var position = base.assumingMemoryBound(to: UInt8.self)
        var crc = UInt(value)
        while remaining > 0 {
            let piece = min(remaining, 1 << 30)
            crc = CZlib.crc32(crc, position, UInt32(piece))
            position += piece
            remaining -= piece
        }
        value = UInt32(truncatingIfNeeded: crc)
    }
}
