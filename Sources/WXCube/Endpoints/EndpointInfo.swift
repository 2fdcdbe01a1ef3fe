/// WeChat's two datacube API families (see README "WeChat's two API families").
public enum APIFamily: String, Sendable {
    /// The original datacube endpoints (data from 2014-12-01), marked "no longer maintained".
    case legacy
    /// The 2025 "published content" (发表内容) endpoints (data from 2025-11-01).
    case published
}

/// Everything wxcube knows about one endpoint, in one value. Each endpoint
/// defines its own in its file in this folder.
public struct EndpointInfo: Sendable {
    public let endpoint: Endpoint
    public let family: APIFamily
    /// Span N means `end_date - begin_date < N` days (more is errcode 61501).
    public let maxSpanDays: Int
    /// The first day WeChat serves data for.
    public let dataFrom: Day
    /// Days before the run's `from` that are fetched too.
    public let lookbackDays: Int
    /// The datasets it feeds; the first is its own (read_source is shared).
    public let datasets: [DatasetName]
    /// For a nested answer: the list field `flatten` turns into rows of `datasets[0]`.
    public let nestedField: String?
    /// Days the answer for day D keeps growing (cumulative figures up to D + trackedDays - 1);
    /// 0 when it does not. A stored day is fetched again until its answer reaches the range's end.
    public let trackedDays: Int
    /// The endpoints that replace a legacy one (empty: nothing does).
    public let replacements: [Endpoint]
    /// One line for docs and messages.
    public let summary: String

    public init(
        endpoint: Endpoint, family: APIFamily, maxSpanDays: Int, dataFrom: Day, lookbackDays: Int = 0,
        datasets: [DatasetName], nestedField: String? = nil, trackedDays: Int = 0, replacements: [Endpoint] = [],
        summary: String
    ) {
        self.trackedDays = trackedDays
        self.endpoint = endpoint
        self.family = family
        self.maxSpanDays = maxSpanDays
        self.dataFrom = dataFrom
        self.lookbackDays = lookbackDays
        self.datasets = datasets
        self.nestedField = nestedField
        self.replacements = replacements
        self.summary = summary
    }

    /// "getarticletotaldetail" or "none (nothing replaces it)", for messages.
    public var replacementText: String {
        replacements.isEmpty ? "none (WeChat offers no replacement)" : replacements.map(\.rawValue).joined(separator: " + ")
    }
}

/// The one list of endpoints: a line per endpoint.
public enum EndpointRegistry {
    public static func info(_ e: Endpoint) -> EndpointInfo {
        switch e {
        case .getarticlesummary: return .getarticlesummary
        case .getarticletotal: return .getarticletotal
        case .getuserread: return .getuserread
        case .getuserreadhour: return .getuserreadhour
        case .getusershare: return .getusershare
        case .getusersharehour: return .getusersharehour
        case .getarticletotaldetail: return .getarticletotaldetail
        case .getarticleread: return .getarticleread
        case .getarticleshare: return .getarticleshare
        case .getbizsummary: return .getbizsummary
        }
    }

    /// The first day of the published-content endpoints.
    public static let publishedDataFrom = Day(daysSinceEpoch: 20393) // 2025-11-01

    /// Errcodes that mean the API itself is gone or not allowed for this account:
    /// 48001 (api unauthorized), 48004 (api forbidden), 47009 (reported for the withdrawn getarticletotal).
    public static let unavailableCodes: Set<Int> = [48001, 48004, 47009]
}
