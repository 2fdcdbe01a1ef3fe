import CSnappy
import CZlib
import CZstd

/// Compresses one page at a time with the file's codec. The codec state is
/// made once per file and reset per page; output goes into a reused buffer.
final class ParquetCompressor {
    let compression: ParquetCompression
    private let level: Int32
    private var zstd: OpaquePointer?
    private var zlib: UnsafeMutablePointer<z_stream>?
    private let output = ParquetBuffer(capacity: 1 << 16)

    /// `level`: zstd 1-22 (default 1, as Arrow's), gzip 1-9 (default 6); ignored by snappy and none.
    init(_ compression: ParquetCompression, level: Int?) throws {
        self.compression = compression
        switch compression {
        case .zstd:
            self.level = Int32(level ?? 1)
            guard let ctx = ZSTD_createCCtx() else { throw ParquetError.codec(name: "zstd", operation: "ZSTD_createCCtx", code: 0) }
            zstd = ctx
        case .gzip:
            self.level = Int32(min(max(level ?? 6, 1), 9))
            let stream = UnsafeMutablePointer<z_stream>.allocate(capacity: 1)
            stream.initialize(to: z_stream())
            // windowBits 15 + 16: a gzip member (mtime 0, so files are deterministic).
            let rc = deflateInit2_(
                stream, self.level, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY,
                zlibVersion(), Int32(MemoryLayout<z_stream>.size))
            guard rc == Z_OK else {
                stream.deinitialize(count: 1)
                stream.deallocate()
                throw ParquetError.codec(name: "gzip", operation: "deflateInit2", code: Int(rc))
            }
            zlib = stream
        case .snappy, .none:
            self.level = 0
        }
    }

    deinit {
        if let zstd { ZSTD_freeCCtx(zstd) }
        if let zlib {
            deflateEnd(zlib)
            zlib.deinitialize(count: 1)
            zlib.deallocate()
        }
    }

    /// The compressed form of `input`; valid until the next call. `none` returns the input itself.
    func compress(_ input: UnsafeRawBufferPointer) throws -> UnsafeRawBufferPointer {
        switch compression {
        case .none:
            return input
        case .zstd:
            let bound = ZSTD_compressBound(input.count)
            output.reset()
            let dst = output.tail(reserving: bound)
            let n = ZSTD_compressCCtx(zstd, dst, bound, input.baseAddress, input.count, level)
            if ZSTD_isError(n) != 0 { throw ParquetError.codec(name: "zstd", operation: "ZSTD_compressCCtx", code: Int(n)) }
            output.advance(by: n)
            return output.bytes
        case .snappy:
            let bound = snappy_max_compressed_length(input.count)
            output.reset()
            let dst = output.tail(reserving: bound)
            var length = bound
            let rc = dst.withMemoryRebound(to: CChar.self, capacity: bound) { chars in
                input.baseAddress.map { snappy_compress($0.assumingMemoryBound(to: CChar.self), input.count, chars, &length) }
                    ?? snappy_compress("", 0, chars, &length)
            }
            guard rc == SNAPPY_OK else { throw ParquetError.codec(name: "snappy", operation: "snappy_compress", code: Int(rc.rawValue)) }
            output.advance(by: length)
            return output.bytes
        case .gzip:
            guard let zlib else { throw ParquetError.codec(name: "gzip", operation: "deflate (not initialised)", code: 0) }
            var rc = deflateReset(zlib)
            guard rc == Z_OK else { throw ParquetError.codec(name: "gzip", operation: "deflateReset", code: Int(rc)) }
            let bound = Int(deflateBound(zlib, UInt(input.count))) + 32
            output.reset()
            let dst = output.tail(reserving: bound)
            zlib.pointee.next_in = UnsafeMutablePointer(mutating: input.baseAddress?.assumingMemoryBound(to: UInt8.self))
            zlib.pointee.avail_in = UInt32(input.count)
            zlib.pointee.next_out = dst
            zlib.pointee.avail_out = UInt32(bound)
            rc = deflate(zlib, Z_FINISH)
            guard rc == Z_STREAM_END else { throw ParquetError.codec(name: "gzip", operation: "deflate", code: Int(rc)) }
            output.advance(by: bound - Int(zlib.pointee.avail_out))
            return output.bytes
        }
    }
}
