import Foundation

/// Shows a fetch's progress while it runs.
public protocol RunProgress: Sendable {
    func start(stats: FetchStats)
    func stop()
}

/// No progress display (library use, tests).
public struct NoProgress: RunProgress {
    public init() {}
    public func start(stats: FetchStats) {}
    public func stop() {}
}
