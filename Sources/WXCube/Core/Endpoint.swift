/// A datacube endpoint. Its facts (span, first day with data, look-back, the
/// datasets it feeds, its replacement) live in its own file under
/// `Sources/WXCube/Endpoints/`; `EndpointRegistry` is the one list of them.
/// Adding an endpoint: a case here, a file there, a line in the registry.
public enum Endpoint: String, Sendable, CaseIterable, Codable, Comparable {
    case getarticlesummary, getarticletotal, getuserread, getuserreadhour, getusershare, getusersharehour
    case getarticletotaldetail, getarticleread, getarticleshare, getbizsummary

    /// This endpoint's facts.
    public var info: EndpointInfo { EndpointRegistry.info(self) }

    /// Span N means `end_date - begin_date < N` days.
    public var maxSpanDays: Int { info.maxSpanDays }

    /// The dataset this endpoint's responses become (nested ones only through `flatten`).
    public var dataset: DatasetName { info.datasets[0] }

    /// Days before the run's `from` that must be fetched too (an item published
    /// earlier still has stat_dates inside the range).
    public var lookbackDays: Int { info.lookbackDays }

    /// The first day WeChat serves data for on this endpoint.
    public var dataFrom: Day { info.dataFrom }

    private var order: Int { Endpoint.allCases.firstIndex(of: self) ?? 0 }

    public var path: String { "/datacube/\(rawValue)" }

    public static func < (a: Endpoint, b: Endpoint) -> Bool {
        a.order < b.order
    }
}

/// `user_source` codes of getuserread and getuserreadhour. Unknown codes are kept and labelled `unknown`.
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
