import Foundation
import Logging

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Writes every output of a pipeline, then the manifest, as one set.
///
/// Every file of the run (whatever its format: each goes through an
/// `Exporter` into a file) is first written into a hidden staging folder
/// inside `--out` (`.wxcube-staging-PID-N`). Only when all of them and the
/// manifest are complete are they moved into place: the old manifest is
/// removed, each file is renamed over its old version, and the new manifest
/// is renamed in last. A failed export therefore leaves the previous set and
/// its manifest untouched; a reader that trusts `manifest.json` sees either
/// the old set or the new one (docs/operations.md, README "Outputs").
public struct OutputWriter {
    public let outDirectory: URL
    public let context: ExportContext
    public let logger: Logger
    /// Rows per XLSX sheet, header included; lowered only by tests.
    var xlsxMaxRowsPerSheet = 1_048_576
    /// Rows dropped while reading the API answers; its count at the end of
    /// the export goes into the manifest as `anomalies`.
    public var anomalyLog: AnomalyLog?
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
        // A `postgres` output is tables, not files: PostgresLoader loads it after the files.
        for output in outputs where output.format.isFile {
            let perAccount = output.path.contains("{account}")
            let perDataset = output.path.contains("{dataset}")
            let groups: [[DatasetName]] = output.format == .xlsx && !perDataset ? [output.datasets] : output.datasets.map { [$0] }
            let accounts: [String?] = perAccount ? context.accounts.map(Optional.some) : [nil]
            for account in accounts {
                for group in groups {
                    let relative = try resolve(output.path, dataset: group.count == 1 ? group.first : nil, account: account)
                    let url =
                        relative.hasPrefix("/")
                        ? URL(fileURLWithPath: relative).standardizedFileURL
                        : outDirectory.appendingPathComponent(relative).standardizedFileURL
                    if !relative.hasPrefix("/") {
                        try checkInside(url, template: output.path)
                    }
                    guard seen.insert(url.path).inserted else { throw ExportError.pathCollision(path: url.path) }
                    files.append(PlannedFile(url: url, path: manifestPath(url), output: output, datasets: group, account: account))
                }
            }
        }
        return files
    }

    public func writeAll(_ outputs: [OutputSpec], from source: any DatasetSource) throws -> Manifest {
        try Self.makeFolder(outDirectory)
        let planned = try plan(outputs)
        let removed = StagingFolder.removeStale(in: outDirectory)
        if removed > 0 { logger.notice("removed the staging folders of interrupted earlier runs", metadata: ["count": "\(removed)"]) }
        let staging = try StagingFolder(in: outDirectory)
        defer { staging.remove() }

        // Each file is written into its own folder of the staging folder.
        var targets: [(file: PlannedFile, target: URL)] = []
        for (index, file) in planned.enumerated() {
            let folder = staging.url.appendingPathComponent("\(index)")
            try Self.makeFolder(folder)
            targets.append((file, folder.appendingPathComponent(file.url.lastPathComponent)))
        }
        // Files are independent: several are written at once, each by one thread.
        let entries = try ParallelFiles.map(targets, workers: parallelFiles) { t in try write(t.file, to: t.target, from: source) }
        let staged = targets.map { (from: $0.target, to: $0.file.url) }
        var manifest = Manifest(
            pipeline: context.pipelineName,
            range: ManifestRange(from: context.range.from.iso, to: context.range.to.iso),
            accounts: context.accounts, wxcubeVersion: context.version,
            generatedAt: ISOTimestamp.utc(context.generatedAt), caveat: context.caveat, files: entries,
            unavailable: context.unavailable.isEmpty ? nil : EndpointUnavailable.sorted(context.unavailable))
        manifest.anomalies = anomalyLog?.snapshot
        let stagedManifest = staging.url.appendingPathComponent(Self.manifestName)
        try writeManifest(manifest, to: stagedManifest)

        // Publish. Every file is complete on disk; from here on only renames.
        // The old manifest goes first, so it never describes a mix.
        let manifestURL = outDirectory.appendingPathComponent(Self.manifestName)
        if FileManager.default.fileExists(atPath: manifestURL.path) {
            guard unlink(manifestURL.path) == 0 else { throw ExportError.io(path: manifestURL.path, operation: "remove the old", errno: errno) }
        }
        var folders: Set<String> = []
        for move in staged {
            let folder = move.to.deletingLastPathComponent()
            try Self.makeFolder(folder)
            AtomicFile.removeStaleTemporaries(for: move.to)
            guard rename(move.from.path, move.to.path) == 0 else {
                throw ExportError.io(path: move.to.path, operation: "move the staged file into place at", errno: errno)
            }
            folders.insert(folder.path)
        }
        for folder in folders { AtomicFile.syncDirectory(URL(fileURLWithPath: folder)) }
        guard rename(stagedManifest.path, manifestURL.path) == 0 else {
            throw ExportError.io(path: manifestURL.path, operation: "move the staged manifest into place at", errno: errno)
        }
        AtomicFile.syncDirectory(outDirectory)
        return manifest
    }

    /// Creates a folder (and its parents) with plain messages for the usual failures.
    static func makeFolder(_ url: URL) throws {
        var isDir: ObjCBool = false
        if FileManager.default.fileExists(atPath: url.path, isDirectory: &isDir) {
            guard isDir.boolValue else { throw ExportError.notAFolder(path: url.path) }
            return
        }
        // A parent that is a file gets the same plain message.
        var parent = url.deletingLastPathComponent()
        while parent.path != "/" && !FileManager.default.fileExists(atPath: parent.path, isDirectory: &isDir) {
            parent = parent.deletingLastPathComponent()
        }
        if FileManager.default.fileExists(atPath: parent.path, isDirectory: &isDir), !isDir.boolValue {
            throw ExportError.notAFolder(path: parent.path)
        }
        do {
            try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        } catch {
            let reason = access(parent.path, W_OK) == 0 ? "the file system refused it" : "\(parent.path) is not writable"
            throw ExportError.cannotCreateFolder(path: url.path, reason: reason)
        }
    }

    func exporter(for output: OutputSpec) -> any Exporter {
        switch output.format {
        case .csv, .csvGz:
            return CSVExporter(headers: output.headers, bom: output.bom, excelSafe: output.excelSafe)
        case .ndjson, .ndjsonGz:
            return NDJSONExporter()
        case .xlsx, .postgres: // postgres never gets here: plan() leaves it to PostgresLoader
            var xlsx = XLSXExporter(headers: output.headers, context: context, compressionLevel: output.compressionLevel, logger: logger)
            xlsx.maxRowsPerSheet = xlsxMaxRowsPerSheet
            return xlsx
        case .parquet:
            return ParquetExporter(
                compression: output.parquetCompression, level: output.parquetLevel,
                rowGroupRows: output.rowGroupRows, context: context)
        }
    }

    /// Rewrites `manifest.json` in the output folder in place (atomically), e.g.
    /// with the results of `postgres` loads that run after the files are published.
    func writeManifest(_ manifest: Manifest) throws {
        try Self.makeFolder(outDirectory)
        try writeManifest(manifest, to: outDirectory.appendingPathComponent(Self.manifestName))
    }

    /// Writes one planned file at `target` (in the staging folder).
    private func write(_ file: PlannedFile, to target: URL, from source: any DatasetSource) throws -> ManifestFile {
        let inputs = try file.datasets.map { ExportInput(dataset: $0, stream: try source.stream($0, account: file.account)) }
        let written = try exporter(for: file.output)
            .exportFile(inputs, to: target, gzipLevel: file.output.format.isGzip ? file.output.compressionLevel : nil)
        logger.info(
            "wrote output",
            metadata: [
                "path": "\(file.path)", "format": "\(file.output.format.rawValue)",
                "rows": "\(written.rows.reduce(0, +))", "bytes": "\(written.bytes)",
            ])
        return ManifestFile(
            path: file.path, format: file.output.format.rawValue, datasets: file.datasets.map(\.rawValue),
            account: file.account, rows: written.rows.reduce(0, +), datasetRows: written.rows,
            bytes: written.bytes, sha256: written.sha256)
    }

    private func writeManifest(_ manifest: Manifest, to target: URL) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        var data = try encoder.encode(manifest)
        data.append(0x0A)
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

    /// A relative output must name a file strictly inside `--out`, reached
    /// through real folders only (a symbolic link to a folder inside `--out`
    /// could send the file anywhere).
    func checkInside(_ url: URL, template: String) throws {
        let root = outDirectory.path.hasSuffix("/") ? outDirectory.path : outDirectory.path + "/"
        guard url.path.hasPrefix(root), url.path.count > root.count else {
            throw ExportError.badPath(
                template: template, reason: "names the --out folder itself, not a file inside it; give a file name such as \"{dataset}.csv\"")
        }
        var current = outDirectory
        let parts = url.path.dropFirst(root.count).split(separator: "/").map(String.init)
        for part in parts.dropLast() {
            current = current.appendingPathComponent(part)
            var info = stat()
            guard lstat(current.path, &info) == 0 else { return }
            if (info.st_mode & mode_t(S_IFMT)) == mode_t(S_IFLNK) { throw ExportError.symlinkInOut(link: current.path, template: template) }
        }
    }

    /// An account name as one path component: separators, control characters
    /// and a leading dot replaced.
    static func pathSafe(_ name: String) -> String {
        var safe = String(name.map { $0 == "/" || $0 == "\\" || $0 == "\0" || LogText.hasControlCharacters(String($0)) ? "_" : $0 })
        if safe.hasPrefix(".") { safe = "_" + safe.dropFirst() }
        return safe.isEmpty ? "_" : safe
    }

    private func manifestPath(_ url: URL) -> String {
        let root = outDirectory.path.hasSuffix("/") ? outDirectory.path : outDirectory.path + "/"
        return url.path.hasPrefix(root) ? String(url.path.dropFirst(root.count)) : url.path
    }
}
