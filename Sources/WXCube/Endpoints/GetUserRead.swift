import Foundation

extension EndpointInfo {
    /// getuserread (legacy family).
    public static let getuserread = EndpointInfo(
        endpoint: .getuserread, family: .legacy, maxSpanDays: 3, dataFrom: Day.dataStart,
        datasets: [.user_read], replacements: [.getbizsummary],
        summary: "Account-wide reads by user source per day")
}

/// One getuserread / getuserreadhour row (`refHour` only in the hourly answer).
public struct UserReadItem: Decodable, Sendable, Equatable {
    public var refDate: Day?
    public var refHour: Int?
    public var userSource: Int?
    /// `Datasets.coreMetrics` order.
    public var metrics: [Int?]

    public init(refDate: Day?, refHour: Int?, userSource: Int?, metrics: [Int?]) {
        self.refDate = refDate
        self.refHour = refHour
        self.userSource = userSource
        self.metrics = metrics
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: AnyCodingKey.self)
        refDate = c.lenientDay(AnyCodingKey("ref_date"))
        refHour = c.lenientInt(AnyCodingKey("ref_hour"))
        userSource = c.lenientInt(AnyCodingKey("user_source"))
        metrics = c.lenientInts(coreMetricNames)
    }
}
