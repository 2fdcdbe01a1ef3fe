import Foundation

/// A token bucket with a burst of one (calls are evenly spaced), per appid.
/// Each caller reserves the next free slot, then sleeps until it: no spinning.
public actor RateLimiter {
    /// Seconds between calls; 0 means unlimited.
    private var interval: Double
    private var nextSlot: ContinuousClock.Instant
    private let clock = ContinuousClock()

    public init(requestsPerSecond: Double) {
        interval = requestsPerSecond > 0 ? 1 / requestsPerSecond : 0
        nextSlot = clock.now
    }

    public var requestsPerSecond: Double { interval > 0 ? 1 / interval : 0 }

    /// Waits for this caller's slot.
    public func acquire() async throws {
        let now = clock.now
        guard interval > 0 || nextSlot > now else { return }
        let slot = max(now, nextSlot)
        nextSlot = slot.advanced(by: .seconds(interval))
        if slot > now {
            try await Task.sleep(until: slot, clock: clock)
        }
    }

    /// After a per-minute quota answer (45011): halve the rate (an unlimited
    /// account drops to 1 call/s) and pause every caller for `pause` seconds.
    public func slowDown(pause: Double) {
        interval = interval > 0 ? min(interval * 2, 60) : 1
        let resume = clock.now.advanced(by: .seconds(pause))
        if resume > nextSlot { nextSlot = resume }
    }
}
