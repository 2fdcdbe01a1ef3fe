import Foundation
import Logging

/// What the exporters know about the run, for paths, the About sheet and the manifest.
public struct ExportContext: Sendable {
    public var pipelineName: String
    public var range: DateRange
    /// Account names, for `{account}` paths and the About sheet.
    public var accounts: [String]
    /// The >=3 threshold caveat (from the annotate stage).
    public var caveat: String
    public var generatedAt: Date
    public var version: String
    /// Endpoints skipped under `on_unavailable: skip` (manifest `unavailable`).
    public var unavailable: [EndpointUnavailable] = []

    public init(
        pipelineName: String, range: DateRange, accounts: [String], caveat: String,
        generatedAt: Date = Date(), version: String = WXCubeVersion.current
    ) {
        self.pipelineName = pipelineName
        self.range = range
        self.accounts = accounts
        self.caveat = caveat
        self.generatedAt = generatedAt
        self.version = version
    }
}

/// One dataset's rows going into a file (a CSV/NDJSON file takes one, a workbook several).
public struct ExportInput {
    public var dataset: DatasetName
    public var stream: any RowStream

    public init(dataset: DatasetName, stream: any RowStream) {
        self.dataset = dataset
        self.stream = stream
    }
}

/// One output format. Rows stream in and are encoded into `sink`, which is
/// finished at the end; memory stays constant in the row count. Compression
/// (`.gz`) and atomic placement are sinks around it, not the exporter's concern.
public protocol Exporter {
    /// Writes every input and finishes `sink`. Returns the rows written per input.
    func export(_ inputs: [ExportInput], to sink: any ByteSink) throws -> [Int]
}

/// How text columns are headed: English column names or Chinese labels.
extension HeaderLanguage {
    func header(for column: Column) -> String { self == .zh ? column.label : column.name }
}

extension Exporter {
    /// Exports into `target` atomically (temp file beside it, fsync, rename),
    /// gzip-compressed when `gzipLevel` is set.
    public func exportFile(_ inputs: [ExportInput], to target: URL, gzipLevel: Int? = nil) throws -> WrittenFile {
        let file = try AtomicFile(target: target)
        do {
            let sink: any ByteSink = try gzipLevel.map { try GzipSink(level: $0, downstream: file) } ?? file
            let rows = try export(inputs, to: sink)
            let (bytes, sha256) = try file.commit()
            return WrittenFile(url: target, rows: rows, bytes: bytes, sha256: sha256)
        } catch {
            file.abort()
            throw error
        }
    }
}

/// A file that is in place: its rows per dataset, size and checksum.
public struct WrittenFile: Sendable {
    public var url: URL
    public var rows: [Int]
    public var bytes: Int
    public var sha256: String
}
