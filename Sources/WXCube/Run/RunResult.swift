import Foundation

/// How a run ended; `exitCode` is the one mapping from status to exit code.
public enum RunStatus: String, Sendable {
    /// Every window stored (and exported).
    case complete
    /// Some windows are missing: quota, a failed account, retries used up, Ctrl-C.
    case incomplete
    /// The run could not proceed (store, planner bug, export).
    case failed
    /// The range or options are unusable.
    case badUsage

    /// The exit codes (README "Exit codes").
    public var exitCode: Int32 {
        switch self {
        case .complete: return 0
        case .failed: return 1
        case .badUsage: return 2
        case .incomplete: return 3
        }
    }
}

/// What a run ended with.
public struct RunResult: Sendable {
    public var status: RunStatus
    public var plan: Plan?
    public var summary: RunSummary
    /// The windows still missing (empty when complete).
    public var remaining: [PlannedCall]
    /// Why the run is not complete, and what to do next; one item per line.
    public var messages: [String]

    public var exitCode: Int32 { status.exitCode }
}
