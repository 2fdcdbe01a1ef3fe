import Foundation

extension EndpointInfo {
    /// getbizsummary (published family): account-wide figures, one entry per day, 30-day windows.
    public static let getbizsummary = EndpointInfo(
        endpoint: .getbizsummary, family: .published, maxSpanDays: 30, dataFrom: EndpointRegistry.publishedDataFrom,
        datasets: [.biz_summary, .read_source],
        summary: "Account-wide readers, shares and reactions per day")
}

public enum BizSummaryColumns {
    /// After read_user and its scenes, in the API's order.
    public static let counters: [Column] = [
        PublishedColumns.shareUser, PublishedColumns.zaikanUser, PublishedColumns.likeUser,
        PublishedColumns.commentCount, PublishedColumns.collectionUser,
        Column("redirect_ori_page_user", .int, "Users who opened the original link (阅读原文)", zh: "阅读原文人数"),
        Column("send_page_count", .int, "Items published that day", zh: "发表篇数"),
    ]

    public static let schema = Schema(
        [Datasets.account, Datasets.refDate, PublishedColumns.readUser]
            + PublishedColumns.sceneReaders + counters + [PublishedColumns.isDelay])
}

/// One getbizsummary entry (one day, account-wide).
public struct BizSummaryItem: Decodable, Sendable, Equatable {
    public var refDate: Day?
    public var readUser: Int?
    public var sources: [ReadUserSourceEntry]
    /// `BizSummaryColumns.counters` order.
    public var counters: [Int?]

    static let counterNames = BizSummaryColumns.counters.map(\.name)

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: AnyCodingKey.self)
        refDate = c.lenientDay(AnyCodingKey("ref_date"))
        let detail = try? c.nestedContainer(keyedBy: AnyCodingKey.self, forKey: AnyCodingKey("detail"))
        readUser = detail?.lenientInt(AnyCodingKey("read_user"))
        sources = detail?.lenientList(AnyCodingKey("read_user_source"), of: ReadUserSourceEntry.self) ?? []
        counters = detail?.lenientInts(Self.counterNames) ?? Self.counterNames.map { _ in nil }
    }
}

extension BizSummaryItem: RefDated {
    static func onePerKey(_ items: [BizSummaryItem], report: (String, String, Int) -> Void) -> [BizSummaryItem] {
        OnePerKey.filter(
            items, key: { $0.refDate?.iso }, missing: "entry without ref_date",
            duplicate: "ref_date repeated in one answer", report: report)
    }

    /// One entry per day: the first is kept.
    static func sortedForOutput(_ items: [BizSummaryItem]) -> [BizSummaryItem] { Array(items.prefix(1)) }

    func row(account: Value, day: Day, isDelay: Bool?) -> Row {
        var row: Row = [account, .date(day), Value(readUser)]
        row += sources.sceneColumnValues
        for v in counters { row.append(Value(v)) }
        row.append(isDelay.map(Value.bool) ?? .null)
        return row
    }
}
