import Foundation

/// Exponential backoff with full jitter (AWS's "full jitter"): attempt n sleeps
/// a uniform random time in 0...min(maxDelay, baseDelay * 2^n).
public struct RetryPolicy: Sendable {
    /// How many times a call is tried again after its first attempt.
    public var retries: Int
    public var baseDelay: Double
    public var maxDelay: Double

    public init(retries: Int, baseDelay: Double = 0.5, maxDelay: Double = 30) {
        self.retries = max(0, retries)
        self.baseDelay = max(0, baseDelay)
        self.maxDelay = max(0, maxDelay)
    }

    /// The sleep before retry number `attempt` (0 for the first retry).
    public func delay(attempt: Int) -> Double {
        let ceiling = min(maxDelay, baseDelay * pow(2, Double(min(attempt, 30))))
        return ceiling > 0 ? Double.random(in: 0...ceiling) : 0
    }

    /// How long an account pauses after a per-minute quota answer (45011).
    public var slowDownPause: Double { min(maxDelay, baseDelay * 20) }
}

/// Sleeps for `seconds`; throws CancellationError when the task is cancelled.
func sleep(seconds: Double) async throws {
    guard seconds > 0 else {
        try Task.checkCancellation()
        return
    }
    try await Task.sleep(nanoseconds: UInt64(seconds * 1_000_000_000))
}
