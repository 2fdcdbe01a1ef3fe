/// The `annotate_threshold` block (what the stage does: `AnnotateThresholdStage`, below).
public struct AnnotateThresholdStageSpec: Sendable {
    public var dataset: DatasetName
    public var minSum: Int
    public init(dataset: DatasetName = .article_summary, minSum: Int = SpecDefaults.minThresholdSum) {
        self.dataset = dataset
        self.minSum = minSum
    }

    /// The one dataset the threshold applies to (the loader and `outputSchema` both check it).
    public static let annotated = DatasetName.article_summary
    /// What the stage compares: the summary with the articles article_total shows live.
    public static let requiredEndpoints: [Endpoint] = [.getarticlesummary, .getarticletotal]
}

extension AnnotateThresholdStageSpec: StageBlock {
    static let keys = ["dataset", "min_sum"]

    var stageSpec: StageSpec { .annotateThreshold(self) }

    static func read(_ block: StageBlockReader, context: StageContext) -> AnnotateThresholdStageSpec? {
        let path = block.path
        guard let m = block.mapping(keys: keys) else { return nil }
        var spec = AnnotateThresholdStageSpec()
        if let e = m["dataset"], let d = block.datasetName(e.value, "\(path).dataset"), d != annotated {
            block.error(e.value, "\(path).dataset: the threshold applies to \(annotated.rawValue) (got '\(d.rawValue)')")
        }
        if let e = m["min_sum"], let n = block.int(e.value, "\(path).min_sum", in: 0...1_000_000) { spec.minSum = n }
        for needed in requiredEndpoints where !context.fetched.contains(needed) {
            block.error(
                block.node,
                "\(path): needs \(needed.rawValue) fetched by an earlier fetch stage (below_threshold rows come from comparing article_summary with article_total)"
            )
        }
        return spec
    }
}

/// `annotate_threshold`: marks getarticlesummary's silent omissions.
///
/// WeChat lists an article on day S only when int_page_read_user +
/// ori_page_read_user + share_user + share_count + add_to_fav_count >= 3. Every
/// API row gets `threshold_sum` and `threshold_status` (`reported`, or
/// `inconsistent` when the sum is below `min_sum`); for each article that
/// article_total shows live on S (a detail dated S) but the summary omits, a
/// `below_threshold` row with null metrics is added. The two inputs are merged
/// in (ref_date, msgid) order, so only the current rows are held.
public struct AnnotateThresholdStage: TransformStage {
    public let spec: AnnotateThresholdStageSpec
    public init(_ spec: AnnotateThresholdStageSpec) { self.spec = spec }

    public var kind: String { StageKind.annotate_threshold.rawValue }
    public var dataset: DatasetName { spec.dataset }
    public var requiredEndpoints: [Endpoint] { AnnotateThresholdStageSpec.requiredEndpoints }

    static let sumColumns = ["int_page_read_user", "ori_page_read_user", "share_user", "share_count", "add_to_fav_count"]

    /// The caveat that travels with the data (manifest, the XLSX About sheet).
    public static func thresholdCaveat(minSum: Int) -> String {
        "WeChat's getarticlesummary lists an article on a day only when int_page_read_user + ori_page_read_user + "
            + "share_user + share_count + add_to_fav_count >= 3; smaller rows are silently missing. In article_summary, "
            + "threshold_status is reported (API row, threshold_sum >= \(minSum)), inconsistent (API row, threshold_sum < \(minSum)) "
            + "or below_threshold (the article was live that day according to article_total but the summary has no row: "
            + "its metrics are unknown and left empty, not zero)."
    }

    public func outputSchema(input: Schema?) throws -> Schema {
        let annotated = AnnotateThresholdStageSpec.annotated
        guard spec.dataset == annotated else {
            throw TransformError.stageNotApplicable(stage: kind, dataset: spec.dataset, detail: "only \(annotated.rawValue) can be annotated")
        }
        let input = input ?? Datasets.baseSchema(annotated)
        for c in Self.sumColumns + [Datasets.refDate.name, Datasets.msgid.name] where !input.contains(c) {
            throw TransformError.missingColumn(stage: kind, dataset: spec.dataset, column: c)
        }
        return input.appending([Datasets.thresholdSum, Datasets.thresholdStatus])
    }

    public func makeStream(_ inputs: StageInputs) throws -> any RowStream {
        let summary = try inputs.upstream()
        return AnnotateThresholdStream(
            summary: summary, live: try inputs.liveArticles(),
            schema: try outputSchema(input: summary.schema), minSum: spec.minSum)
    }
}

final class AnnotateThresholdStream: RowStream {
    let schema: Schema
    private let summary: any RowStream
    private let live: any RowStream
    private let minSum: Int
    private let sumIdx: [Int]
    private let refIdx: Int
    private let msgidIdx: Int
    /// Where each synthesised value goes in the output row, resolved once.
    private let fill: (account: Int?, msgDataId: Int?, articleIdx: Int?, title: Int?, userSource: Int?)
    private let width: Int
    private var pendingSummary: Row??
    private var pendingLive: Row??

    init(summary: any RowStream, live: any RowStream, schema: Schema, minSum: Int) {
        self.schema = schema
        self.summary = summary
        self.live = live
        self.minSum = minSum
        let s = summary.schema
        sumIdx = AnnotateThresholdStage.sumColumns.compactMap { s.index(of: $0) }
        refIdx = s.index(of: Datasets.refDate.name) ?? 0
        msgidIdx = s.index(of: Datasets.msgid.name) ?? 0
        fill = (
            s.index(of: Datasets.account.name), s.index(of: Datasets.msgDataId.name), s.index(of: Datasets.articleIdx.name),
            s.index(of: Datasets.title.name), s.index(of: Datasets.userSource.name)
        )
        width = s.count
    }

    private func peekSummary() throws -> Row? {
        if case .some(let r) = pendingSummary { return r }
        let r = try summary.next()
        pendingSummary = .some(r)
        return r
    }

    private func peekLive() throws -> Row? {
        if case .some(let r) = pendingLive { return r }
        let r = try live.next()
        pendingLive = .some(r)
        return r
    }

    func next() throws -> Row? {
        let s = try peekSummary()
        let l = try peekLive()
        switch (s, l) {
        case (nil, nil):
            return nil
        case (let s?, nil):
            pendingSummary = nil
            return annotate(s)
        case (nil, let l?):
            pendingLive = nil
            return synthesise(l)
        case (let s?, let l?):
            let sKey = (s[refIdx].dayValue, s[msgidIdx].stringValue ?? "")
            let lKey = (l[LiveArticles.statDate].dayValue, l[LiveArticles.msgid].stringValue ?? "")
            if lKey.0 == sKey.0 && lKey.1 == sKey.1 {
                pendingLive = nil // reported: the live article needs no synthesised row
                pendingSummary = nil
                return annotate(s)
            }
            if ValueOrder.less(Value(lKey.0), Value(sKey.0)) || (lKey.0 == sKey.0 && lKey.1 < sKey.1) {
                pendingLive = nil
                return synthesise(l)
            }
            pendingSummary = nil
            return annotate(s)
        }
    }

    private func annotate(_ row: Row) -> Row {
        var out = row
        var sum: Int? = 0
        for i in sumIdx {
            if let v = row[i].intValue, let acc = sum { sum = acc + v } else { sum = nil }
        }
        out.append(Value(sum))
        // A row whose sum cannot be computed (a missing field) was still reported by WeChat.
        out.append(.string(sum.map { $0 < minSum ? "inconsistent" : "reported" } ?? "reported"))
        return out
    }

    private func synthesise(_ live: Row) -> Row {
        var out = Row(repeating: .null, count: width)
        out.reserveCapacity(width + 2)
        let msgid = live[LiveArticles.msgid].stringValue ?? ""
        let (dataId, idx) = MsgID.split(msgid)
        if let i = fill.account { out[i] = live[LiveArticles.account] }
        out[refIdx] = live[LiveArticles.statDate]
        out[msgidIdx] = .string(msgid)
        if let i = fill.msgDataId { out[i] = .string(dataId) }
        if let i = fill.articleIdx { out[i] = Value(idx) }
        if let i = fill.title { out[i] = live[LiveArticles.title] }
        if let i = fill.userSource { out[i] = live[LiveArticles.userSource] }
        out.append(.null)
        out.append(.string("below_threshold"))
        return out
    }
}
