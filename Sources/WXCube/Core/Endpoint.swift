/// A datacube endpoint and the rules WeChat enforces for it (DESIGN §2).
public enum Endpoint: String, Sendable, CaseIterable, Codable, Comparable {
    case getarticlesummary, getarticletotal, getuserread, getuserreadhour, getusershare, getusersharehour

    /// Span N means `end_date - begin_date < N` days.
    public var maxSpanDays: Int {
        switch self {
        case .getarticlesummary, .getarticletotal, .getuserreadhour, .getusersharehour: return 1
        case .getuserread: return 3
        case .getusershare: return 7
        }
    }

    /// The dataset this endpoint's responses become without any stage.
    /// getarticletotal is nested and only becomes a dataset through `flatten`.
    public var dataset: DatasetName {
        switch self {
        case .getarticlesummary: return .article_summary
        case .getarticletotal: return .article_total
        case .getuserread: return .user_read
        case .getuserreadhour: return .user_read_hour
        case .getusershare: return .user_share
        case .getusersharehour: return .user_share_hour
        }
    }

    /// Days before the run's `from` that must be fetched too: an article sent up
    /// to 6 days earlier still has stat_dates inside the range.
    public var lookbackDays: Int { self == .getarticletotal ? 6 : 0 }

    private var order: Int { Endpoint.allCases.firstIndex(of: self) ?? 0 }

    public var path: String { "/datacube/\(rawValue)" }

    public static func < (a: Endpoint, b: Endpoint) -> Bool {
        a.order < b.order
    }
}

/// `user_source` codes (DESIGN §2). Unknown codes are kept and labelled `unknown`.
public enum UserSource {
    public static let names: [Int: String] = [
        99999999: "all", 0: "session", 1: "friends", 2: "moments", 3: "weibo",
        4: "history", 5: "other", 6: "kanyikan", 7: "souyisou",
    ]
    public static func name(_ code: Int) -> String { names[code] ?? "unknown" }
    /// The codes in the order the sandbox and docs list them.
    public static let knownCodes: [Int] = [99999999, 0, 1, 2, 3, 4, 5, 6, 7]
}

/// `share_scene` codes. 5 is returned by WeChat but undocumented: `unknown`.
public enum ShareScene {
    public static let names: [Int: String] = [1: "friends", 2: "moments", 3: "weibo", 255: "other"]
    public static func name(_ code: Int) -> String { names[code] ?? "unknown" }
}
