import Foundation

extension EndpointInfo {
    /// getarticleshare (published family): every item shared on a day.
    public static let getarticleshare = EndpointInfo(
        endpoint: .getarticleshare, family: .published, maxSpanDays: 1, dataFrom: EndpointRegistry.publishedDataFrom,
        datasets: [.published_share],
        summary: "Each item's sharers on one day")
}

public enum PublishedShareColumns {
    public static let schema = Schema([
        Datasets.account, Datasets.refDate, PublishedColumns.msgid, Datasets.msgDataId, Datasets.articleIdx,
        PublishedColumns.shareUser, PublishedColumns.isDelay,
    ])
}

/// One getarticleshare item.
public struct PublishedShareItem: Decodable, Sendable, Equatable {
    public var refDate: Day?
    public var msgid: String?
    public var shareUser: Int?

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: AnyCodingKey.self)
        refDate = c.lenientDay(AnyCodingKey("ref_date"))
        msgid = c.lenientString(AnyCodingKey("msgid"))
        let detail = try? c.nestedContainer(keyedBy: AnyCodingKey.self, forKey: AnyCodingKey("detail"))
        shareUser = detail?.lenientInt(AnyCodingKey("share_user"))
    }
}

extension PublishedShareItem: RefDated {
    static func onePerKey(_ items: [PublishedShareItem], report: (String, String, Int) -> Void) -> [PublishedShareItem] {
        OnePerKey.filter(items, key: \.msgid, missing: "row without msgid", duplicate: "msgid repeated in one answer", report: report)
    }

    static func sortedForOutput(_ items: [PublishedShareItem]) -> [PublishedShareItem] { PublishedOrder.byMsgid(items, \.msgid) }

    func row(account: Value, day: Day, isDelay: Bool?) -> Row? {
        guard let msgid else { return nil }
        let (dataId, idx) = MsgID.split(msgid)
        return [account, .date(day), .string(msgid), .string(dataId), Value(idx), Value(shareUser), isDelay.map(Value.bool) ?? .null]
    }
}
