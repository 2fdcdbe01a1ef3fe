import Foundation

extension EndpointInfo {
    /// getarticletotal (legacy family).
    public static let getarticletotal = EndpointInfo(
        endpoint: .getarticletotal, family: .legacy, maxSpanDays: 1, dataFrom: Day.dataStart, lookbackDays: 6,
        datasets: [.article_total], nestedField: "details", replacements: [.getarticletotaldetail],
        summary: "Articles mass-sent on a day, with cumulative details for 7 days")
}

/// One getarticletotal article: its fields and cumulative `details`.
public struct ArticleTotalItem: Decodable, Sendable, Equatable {
    public var refDate: Day?
    public var msgid: String?
    public var title: String?
    public var url: String?
    public var userSource: Int?
    public var details: [ArticleTotalDetail]

    public init(refDate: Day?, msgid: String?, title: String?, url: String?, userSource: Int?, details: [ArticleTotalDetail]) {
        self.refDate = refDate
        self.msgid = msgid
        self.title = title
        self.url = url
        self.userSource = userSource
        self.details = details
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: AnyCodingKey.self)
        refDate = c.lenientDay(AnyCodingKey("ref_date"))
        msgid = c.lenientString(AnyCodingKey("msgid"))
        title = c.lenientString(AnyCodingKey("title"))
        url = c.lenientString(AnyCodingKey("url"))
        userSource = c.lenientInt(AnyCodingKey("user_source"))
        var out: [ArticleTotalDetail] = []
        if var items = try? c.nestedUnkeyedContainer(forKey: AnyCodingKey("details")) {
            while !items.isAtEnd {
                if let d = try? items.decode(ArticleTotalDetail.self) {
                    out.append(d)
                } else {
                    _ = try? items.decode(SkipValue.self)
                }
            }
        }
        details = out
    }
}

/// One entry of `details`: figures cumulative up to `stat_date`.
public struct ArticleTotalDetail: Decodable, Sendable, Equatable {
    public var statDate: Day?
    public var targetUser: Int?
    /// `Datasets.detailMetrics` order.
    public var metrics: [Int?]

    public init(statDate: Day?, targetUser: Int?, metrics: [Int?]) {
        self.statDate = statDate
        self.targetUser = targetUser
        self.metrics = metrics
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: AnyCodingKey.self)
        statDate = c.lenientDay(AnyCodingKey("stat_date"))
        targetUser = c.lenientInt(AnyCodingKey("target_user"))
        metrics = c.lenientInts(detailMetricNames)
    }
}
