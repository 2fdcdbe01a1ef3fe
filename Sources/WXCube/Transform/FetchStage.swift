/// `fetch`: which endpoints the run calls. It has no stream of its own: the
/// runner plans and fetches its windows (`Plan/`, `Fetch/`) and the datasets'
/// base rows come from the store (`StoreRowSource`). This file is its home in
/// the pipeline file: its configuration, and how its block is read and checked.
public struct FetchStageSpec: Sendable {
    public var endpoints: [Endpoint]
    /// Stored windows this close to `to` are fetched again (their data still changes).
    public var refetchDays: Int
    /// `on_unavailable`: fail (default) or skip.
    public var onUnavailable: OnUnavailable
    public init(endpoints: [Endpoint], refetchDays: Int = SpecDefaults.refetchDays, onUnavailable: OnUnavailable = .fail) {
        self.endpoints = endpoints
        self.refetchDays = refetchDays
        self.onUnavailable = onUnavailable
    }
}

extension FetchStageSpec: StageBlock {
    static let keys = ["endpoints", "refetch_days", "on_unavailable"]

    var stageSpec: StageSpec { .fetch(self) }

    static func read(_ block: StageBlockReader, context: StageContext) -> FetchStageSpec? {
        let path = block.path
        guard let m = block.mapping(keys: keys) else { return nil }
        guard let e = m["endpoints"] else {
            block.error(block.node, "\(path): missing endpoints (e.g. [getarticlesummary, getarticletotal, getuserread])")
            return nil
        }
        var spec = FetchStageSpec(endpoints: readEndpoints(e.value, block))
        if let r = m["refetch_days"], let n = block.int(r.value, "\(path).refetch_days", in: 0...366) { spec.refetchDays = n }
        if let r = m["on_unavailable"], let s = block.string(r.value, "\(path).on_unavailable") {
            if let v = OnUnavailable(rawValue: s) {
                spec.onUnavailable = v
            } else {
                block.error(r.value, "\(path).on_unavailable: '\(block.shown(r.value))' is not fail or skip")
            }
        }
        return spec
    }

    /// The endpoints list, each once; a legacy endpoint draws a warning that names its replacement.
    private static func readEndpoints(_ node: SpecNode, _ block: StageBlockReader) -> [Endpoint] {
        let path = "\(block.path).endpoints"
        var endpoints: [Endpoint] = []
        for item in block.sequence(node, path) ?? [] {
            guard let s = block.string(item, path) else { continue }
            guard let ep = Endpoint(rawValue: s) else {
                block.error(item, "\(path): unknown endpoint '\(block.shown(item))'\(Suggest.didYouMean(s, Endpoint.allCases.map(\.rawValue)))")
                continue
            }
            if !endpoints.contains(ep) { endpoints.append(ep) }
            if ep.info.family == .legacy {
                let replacement =
                    ep.info.replacements.isEmpty
                    ? "WeChat offers no replacement for it"
                    : "its replacement is \(ep.info.replacementText) (data from \(EndpointRegistry.publishedDataFrom.iso))"
                block.warning(
                    item, "\(path): \(ep.rawValue) is a legacy endpoint WeChat no longer maintains and will switch off; \(replacement)")
            }
        }
        return endpoints
    }

    /// Later stages may flatten, derive or annotate what it fetches; its
    /// endpoints' flat datasets exist from here on.
    func provide(to context: inout StageContext) {
        context.fetched.formUnion(endpoints)
        for e in endpoints { context.produced.formUnion(e.info.datasets.filter { !$0.isNested }) }
    }
}
