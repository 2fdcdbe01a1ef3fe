import Foundation

/// `format: parquet`: one dataset per file, written as rows stream in
/// (docs/parquet.md).
///
/// Layout: `PAR1`, then one row group per `rowGroupRows` rows, each holding
/// one column chunk per column (optional dictionary page, then data pages v1),
/// then the Thrift-compact FileMetaData footer, its length and `PAR1`. Only
/// the current row group's encoded pages are held in memory; the footer keeps
/// a few hundred bytes per row group. Nothing depends on the clock, so the
/// same rows give the same bytes.
public struct ParquetExporter: Exporter {
    public var compression: ParquetCompression
    /// zstd 1-22 (default 1) or gzip 1-9 (default 6); nil for the codec's default.
    public var level: Int?
    public var rowGroupRows: Int
    public var context: ExportContext
    var limits = ParquetLimits()

    public static var defaultRowGroupRows: Int { SpecDefaults.rowGroupRows }
    static let magic: [UInt8] = Array("PAR1".utf8)
    /// Rows handed to the column writers at a time.
    static let batchRows = 4096

    public init(
        compression: ParquetCompression = SpecDefaults.parquetCompression, level: Int? = nil, rowGroupRows: Int = ParquetExporter.defaultRowGroupRows,
        context: ExportContext
    ) {
        self.compression = compression
        self.level = level
        self.rowGroupRows = max(1, rowGroupRows)
        self.context = context
    }

    public func export(_ inputs: [ExportInput], to sink: any ByteSink) throws -> [Int] {
        guard inputs.count == 1, let input = inputs.first else { throw ExportError.datasetCount(format: "parquet", got: inputs.count) }
        let schema = input.stream.schema
        // One compressor per column being encoded at the same moment.
        let compressors = Pool { [compression, level] in try ParquetCompressor(compression, level: level) }
        let main = try compressors.take()
        let writers = schema.columns.map {
            ParquetColumnWriter(column: $0, dataset: input.dataset.rawValue, compressor: main, limits: limits)
        }
        try sink.write(Self.magic)
        var offset = Int64(Self.magic.count)
        let rowGroups = ParquetBuffer()
        var rowGroupCount = 0
        var rows = 0
        var groupRows = 0

        // Rows are buffered in batches and handed over column by column, so
        // each column's dictionary stays in the CPU cache while it works.
        // A full batch is encoded in the background while the next one fills
        // (ParquetBatchEncoder), so reading the rows is not a pause between batches.
        let encoder = ParquetBatchEncoder(writers: writers, compressors: compressors)
        defer { encoder.finish() }
        var batch = ParquetRowBatch(rows: Self.batchRows)
        var spare = ParquetRowBatch(rows: Self.batchRows)
        func flushBatch() throws {
            try encoder.wait()
            encoder.start(batch)
            swap(&batch, &spare)
        }

        func flushRowGroup() throws {
            try flushBatch()
            try encoder.wait()
            try encoder.sealChunks()
            var chunks: [ParquetChunkMetadata] = []
            chunks.reserveCapacity(writers.count)
            for w in writers {
                chunks.append(try w.flushChunk(to: sink, offset: &offset))
            }
            ParquetHeaders.rowGroup(chunks, rows: groupRows, ordinal: rowGroupCount, into: rowGroups)
            rowGroupCount += 1
            groupRows = 0
        }

        while let row = try input.stream.next() {
            batch.append(row)
            rows += 1
            groupRows += 1
            if groupRows >= rowGroupRows {
                try flushRowGroup()
            } else if batch.isFull {
                try flushBatch()
            }
        }
        if groupRows > 0 { try flushRowGroup() }

        let footer = ParquetBuffer()
        ParquetHeaders.fileMetaData(
            leaves: writers.map(\.leaf), rows: rows, rowGroups: rowGroups, rowGroupCount: rowGroupCount,
            keyValues: keyValues(dataset: input.dataset, schema: schema),
            createdBy: "wxcube version \(context.version)", into: footer)
        footer.appendLE32(UInt32(truncatingIfNeeded: footer.count))
        footer.append(Self.magic)
        try sink.write(footer.bytes)
        try sink.finish()
        return [rows]
    }

    /// The file's key-value metadata (docs/parquet.md lists the keys).
    func keyValues(dataset: DatasetName, schema: Schema) -> [(String, String)] {
        func json(_ text: String) -> String { String(decoding: JSONText.escaped(text), as: UTF8.self) }
        var columns = "{"
        for (i, c) in schema.columns.enumerated() {
            if i > 0 { columns += "," }
            columns += "\(json(c.name)):{\"description\":\(json(c.description)),\"label_zh\":\(json(c.label))}"
        }
        columns += "}"
        var pairs: [(String, String)] = [
            ("wxcube.version", context.version),
            ("wxcube.pipeline", context.pipelineName),
            ("wxcube.dataset", dataset.rawValue),
            ("wxcube.range", "{\"from\":\"\(context.range.from.iso)\",\"to\":\"\(context.range.to.iso)\"}"),
            ("wxcube.columns", columns),
        ]
        if Self.hasThresholdCaveat(dataset: dataset, schema: schema) {
            pairs.append(("wxcube.caveat", context.caveat))
        }
        return pairs
    }

    /// The threshold caveat is about article_summary (and any dataset the annotate stage marked).
    static func hasThresholdCaveat(dataset: DatasetName, schema: Schema) -> Bool {
        dataset == .article_summary || schema.contains(Datasets.thresholdStatus.name)
    }
}

/// Encodes one full batch at a time on a background thread, while the
/// exporter reads the next batch's rows. A batch's columns are independent,
/// so they are encoded on all cores at once, each with a compressor of its
/// own (the bytes do not depend on which thread ran). The exporter waits
/// for the batch in flight before it starts another or touches the writers.
private final class ParquetBatchEncoder: @unchecked Sendable {
    // @unchecked: `writers` and the batch are used by the background job only
    // between `start` and `wait`, and by the exporter only outside that span.
    private let writers: [ParquetColumnWriter]
    private let compressors: Pool<ParquetCompressor>
    private let queue = DispatchQueue(label: "wxcube.parquet.encode")
    private let running = DispatchGroup()
    private let failures = Locked<[any Error]>([])

    init(writers: [ParquetColumnWriter], compressors: Pool<ParquetCompressor>) {
        self.writers = writers
        self.compressors = compressors
    }

    /// Starts encoding `batch`, which is cleared when done.
    func start(_ batch: ParquetRowBatch) {
        running.enter()
        queue.async { [self] in
            defer {
                batch.clear()
                running.leave()
            }
            eachColumn { i, w in try batch.withRows { try w.append(column: i, of: $0) } }
        }
    }

    /// Seals every column's chunk at once (after `wait()`); throws the first error.
    func sealChunks() throws {
        eachColumn { _, w in try w.sealChunk() }
        if let first = failures.current.first { throw first }
    }

    /// Runs `body` for every column on all cores, each with a compressor of its own.
    private func eachColumn(_ body: @Sendable (Int, ParquetColumnWriter) throws -> Void) {
        DispatchQueue.concurrentPerform(iterations: writers.count) { i in
            do {
                let w = writers[i]
                let compressor = try compressors.take()
                defer { compressors.give(compressor) }
                w.compressor = compressor
                try body(i, w)
            } catch {
                failures.withLock { $0.append(error) }
            }
        }
    }

    /// Waits for the batch in flight, if any; throws its first error.
    func wait() throws {
        running.wait()
        if let first = failures.current.first { throw first }
    }

    /// Waits without throwing (the export is ending, by error or not).
    func finish() { running.wait() }
}
