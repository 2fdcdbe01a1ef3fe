/// The one list of pipeline stages. Each kind has its name in the pipeline
/// file and its home: one file in `Transform/` holding its configuration (a
/// `StageBlock`), how it reads and checks its block, and its stream. The
/// loader (and so `validate`) and the run (`PipelineDatasets`) all read this
/// list; adding a stage starts here (docs/architecture.md, "How to add a stage").
public enum StageKind: String, Sendable, CaseIterable {
    case fetch, flatten, derive, annotate_threshold

    /// The configuration type of this stage, which reads its block.
    var block: any StageBlock.Type {
        switch self {
        case .fetch: return FetchStageSpec.self
        case .flatten: return FlattenStageSpec.self
        case .derive: return DeriveStageSpec.self
        case .annotate_threshold: return AnnotateThresholdStageSpec.self
        }
    }

    /// The keys of its block in the pipeline file.
    public var keys: [String] { block.keys }

    /// Reads this stage's block: its keys, its values and what it needs from
    /// the earlier stages (`context`); nil when the block is unusable (every
    /// mistake is reported through `block`).
    func read(_ block: StageBlockReader, context: StageContext) -> StageSpec? {
        self.block.read(block, context: context)?.stageSpec
    }
}

/// A stage's configuration as its block in the pipeline file says it. Each
/// stage's file implements it next to the stage's stream.
protocol StageBlock: Sendable {
    /// The keys its block accepts.
    static var keys: [String] { get }
    /// Reads and checks the block, reporting each mistake at its node; nil
    /// when the block is unusable.
    static func read(_ block: StageBlockReader, context: StageContext) -> Self?
    /// What this stage gives the stages and outputs after it (nothing by default).
    func provide(to context: inout StageContext)
    /// This configuration as a case of `StageSpec`.
    var stageSpec: StageSpec { get }
}

extension StageBlock {
    func provide(to context: inout StageContext) {}
}

/// One block of the pipeline file's `stages`.
public enum StageSpec: Sendable {
    case fetch(FetchStageSpec)
    case flatten(FlattenStageSpec)
    case derive(DeriveStageSpec)
    case annotateThreshold(AnnotateThresholdStageSpec)
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

    /// The configuration of this block.
    var block: any StageBlock {
        switch self {
        case .fetch(let f): return f
        case .flatten(let f): return f
        case .derive(let d): return d
        case .annotateThreshold(let a): return a
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
