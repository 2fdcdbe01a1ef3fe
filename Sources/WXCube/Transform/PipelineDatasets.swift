/// The datasets of a pipeline run, built lazily from the store through the
/// stages of `spec.stages` (docs/architecture.md, "The data flow"). This is what exporters read.
///
/// For each dataset: the base rows come from the store (or from `flatten` for
/// article_total), then every stage on that dataset wraps the stream in file
/// order; article_total finally keeps the stat_dates in the range. Accounts
/// come one after the other, ordered by name.
public final class PipelineDatasets: DatasetSource {
    public let spec: PipelineSpec
    public let range: DateRange
    private let store: any RawStoreReading
    /// The transform stages (not fetch), in file order.
    public let stages: [any TransformStage]
    private let accounts: [AccountSpec]
    /// Rows dropped while reading the answers (duplicates, missing keys).
    public let anomalies = AnomalyLog()
    /// Endpoints refused for an account (`on_unavailable: skip`): the datasets
    /// they feed lack that account's rows, even rows stored by earlier runs.
    public var unavailable: [EndpointUnavailable] = []
    /// Decoded stored responses, shared by every dataset and file of the run.
    private let responses = StoredResponseCache()

    public init(spec: PipelineSpec, range: DateRange, store: any RawStoreReading) {
        self.spec = spec
        self.range = range
        self.store = store
        self.stages = Self.makeStages(spec.stages)
        // Ties keep file order, so the order is deterministic.
        self.accounts = spec.accounts.enumerated()
            .sorted { $0.element.name == $1.element.name ? $0.offset < $1.offset : $0.element.name < $1.element.name }
            .map(\.element)
    }

    /// The transform stage of each non-fetch block (`StageKind`, the one stage list).
    public static func makeStages(_ specs: [StageSpec]) -> [any TransformStage] {
        specs.compactMap { $0.makeTransformStage() }
    }

    /// Datasets whose endpoint is fetched; nested ones (article_total,
    /// published_total) only when flattened; read_source when any of its endpoints is.
    public var datasets: [DatasetName] {
        let fetched = Set(spec.fetchedEndpoints)
        return DatasetName.allCases.filter { d in
            guard d.endpoints.contains(where: fetched.contains) else { return false }
            if d.isNested { return stages.contains { $0 is FlattenStage && $0.dataset == d } }
            return true
        }
    }

    /// The threshold caveat for this run (manifest, XLSX About sheet), with the
    /// annotate stage's `min_sum` (WeChat's 3 when there is none).
    public var thresholdCaveat: String {
        let annotate = stages.lazy.compactMap { $0 as? AnnotateThresholdStage }.first
        return AnnotateThresholdStage.thresholdCaveat(minSum: annotate?.spec.minSum ?? SpecDefaults.minThresholdSum)
    }

    private func stages(for dataset: DatasetName) -> [any TransformStage] {
        stages.filter { $0.dataset == dataset }
    }

    /// Checks that every dataset this pipeline produces can be built: stage
    /// order, required endpoints and column references.
    public func validate() throws {
        for d in datasets { _ = try schema(d) }
        let fetched = Set(spec.fetchedEndpoints)
        for s in stages {
            for e in s.requiredEndpoints where !fetched.contains(e) {
                throw TransformError.stageNeedsEndpoint(stage: s.kind, endpoint: e)
            }
        }
    }

    /// The columns of `dataset` after this pipeline's stages.
    public func schema(_ dataset: DatasetName) throws -> Schema {
        guard datasets.contains(dataset) else { throw TransformError.datasetNotFetched(dataset) }
        var schema: Schema? = dataset.isNested ? nil : Datasets.baseSchema(dataset)
        for (i, s) in stages(for: dataset).enumerated() {
            if dataset.isNested && (i == 0) != (s is FlattenStage) {
                throw TransformError.stageOrder(
                    stage: s.kind, dataset: dataset, detail: "flatten must come first, once, before other stages on \(dataset.rawValue)")
            }
            schema = try s.outputSchema(input: schema)
        }
        guard let schema else { throw TransformError.datasetNeedsStage(dataset, stage: "flatten") }
        return schema
    }

    public func stream(_ dataset: DatasetName, account: String?) throws -> any RowStream {
        let schema = try self.schema(dataset)
        let fetched = Set(spec.fetchedEndpoints)
        for s in stages(for: dataset) {
            for e in s.requiredEndpoints where !fetched.contains(e) {
                throw TransformError.stageNeedsEndpoint(stage: s.kind, endpoint: e)
            }
        }
        var selected = accounts
        if let account {
            selected = accounts.filter { $0.name == account }
            guard !selected.isEmpty else { throw TransformError.unknownAccount(account) }
        }
        let width = schema.count
        let parts = selected.map { acc in { [self] () throws -> any RowStream in try self.accountStream(dataset, acc, rowCapacity: width) } }
        return ConcatRowStream(schema: schema, parts: parts)
    }

    private func accountStream(_ dataset: DatasetName, _ account: AccountSpec, rowCapacity: Int) throws -> any RowStream {
        let refused = Set(unavailable.filter { $0.account == account.name }.map(\.endpoint))
        let view: any RawStoreReading = refused.isEmpty ? store : ExcludingStore(base: store, storeKey: account.storeKey, excluded: refused)
        let fetched = Set(spec.fetchedEndpoints)
        let source = StoreRowSource(
            account: account.name, storeKey: account.storeKey, store: view,
            fetched: dataset.endpoints.filter(fetched.contains), anomalies: anomalies, cache: responses,
            rowCapacity: rowCapacity)
        let range = self.range
        var current: (any RowStream)? = dataset.isNested ? nil : source.baseStream(dataset, range: range)
        for stage in stages(for: dataset) {
            let upstream = current
            let inputs = StageInputs(
                account: account.name, range: range, rowCapacity: rowCapacity,
                upstream: {
                    guard let upstream else { throw TransformError.datasetNeedsStage(dataset, stage: "flatten") }
                    return upstream
                },
                articleBatches: { source.articleBatches(range: range) },
                liveArticles: { source.liveArticles(range: range) },
                flattened: { endpoint in
                    guard endpoint == .getarticletotaldetail else { throw TransformError.datasetNeedsStage(dataset, stage: "flatten") }
                    return source.publishedTotalStream(range: range)
                })
            current = try stage.makeStream(inputs)
        }
        guard let stream = current else { throw TransformError.datasetNeedsStage(dataset, stage: "flatten") }
        if dataset.isNested, let stat = stream.schema.index(of: Datasets.statDate.name) {
            return FilterRowStream(stream) { row in row[stat].dayValue.map(range.contains) ?? false }
        }
        return stream
    }
}
