import Foundation
import Logging

/// Writes every output of a pipeline, then the manifest.
///
/// Each file goes through `AtomicFile` (temporary name beside the target,
/// fsync, rename), so a file is either complete or absent. The manifest is
/// written last, atomically: if any output fails, the files already renamed
/// stay (each is complete) but no manifest is written for the run, and the
/// error is thrown.
public struct OutputWriter {
    public let outDirectory: URL
    public let context: ExportContext
    public let logger: Logger
    /// Rows per XLSX sheet, header included; lowered only by tests.
    var xlsxMaxRowsPerSheet = 1_048_576
    /// Output files written at once (one thread each); 1 writes them one after another.
    var parallelFiles = ProcessInfo.processInfo.activeProcessorCount

    public static let manifestName = "manifest.json"

    public init(outDirectory: URL, context: ExportContext, logger: Logger) {
        self.outDirectory = outDirectory.standardizedFileURL
        self.context = context
        self.logger = logger
    }

    /// One file an output expands into.
    public struct PlannedFile: Sendable {
        public var url: URL
        /// As listed in the manifest.
        public var path: String
        public var output: OutputSpec
        public var datasets: [DatasetName]
        public var account: String?
    }

    /// The files `outputs` expand into, checked for collisions; nothing is written.
    public func plan(_ outputs: [OutputSpec]) throws -> [PlannedFile] {
        var files: [PlannedFile] = []
        var seen: Set<String> = [outDirectory.appendingPathComponent(Self.manifestName).path]
        for output in outputs {
            let perAccount = output.path.contains("{account}")
            let perDataset = output.path.contains("{dataset}")
            let groups: [[DatasetName]] = output.format == .xlsx && !perDataset ? [output.datasets] : output.datasets.map { [$0] }
            let accounts: [String?] = perAccount ? context.accounts.map(Optional.some) : [nil]
            for account in accounts {
                for group in groups {
                    let relative = try resolve(output.path, dataset: group.count == 1 ? group.first : nil, account: account)
                    let url = relative.hasPrefix("/") ? URL(fileURLWithPath: relative).standardizedFileURL
                        : outDirectory.appendingPathComponent(relative).standardizedFileURL
                    guard seen.insert(url.path).inserted else { throw ExportError.pathCollision(path: url.path) }
                    files.append(PlannedFile(url: url, path: manifestPath(url), output: output, datasets: group, account: account))
                }
            }
        }
        return files
    }

    public func writeAll(_ outputs: [OutputSpec], from source: any DatasetSource) throws -> Manifest {
        let planned = try plan(outputs)
        // An earlier run's manifest must not describe files this run replaces:
        // if this run fails part way, there is no manifest rather than a wrong one.
        let manifestURL = outDirectory.appendingPathComponent(Self.manifestName)
        if FileManager.default.fileExists(atPath: manifestURL.path) {
            try FileManager.default.removeItem(at: manifestURL)
        }
        for file in planned {
            try FileManager.default.createDirectory(at: file.url.deletingLastPathComponent(), withIntermediateDirectories: true)
            let stale = AtomicFile.removeStaleTemporaries(for: file.url)
            if stale > 0 { logger.notice("removed temporary files of an interrupted earlier run", metadata: ["path": "\(file.path)", "count": "\(stale)"]) }
        }
        // Files are independent: several are written at once, each by one thread.
        let entries = try ParallelFiles.map(planned, workers: parallelFiles) { file in try write(file, from: source) }
        let manifest = Manifest(pipeline: context.pipelineName,
                                range: ManifestRange(from: context.range.from.iso, to: context.range.to.iso),
                                accounts: context.accounts, wxcubeVersion: context.version,
                                generatedAt: ISOTimestamp.utc(context.generatedAt), caveat: context.caveat, files: entries)
        try writeManifest(manifest)
        return manifest
    }

    func exporter(for output: OutputSpec) -> any Exporter {
        switch output.format {
        case .csv, .csvGz:
            return CSVExporter(headers: output.headers, bom: output.bom, excelSafe: output.excelSafe)
        case .ndjson, .ndjsonGz:
            return NDJSONExporter()
        case .xlsx:
            var xlsx = XLSXExporter(headers: output.headers, context: context, compressionLevel: output.compressionLevel, logger: logger)
            xlsx.maxRowsPerSheet = xlsxMaxRowsPerSheet
            return xlsx
        }
    }

    private func write(_ file: PlannedFile, from source: any DatasetSource) throws -> ManifestFile {
        let inputs = try file.datasets.map { ExportInput(dataset: $0, stream: try source.stream($0, account: file.account)) }
        let written = try exporter(for: file.output)
            .exportFile(inputs, to: file.url, gzipLevel: file.output.format.isGzip ? file.output.compressionLevel : nil)
        logger.info("wrote output", metadata: [
            "path": "\(file.path)", "format": "\(file.output.format.rawValue)",
            "rows": "\(written.rows.reduce(0, +))", "bytes": "\(written.bytes)",
        ])
        return ManifestFile(path: file.path, format: file.output.format.rawValue, datasets: file.datasets.map(\.rawValue),
                            account: file.account, rows: written.rows.reduce(0, +), datasetRows: written.rows,
                            bytes: written.bytes, sha256: written.sha256)
    }

    private func writeManifest(_ manifest: Manifest) throws {
        try FileManager.default.createDirectory(at: outDirectory, withIntermediateDirectories: true)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        var data = try encoder.encode(manifest)
        data.append(0x0A)
        let target = outDirectory.appendingPathComponent(Self.manifestName)
        AtomicFile.removeStaleTemporaries(for: target)
        let file = try AtomicFile(target: target)
        do {
            try data.withUnsafeBytes { try file.write($0) }
            try file.commit()
        } catch {
            file.abort()
            throw error
        }
    }

    /// Fills `{dataset}`, `{from}`, `{to}` and `{account}`.
    func resolve(_ template: String, dataset: DatasetName?, account: String?) throws -> String {
        var result = ""
        var rest = Substring(template)
        while let open = rest.firstIndex(of: "{") {
            result += rest[..<open]
            guard let close = rest[open...].firstIndex(of: "}") else {
                throw ExportError.badPath(template: template, reason: "unclosed {; placeholders are {dataset} {from} {to} {account}")
            }
            let name = rest[rest.index(after: open)..<close]
            switch name {
            case "dataset":
                guard let dataset else {
                    throw ExportError.badPath(template: template, reason: "{dataset} needs exactly one dataset per file")
                }
                result += dataset.rawValue
            case "from": result += context.range.from.iso
            case "to": result += context.range.to.iso
            case "account":
                guard let account else { throw ExportError.badPath(template: template, reason: "{account} without accounts") }
                result += Self.pathSafe(account)
            default:
                throw ExportError.badPath(template: template, reason: "unknown placeholder {\(name)}; use {dataset} {from} {to} {account}")
            }
            rest = rest[rest.index(after: close)...]
        }
        result += rest
        guard !result.isEmpty, !result.hasSuffix("/") else {
            throw ExportError.badPath(template: template, reason: "the path must name a file")
        }
        return result
    }

    /// An account name as one path component: separators and a leading dot replaced.
    static func pathSafe(_ name: String) -> String {
        var safe = String(name.map { $0 == "/" || $0 == "\\" || $0 == "\0" ? "_" : $0 })
        if safe.hasPrefix(".") { safe = "_" + safe.dropFirst() }
        return safe.isEmpty ? "_" : safe
    }

    private func manifestPath(_ url: URL) -> String {
        let root = outDirectory.path.hasSuffix("/") ? outDirectory.path : outDirectory.path + "/"
        return url.path.hasPrefix(root) ? String(url.path.dropFirst(root.count)) : url.path
    }
}
