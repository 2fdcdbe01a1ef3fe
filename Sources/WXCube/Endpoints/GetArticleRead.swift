import Foundation

extension EndpointInfo {
    /// getarticleread (published family): every item read on a day, readers by scene.
    public static let getarticleread = EndpointInfo(
        endpoint: .getarticleread, family: .published, maxSpanDays: 1, dataFrom: EndpointRegistry.publishedDataFrom,
        datasets: [.published_read, .read_source],
        summary: "Each item's readers on one day, by scene")
}

public enum PublishedReadColumns {
    public static let schema = Schema(
        [
            Datasets.account, Datasets.refDate, PublishedColumns.msgid, Datasets.msgDataId, Datasets.articleIdx,
            PublishedColumns.readUser,
        ] + PublishedColumns.sceneReaders + [PublishedColumns.isDelay])
}

/// One getarticleread item.
public struct PublishedReadItem: Decodable, Sendable, Equatable {
    public var refDate: Day?
    public var msgid: String?
    public var readUser: Int?
    public var sources: [ReadUserSourceEntry]

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: AnyCodingKey.self)
        refDate = c.lenientDay(AnyCodingKey("ref_date"))
        msgid = c.lenientString(AnyCodingKey("msgid"))
        let detail = try? c.nestedContainer(keyedBy: AnyCodingKey.self, forKey: AnyCodingKey("detail"))
        readUser = detail?.lenientInt(AnyCodingKey("read_user"))
        sources = detail?.lenientList(AnyCodingKey("read_user_source"), of: ReadUserSourceEntry.self) ?? []
    }
}

extension PublishedReadItem: RefDated {
    static func onePerKey(_ items: [PublishedReadItem], report: (String, String, Int) -> Void) -> [PublishedReadItem] {
        OnePerKey.filter(items, key: \.msgid, missing: "row without msgid", duplicate: "msgid repeated in one answer", report: report)
    }

    static func sortedForOutput(_ items: [PublishedReadItem]) -> [PublishedReadItem] { PublishedOrder.byMsgid(items, \.msgid) }

    func row(account: Value, day: Day, isDelay: Bool?) -> Row? {
        guard let msgid else { return nil }
        let (dataId, idx) = MsgID.split(msgid)
        var row: Row = [account, .date(day), .string(msgid), .string(dataId), Value(idx), Value(readUser)]
        row += sources.sceneColumnValues
        row.append(isDelay.map(Value.bool) ?? .null)
        return row
    }
}

/// Item order shared by the published endpoints: by msgid, the first of a repeated msgid kept.
enum PublishedOrder {
    static func byMsgid<T>(_ items: [T], _ msgid: KeyPath<T, String?>) -> [T] {
        var seen: Set<String> = []
        return items.filter { $0[keyPath: msgid].map { seen.insert($0).inserted } ?? false }
            .sorted { ($0[keyPath: msgid] ?? "") < ($1[keyPath: msgid] ?? "") }
    }
}
