import Foundation
import Yams

/// Reads a pipeline file (DESIGN §5) into a `PipelineSpec`, reporting every
/// mistake at once as a `SpecError`.
public enum SpecLoader {
    /// Loads and validates `path`.
    /// - Parameters:
    ///   - environment: where `${VAR}` values come from.
    ///   - now: the current instant, for "to is after yesterday (China)".
    public static func load(path: String, environment: [String: String] = ProcessInfo.processInfo.environment,
                            now: Date = Date()) throws -> PipelineSpec {
        let text: String
        do {
            text = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw SpecError(file: path, diagnostics: [SpecDiagnostic(line: 1, column: 1, message: "cannot read the pipeline file: \(error.localizedDescription)")])
        }
        return try parse(text, file: path, environment: environment, now: now)
    }

    public static func parse(_ text: String, file: String, environment: [String: String], now: Date = Date()) throws -> PipelineSpec {
        let root: Node?
        do {
            root = try Yams.compose(yaml: text)
        } catch let error as YamlError {
            throw SpecError(file: file, diagnostics: [yamlDiagnostic(error)])
        }
        guard let root else {
            throw SpecError(file: file, diagnostics: [SpecDiagnostic(line: 1, column: 1, message: "the pipeline file is empty")])
        }
        let reader = SpecReader(environment: environment, now: now, fileName: file)
        let spec = reader.readPipeline(root)
        if let spec, reader.diagnostics.isEmpty { return spec }
        let sorted = reader.diagnostics.sorted { ($0.line, $0.column) < ($1.line, $1.column) }
        throw SpecError(file: file, diagnostics: sorted)
    }

    private static func yamlDiagnostic(_ error: YamlError) -> SpecDiagnostic {
        switch error {
        case let .scanner(_, problem, mark, _), let .parser(_, problem, mark, _), let .composer(_, problem, mark, _):
            return SpecDiagnostic(line: mark.line, column: mark.column, message: "YAML syntax: \(problem)")
        default:
            return SpecDiagnostic(line: 1, column: 1, message: "YAML: \(error)")
        }
    }
}

/// Walks the YAML tree once, collecting diagnostics instead of stopping at the first.
final class SpecReader {
    private(set) var diagnostics: [SpecDiagnostic] = []
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
    static let apiKeys = ["base_url", "concurrency", "requests_per_second", "retries", "connect_timeout", "read_timeout"]
    static let rangeKeys = ["from", "to"]
    static let stageKinds = ["fetch", "flatten", "derive", "annotate_threshold"]
    static let fetchKeys = ["endpoints", "refetch_days"]
    static let flattenKeys = ["endpoint", "field", "into"]
    static let deriveKeys = ["dataset", "metrics", "daily"]
    static let annotateKeys = ["dataset", "min_sum"]
    static let outputKeys = ["dataset", "datasets", "format", "path", "headers", "bom", "excel_safe", "level", "url", "schema", "mode"]

    // MARK: pipeline

    func readPipeline(_ root: Node) -> PipelineSpec? {
        guard let top = mapping(root, "the pipeline file") else { return nil }
        checkKeys(top, allowed: Self.topKeys, in: "the pipeline file")

        var version = SpecDefaults.version
        if let v = top["version"] {
            if let n = int(v.value, "version"), n != 1 {
                error(v.value, "version: only version 1 is supported (got \(n))")
            } else if let n = int(v.value, "version") { version = n }
        }
        let name = top["name"].flatMap { string($0.value, "name") } ?? (fileName as NSString).lastPathComponent
            .replacingOccurrences(of: ".yaml", with: "").replacingOccurrences(of: ".yml", with: "")

        let accounts = readAccounts(top["accounts"], root: root)
        let api = readAPI(top["api"])
        let store = top["store"].flatMap { string($0.value, "store") } ?? SpecDefaults.store
        let range = readRange(top["range"])
        let stages = readStages(top["stages"], root: root)
        let outputs = readOutputs(top["outputs"], stages: stages, root: root)

        return PipelineSpec(version: version, name: name, accounts: accounts, api: api, store: store,
                            range: range, stages: stages.map(\.spec), outputs: outputs)
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
            if !seen.insert(name).inserted { error(nameEntry.value, "\(path).name: duplicate account name '\(name)'") }
            let appid = m["appid"].flatMap { string($0.value, "\(path).appid", secret: false) }
            let secret = m["secret"].flatMap { string($0.value, "\(path).secret", secret: true) }
            let token = m["access_token"].flatMap { string($0.value, "\(path).access_token", secret: true) }
            let credential: Credential
            switch (secret, token) {
            case let (s?, nil):
                credential = .secret(Secret(s))
                if appid == nil && m["appid"] == nil {
                    error(item, "\(path): an account with secret needs appid too")
                }
            case let (nil, t?):
                credential = .accessToken(Secret(t))
            case (_?, _?):
                error(item, "\(path): give either secret (with appid) or access_token, not both")
                continue
            case (nil, nil):
                if m["secret"] == nil && m["access_token"] == nil {
                    error(item, "\(path): account '\(name)' has neither secret nor access_token; add `secret: ${WECHAT_SECRET}` (with appid) or `access_token: ${WECHAT_ACCESS_TOKEN}`")
                }
                continue
            }
            accounts.append(AccountSpec(name: name, appid: appid, credential: credential))
        }
        return accounts
    }

    // MARK: api, range

    private func readAPI(_ entry: Entry?) -> APISpec {
        var api = APISpec()
        guard let entry, let m = mapping(entry.value, "api") else { return api }
        checkKeys(m, allowed: Self.apiKeys, in: "api")
        if let e = m["base_url"], let s = string(e.value, "api.base_url") {
            if s == "sandbox" {
                api.base = .sandbox
            } else if let url = URL(string: s), let scheme = url.scheme, ["http", "https"].contains(scheme), url.host != nil {
                api.base = .url(s.hasSuffix("/") ? String(s.dropLast()) : s)
            } else {
                error(e.value, "api.base_url: '\(shown(e.value))' is not an http(s) URL or `sandbox`")
            }
        }
        if let e = m["concurrency"], let n = int(e.value, "api.concurrency", in: 1...64) { api.concurrency = n }
        if let e = m["requests_per_second"], let n = number(e.value, "api.requests_per_second", min: 0) { api.requestsPerSecond = n }
        if let e = m["retries"], let n = int(e.value, "api.retries", in: 0...20) { api.retries = n }
        if let e = m["connect_timeout"], let n = number(e.value, "api.connect_timeout", min: 0.1) { api.connectTimeoutSeconds = n }
        if let e = m["read_timeout"], let n = number(e.value, "api.read_timeout", min: 0.1) { api.readTimeoutSeconds = n }
        return api
    }

    private func readRange(_ entry: Entry?) -> RangeSpec {
        var range = RangeSpec()
        guard let entry, let m = mapping(entry.value, "range") else { return range }
        checkKeys(m, allowed: Self.rangeKeys, in: "range")
        if let e = m["from"], let s = string(e.value, "range.from") {
            if let d = DateExpr(parsing: s) { range.from = d } else {
                error(e.value, "range.from: '\(shown(e.value))' is not a date (YYYY-MM-DD, a real calendar day), -Nd or yesterday")
            }
        }
        if let e = m["to"], let s = string(e.value, "range.to") {
            if let d = DateExpr(parsing: s) { range.to = d } else {
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
            error(m["to"]?.value ?? entry.value, "range.to: \(resolved.to.iso) is after yesterday in China (\(yesterday.iso)); WeChat serves complete days only")
        }
        if resolved.to < Day.dataStart {
            error(m["to"]?.value ?? entry.value, "range.to: \(resolved.to.iso) is before \(Day.dataStart.iso), the first day WeChat keeps data for")
        }
        return range
    }

    // MARK: stages

    struct ReadStage {
        var spec: StageSpec
        var node: Node
    }

    private func readStages(_ entry: Entry?, root: Node) -> [ReadStage] {
        guard let entry else {
            error(root, "stages: missing; a pipeline needs at least a fetch stage")
            return []
        }
        guard let items = sequence(entry.value, "stages") else { return [] }
        var stages: [ReadStage] = []
        var fetched: Set<Endpoint> = []
        var produced: Set<DatasetName> = []
        for (i, item) in items.enumerated() {
            let path = "stages[\(i)]"
            guard let m = mapping(item, path) else { continue }
            guard m.entries.count == 1, let only = m.entries.first else {
                error(item, "\(path): a stage is a mapping with exactly one key: \(Self.stageKinds.joined(separator: ", "))")
                continue
            }
            let kind = only.key
            let body = only.value
            let here = "\(path).\(kind)"
            switch kind {
            case "fetch":
                guard let s = readFetch(body, here) else { continue }
                fetched.formUnion(s.endpoints)
                for e in s.endpoints where e != .getarticletotal { produced.insert(e.dataset) }
                stages.append(ReadStage(spec: .fetch(s), node: item))
            case "flatten":
                guard let s = readFlatten(body, here) else { continue }
                if !fetched.contains(s.endpoint) {
                    error(body, "\(here): flattens \(s.endpoint.rawValue), which no earlier fetch stage fetches; add it to fetch.endpoints")
                }
                produced.insert(s.into)
                stages.append(ReadStage(spec: .flatten(s), node: item))
            case "derive":
                guard let s = readDerive(body, here) else { continue }
                if !produced.contains(s.dataset) {
                    error(body, "\(here): dataset \(s.dataset.rawValue) is not produced by an earlier stage (article_total needs fetch getarticletotal and flatten)")
                }
                stages.append(ReadStage(spec: .derive(s), node: item))
            case "annotate_threshold":
                guard let s = readAnnotate(body, here) else { continue }
                for needed in [Endpoint.getarticlesummary, .getarticletotal] where !fetched.contains(needed) {
                    error(body, "\(here): needs \(needed.rawValue) fetched by an earlier fetch stage (below_threshold rows come from comparing article_summary with article_total)")
                }
                stages.append(ReadStage(spec: .annotateThreshold(s), node: item))
            default:
                error(only.keyNode, "\(path): unknown stage '\(kind)'\(Suggest.didYouMean(kind, Self.stageKinds))")
            }
        }
        if !stages.contains(where: { if case .fetch = $0.spec { return true } else { return false } }), !items.isEmpty {
            error(entry.value, "stages: no fetch stage; add `- fetch: {endpoints: [...]}`")
        }
        return stages
    }

    private func readFetch(_ node: Node, _ path: String) -> FetchStageSpec? {
        guard let m = mapping(node, path) else { return nil }
        checkKeys(m, allowed: Self.fetchKeys, in: path)
        guard let e = m["endpoints"] else {
            error(node, "\(path): missing endpoints (e.g. [getarticlesummary, getarticletotal, getuserread])")
            return nil
        }
        var endpoints: [Endpoint] = []
        for item in sequence(e.value, "\(path).endpoints") ?? [] {
            guard let s = string(item, "\(path).endpoints") else { continue }
            if let ep = Endpoint(rawValue: s) {
                if !endpoints.contains(ep) { endpoints.append(ep) }
            } else {
                error(item, "\(path).endpoints: unknown endpoint '\(shown(item))'\(Suggest.didYouMean(s, Endpoint.allCases.map(\.rawValue)))")
            }
        }
        var spec = FetchStageSpec(endpoints: endpoints)
        if let r = m["refetch_days"], let n = int(r.value, "\(path).refetch_days", in: 0...366) { spec.refetchDays = n }
        return spec
    }

    private func readFlatten(_ node: Node, _ path: String) -> FlattenStageSpec? {
        guard let m = mapping(node, path) else { return nil }
        checkKeys(m, allowed: Self.flattenKeys, in: path)
        var spec = FlattenStageSpec()
        if let e = m["endpoint"], let s = string(e.value, "\(path).endpoint") {
            if s != Endpoint.getarticletotal.rawValue {
                error(e.value, "\(path).endpoint: only getarticletotal has nested details to flatten (got '\(shown(e.value))')")
            }
            spec.endpoint = .getarticletotal
        }
        if let e = m["field"], let s = string(e.value, "\(path).field"), s != "details" {
            error(e.value, "\(path).field: getarticletotal's nested field is `details` (got '\(shown(e.value))')")
        }
        if let e = m["into"], let s = string(e.value, "\(path).into") {
            if s != DatasetName.article_total.rawValue {
                error(e.value, "\(path).into: flattened details become article_total (got '\(shown(e.value))')")
            }
        }
        return spec
    }

    private func readDerive(_ node: Node, _ path: String) -> DeriveStageSpec? {
        guard let m = mapping(node, path) else { return nil }
        checkKeys(m, allowed: Self.deriveKeys, in: path)
        var dataset = DatasetName.article_total
        if let e = m["dataset"], let d = datasetName(e.value, "\(path).dataset") {
            if d != .article_total {
                error(e.value, "\(path).dataset: derive works on article_total (got '\(d.rawValue)')")
            }
            dataset = d
        }
        let columns = Datasets.baseSchema(.article_total)
        let numeric = columns.columns.filter { $0.type == .int || $0.type == .float }.map(\.name)
        var metrics: [RatioSpec] = []
        if let e = m["metrics"], let mm = mapping(e.value, "\(path).metrics") {
            for entry in mm.entries {
                guard let expr = string(entry.value, "\(path).metrics.\(entry.key)") else { continue }
                let parts = expr.split(separator: "/", omittingEmptySubsequences: false)
                    .map { $0.trimmingCharacters(in: .whitespaces) }
                let identifier = #/^[a-z_][a-z0-9_]*$/#
                guard parts.count == 2, parts.allSatisfy({ (try? identifier.wholeMatch(in: $0)) != nil }) else {
                    error(entry.value, "\(path).metrics.\(entry.key): '\(shown(entry.value))' is not `column / column`")
                    continue
                }
                var ok = true
                for p in parts where !numeric.contains(p) {
                    error(entry.value, "\(path).metrics.\(entry.key): unknown metric column '\(p)'\(Suggest.didYouMean(p, numeric))")
                    ok = false
                }
                if columns.contains(entry.key) || metrics.contains(where: { $0.name == entry.key }) {
                    error(entry.keyNode, "\(path).metrics: '\(entry.key)' is already a column")
                    ok = false
                }
                if ok { metrics.append(RatioSpec(name: entry.key, numerator: parts[0], denominator: parts[1])) }
            }
        }
        var daily: [String] = []
        if let e = m["daily"] {
            let cumulative = Datasets.detailMetrics.map(\.name)
            for item in sequence(e.value, "\(path).daily") ?? [] {
                guard let s = string(item, "\(path).daily") else { continue }
                if cumulative.contains(s) { daily.append(s) } else {
                    error(item, "\(path).daily: '\(shown(item))' is not a cumulative detail metric\(Suggest.didYouMean(s, cumulative))")
                }
            }
        }
        return DeriveStageSpec(dataset: dataset, metrics: metrics, daily: daily)
    }

    private func readAnnotate(_ node: Node, _ path: String) -> AnnotateThresholdStageSpec? {
        guard let m = mapping(node, path) else { return nil }
        checkKeys(m, allowed: Self.annotateKeys, in: path)
        var spec = AnnotateThresholdStageSpec()
        if let e = m["dataset"], let d = datasetName(e.value, "\(path).dataset"), d != .article_summary {
            error(e.value, "\(path).dataset: the threshold applies to article_summary (got '\(d.rawValue)')")
        }
        if let e = m["min_sum"], let n = int(e.value, "\(path).min_sum", in: 0...1_000_000) { spec.minSum = n }
        return spec
    }

    // MARK: outputs

    private func readOutputs(_ entry: Entry?, stages: [ReadStage], root: Node) -> [OutputSpec] {
        guard let entry else { return [] }
        guard let items = sequence(entry.value, "outputs") else { return [] }
        var available: Set<DatasetName> = []
        for stage in stages {
            switch stage.spec {
            case .fetch(let f): for e in f.endpoints where e != .getarticletotal { available.insert(e.dataset) }
            case .flatten(let f): available.insert(f.into)
            default: break
            }
        }
        var outputs: [OutputSpec] = []
        for (i, item) in items.enumerated() {
            let path = "outputs[\(i)]"
            guard let m = mapping(item, path) else { continue }
            checkKeys(m, allowed: Self.outputKeys, in: path)
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
            for (d, n) in zip(datasets, datasetNodes) where !available.contains(d) {
                let how = d == .article_total
                    ? "fetch getarticletotal and add a flatten stage"
                    : "add \(d.endpoint.rawValue) to a fetch stage's endpoints"
                error(n, "\(path): no stage or endpoint produces dataset \(d.rawValue); \(how)")
            }
            var format = OutputFormat.csv
            if let e = m["format"], let s = string(e.value, "\(path).format") {
                if let f = OutputFormat(rawValue: s) { format = f } else {
                    error(e.value, "\(path).format: unknown format '\(shown(e.value))'\(Suggest.didYouMean(s, OutputFormat.allCases.map(\.rawValue)))")
                }
            } else if m["format"] == nil {
                error(item, "\(path): missing format (csv, csv.gz, ndjson, ndjson.gz, xlsx or postgres)")
            }
            if format == .postgres || m["url"] != nil || m["schema"] != nil || m["mode"] != nil {
                if let spec = readPostgresOutput(m, item: item, path: path, format: format, datasets: datasets) { outputs.append(spec) }
                continue
            }
            var pathTemplate = ""
            if let e = m["path"], let s = string(e.value, "\(path).path") {
                pathTemplate = s
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
            } else if m["path"] == nil {
                error(item, "\(path): missing path (e.g. \"{dataset}/{from}_{to}.csv.gz\")")
            }
            var spec = OutputSpec(datasets: datasets, format: format, path: pathTemplate)
            if let e = m["headers"], let s = string(e.value, "\(path).headers") {
                if let h = HeaderLanguage(rawValue: s) { spec.headers = h } else {
                    error(e.value, "\(path).headers: '\(shown(e.value))' is not en or zh")
                }
            }
            if let e = m["bom"], let b = bool(e.value, "\(path).bom") { spec.bom = b }
            if let e = m["excel_safe"], let b = bool(e.value, "\(path).excel_safe") { spec.excelSafe = b }
            if let e = m["level"], let n = int(e.value, "\(path).level", in: 1...9) { spec.compressionLevel = n }
            if (spec.bom || spec.excelSafe) && !(format == .csv || format == .csvGz) {
                error(item, "\(path): bom and excel_safe apply to csv and csv.gz outputs only")
            }
            outputs.append(spec)
        }
        return outputs
    }

    /// A `format: postgres` output: url (shape only, no connection), schema, mode.
    private func readPostgresOutput(_ m: Mapping, item: Node, path: String, format: OutputFormat,
                                    datasets: [DatasetName]) -> OutputSpec? {
        guard format == .postgres else {
            error(item, "\(path): url, schema and mode apply to format: postgres only")
            return nil
        }
        for key in ["path", "headers", "bom", "excel_safe", "level"] {
            if let e = m[key] { error(e.keyNode, "\(path).\(key): does not apply to format: postgres (it loads tables, not files)") }
        }
        var schema = PostgresTarget.defaultSchema
        if let e = m["schema"], let s = string(e.value, "\(path).schema") { schema = s }
        var mode = PostgresTarget.Mode.replaceRange
        if let e = m["mode"], let s = string(e.value, "\(path).mode") {
            if let md = PostgresTarget.Mode(rawValue: s) { mode = md } else {
                error(e.value, "\(path).mode: '\(shown(e.value))' is not replace_range or upsert\(Suggest.didYouMean(s, PostgresTarget.Mode.allCases.map(\.rawValue)))")
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

    struct Entry {
        var key: String
        var keyNode: Node
        var value: Node
    }

    struct Mapping {
        var entries: [Entry]
        subscript(key: String) -> Entry? { entries.first { $0.key == key } }
    }

    private func error(_ node: Node, _ message: String) {
        let mark = node.mark
        diagnostics.append(SpecDiagnostic(line: mark?.line ?? 1, column: mark?.column ?? 1, message: message))
    }

    private func kindName(_ node: Node) -> String {
        switch node {
        case .scalar: return "a scalar"
        case .mapping: return "a mapping"
        case .sequence: return "a list"
        case .alias: return "an alias"
        }
    }

    private func mapping(_ node: Node, _ path: String) -> Mapping? {
        guard case .mapping(let m) = node else {
            error(node, "\(path): expected a mapping (key: value), got \(kindName(node))")
            return nil
        }
        var entries: [Entry] = []
        for (k, v) in m {
            guard case .scalar(let s) = k else {
                error(k, "\(path): keys must be plain names")
                continue
            }
            if entries.contains(where: { $0.key == s.string }) {
                error(k, "\(path): duplicate key '\(s.string)'")
                continue
            }
            entries.append(Entry(key: s.string, keyNode: k, value: v))
        }
        return Mapping(entries: entries)
    }

    private func checkKeys(_ m: Mapping, allowed: [String], in path: String) {
        for e in m.entries where !allowed.contains(e.key) {
            error(e.keyNode, "\(path): unknown key '\(e.key)'\(Suggest.didYouMean(e.key, allowed))")
        }
    }

    private func sequence(_ node: Node, _ path: String) -> [Node]? {
        guard case .sequence(let s) = node else {
            error(node, "\(path): expected a list, got \(kindName(node))")
            return nil
        }
        return Array(s)
    }

    /// A scalar with `${VAR}` substituted. A secret's value never enters a message.
    private func string(_ node: Node, _ path: String, secret: Bool = false) -> String? {
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
    private func shown(_ node: Node) -> String {
        if case .scalar(let s) = node { return s.string }
        return kindName(node)
    }

    private func int(_ node: Node, _ path: String, in range: ClosedRange<Int>? = nil) -> Int? {
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

    private func datasetName(_ node: Node, _ path: String) -> DatasetName? {
        guard let s = string(node, path) else { return nil }
        guard let d = DatasetName(rawValue: s) else {
            error(node, "\(path): unknown dataset '\(shown(node))'\(Suggest.didYouMean(s, DatasetName.allCases.map(\.rawValue)))")
            return nil
        }
        return d
    }
}
