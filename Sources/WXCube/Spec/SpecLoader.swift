import Foundation
import Yams

/// Reads a pipeline file (README "The pipeline file") into a `PipelineSpec`, reporting every
/// mistake at once as a `SpecError`.
public enum SpecLoader {
    /// Loads and validates `path`.
    /// - Parameters:
    ///   - environment: where `${VAR}` values come from.
    ///   - now: the current instant, for "to is after yesterday (China)".
    public static func load(
        path: String, environment: [String: String] = ProcessInfo.processInfo.environment,
        now: Date = Date()
    ) throws -> PipelineSpec {
        let text: String
        var isDir: ObjCBool = false
        func fail(_ message: String) -> SpecError {
            SpecError(file: path, diagnostics: [SpecDiagnostic(line: 1, column: 1, message: message)])
        }
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDir) else {
            throw fail("there is no pipeline file here; check the path (pipelines/demo.yaml is an example)")
        }
        guard !isDir.boolValue else {
            throw fail("this is a folder, not a pipeline file; name a .yaml file in it")
        }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw fail("cannot read the pipeline file (permission denied?); check its permissions")
        }
        guard let decoded = String(data: data, encoding: .utf8) else {
            throw fail("the pipeline file is not UTF-8 text; save it as UTF-8")
        }
        text = decoded
        return try parse(text, file: path, environment: environment, now: now)
    }

    public static func parse(_ text: String, file: String, environment: [String: String], now: Date = Date()) throws -> PipelineSpec {
        let root: Node?
        do {
            root = try Yams.compose(yaml: text)
        } catch let error as YamlError {
            throw SpecError(file: file, diagnostics: yamlDiagnostics(error, text: text))
        }
        guard let root else {
            throw SpecError(file: file, diagnostics: [SpecDiagnostic(line: 1, column: 1, message: "the pipeline file is empty")])
        }
        let reader = SpecReader(environment: environment, now: now, fileName: file)
        let spec = reader.readPipeline(root)
        if var spec, reader.diagnostics.isEmpty {
            spec.warnings = reader.warnings
            return spec
        }
        let sorted = reader.diagnostics.sorted { ($0.line, $0.column) < ($1.line, $1.column) }
        throw SpecError(file: file, diagnostics: sorted)
    }

    /// YAML errors at their real line and column. Never Yams's own
    /// description: it quotes the offending line or the whole file, secrets included.
    static func yamlDiagnostics(_ error: YamlError, text: String) -> [SpecDiagnostic] {
        switch error {
        case let .scanner(_, problem, mark, _), let .parser(_, problem, mark, _), let .composer(_, problem, mark, _):
            return [SpecDiagnostic(line: mark.line, column: mark.column, message: "YAML syntax: \(problem)")]
        case let .reader(problem, offset, value, _):
            let (line, column) = offset.map { position(ofCharacter: $0, in: text) } ?? (1, 1)
            let what = value >= 0 ? String(format: " (character U+%04X)", value) : ""
            return [
                SpecDiagnostic(
                    line: line, column: column,
                    message: "YAML: \(problem)\(what); remove it (a pipeline file is plain UTF-8 text without control characters)")
            ]
        case let .duplicatedKeysInMapping(duplicates, context):
            return duplicates.map { key in
                let (line, column, first) = secondOccurrence(of: key, after: context.mark, in: text)
                let shown = LogText.escaped(key)
                let firstNote = first.map { " (first at line \($0))" } ?? ""
                return SpecDiagnostic(line: line, column: column, message: "duplicate key '\(shown)'\(firstNote); keep one")
            }
        default:
            return [SpecDiagnostic(line: 1, column: 1, message: "YAML: the file cannot be read as YAML (\(String(describing: type(of: error))))")]
        }
    }

    /// 1-based line and column of the `offset`-th character.
    static func position(ofCharacter offset: Int, in text: String) -> (Int, Int) {
        var line = 1, column = 1, i = 0
        for c in text {
            if i >= offset { break }
            if c.isNewline {
                line += 1
                column = 1
            } else {
                column += 1
            }
            i += 1
        }
        return (line, column)
    }

    /// Where a duplicated key is written again: the next line after `first`
    /// whose text at the same column is `key:`. Returns the first occurrence
    /// itself when no later one is found (flow mappings).
    static func secondOccurrence(of key: String, after first: Mark, in text: String) -> (Int, Int, Int?) {
        var number = 0
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            number += 1
            guard number > first.line else { continue }
            let chars = Array(line)
            let start = first.column - 1
            guard start >= 0, start < chars.count, chars[..<start].allSatisfy({ $0 == " " || $0 == "-" }) else { continue }
            let rest = String(chars[start...])
            for candidate in [key, "\"\(key)\"", "'\(key)'"] where rest.hasPrefix(candidate) {
                let after = rest.dropFirst(candidate.count).drop { $0 == " " }
                if after.hasPrefix(":") { return (number, first.column, first.line) }
            }
        }
        return (first.line, first.column, nil)
    }
}

/// Walks the YAML tree once, collecting diagnostics instead of stopping at the first.
final class SpecReader {
    private(set) var diagnostics: [SpecDiagnostic] = []
    /// Allowed, but worth a word (legacy endpoints).
    private(set) var warnings: [SpecDiagnostic] = []
    private let environment: [String: String]
    private let now: Date
    private let fileName: String

    init(environment: [String: String], now: Date, fileName: String) {
        self.environment = environment
        self.now = now
        self.fileName = fileName
    }

    static let topKeys = ["version", "name", "accounts", "api", "store", "range", "stages", "outputs"]
    static let accountKeys = ["name", "appid", "secret", "access_token"]
    static let apiKeys = ["base_url", "concurrency", "requests_per_second", "retries", "connect_timeout", "read_timeout", "request_timeout"]
    static let rangeKeys = ["from", "to"]
    // Stage names come from the one stage list, `StageKind`; each stage reads its own keys.
    static let stageKinds = StageKind.allCases.map(\.rawValue)
    static let outputKeys = [
        "dataset", "datasets", "format", "path", "headers", "bom", "excel_safe", "level", "compression", "row_group_rows",
        "url", "schema", "mode",
    ]

    // MARK: pipeline

    func readPipeline(_ root: Node) -> PipelineSpec? {
        guard let top = mapping(root, "the pipeline file") else { return nil }
        checkKeys(top, allowed: Self.topKeys, in: "the pipeline file")

        var version = SpecDefaults.version
        if let v = top["version"] {
            if let n = int(v.value, "version"), n != 1 {
                error(v.value, "version: only version 1 is supported (got \(n))")
            } else if let n = int(v.value, "version") {
                version = n
            }
        }
        let name =
            top["name"].flatMap { string($0.value, "name") }
            ?? (fileName as NSString).lastPathComponent
            .replacingOccurrences(of: ".yaml", with: "").replacingOccurrences(of: ".yml", with: "")

        let accounts = readAccounts(top["accounts"], root: root)
        let api = readAPI(top["api"])
        let store = top["store"].flatMap { string($0.value, "store") } ?? SpecDefaults.store
        let range = readRange(top["range"])
        let (stages, context) = readStages(top["stages"], root: root)
        let outputs = readOutputs(top["outputs"], produced: context.produced)

        return PipelineSpec(
            version: version, name: name, accounts: accounts, api: api, store: store,
            range: range, stages: stages, outputs: outputs)
    }

    // MARK: accounts

    private func readAccounts(_ entry: Entry?, root: Node) -> [AccountSpec] {
        guard let entry else {
            error(root, "accounts: missing; list at least one account with name and appid + secret (or access_token)")
            return []
        }
        guard let items = sequence(entry.value, "accounts") else { return [] }
        if items.isEmpty { error(entry.value, "accounts: the list is empty; add at least one account") }
        var accounts: [AccountSpec] = []
        var seen: Set<String> = []
        for (i, item) in items.enumerated() {
            let path = "accounts[\(i)]"
            guard let m = mapping(item, path) else { continue }
            checkKeys(m, allowed: Self.accountKeys, in: path)
            guard let nameEntry = m["name"] else {
                error(item, "\(path): missing name (the value of the `account` column)")
                continue
            }
            guard let name = string(nameEntry.value, "\(path).name") else { continue }
            if name.isEmpty { error(nameEntry.value, "\(path).name: must not be empty") }
            if LogText.hasControlCharacters(name) {
                error(
                    nameEntry.value,
                    "\(path).name: '\(LogText.escaped(name))' holds control characters (a newline, tab or escape); the name goes into file names and log lines: use printable characters only"
                )
            }
            if !seen.insert(name).inserted { error(nameEntry.value, "\(path).name: duplicate account name '\(name)'") }
            let appid = m["appid"].flatMap { nonEmpty($0.value, "\(path).appid") }
            guard let credential = readCredential(m, item: item, path: path, name: name, hasAppid: appid != nil || m["appid"] != nil) else {
                continue
            }
            accounts.append(AccountSpec(name: name, appid: appid, credential: credential))
        }
        return accounts
    }

    /// `secret` (with appid) or `access_token`, exactly one of them.
    private func readCredential(_ m: Mapping, item: Node, path: String, name: String, hasAppid: Bool) -> Credential? {
        let secret = m["secret"].flatMap { nonEmpty($0.value, "\(path).secret") }
        let token = m["access_token"].flatMap { nonEmpty($0.value, "\(path).access_token") }
        switch (secret, token) {
        case let (s?, nil):
            if !hasAppid { error(item, "\(path): an account with secret needs appid too") }
            return .secret(Secret(s))
        case let (nil, t?):
            if !hasAppid {
                error(
                    item,
                    "\(path): an account with access_token needs appid too: the store keys each account's data by its appid, so that two tokens under one name never share cached days (docs/operations.md)"
                )
            }
            return .accessToken(Secret(t))
        case (_?, _?):
            error(item, "\(path): give either secret (with appid) or access_token, not both")
            return nil
        case (nil, nil):
            if m["secret"] == nil && m["access_token"] == nil {
                error(
                    item,
                    "\(path): account '\(name)' has neither secret nor access_token; add `secret: ${WECHAT_SECRET}` (with appid) or `access_token: ${WECHAT_ACCESS_TOKEN}`"
                )
            }
            return nil
        }
    }

    // MARK: api, range

    private func readAPI(_ entry: Entry?) -> APISpec {
        var api = APISpec()
        guard let entry, let m = mapping(entry.value, "api") else { return api }
        checkKeys(m, allowed: Self.apiKeys, in: "api")
        if let e = m["base_url"], let s = string(e.value, "api.base_url") {
            if let base = APIBase(parsing: s) {
                api.base = base
            } else {
                error(e.value, "api.base_url: '\(shown(e.value))' is not \(APIBase.expected)")
            }
        }
        if let e = m["concurrency"], let n = int(e.value, "api.concurrency", in: 1...64) { api.concurrency = n }
        if let e = m["requests_per_second"], let n = number(e.value, "api.requests_per_second", min: 0) { api.requestsPerSecond = n }
        if let e = m["retries"], let n = int(e.value, "api.retries", in: 0...20) { api.retries = n }
        if let e = m["connect_timeout"], let n = number(e.value, "api.connect_timeout", min: 0.1) { api.connectTimeoutSeconds = n }
        if let e = m["read_timeout"], let n = number(e.value, "api.read_timeout", min: 0.1) { api.readTimeoutSeconds = n }
        if let e = m["request_timeout"], let n = number(e.value, "api.request_timeout", min: 0.1) { api.requestTimeoutSeconds = n }
        return api
    }

    private func readRange(_ entry: Entry?) -> RangeSpec {
        var range = RangeSpec()
        guard let entry, let m = mapping(entry.value, "range") else { return range }
        checkKeys(m, allowed: Self.rangeKeys, in: "range")
        if let e = m["from"], let s = string(e.value, "range.from") {
            if let d = DateExpr(parsing: s) {
                range.from = d
            } else {
                error(e.value, "range.from: '\(shown(e.value))' is not a date (YYYY-MM-DD, a real calendar day), -Nd or yesterday")
            }
        }
        if let e = m["to"], let s = string(e.value, "range.to") {
            if let d = DateExpr(parsing: s) {
                range.to = d
            } else {
                error(e.value, "range.to: '\(shown(e.value))' is not a date (YYYY-MM-DD, a real calendar day), -Nd or yesterday")
            }
        }
        let resolved = range.resolve(today: ChinaClock.today(at: now))
        let yesterday = ChinaClock.yesterday(at: now)
        let at = m["from"]?.value ?? entry.value
        if resolved.from > resolved.to {
            error(at, "range: from \(resolved.from.iso) is after to \(resolved.to.iso)")
        }
        if resolved.to > yesterday {
            error(
                m["to"]?.value ?? entry.value, "range.to: \(resolved.to.iso) is after yesterday in China (\(yesterday.iso)); WeChat serves complete days only")
        }
        if resolved.to < Day.dataStart {
            error(m["to"]?.value ?? entry.value, "range.to: \(resolved.to.iso) is before \(Day.dataStart.iso), the first day WeChat keeps data for")
        }
        return range
    }

    // MARK: stages

    /// Each block read by its stage (`StageKind`, the one stage list), given
    /// what the blocks before it provide; returns the stages and what they provide together.
    private func readStages(_ entry: Entry?, root: Node) -> (stages: [StageSpec], context: StageContext) {
        var context = StageContext()
        guard let entry else {
            error(root, "stages: missing; a pipeline needs at least a fetch stage")
            return ([], context)
        }
        guard let items = sequence(entry.value, "stages") else { return ([], context) }
        var stages: [StageSpec] = []
        for (i, item) in items.enumerated() {
            let path = "stages[\(i)]"
            guard let m = mapping(item, path) else { continue }
            guard m.entries.count == 1, let only = m.entries.first else {
                error(item, "\(path): a stage is a mapping with exactly one key: \(Self.stageKinds.joined(separator: ", "))")
                continue
            }
            guard let kind = StageKind(rawValue: only.key) else {
                error(only.keyNode, "\(path): unknown stage '\(only.key)'\(Suggest.didYouMean(only.key, Self.stageKinds))")
                continue
            }
            let block = StageBlockReader(reader: self, path: "\(path).\(only.key)", node: SpecNode(node: only.value))
            guard let spec = kind.read(block, context: context) else { continue }
            spec.block.provide(to: &context)
            stages.append(spec)
        }
        if !stages.contains(where: { $0.kind == .fetch }), !items.isEmpty {
            error(entry.value, "stages: no fetch stage; add `- fetch: {endpoints: [...]}`")
        }
        return (stages, context)
    }

    // MARK: outputs

    /// Each output: its datasets and format, then the keys of its format
    /// (files: `readFileOutput`; postgres: `readPostgresOutput`).
    private func readOutputs(_ entry: Entry?, produced: Set<DatasetName>) -> [OutputSpec] {
        guard let entry else { return [] }
        guard let items = sequence(entry.value, "outputs") else { return [] }
        var outputs: [OutputSpec] = []
        for (i, item) in items.enumerated() {
            let path = "outputs[\(i)]"
            guard let m = mapping(item, path) else { continue }
            checkKeys(m, allowed: Self.outputKeys, in: path)
            let datasets = readOutputDatasets(m, item: item, path: path, produced: produced)
            let format = readOutputFormat(m, item: item, path: path)
            let spec =
                format == .postgres || m["url"] != nil || m["schema"] != nil || m["mode"] != nil
                ? readPostgresOutput(m, item: item, path: path, format: format, datasets: datasets)
                : readFileOutput(m, item: item, path: path, format: format, datasets: datasets)
            if let spec { outputs.append(spec) }
        }
        return outputs
    }

    /// `dataset` or `datasets`, each one some stage produces.
    private func readOutputDatasets(_ m: Mapping, item: Node, path: String, produced: Set<DatasetName>) -> [DatasetName] {
        var datasets: [DatasetName] = []
        var datasetNodes: [Node] = []
        if m["dataset"] != nil && m["datasets"] != nil {
            error(item, "\(path): give dataset or datasets, not both")
        }
        if let e = m["dataset"], let d = datasetName(e.value, "\(path).dataset") {
            datasets = [d]
            datasetNodes = [e.value]
        } else if let e = m["datasets"] {
            for n in sequence(e.value, "\(path).datasets") ?? [] {
                if let d = datasetName(n, "\(path).datasets") {
                    datasets.append(d)
                    datasetNodes.append(n)
                }
            }
        } else if m["dataset"] == nil {
            error(item, "\(path): missing dataset (or datasets)")
        }
        for (d, n) in zip(datasets, datasetNodes) where !produced.contains(d) {
            let how =
                d.isNested
                ? "fetch \(d.endpoint.rawValue) and add a flatten stage"
                : "add \(d.endpoint.rawValue) to a fetch stage's endpoints"
            error(n, "\(path): no stage or endpoint produces dataset \(d.rawValue); \(how)")
        }
        return datasets
    }

    /// `format` (csv when it is unreadable, so that the other keys are still checked).
    private func readOutputFormat(_ m: Mapping, item: Node, path: String) -> OutputFormat {
        guard let e = m["format"] else {
            error(item, "\(path): missing format (csv, csv.gz, ndjson, ndjson.gz, xlsx, parquet or postgres)")
            return .csv
        }
        guard let s = string(e.value, "\(path).format") else { return .csv }
        guard let format = OutputFormat(rawValue: s) else {
            error(e.value, "\(path).format: unknown format '\(shown(e.value))'\(Suggest.didYouMean(s, OutputFormat.allCases.map(\.rawValue)))")
            return .csv
        }
        return format
    }

    /// An output written as files: its path template, the header language and
    /// gzip level every file format takes, then the CSV and Parquet keys.
    private func readFileOutput(_ m: Mapping, item: Node, path: String, format: OutputFormat, datasets: [DatasetName]) -> OutputSpec {
        var spec = OutputSpec(datasets: datasets, format: format, path: readOutputPath(m, item: item, path: path, format: format, datasets: datasets))
        if let e = m["headers"], let s = string(e.value, "\(path).headers") {
            if let h = HeaderLanguage(rawValue: s) {
                spec.headers = h
            } else {
                error(e.value, "\(path).headers: '\(shown(e.value))' is not en or zh")
            }
        }
        readCSVOptions(m, item: item, path: path, into: &spec)
        if let e = m["level"], let n = int(e.value, "\(path).level", in: 1...9) {
            spec.compressionLevel = n
            spec.parquetLevel = n
        }
        readParquetOptions(m, path: path, into: &spec)
        return spec
    }

    /// `path`: relative to --out, known placeholders only, `{dataset}` when several datasets share a format that writes a file each.
    private func readOutputPath(_ m: Mapping, item: Node, path: String, format: OutputFormat, datasets: [DatasetName]) -> String {
        guard let e = m["path"] else {
            error(item, "\(path): missing path (e.g. \"{dataset}/{from}_{to}.csv.gz\")")
            return ""
        }
        guard let s = string(e.value, "\(path).path") else { return "" }
        let placeholders = s.matches(of: #/\{([^}]*)\}/#).map { String($0.output.1) }
        for p in placeholders where !["dataset", "from", "to", "account"].contains(p) {
            error(e.value, "\(path).path: unknown placeholder {\(p)}; use {dataset}, {from}, {to} or {account}")
        }
        if format != .xlsx && datasets.count > 1 && !placeholders.contains("dataset") {
            error(e.value, "\(path).path: several datasets in one \(format.rawValue) output need {dataset} in the path")
        }
        if s.hasPrefix("/") || s.split(separator: "/").contains("..") {
            error(e.value, "\(path).path: must be relative to --out and stay inside it")
        }
        return s
    }

    /// `bom` and `excel_safe` (csv and csv.gz only).
    private func readCSVOptions(_ m: Mapping, item: Node, path: String, into spec: inout OutputSpec) {
        if let e = m["bom"], let b = bool(e.value, "\(path).bom") { spec.bom = b }
        if let e = m["excel_safe"], let b = bool(e.value, "\(path).excel_safe") { spec.excelSafe = b }
        if (spec.bom || spec.excelSafe) && !(spec.format == .csv || spec.format == .csvGz) {
            error(item, "\(path): bom and excel_safe apply to csv and csv.gz outputs only")
        }
    }

    /// `compression` and `row_group_rows` (parquet only; docs/parquet.md).
    private func readParquetOptions(_ m: Mapping, path: String, into spec: inout OutputSpec) {
        if let e = m["compression"], let s = string(e.value, "\(path).compression") {
            if let c = ParquetCompression(rawValue: s) {
                spec.parquetCompression = c
            } else {
                error(
                    e.value,
                    "\(path).compression: '\(shown(e.value))' is not zstd, snappy, gzip or none\(Suggest.didYouMean(s, ParquetCompression.allCases.map(\.rawValue)))"
                )
            }
        }
        if let e = m["row_group_rows"], let n = int(e.value, "\(path).row_group_rows", in: 1...100_000_000) { spec.rowGroupRows = n }
        if spec.format != .parquet, let e = m["compression"] ?? m["row_group_rows"] {
            error(e.keyNode, "\(path).\(e.key): applies to parquet outputs only")
        }
    }

    /// A `format: postgres` output: url (shape only, no connection), schema, mode.
    private func readPostgresOutput(
        _ m: Mapping, item: Node, path: String, format: OutputFormat,
        datasets: [DatasetName]
    ) -> OutputSpec? {
        guard format == .postgres else {
            error(item, "\(path): url, schema and mode apply to format: postgres only")
            return nil
        }
        for key in ["path", "headers", "bom", "excel_safe", "level", "compression", "row_group_rows"] {
            if let e = m[key] { error(e.keyNode, "\(path).\(key): does not apply to format: postgres (it loads tables, not files)") }
        }
        var schema = PostgresTarget.defaultSchema
        if let e = m["schema"], let s = string(e.value, "\(path).schema") { schema = s }
        var mode = PostgresTarget.Mode.replaceRange
        if let e = m["mode"], let s = string(e.value, "\(path).mode") {
            if let md = PostgresTarget.Mode(rawValue: s) {
                mode = md
            } else {
                error(
                    e.value,
                    "\(path).mode: '\(shown(e.value))' is not replace_range or upsert\(Suggest.didYouMean(s, PostgresTarget.Mode.allCases.map(\.rawValue)))")
            }
        }
        guard let e = m["url"] else {
            error(item, "\(path): missing url (postgres://user:${PGPASSWORD}@host:5432/database)")
            return nil
        }
        // The URL usually holds ${PGPASSWORD}: messages say what is wrong, never the value.
        guard let url = string(e.value, "\(path).url") else { return nil }
        let target: PostgresTarget
        do {
            target = try PostgresTarget.parse(url: url, schema: schema, mode: mode)
        } catch let urlError {
            error(e.value, "\(path).url: \(urlError.description)")
            return nil
        }
        var spec = OutputSpec(datasets: datasets, format: .postgres, path: "")
        spec.postgres = target
        return spec
    }

    // MARK: node helpers

    typealias Entry = YAMLEntry<Node>
    typealias Mapping = YAMLMapping<Node>

    func error(_ node: Node, _ message: String) {
        diagnostics.append(Self.diagnostic(at: node, message))
    }

    func warning(_ node: Node, _ message: String) {
        warnings.append(Self.diagnostic(at: node, message))
    }

    private static func diagnostic(at node: Node, _ message: String) -> SpecDiagnostic {
        let mark = node.mark
        return SpecDiagnostic(line: mark?.line ?? 1, column: mark?.column ?? 1, message: message)
    }

    private func kindName(_ node: Node) -> String {
        switch node {
        case .scalar: return "a scalar"
        case .mapping: return "a mapping"
        case .sequence: return "a list"
        case .alias: return "an alias"
        }
    }

    func mapping(_ node: Node, _ path: String) -> Mapping? {
        guard case .mapping(let m) = node else {
            error(node, "\(path): expected a mapping (key: value), got \(kindName(node))")
            return nil
        }
        var entries: [Entry] = []
        var seen: Set<String> = []
        for (k, v) in m {
            guard case .scalar(let s) = k else {
                error(k, "\(path): keys must be plain names")
                continue
            }
            // A set, not a scan of `entries`: a mapping of millions of keys stays linear.
            guard seen.insert(s.string).inserted else {
                error(k, "\(path): duplicate key '\(LogText.escaped(s.string))'")
                continue
            }
            entries.append(Entry(key: s.string, keyNode: k, value: v))
        }
        return Mapping(entries: entries)
    }

    func checkKeys(_ m: Mapping, allowed: [String], in path: String) {
        var unknown = 0
        for e in m.entries where !allowed.contains(e.key) {
            unknown += 1
            // Past 20, one line says how many more (a file of a million keys
            // would otherwise print a million lines and compute as many suggestions).
            if unknown <= 20 {
                error(e.keyNode, "\(path): unknown key '\(LogText.escaped(e.key))'\(Suggest.didYouMean(e.key, allowed))")
            }
        }
        if unknown > 20, let last = m.entries.last {
            error(last.keyNode, "\(path): \(unknown - 20) more unknown keys")
        }
    }

    func sequence(_ node: Node, _ path: String) -> [Node]? {
        guard case .sequence(let s) = node else {
            error(node, "\(path): expected a list, got \(kindName(node))")
            return nil
        }
        return Array(s)
    }

    /// A scalar with `${VAR}` substituted. No scalar's value enters a message (it may be a secret).
    func string(_ node: Node, _ path: String) -> String? {
        guard case .scalar(let s) = node else {
            error(node, "\(path): expected a string, got \(kindName(node))")
            return nil
        }
        if s.tag.description == Tag.Name.null.rawValue || (s.style == .plain && ["", "~", "null"].contains(s.string)) {
            error(node, "\(path): must not be empty")
            return nil
        }
        return substitute(s.string, node: node, path: path)
    }

    /// A credential value: a string that is not empty once `${VAR}` is
    /// substituted (an empty secret would only fail later, at WeChat).
    private func nonEmpty(_ node: Node, _ path: String) -> String? {
        guard let value = string(node, path) else { return nil }
        guard !value.trimmingCharacters(in: .whitespaces).isEmpty else {
            let from = shown(node).contains("${") ? " (\(shown(node)) is set but empty)" : ""
            error(node, "\(path): must not be empty\(from)")
            return nil
        }
        return value
    }

    private func substitute(_ text: String, node: Node, path: String) -> String? {
        guard text.contains("${") else { return text }
        var out = ""
        var rest = Substring(text)
        var ok = true
        while let start = rest.range(of: "${") {
            out += rest[..<start.lowerBound]
            guard let end = rest[start.upperBound...].firstIndex(of: "}") else {
                error(node, "\(path): unclosed ${ in value")
                return nil
            }
            let name = String(rest[start.upperBound..<end])
            if name.isEmpty || name.contains(where: { !($0.isLetter || $0.isNumber || $0 == "_") }) {
                error(node, "\(path): '${\(name)}' is not a valid environment variable reference")
                ok = false
            } else if let value = environment[name] {
                out += value
            } else {
                error(node, "\(path): environment variable \(name) is not set (used by \(path)); export it before running")
                ok = false
            }
            rest = rest[rest.index(after: end)...]
        }
        out += rest
        return ok ? out : nil
    }

    /// A scalar as written, before `${VAR}` substitution: messages show this so
    /// that a value from the environment (possibly a secret) never leaks.
    func shown(_ node: Node) -> String {
        if case .scalar(let s) = node { return LogText.escaped(s.string) }
        return kindName(node)
    }

    func int(_ node: Node, _ path: String, in range: ClosedRange<Int>? = nil) -> Int? {
        guard let s = string(node, path) else { return nil }
        guard let n = Int(s) else {
            error(node, "\(path): expected a whole number, got '\(shown(node))'")
            return nil
        }
        if let range, !range.contains(n) {
            error(node, "\(path): \(n) is out of range \(range.lowerBound)...\(range.upperBound)")
            return nil
        }
        return n
    }

    private func number(_ node: Node, _ path: String, min: Double) -> Double? {
        guard let s = string(node, path) else { return nil }
        guard let n = Double(s), n.isFinite else {
            error(node, "\(path): expected a number, got '\(shown(node))'")
            return nil
        }
        if n < min {
            error(node, "\(path): must be at least \(min)")
            return nil
        }
        return n
    }

    private func bool(_ node: Node, _ path: String) -> Bool? {
        guard let s = string(node, path) else { return nil }
        switch s.lowercased() {
        case "true", "yes", "on": return true
        case "false", "no", "off": return false
        default:
            error(node, "\(path): expected true or false, got '\(shown(node))'")
            return nil
        }
    }

    func datasetName(_ node: Node, _ path: String) -> DatasetName? {
        guard let s = string(node, path) else { return nil }
        guard let d = DatasetName(rawValue: s) else {
            error(node, "\(path): unknown dataset '\(shown(node))'\(Suggest.didYouMean(s, DatasetName.allCases.map(\.rawValue)))")
            return nil
        }
        return d
    }
}
