/// One transform stage (docs/architecture.md, "How to add a stage"): a small type configured from its pipeline
/// block that turns row streams into a row stream of `dataset`. Stages do no
/// I/O; the graph (`PipelineDatasets`) hands them their inputs lazily.
public protocol TransformStage {
    /// The stage's name in the pipeline file (`flatten`, `derive`, ...).
    var kind: String { get }
    /// The dataset this stage produces (or rewrites).
    var dataset: DatasetName { get }
    /// Endpoints whose stored answers must be fetched for this stage to run.
    var requiredEndpoints: [Endpoint] { get }
    /// The schema of the output, given the schema of the dataset so far (nil when the stage is the source).
    func outputSchema(input: Schema?) throws -> Schema
    /// The output stream for one account.
    func makeStream(_ inputs: StageInputs) throws -> any RowStream
}

/// What a stage may read, for one account. Each accessor builds its stream on demand.
public struct StageInputs {
    public let account: String
    public let range: DateRange
    /// Cells in the dataset's final rows (after every stage). What makes
    /// rows (`flatten`, the store's base streams) reserves this much, so later
    /// stages append in place.
    public let rowCapacity: Int
    private let upstreamFactory: () throws -> any RowStream
    private let articleBatchesFactory: () throws -> any ArticleBatchStream
    private let liveArticlesFactory: () throws -> any RowStream
    private let flattenedFactory: (Endpoint) throws -> any RowStream

    public init(
        account: String, range: DateRange, rowCapacity: Int = 0,
        upstream: @escaping () throws -> any RowStream,
        articleBatches: @escaping () throws -> any ArticleBatchStream,
        liveArticles: @escaping () throws -> any RowStream,
        flattened: @escaping (Endpoint) throws -> any RowStream = { e in
            throw TransformError.stageNeedsEndpoint(stage: "flatten", endpoint: e)
        }
    ) {
        self.account = account
        self.range = range
        self.rowCapacity = rowCapacity
        self.upstreamFactory = upstream
        self.articleBatchesFactory = articleBatches
        self.liveArticlesFactory = liveArticles
        self.flattenedFactory = flattened
    }

    /// The stage's dataset as the previous stages left it.
    public func upstream() throws -> any RowStream { try upstreamFactory() }
    /// getarticletotal's parsed answers, one ref_date at a time, ascending (for flatten).
    public func articleBatches() throws -> any ArticleBatchStream { try articleBatchesFactory() }
    /// `LiveArticles.schema` rows: the articles article_total shows live on each day
    /// of the range whose summary was fetched, ordered by stat_date, msgid.
    public func liveArticles() throws -> any RowStream { try liveArticlesFactory() }
    /// A nested published-content answer flattened into its dataset's base rows
    /// (getarticletotaldetail: published_total, every stored stat_date).
    public func flattened(_ endpoint: Endpoint) throws -> any RowStream { try flattenedFactory(endpoint) }
}

/// getarticletotal's answers for one account, one ref_date at a time.
public protocol ArticleBatchStream: AnyObject {
    /// The next ref_date's articles (ref_date ascending), or nil at the end.
    func next() throws -> (refDate: Day, items: [ArticleTotalItem])?
}

/// The shape of `StageInputs.liveArticles()`.
public enum LiveArticles {
    public static let schema = Schema([Datasets.account, Datasets.statDate, Datasets.msgid, Datasets.title, Datasets.userSource])
    public static let account = 0, statDate = 1, msgid = 2, title = 3, userSource = 4
}

public enum TransformError: Error, CustomStringConvertible, Equatable {
    case missingColumn(stage: String, dataset: DatasetName, column: String)
    case datasetNeedsStage(DatasetName, stage: String)
    case stageNeedsEndpoint(stage: String, endpoint: Endpoint)
    case datasetNotFetched(DatasetName)
    case unknownAccount(String)
    /// A stage placed where it cannot run (flatten after another stage on its dataset).
    case stageOrder(stage: String, dataset: DatasetName, detail: String)
    /// A stage configured for a dataset or field it does not apply to.
    case stageNotApplicable(stage: String, dataset: DatasetName, detail: String)

    public var description: String {
        switch self {
        case .missingColumn(let stage, let dataset, let column):
            return "\(stage) on \(dataset.rawValue): no column \(column); use one of the columns `wxcube schema \(dataset.rawValue)` lists"
        case .datasetNeedsStage(let dataset, let stage):
            return "\(dataset.rawValue) needs a `\(stage)` stage in the pipeline file's stages"
        case .stageNeedsEndpoint(let stage, let endpoint):
            return "\(stage) needs \(endpoint.rawValue): add it to the fetch stage's endpoints"
        case .datasetNotFetched(let dataset):
            return
                "\(dataset.rawValue) is not produced by this pipeline: fetch \(dataset.endpoint.rawValue) (and flatten it for \(dataset.isNested ? dataset.rawValue : "article_total"))"
        case .unknownAccount(let name):
            return "no account named \(name) in the pipeline file"
        case .stageOrder(let stage, let dataset, let detail), .stageNotApplicable(let stage, let dataset, let detail):
            return "\(stage) on \(dataset.rawValue): \(detail)"
        }
    }
}

/// `msgid` split into msg_data_id (before the last `_`) and article_idx (the int after it).
public enum MsgID {
    public static func split(_ msgid: String) -> (msgDataId: String, articleIdx: Int?) {
        guard let us = msgid.lastIndex(of: "_"), let idx = Int(msgid[msgid.index(after: us)...]) else {
            return (msgid, nil)
        }
        return (String(msgid[..<us]), idx)
    }
}
