import Foundation

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
        out.append(
            "calls: \(s.windowsStored) windows stored of \(s.windowsTotal) needed, \(s.requests) requests, \(s.windowsFailed) failed, \(s.windowsSkipped) skipped"
        )
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
