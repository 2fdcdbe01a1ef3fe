import Foundation

/// Counters of a fetch, shared by the calls in flight and read by the
/// progress reporter and the summary.
public final class FetchStats: Sendable {
    public struct Snapshot: Sendable {
        /// Windows the plan needs a call for.
        public var windowsTotal = 0
        /// Windows already stored (no call).
        public var windowsCached = 0
        public var daysCached = 0
        public var windowsStored = 0
        public var windowsFailed = 0
        public var windowsSkipped = 0
        /// HTTP requests to datacube endpoints (every attempt).
        public var requests = 0
        public var retries: [RetryCause: Int] = [:]
        public var rowsDropped = 0

        public var windowsDone: Int { windowsStored + windowsFailed + windowsSkipped }
        public var retriesTotal: Int { retries.values.reduce(0, +) }
    }

    private let state = Locked(Snapshot())
    public let started = ContinuousClock.now

    public init() {}

    public var snapshot: Snapshot { state.current }

    public func planned(total: Int, cachedWindows: Int, cachedDays: Int) {
        state.withLock {
            $0.windowsTotal = total
            $0.windowsCached = cachedWindows
            $0.daysCached = cachedDays
        }
    }

    public func requestSent() { state.withLock { $0.requests += 1 } }
    public func retried(_ cause: RetryCause) { state.withLock { $0.retries[cause, default: 0] += 1 } }
    public func windowStored() { state.withLock { $0.windowsStored += 1 } }
    public func windowFailed() { state.withLock { $0.windowsFailed += 1 } }
    public func windowSkipped() { state.withLock { $0.windowsSkipped += 1 } }
    public func rowsDropped(_ n: Int) { state.withLock { $0.rowsDropped += n } }

    /// Seconds since the stats were created.
    public var elapsedSeconds: Double {
        let d = ContinuousClock.now - started
        return Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18
    }
}
