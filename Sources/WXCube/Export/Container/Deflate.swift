import CZlib
import Foundation

/// Raw deflate (no zlib or gzip wrapper) on the machine's cores, pigz-style,
/// feeding a sink: the csv.gz/ndjson.gz member body and XLSX's ZIP entries.
///
/// The input is cut into blocks of `blockBytes`; each block is compressed on
/// a worker with the previous block's last 32 KiB as its dictionary (so the
/// ratio stays within a fraction of a percent of one stream) and ends on a
/// byte boundary (a sync flush), so the pieces join into one valid stream;
/// the last block ends it. Blocks are written in order and cut at the same
/// byte counts every time, so the same input gives the same bytes. An input
/// of one block or less is compressed on the calling thread, and its bytes
/// are exactly what one zlib stream gives (the demo's goldens hold this).
/// The CRC-32 of the input is computed per block on the workers and combined.
final class ParallelDeflater {
    /// Bytes per block: 256 KiB. Tests set `Int.max` to get one zlib stream
    /// per file (the bytes of wxcube before parallel deflate) and compare.
    static let blockBytesSetting = Locked(256 << 10)
    static let window = 32 << 10

    private let blockBytes: Int

    private let level: Int32
    private let downstream: any ByteSink
    /// Idle zlib states, so a block does not set up a fresh one.
    private let pool: Pool<DeflateBlockCompressor>
    private let maxInFlight: Int
    private var block: [UInt8] = []
    /// The last block handed to a worker: the next block's dictionary.
    private var previous: [UInt8]?
    private var inFlight: [DeflateJob] = []
    private(set) var crc: UInt32 = 0
    private(set) var totalIn = 0

    init(level: Int, downstream: any ByteSink, workers: Int = ProcessInfo.processInfo.activeProcessorCount) {
        self.level = Int32(min(max(level, 0), 9))
        self.downstream = downstream
        let clamped = self.level
        pool = Pool { try DeflateBlockCompressor(level: clamped) }
        // One block per core in flight, and one more waiting: the workers
        // rarely wait for the writer, and memory stays at a few blocks.
        maxInFlight = max(2, workers + 1)
        blockBytes = Self.blockBytesSetting.current
        block.reserveCapacity(min(blockBytes, 1 << 20))
    }

    /// The gzip header's XFL byte, as zlib writes it for this level.
    var gzipExtraFlags: UInt8 { level == 9 ? 2 : (level < 2 ? 4 : 0) }

    func write(_ bytes: UnsafeRawBufferPointer) throws {
        var rest = bytes
        while !rest.isEmpty {
            let room = blockBytes - block.count
            let take = min(room, rest.count)
            block.append(contentsOf: UnsafeRawBufferPointer(rebasing: rest.prefix(take)))
            rest = UnsafeRawBufferPointer(rebasing: rest.dropFirst(take))
            if block.count == blockBytes { try submit(final: false) }
        }
    }

    /// Writes the end of the deflate stream; does not finish the downstream sink.
    func finish() throws {
        if previous == nil {
            // One block or less: on this thread, as one zlib stream.
            let compressor = try pool.take()
            defer { pool.give(compressor) }
            let out = try compressor.compress(block, dictionary: nil, final: true)
            try out.withUnsafeBytes { try downstream.write($0) }
            crc = CRC32.of(block)
            totalIn = block.count
            block = []
            return
        }
        try submit(final: true)
        while !inFlight.isEmpty { try collect() }
    }

    private func submit(final: Bool) throws {
        let job = DeflateJob(input: block, dictionary: previous, final: final)
        let pool = self.pool
        DispatchQueue.global(qos: .userInitiated).async { job.run(pool) }
        inFlight.append(job)
        previous = block
        block = []
        block.reserveCapacity(min(blockBytes, 1 << 20))
        while inFlight.count >= maxInFlight { try collect() }
    }

    /// Waits for the oldest block and writes it.
    private func collect() throws {
        let job = inFlight.removeFirst()
        let (output, blockCRC) = try job.result()
        try output.withUnsafeBytes { try downstream.write($0) }
        crc = CRC32.combine(crc, blockCRC, length: job.input.count)
        totalIn += job.input.count
    }
}

/// One block's compression, run on a worker.
private final class DeflateJob: @unchecked Sendable {
    // @unchecked: `outcome` is written once by the worker before `done` is
    // signalled, and read by the owner only after waiting for it.
    let input: [UInt8]
    private let dictionary: [UInt8]?
    private let final: Bool
    private let done = DispatchSemaphore(value: 0)
    private var outcome: Result<([UInt8], UInt32), any Error> = .success(([], 0))

    init(input: [UInt8], dictionary: [UInt8]?, final: Bool) {
        self.input = input
        self.dictionary = dictionary
        self.final = final
    }

    func run(_ pool: Pool<DeflateBlockCompressor>) {
        outcome = Result {
            let compressor = try pool.take()
            defer { pool.give(compressor) }
            let window = dictionary.map { Array($0.suffix(ParallelDeflater.window)) }
            return (try compressor.compress(input, dictionary: window, final: final), CRC32.of(input))
        }
        done.signal()
    }

    func result() throws -> ([UInt8], UInt32) {
        done.wait()
        return try outcome.get()
    }
}

/// One raw-deflate zlib state, reset for every block.
final class DeflateBlockCompressor {
    /// zlib keeps a pointer back to its z_stream, so it lives at a fixed address.
    private let stream: UnsafeMutablePointer<z_stream>
    private let scratch: UnsafeMutablePointer<UInt8>
    private static let scratchBytes = 1 << 16

    init(level: Int32) throws {
        stream = .allocate(capacity: 1)
        stream.initialize(to: z_stream())
        scratch = .allocate(capacity: Self.scratchBytes)
        let rc = deflateInit2_(stream, level, Z_DEFLATED, -15, 8, Z_DEFAULT_STRATEGY, zlibVersion(), Int32(MemoryLayout<z_stream>.size))
        guard rc == Z_OK else {
            stream.deallocate()
            scratch.deallocate()
            throw ExportError.zlib(operation: "deflateInit2", code: rc)
        }
    }

    deinit {
        deflateEnd(stream)
        stream.deinitialize(count: 1)
        stream.deallocate()
        scratch.deallocate()
    }

    /// `input` deflated after `dictionary`; ends the stream when `final`, else
    /// ends on a byte boundary with the stream still open (Z_SYNC_FLUSH).
    func compress(_ input: [UInt8], dictionary: [UInt8]?, final: Bool) throws -> [UInt8] {
        var rc = deflateReset(stream)
        guard rc == Z_OK else { throw ExportError.zlib(operation: "deflateReset", code: rc) }
        if let dictionary, !dictionary.isEmpty {
            rc = dictionary.withUnsafeBufferPointer { deflateSetDictionary(stream, $0.baseAddress, UInt32($0.count)) }
            guard rc == Z_OK else { throw ExportError.zlib(operation: "deflateSetDictionary", code: rc) }
        }
        var out: [UInt8] = []
        out.reserveCapacity(input.count / 3 + 64)
        let flush = final ? Z_FINISH : Z_SYNC_FLUSH
        try input.withUnsafeBufferPointer { source in
            stream.pointee.next_in = UnsafeMutablePointer(mutating: source.baseAddress)
            stream.pointee.avail_in = UInt32(source.count)
            while true {
                stream.pointee.next_out = scratch
                stream.pointee.avail_out = UInt32(Self.scratchBytes)
                let rc = deflate(stream, flush)
                guard rc == Z_OK || rc == Z_STREAM_END || rc == Z_BUF_ERROR else {
                    throw ExportError.zlib(operation: "deflate", code: rc)
                }
                out.append(contentsOf: UnsafeBufferPointer(start: scratch, count: Self.scratchBytes - Int(stream.pointee.avail_out)))
                if final ? rc == Z_STREAM_END : (stream.pointee.avail_in == 0 && stream.pointee.avail_out > 0) { return }
            }
        }
        return out
    }
}

/// A gzip file: one member, level 1-9 (default 6), mtime 0 so the same rows
/// give the same bytes. The header is the one zlib writes (so a small file's
/// bytes are exactly zlib's); the body is `ParallelDeflater`'s.
public final class GzipSink: ByteSink {
    private let deflater: ParallelDeflater
    private let downstream: any ByteSink
    private var started = false

    public init(level: Int = SpecDefaults.compressionLevel, downstream: any ByteSink) throws {
        self.downstream = downstream
        deflater = ParallelDeflater(level: level, downstream: downstream)
    }

    public func write(_ bytes: UnsafeRawBufferPointer) throws {
        try start()
        try deflater.write(bytes)
    }

    public func finish() throws {
        try start()
        try deflater.finish()
        var trailer = LittleEndianBytes()
        trailer.u32(deflater.crc)
        trailer.u32(UInt32(truncatingIfNeeded: deflater.totalIn))
        try trailer.bytes.withUnsafeBytes { try downstream.write($0) }
        try downstream.finish()
    }

    /// ID1 ID2, deflate, no flags, mtime 0, XFL, OS 3 (Unix): zlib's header.
    private func start() throws {
        guard !started else { return }
        started = true
        let header: [UInt8] = [0x1F, 0x8B, 8, 0, 0, 0, 0, 0, deflater.gzipExtraFlags, 3]
        try header.withUnsafeBytes { try downstream.write($0) }
    }
}

/// CRC-32 (as ZIP and gzip use it) from zlib.
enum CRC32 {
    static func of(_ bytes: [UInt8]) -> UInt32 {
        bytes.withUnsafeBufferPointer { b in
            guard let base = b.baseAddress else { return 0 }
            return UInt32(truncatingIfNeeded: CZlib.crc32(0, base, UInt32(b.count)))
        }
    }

    /// The CRC of A then B, from A's and B's CRCs and B's length.
    static func combine(_ a: UInt32, _ b: UInt32, length: Int) -> UInt32 {
        UInt32(truncatingIfNeeded: crc32_combine(UInt(a), UInt(b), Int(length)))
    }
}
