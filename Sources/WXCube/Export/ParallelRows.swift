import Foundation

/// A format's row loop run on the machine's cores (docs/architecture.md,
/// "Speed"): a dataset's stream is one part per account (`ConcatRowStream`),
/// and each part (read the store, decode, the stages, encode) is independent
/// of the others. So each part runs on a worker thread, at most one per core
/// at once, encoding into chunks; the writer takes the chunks part by part,
/// in order. The file's bytes are exactly those of encoding the parts one
/// after the other. Memory stays bounded: each worker may run at most
/// `chunksAhead` chunks of 256 KiB ahead of the writer.
enum ParallelRows {
    static let chunksAhead = 3

    /// Encodes every row of `stream` into `out` with `encode` (rows in, bytes
    /// out, returns the rows written), in parallel when the stream has several
    /// parts and the machine several cores.
    static func encode(
        _ stream: any RowStream, into out: ByteOutput,
        workers: Int = ProcessInfo.processInfo.activeProcessorCount,
        _ encode: @escaping @Sendable (any RowStream, ByteOutput) throws -> Int
    ) throws -> Int {
        guard workers > 1, let concat = stream as? ConcatRowStream, concat.partCount > 1, let parts = concat.takeParts() else {
            return try encode(stream, out)
        }
        try out.flush()
        var running: [ChunkPipe] = []
        defer { for w in running { w.cancel() } }
        var rows = 0
        for i in parts.indices {
            while running.count < workers, i + running.count < parts.count {
                let part = parts[i + running.count]
                running.append(
                    ChunkPipe { sink in
                        let out = ByteOutput(sink: sink)
                        let rows = try encode(try part.make(), out)
                        try out.flush()
                        return rows
                    })
            }
            let worker = running.removeFirst()
            while let chunk = try worker.take() {
                try chunk.withUnsafeBytes { try out.sink.write($0) }
            }
            rows += try worker.rows()
        }
        return rows
    }
}

/// A producer run on its own thread, writing into a bounded queue of chunks
/// that the caller takes in order (a part's rows for `ParallelRows`, the
/// COPY text for PostgreSQL).
final class ChunkPipe: ByteSink, @unchecked Sendable {
    // @unchecked: `chunks`, `outcome` and `cancelled` are only touched under
    // `condition`.
    private let condition = NSCondition()
    private var chunks: [[UInt8]] = []
    private var outcome: Result<Int, any Error>?
    private var cancelled = false

    /// Starts `produce` (which writes into the sink it is given and returns a row count) on a new thread.
    init(_ produce: @escaping @Sendable (any ByteSink) throws -> Int) {
        let thread = Thread { [self] in
            let result = Result { try produce(self) }
            condition.withLock {
                outcome = result
                condition.broadcast()
            }
        }
        thread.name = "wxcube.rows"
        thread.start()
    }

    /// The worker's side: waits while the writer is `chunksAhead` chunks behind.
    func write(_ bytes: UnsafeRawBufferPointer) throws {
        let chunk = [UInt8](bytes)
        try condition.withLock {
            while chunks.count >= ParallelRows.chunksAhead && !cancelled { condition.wait() }
            if cancelled { throw CancellationError() }
            chunks.append(chunk)
            condition.broadcast()
        }
    }

    func finish() throws {}

    /// The writer's side: the next chunk, or nil when the part is done.
    func take() throws -> [UInt8]? {
        try condition.withLock {
            while chunks.isEmpty && outcome == nil { condition.wait() }
            if !chunks.isEmpty {
                condition.broadcast()
                return chunks.removeFirst()
            }
            _ = try outcome?.get()
            return nil
        }
    }

    /// The part's row count, once `take()` returned nil.
    func rows() throws -> Int {
        try condition.withLock { try outcome?.get() ?? 0 }
    }

    /// Stops the worker at its next chunk (the writer failed).
    func cancel() {
        condition.withLock {
            cancelled = true
            chunks.removeAll()
            condition.broadcast()
        }
    }
}
