/// The one list of pipeline stages. Each kind has its name in the pipeline
/// file, the keys its block accepts, and the transform stage it becomes. The
/// loader (and so `validate`) and the run (`PipelineDatasets`) all read it;
/// adding a stage starts here (docs/architecture.md, "How to add a stage").
public enum StageKind: String, Sendable, CaseIterable {
    case fetch, flatten, derive, annotate_threshold

    /// The keys of its block in the pipeline file.
    public var keys: [String] {
        switch self {
        case .fetch: return ["endpoints", "refetch_days", "on_unavailable"]
        case .flatten: return ["endpoint", "field", "into"]
        case .derive: return ["dataset", "metrics", "daily"]
        case .annotate_threshold: return ["dataset", "min_sum"]
        }
    }
}

extension StageSpec {
    /// Which stage this block is.
    public var kind: StageKind {
        switch self {
        case .fetch: return .fetch
        case .flatten: return .flatten
        case .derive: return .derive
        case .annotateThreshold: return .annotate_threshold
        }
    }

    /// The transform stage this block configures (nil for fetch, which the runner does).
    public func makeTransformStage() -> (any TransformStage)? {
        switch self {
        case .fetch: return nil
        case .flatten(let f): return FlattenStage(f)
        case .derive(let d): return DeriveStage(d)
        case .annotateThreshold(let a): return AnnotateThresholdStage(a)
        }
    }
}
