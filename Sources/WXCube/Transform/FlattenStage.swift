/// The `flatten` block: which endpoint's nested list becomes which dataset
/// (what the stage does: `FlattenStage`, below).
public struct FlattenStageSpec: Sendable {
    public var endpoint: Endpoint
    public var field: String
    public var into: DatasetName
    public init(endpoint: Endpoint = .getarticletotal, field: String = "details", into: DatasetName = .article_total) {
        self.endpoint = endpoint
        self.field = field
        self.into = into
    }

    /// The one flatten rule, which the loader and `FlattenStage.outputSchema`
    /// both check: an endpoint with a nested list (`EndpointInfo.nestedField`)
    /// flattens that field into its dataset; other endpoints cannot be flattened.
    public static func rule(for endpoint: Endpoint) -> (field: String, into: DatasetName)? {
        endpoint.info.nestedField.map { ($0, endpoint.dataset) }
    }

    /// Whether this configuration follows `rule(for:)`.
    public var followsRule: Bool {
        guard let rule = Self.rule(for: endpoint) else { return false }
        return field == rule.field && into == rule.into
    }
}

extension FlattenStageSpec: StageBlock {
    static let keys = ["endpoint", "field", "into"]

    var stageSpec: StageSpec { .flatten(self) }

    /// Each key that breaks the rule is reported at its value; a missing key
    /// takes the endpoint's value (getarticletotal's when `endpoint` is missing).
    static func read(_ block: StageBlockReader, context: StageContext) -> FlattenStageSpec? {
        let path = block.path
        guard let m = block.mapping(keys: keys) else { return nil }
        var spec = FlattenStageSpec()
        if let e = m["endpoint"], let s = block.string(e.value, "\(path).endpoint") {
            if let ep = Endpoint(rawValue: s), let rule = rule(for: ep) {
                spec = FlattenStageSpec(endpoint: ep, field: rule.field, into: rule.into)
            } else {
                let nested = Endpoint.allCases.filter { rule(for: $0) != nil }.map(\.rawValue)
                block.error(
                    e.value,
                    "\(path).endpoint: only \(nested.joined(separator: " and ")) have a nested list to flatten (got '\(block.shown(e.value))')")
            }
        }
        if let e = m["field"], let s = block.string(e.value, "\(path).field"), s != spec.field {
            block.error(e.value, "\(path).field: \(spec.endpoint.rawValue)'s nested field is `\(spec.field)` (got '\(block.shown(e.value))')")
        }
        if let e = m["into"], let s = block.string(e.value, "\(path).into"), s != spec.into.rawValue {
            block.error(
                e.value,
                "\(path).into: flattened \(spec.field) of \(spec.endpoint.rawValue) become \(spec.into.rawValue) (got '\(block.shown(e.value))')")
        }
        if !context.fetched.contains(spec.endpoint) {
            block.error(
                block.node, "\(path): flattens \(spec.endpoint.rawValue), which no earlier fetch stage fetches; add it to fetch.endpoints")
        }
        return spec
    }

    /// The flattened dataset exists from here on.
    func provide(to context: inout StageContext) { context.produced.insert(into) }
}

/// `flatten`: a nested answer's list becomes a dataset, one row per (msgid,
/// stat_date), with the item's fields repeated: getarticletotal's `details`
/// become article_total, getarticletotaldetail's `detail_list` published_total.
/// Which pairs exist is each endpoint's `EndpointInfo.nestedField`. It emits every stored
/// stat_date (the graph keeps those in range after `derive`, so a first in-range
/// day still gets its increment).
public struct FlattenStage: TransformStage {
    public let spec: FlattenStageSpec
    public init(_ spec: FlattenStageSpec) { self.spec = spec }

    public var kind: String { StageKind.flatten.rawValue }
    public var dataset: DatasetName { spec.into }
    public var requiredEndpoints: [Endpoint] { [spec.endpoint] }

    public func outputSchema(input: Schema?) throws -> Schema {
        guard spec.followsRule else {
            let allowed = Endpoint.allCases.compactMap { e in
                FlattenStageSpec.rule(for: e).map { "`endpoint: \(e.rawValue), field: \($0.field), into: \($0.into.rawValue)`" }
            }
            throw TransformError.stageNotApplicable(
                stage: kind, dataset: spec.into, detail: "only \(allowed.joined(separator: " or ")) can be flattened")
        }
        return Datasets.baseSchema(spec.into)
    }

    public func makeStream(_ inputs: StageInputs) throws -> any RowStream {
        let schema = try outputSchema(input: nil)
        if spec.endpoint == .getarticletotal {
            return FlattenStream(
                schema: schema, account: inputs.account, batches: try inputs.articleBatches(),
                rowCapacity: max(schema.count, inputs.rowCapacity))
        }
        return try inputs.flattened(spec.endpoint)
    }
}

/// Rows of one ref_date's articles at a time.
final class FlattenStream: RowStream {
    let schema: Schema
    private let account: Value
    private let batches: any ArticleBatchStream
    private var items: [ArticleTotalItem] = []
    private var refDate = Day.dataStart
    private var itemIndex = 0
    private var detailIndex = 0
    private var articleHead: Row = []
    private let rowCapacity: Int

    init(schema: Schema, account: String, batches: any ArticleBatchStream, rowCapacity: Int) {
        self.schema = schema
        self.account = .string(account)
        self.batches = batches
        self.rowCapacity = rowCapacity
    }

    func next() throws -> Row? {
        while true {
            if itemIndex < items.count {
                let item = items[itemIndex]
                if detailIndex < item.details.count {
                    let detail = item.details[detailIndex]
                    detailIndex += 1
                    guard let stat = detail.statDate else { continue }
                    // articleHead: msgid, msg_data_id, article_idx, title, url, user_source
                    var row = Row()
                    row.reserveCapacity(rowCapacity)
                    row.append(account)
                    row.append(.date(refDate))
                    row.append(.date(stat))
                    row.append(.int(stat.days(since: refDate)))
                    row.append(contentsOf: articleHead)
                    row.append(Value(detail.targetUser))
                    for m in detail.metrics { row.append(Value(m)) }
                    return row
                }
                itemIndex += 1
                detailIndex = 0
                prepareHead()
                continue
            }
            guard let batch = try batches.next() else { return nil }
            refDate = batch.refDate
            items = batch.items
            itemIndex = 0
            detailIndex = 0
            prepareHead()
        }
    }

    private func prepareHead() {
        guard itemIndex < items.count else { return }
        let item = items[itemIndex]
        let msgid = item.msgid ?? ""
        let (dataId, idx) = MsgID.split(msgid)
        articleHead = [.string(msgid), .string(dataId), Value(idx), Value(item.title), Value(item.url), Value(item.userSource)]
    }
}
