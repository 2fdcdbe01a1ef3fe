import Foundation

extension EndpointInfo {
    /// getarticlesummary (legacy family).
    public static let getarticlesummary = EndpointInfo(
        endpoint: .getarticlesummary, family: .legacy, maxSpanDays: 1, dataFrom: Day.dataStart,
        datasets: [.article_summary], replacements: [.getarticleread, .getarticleshare],
        summary: "Each article's numbers for one day; rows under the threshold sum of 3 are missing")
}

/// One getarticlesummary row: an article's numbers for one day.
public struct ArticleSummaryItem: Decodable, Sendable, Equatable {
    public var refDate: Day?
    public var msgid: String?
    public var title: String?
    public var userSource: Int?
    /// `Datasets.coreMetrics` order.
    public var metrics: [Int?]

    public init(refDate: Day?, msgid: String?, title: String?, userSource: Int?, metrics: [Int?]) {
        self.refDate = refDate
        self.msgid = msgid
        self.title = title
        self.userSource = userSource
        self.metrics = metrics
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: AnyCodingKey.self)
        refDate = c.lenientDay(AnyCodingKey("ref_date"))
        msgid = c.lenientString(AnyCodingKey("msgid"))
        title = c.lenientString(AnyCodingKey("title"))
        userSource = c.lenientInt(AnyCodingKey("user_source"))
        metrics = c.lenientInts(coreMetricNames)
    }
}
