import Foundation

extension EndpointInfo {
    /// getarticletotaldetail (published family): items published on a day, with
    /// cumulative `detail_list` entries for up to 30 days (stat_date <= publish day + 29).
    public static let getarticletotaldetail = EndpointInfo(
        endpoint: .getarticletotaldetail, family: .published, maxSpanDays: 1,
        dataFrom: EndpointRegistry.publishedDataFrom, lookbackDays: 29,
        datasets: [.published_total, .read_source], nestedField: "detail_list", trackedDays: 30,
        summary: "Items published on a day, with cumulative figures for 30 days")
}

/// published_total's columns (README "WeChat's two API families"; `wxcube schema published_total`).
public enum PublishedTotalColumns {
    public static let refDate = Column("ref_date", .date, nullable: false, "Publish date (China time)", zh: "发表日期")
    public static let dayOffset = Column("day_offset", .int, nullable: false, "stat_date minus ref_date, in days (0-29)", zh: "发表后天数")
    public static let contentURL = Column("content_url", .string, "Item URL", zh: "文章链接")
    public static let publishType = Column("publish_type", .int, "0: published with a notification to followers (群发), 1: published without (发布)", zh: "发表类型")
    public static let publishTypeName = Column("publish_type_name", .string, "publish_type as a label: notified, not_notified, unknown", zh: "发表类型名称")

    /// Cumulative metrics after read_user and its scenes, in the API's order.
    public static let counters: [Column] = [
        PublishedColumns.shareUser, PublishedColumns.zaikanUser, PublishedColumns.likeUser,
        PublishedColumns.commentCount, PublishedColumns.collectionUser,
        Column("praise_money", .int, "Appreciation (赞赏) received, in fen (1/100 yuan), an integer: divide by 100 for yuan", zh: "赞赏金额（分）"),
        Column("read_subscribe_user", .int, "Readers who followed the account after reading", zh: "阅读后关注人数"),
    ]

    /// As sent, not cumulative: rates are fractions, activetime in minutes.
    public static let asSent: [Column] =
        [
            Column("read_delivery_rate", .float, "Share of the users it was delivered to who read it (fraction)", zh: "送达阅读率", display: .percent),
            Column("read_finish_rate", .float, "Share of readers who read to the end (fraction)", zh: "完读率", display: .percent),
            Column("read_avg_activetime", .float, "Average reading time in minutes", zh: "平均阅读时长（分钟）", display: .twoDecimals),
        ]
        + (1...5).map { p in
            Column(
                "read_jump_rate_\(p)", .float, "Share of readers who jumped away at position \(p) of 5 (read_jump_position rate; fraction); null if not sent",
                zh: "跳出位置\(p)比例", display: .percent)
        }

    /// The cumulative columns (`daily` and `quality_flags` work on these).
    public static let cumulative: [Column] = [PublishedColumns.readUser] + PublishedColumns.sceneReaders + counters

    public static let schema = Schema(
        [
            Datasets.account, refDate, Datasets.statDate, dayOffset, PublishedColumns.msgid, Datasets.msgDataId,
            Datasets.articleIdx, Datasets.title, contentURL, publishType, publishTypeName,
        ] + cumulative + asSent)

    public static func publishTypeName(_ code: Int?) -> String? {
        guard let code else { return nil }
        switch code {
        case 0: return "notified"
        case 1: return "not_notified"
        default: return "unknown"
        }
    }
}

/// One getarticletotaldetail item.
public struct PublishedTotalItem: Decodable, Sendable, Equatable {
    public var refDate: Day?
    public var msgid: String?
    public var publishType: Int?
    public var title: String?
    public var contentURL: String?
    public var details: [PublishedTotalDetail]

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: AnyCodingKey.self)
        refDate = c.lenientDay(AnyCodingKey("ref_date"))
        msgid = c.lenientString(AnyCodingKey("msgid"))
        publishType = c.lenientInt(AnyCodingKey("publish_type"))
        title = c.lenientString(AnyCodingKey("title"))
        contentURL = c.lenientString(AnyCodingKey("content_url"))
        details = c.lenientList(AnyCodingKey("detail_list"), of: PublishedTotalDetail.self) ?? []
    }
}

/// One `detail_list` entry: cumulative from the publish date up to `stat_date`.
public struct PublishedTotalDetail: Decodable, Sendable, Equatable {
    public var statDate: Day?
    public var readUser: Int?
    public var sources: [ReadUserSourceEntry]
    /// `PublishedTotalColumns.counters` order.
    public var counters: [Int?]
    public var deliveryRate: Double?
    public var finishRate: Double?
    public var avgActivetime: Double?
    /// Rates of positions 1...5.
    public var jumpRates: [Double?]

    static let counterNames = PublishedTotalColumns.counters.map(\.name)

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: AnyCodingKey.self)
        statDate = c.lenientDay(AnyCodingKey("stat_date"))
        readUser = c.lenientInt(AnyCodingKey("read_user"))
        sources = c.lenientList(AnyCodingKey("read_user_source"), of: ReadUserSourceEntry.self) ?? []
        counters = c.lenientInts(Self.counterNames)
        deliveryRate = c.lenientDouble(AnyCodingKey("read_delivery_rate"))
        finishRate = c.lenientDouble(AnyCodingKey("read_finish_rate"))
        avgActivetime = c.lenientDouble(AnyCodingKey("read_avg_activetime"))
        var rates = [Double?](repeating: nil, count: 5)
        for p in c.lenientList(AnyCodingKey("read_jump_position"), of: JumpPosition.self) ?? [] {
            guard let pos = p.position, (1...5).contains(pos), rates[pos - 1] == nil else { continue }
            rates[pos - 1] = p.rate
        }
        jumpRates = rates
    }

    struct JumpPosition: Decodable {
        var position: Int?
        var rate: Double?
        init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: AnyCodingKey.self)
            position = c.lenientInt(AnyCodingKey("position"))
            rate = c.lenientDouble(AnyCodingKey("rate"))
        }
    }
}

extension PublishedTotalDetail: DatedDetail {}

extension PublishedTotalItem: ArticleWithDays {
    static let itemNoun = "item"
    static let listName = "detail_list"
}

extension PublishedTotalItem: RefDated {
    static func onePerKey(_ items: [PublishedTotalItem], report: (String, String, Int) -> Void) -> [PublishedTotalItem] {
        onePerArticleAndDay(items, report: report)
    }

    static func sortedForOutput(_ items: [PublishedTotalItem]) -> [PublishedTotalItem] { sortedByArticleAndDay(items) }

    /// published_total rows of this item (one per detail), for publish day `refDate`.
    func publishedTotalRows(account: Value, refDate: Day) -> [Row] {
        guard let msgid else { return [] }
        let (dataId, idx) = MsgID.split(msgid)
        let head: Row = [
            .string(msgid), .string(dataId), Value(idx), Value(title), Value(contentURL),
            Value(publishType), Value(PublishedTotalColumns.publishTypeName(publishType)),
        ]
        return details.compactMap { d in
            guard let stat = d.statDate else { return nil }
            var row: Row = [account, .date(refDate), .date(stat), .int(stat.days(since: refDate))]
            row.reserveCapacity(PublishedTotalColumns.schema.count)
            row += head
            row.append(Value(d.readUser))
            row += d.sources.sceneColumnValues
            for v in d.counters { row.append(Value(v)) }
            row.append(Value(d.deliveryRate))
            row.append(Value(d.finishRate))
            row.append(Value(d.avgActivetime))
            for r in d.jumpRates { row.append(Value(r)) }
            return row
        }
    }

    /// read_source rows of this item: one per scene entry of each detail.
    func readSourceRows(account: Value, refDate: Day) -> [Row] {
        guard let msgid else { return [] }
        var rows: [Row] = []
        for d in details {
            guard let stat = d.statDate else { continue }
            rows += ReadSourceColumns.rows(
                account: account, endpoint: .getarticletotaldetail, refDate: refDate,
                statDate: stat, msgid: msgid, sources: d.sources)
        }
        return rows
    }
}
