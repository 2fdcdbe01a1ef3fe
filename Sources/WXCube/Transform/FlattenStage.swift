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
        let info = spec.endpoint.info
        guard let field = info.nestedField, spec.field == field, spec.into == info.datasets[0] else {
            throw TransformError.stageNotApplicable(
                stage: kind, dataset: spec.into,
                detail:
                    "only `endpoint: getarticletotal, field: details, into: article_total` or `endpoint: getarticletotaldetail, field: detail_list, into: published_total` can be flattened"
            )
        }
        return Datasets.baseSchema(spec.into)
    }

    public func makeStream(_ inputs: StageInputs) throws -> any RowStream {
        let schema = try outputSchema(input: nil)
        if spec.endpoint == .getarticletotal {
            return FlattenStream(schema: schema, account: inputs.account, batches: try inputs.articleBatches())
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

    init(schema: Schema, account: String, batches: any ArticleBatchStream) {
        self.schema = schema
        self.account = .string(account)
        self.batches = batches
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
                    var row: Row = [account, .date(refDate), .date(stat), .int(stat.days(since: refDate))]
                    row.reserveCapacity(schema.count)
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
