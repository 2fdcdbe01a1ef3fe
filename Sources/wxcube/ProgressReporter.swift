import Foundation
import Logging
import WXCube

/// Progress on stderr: a redrawn line on a terminal; off a terminal, a log
/// line every `logInterval` seconds.
public final class ProgressReporter: RunProgress {
    private let terminal: Bool
    private let logger: Logger
    private let console: StderrConsole
    private let logInterval: Double
    private let ticker = Locked<Task<Void, Never>?>(nil)

    public init(terminal: Bool = StderrConsole.isTerminal, logger: Logger, console: StderrConsole = .shared, logInterval: Double = 5) {
        self.terminal = terminal
        self.logger = logger
        self.console = console
        self.logInterval = logInterval
    }

    public func start(stats: FetchStats) {
        let terminal = self.terminal
        let interval = terminal ? 0.25 : logInterval
        let task = Task { [logger, console] in
            while !Task.isCancelled {
                try? await Task.sleep(nanoseconds: UInt64(interval * 1e9))
                if Task.isCancelled { break }
                let line = ProgressReporter.line(stats.snapshot, elapsed: stats.elapsedSeconds)
                if terminal { console.setStatus(line) } else { logger.info("\(line)") }
            }
        }
        ticker.withLock { $0 = task }
    }

    public func stop() {
        ticker.withLock { t in
            t?.cancel()
            t = nil
        }
        if terminal { console.clearStatus() }
    }

    /// `calls 120/480, 40 cached, 3 retries, 35.2 calls/s, ETA 0:10`.
    public static func line(_ s: FetchStats.Snapshot, elapsed: Double) -> String {
        let done = s.windowsDone
        let rate = elapsed > 0 ? Double(done) / elapsed : 0
        let left = max(0, s.windowsTotal - done)
        let eta = rate > 0 ? formatDuration(Double(left) / rate) : "--:--"
        return "fetch: calls \(done)/\(s.windowsTotal), \(s.windowsCached) cached, \(s.retriesTotal) retries, "
            + String(format: "%.1f", rate) + " calls/s, ETA \(eta)"
    }

    static func formatDuration(_ seconds: Double) -> String {
        let t = Int(seconds.rounded())
        if t >= 3600 { return String(format: "%d:%02d:%02d", t / 3600, (t / 60) % 60, t % 60) }
        return String(format: "%d:%02d", t / 60, t % 60)
    }
}
