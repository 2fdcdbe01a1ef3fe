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

    public init(
        from: DateExpr? = nil, to: DateExpr? = nil, apiBase: String? = nil, outDirectory: String = ".",
        storePath: String? = nil, offline: Bool = false, refresh: Bool = false, now: Date? = nil,
        retryBaseDelay: Double = 0.5, pipelinePath: String? = nil
    ) {
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
