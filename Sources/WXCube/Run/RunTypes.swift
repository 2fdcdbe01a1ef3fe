import Foundation

/// What `wxcube run` was asked for, beyond the pipeline file.
public struct RunOptions: Sendable {
    /// Overrides `range.from` / `range.to`.
    public var from: DateExpr?
    public var to: DateExpr?
    /// Overrides `api.base_url` (required when the pipeline says `sandbox`
    /// and the caller did not start one).
    public var apiBase: String?
    /// Relative output paths resolve against it.
    public var outDirectory: String
    /// Overrides `store:`.
    public var storePath: String?
    public var offline: Bool
    public var refresh: Bool
    /// The run's instant (China "yesterday", `fetched_at`); nil is the real clock.
    public var now: Date?
    /// The first retry's maximum sleep; tests make it small.
    public var retryBaseDelay: Double
    /// The pipeline file as given, for "run again" hints.
    public var pipelinePath: String?

    public init(from: DateExpr? = nil, to: DateExpr? = nil, apiBase: String? = nil, outDirectory: String = ".",
                storePath: String? = nil, offline: Bool = false, refresh: Bool = false, now: Date? = nil,
                retryBaseDelay: Double = 0.5, pipelinePath: String? = nil) {
        self.from = from
        self.to = to
        self.apiBase = apiBase
        self.outDirectory = outDirectory
        self.storePath = storePath
        self.offline = offline
        self.refresh = refresh
        self.now = now
        self.retryBaseDelay = retryBaseDelay
        self.pipelinePath = pipelinePath
    }
}

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

/// How one account ended.
public enum AccountOutcome: Sendable, Equatable, CustomStringConvertible {
    case complete
    /// Some windows failed after their retries.
    case incomplete(failedWindows: Int)
    case stopped(AccountFailure)
    /// Ctrl-C before all windows were stored.
    case interrupted

    public var description: String {
        switch self {
        case .complete: return "complete"
        case .incomplete(let n): return "incomplete (\(n) window(s) failed)"
        case .stopped(let f):
            if case .quotaExhausted = f { return "stopped: daily quota reached" }
            return "failed: \(f)"
        case .interrupted: return "interrupted"
        }
    }
}

/// The end-of-run summary (also printed by the CLI).
public struct RunSummary: Sendable {
    public var range: DateRange?
    public var stats: FetchStats.Snapshot
    public var accounts: [(name: String, outcome: AccountOutcome)]
    public var durationSeconds: Double
    public var interrupted: Bool
    /// Rows of the answers dropped by the export (nil when nothing was exported).
    public var anomalies: Anomalies? = nil
    /// Endpoints WeChat refused (withdrawn or not allowed), per account.
    public var unavailable: [EndpointUnavailable] = []

    public var lines: [String] {
        var out: [String] = []
        let s = stats
        if let range { out.append("range \(range.from.iso)..\(range.to.iso)") }
        out.append("calls: \(s.windowsStored) windows stored of \(s.windowsTotal) needed, \(s.requests) requests, \(s.windowsFailed) failed, \(s.windowsSkipped) skipped")
        out.append("cached: \(s.windowsCached) windows, \(s.daysCached) days already in the store")
        if s.retries.isEmpty {
            out.append("retries: none")
        } else {
            let parts = RetryCause.allCases.compactMap { c in s.retries[c].map { "\(c) \($0)" } }
            out.append("retries: \(s.retriesTotal) (\(parts.joined(separator: ", ")))")
        }
        if s.rowsDropped > 0 { out.append("rows dropped (ref_date outside the window): \(s.rowsDropped)") }
        if let anomalies {
            out.append("anomalies: \(anomalies.rowsDropped) row(s) of the answers dropped" + (anomalies.isEmpty ? "" : " (\(Anomalies.rule))"))
            for line in anomalies.lines { out.append("  \(line)") }
        }
        for a in accounts { out.append("account \(a.name): \(a.outcome)") }
        for u in EndpointUnavailable.sorted(unavailable) { out.append(u.summaryLine) }
        out.append("duration: " + String(format: "%.1f s", durationSeconds) + (interrupted ? " (interrupted)" : ""))
        return out
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
