import Foundation

/// `name: numerator / denominator`.
public struct RatioSpec: Sendable, Equatable {
    public var name: String
    public var numerator: String
    public var denominator: String
    public init(name: String, numerator: String, denominator: String) {
        self.name = name
        self.numerator = numerator
        self.denominator = denominator
    }
}

/// The `derive` block: which ratios and daily increments `DeriveStage` (below) adds to which dataset.
public struct DeriveStageSpec: Sendable {
    public var dataset: DatasetName
    public var metrics: [RatioSpec]
    public var daily: [String]
    public init(dataset: DatasetName = .article_total, metrics: [RatioSpec], daily: [String]) {
        self.dataset = dataset
        self.metrics = metrics
        self.daily = daily
    }

    /// What the shipped pipelines derive (the derived columns of docs/datasets.md).
    public static let shipped = DeriveStageSpec(
        metrics: [
            RatioSpec(name: "read_rate", numerator: "int_page_read_user", denominator: "target_user"),
            RatioSpec(name: "share_rate", numerator: "share_user", denominator: "int_page_read_user"),
            RatioSpec(name: "fav_rate", numerator: "add_to_fav_user", denominator: "int_page_read_user"),
            RatioSpec(name: "ori_page_rate", numerator: "ori_page_read_user", denominator: "int_page_read_user"),
        ],
        daily: Datasets.shippedDaily)
}

extension DeriveStageSpec: StageBlock {
    static let keys = ["dataset", "metrics", "daily"]

    var stageSpec: StageSpec { .derive(self) }

    static func read(_ block: StageBlockReader, context: StageContext) -> DeriveStageSpec? {
        let path = block.path
        guard let m = block.mapping(keys: keys) else { return nil }
        var dataset = DatasetName.article_total
        if let e = m["dataset"], let d = block.datasetName(e.value, "\(path).dataset") {
            // The per-article cumulative datasets, the ones `flatten` produces.
            if !d.isNested {
                block.error(e.value, "\(path).dataset: derive works on article_total or published_total (got '\(d.rawValue)')")
            }
            dataset = d
        }
        let metrics = m["metrics"].map { readMetrics($0.value, dataset: dataset, block) } ?? []
        let daily = m["daily"].map { readDaily($0.value, dataset: dataset, block) } ?? []
        if !context.produced.contains(dataset) {
            block.error(
                block.node,
                "\(path): dataset \(dataset.rawValue) is not produced by an earlier stage (\(dataset.rawValue) needs fetch \(dataset.endpoint.rawValue) and flatten)"
            )
        }
        return DeriveStageSpec(dataset: dataset, metrics: metrics, daily: daily)
    }

    /// `metrics`: each `name: column / column` of two numeric base columns, under a name that is not a column yet.
    private static func readMetrics(_ node: SpecNode, dataset: DatasetName, _ block: StageBlockReader) -> [RatioSpec] {
        let path = "\(block.path).metrics"
        guard let mm = block.mapping(node, path) else { return [] }
        let columns = Datasets.baseSchema(dataset)
        let numeric = columns.columns.filter { $0.type == .int || $0.type == .float }.map(\.name)
        let identifier = #/^[a-z_][a-z0-9_]*$/#
        var metrics: [RatioSpec] = []
        for entry in mm.entries {
            guard let expr = block.string(entry.value, "\(path).\(entry.key)") else { continue }
            let parts = expr.split(separator: "/", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
            guard parts.count == 2, parts.allSatisfy({ (try? identifier.wholeMatch(in: $0)) != nil }) else {
                block.error(entry.value, "\(path).\(entry.key): '\(block.shown(entry.value))' is not `column / column`")
                continue
            }
            var ok = true
            for p in parts where !numeric.contains(p) {
                block.error(entry.value, "\(path).\(entry.key): unknown metric column '\(p)'\(Suggest.didYouMean(p, numeric))")
                ok = false
            }
            if columns.contains(entry.key) || metrics.contains(where: { $0.name == entry.key }) {
                block.error(entry.keyNode, "\(path): '\(entry.key)' is already a column")
                ok = false
            }
            if ok { metrics.append(RatioSpec(name: entry.key, numerator: parts[0], denominator: parts[1])) }
        }
        return metrics
    }

    /// `daily`: cumulative detail metrics of the dataset.
    private static func readDaily(_ node: SpecNode, dataset: DatasetName, _ block: StageBlockReader) -> [String] {
        let path = "\(block.path).daily"
        let cumulative = Datasets.cumulativeColumns(dataset).map(\.name)
        var daily: [String] = []
        for item in block.sequence(node, path) ?? [] {
            guard let s = block.string(item, path) else { continue }
            if cumulative.contains(s) {
                daily.append(s)
            } else {
                block.error(item, "\(path): '\(block.shown(item))' is not a cumulative detail metric\(Suggest.didYouMean(s, cumulative))")
            }
        }
        return daily
    }
}

/// `derive`: ratio columns, `<metric>_daily` increments and `quality_flags`.
///
/// Ratios are null when the denominator is null or 0. A daily increment is the
/// value itself at day_offset 0, the difference from the same msgid's previous
/// stat_date otherwise, and null when that day is missing. `quality_flags` is
/// `non_monotonic` when any cumulative detail metric (not target_user) is lower
/// than on the article's previous row. Input must be ordered so that an
/// article's rows are adjacent and by stat_date (article_total's order); only
/// the previous row is held.
public struct DeriveStage: TransformStage {
    public let spec: DeriveStageSpec
    public init(_ spec: DeriveStageSpec) { self.spec = spec }

    public var kind: String { StageKind.derive.rawValue }
    public var dataset: DatasetName { spec.dataset }
    public var requiredEndpoints: [Endpoint] { [spec.dataset.endpoint] }

    /// Whether the dataset is per-article cumulative (has msgid and stat_date).
    private func isCumulative(_ schema: Schema) -> Bool {
        schema.contains(Datasets.msgid.name) && schema.contains(Datasets.statDate.name)
    }

    public func outputSchema(input: Schema?) throws -> Schema {
        let input = input ?? Datasets.baseSchema(spec.dataset)
        for r in spec.metrics {
            for c in [r.numerator, r.denominator] where !input.contains(c) {
                throw TransformError.missingColumn(stage: kind, dataset: spec.dataset, column: c)
            }
        }
        for m in spec.daily where !input.contains(m) {
            throw TransformError.missingColumn(stage: kind, dataset: spec.dataset, column: m)
        }
        if !spec.daily.isEmpty && !isCumulative(input) {
            throw TransformError.stageNotApplicable(
                stage: kind, dataset: spec.dataset,
                detail: "`daily` needs msgid and stat_date: use it on article_total or published_total")
        }
        var added = spec.metrics.map { Datasets.rateColumn(name: $0.name, numerator: $0.numerator, denominator: $0.denominator) }
        added += spec.daily.map(Datasets.dailyColumn(for:))
        if isCumulative(input) && !input.contains(Datasets.qualityFlags.name) { added.append(Datasets.qualityFlags) }
        return input.appending(added)
    }

    public func makeStream(_ inputs: StageInputs) throws -> any RowStream {
        let input = try inputs.upstream()
        return try DeriveStream(input: input, schema: outputSchema(input: input.schema), spec: spec)
    }
}

final class DeriveStream: RowStream {
    let schema: Schema
    private let input: any RowStream
    private let ratios: [(num: Int, den: Int)]
    private let daily: [Int]
    private let flags: Bool
    private let cumulative: [Int]
    private let accountIdx: Int?
    private let msgidIdx: Int
    private let statIdx: Int
    private let refIdx: Int?
    private let offsetIdx: Int?
    private var previous: Row?

    init(input: any RowStream, schema: Schema, spec: DeriveStageSpec) throws {
        let s = input.schema
        func idx(_ name: String) throws -> Int {
            guard let i = s.index(of: name) else {
                throw TransformError.missingColumn(stage: "derive", dataset: spec.dataset, column: name)
            }
            return i
        }
        self.input = input
        self.schema = schema
        ratios = try spec.metrics.map { (try idx($0.numerator), try idx($0.denominator)) }
        daily = try spec.daily.map(idx)
        flags = s.contains(Datasets.msgid.name) && s.contains(Datasets.statDate.name) && !s.contains(Datasets.qualityFlags.name)
        cumulative = Datasets.cumulativeColumns(spec.dataset).compactMap { s.index(of: $0.name) }
        accountIdx = s.index(of: Datasets.account.name)
        msgidIdx = s.index(of: Datasets.msgid.name) ?? -1
        statIdx = s.index(of: Datasets.statDate.name) ?? -1
        refIdx = s.index(of: Datasets.refDate.name)
        offsetIdx = s.index(of: Datasets.dayOffset.name)
    }

    func next() throws -> Row? {
        // The input's cells are read from `row` itself (appending leaves them
        // in place): a copy of the row would be a second allocation per row.
        guard var row = try input.next() else { return nil }
        row.reserveCapacity(schema.count)
        for (num, den) in ratios {
            if let n = row[num].doubleValue, let d = row[den].doubleValue, d != 0 {
                row.append(.float(n / d))
            } else {
                row.append(.null)
            }
        }
        guard msgidIdx >= 0, statIdx >= 0 else { return row }

        let prev = previous.flatMap { sameArticle($0, row) ? $0 : nil }
        if !daily.isEmpty {
            let firstDay: Bool
            if let o = offsetIdx, let offset = row[o].intValue {
                firstDay = offset == 0
            } else if let r = refIdx {
                firstDay = row[r] == row[statIdx]
            } else {
                firstDay = false
            }
            let dayBefore: Bool
            if let p = prev, let pd = p[statIdx].dayValue, let cd = row[statIdx].dayValue {
                dayBefore = cd.days(since: pd) == 1
            } else {
                dayBefore = false
            }
            for m in daily {
                if firstDay {
                    row.append(row[m])
                } else if dayBefore, let p = prev, let cur = row[m].intValue, let before = p[m].intValue {
                    row.append(.int(cur - before))
                } else {
                    row.append(.null)
                }
            }
        }
        if flags {
            var drop = false
            if let p = prev {
                for m in cumulative {
                    if let cur = row[m].intValue, let before = p[m].intValue, cur < before {
                        drop = true
                        break
                    }
                }
            }
            row.append(.string(drop ? "non_monotonic" : ""))
        }
        previous = row
        return row
    }

    private func sameArticle(_ a: Row, _ b: Row) -> Bool {
        if let i = accountIdx, a[i] != b[i] { return false }
        if let r = refIdx, a[r] != b[r] { return false }
        return a[msgidIdx] == b[msgidIdx]
    }
}
