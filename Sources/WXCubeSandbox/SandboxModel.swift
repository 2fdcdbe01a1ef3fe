import WXCube

/// The eight read/share/favourite numbers WeChat reports for an article, a user source or a day.
public struct SandboxMetrics: Sendable, Equatable {
    public var intPageReadUser = 0
    public var intPageReadCount = 0
    public var oriPageReadUser = 0
    public var oriPageReadCount = 0
    public var shareUser = 0
    public var shareCount = 0
    public var addToFavUser = 0
    public var addToFavCount = 0

    public init() {}

    /// What WeChat compares with 3 before it lists a getarticlesummary row.
    public var thresholdSum: Int { intPageReadUser + oriPageReadUser + shareUser + shareCount + addToFavCount }

    public var isZero: Bool { self == SandboxMetrics() }

    /// In the API's field order (`Datasets.coreMetrics`).
    public var values: [Int] {
        [intPageReadUser, intPageReadCount, oriPageReadUser, oriPageReadCount, shareUser, shareCount, addToFavUser, addToFavCount]
    }

    public static func + (a: SandboxMetrics, b: SandboxMetrics) -> SandboxMetrics {
        var r = a
        r += b
        return r
    }

    public static func += (a: inout SandboxMetrics, b: SandboxMetrics) {
        a.intPageReadUser += b.intPageReadUser
        a.intPageReadCount += b.intPageReadCount
        a.oriPageReadUser += b.oriPageReadUser
        a.oriPageReadCount += b.oriPageReadCount
        a.shareUser += b.shareUser
        a.shareCount += b.shareCount
        a.addToFavUser += b.addToFavUser
        a.addToFavCount += b.addToFavCount
    }
}

/// An article mass-sent by an account on a day.
public struct SandboxArticle: Sendable, Equatable {
    public let msgid: String
    public let msgDataId: String
    /// Position in the send (1-based); nil for the old-style msgids without `_index` (sends before 2015).
    public let index: Int?
    public let title: String
    public let url: String
    public let userSource: Int
    public let sendDate: Day
    /// Users it was delivered to: the follower count on the send date, less a few blocked users.
    public let targetUser: Int
    /// Expected share of `targetUser` reading it on its send day.
    let appeal: Double
    let hasOriginalLink: Bool
    let shareAffinity: Double
    let favAffinity: Double
    let ordinal: Int
}

/// One article's activity on one day (not cumulative).
public struct SandboxArticleDay: Sendable, Equatable {
    public let article: SandboxArticle
    public let day: Day
    /// `day - article.sendDate`, 0...6.
    public var dayOffset: Int { day.days(since: article.sendDate) }
    /// Indexed like `SandboxDataGenerator.readSources`.
    public let bySource: [SandboxMetrics]
    /// Users and shares to moments (朋友圈) from session, feed and other: `feed_share_from_*`.
    public let feedShareUser: [Int]
    public let feedShareCount: [Int]

    public var total: SandboxMetrics { bySource.reduce(SandboxMetrics(), +) }

    /// Every detail metric of getarticletotal for this day alone, in `SandboxDetail.metricNames` order.
    var detailValues: [Int] {
        var v = total.values
        for m in bySource {
            v.append(m.intPageReadUser)
            v.append(m.intPageReadCount)
        }
        v += feedShareUser
        v += feedShareCount
        return v
    }
}

/// One `details[]` entry of getarticletotal: cumulative from the send date up to `statDate`.
public struct SandboxDetail: Sendable, Equatable {
    public let statDate: Day
    public let targetUser: Int
    /// In `metricNames` order.
    public let values: [Int]

    /// Every detail metric but target_user, in the order the API (and `Datasets.detailMetrics`) lists them.
    public static let metricNames: [String] = Datasets.detailMetrics.map(\.name)

    public subscript(metric: String) -> Int? {
        SandboxDetail.metricNames.firstIndex(of: metric).map { values[$0] }
    }
}

/// A getarticletotal entry: an article sent on `article.sendDate` with its cumulative details.
public struct SandboxTotalEntry: Sendable, Equatable {
    public let article: SandboxArticle
    public let details: [SandboxDetail]
}

/// A getuserread row (or, with `refHour`, a getuserreadhour row).
public struct SandboxUserReadRow: Sendable, Equatable {
    public let refDate: Day
    public let refHour: Int?
    public let userSource: Int
    public let metrics: SandboxMetrics
}

/// A getusershare row (or, with `refHour`, a getusersharehour row).
public struct SandboxShareRow: Sendable, Equatable {
    public let refDate: Day
    public let refHour: Int?
    public let shareScene: Int
    public let shareCount: Int
    public let shareUser: Int
}
