import Foundation

// Typed, lenient models of the six datacube responses (DESIGN §2).
//
// Every field is optional: a missing field decodes to nil (never 0), a field of
// an unexpected JSON type decodes to nil rather than failing the whole answer
// (ints sent as "12" or 12.0 are still read), and unknown fields are ignored.

/// `{"list": [...]}`, or `{"errcode": N, "errmsg": "..."}` on error.
public struct DatacubeList<Item: Decodable & Sendable>: Decodable, Sendable {
    /// nil when the body had no `list` (an error answer); `[]` is a valid empty answer.
    public let list: [Item]?
    public let errcode: Int?
    public let errmsg: String?

    private enum CodingKeys: String, CodingKey { case list, errcode, errmsg }

    public init(list: [Item]?, errcode: Int? = nil, errmsg: String? = nil) {
        self.list = list
        self.errcode = errcode
        self.errmsg = errmsg
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        errcode = c.lenientInt(.errcode)
        errmsg = c.lenientString(.errmsg)
        guard c.contains(.list), (try? c.decodeNil(forKey: .list)) == false,
              var items = try? c.nestedUnkeyedContainer(forKey: .list) else {
            list = nil
            return
        }
        var out: [Item] = []
        if let n = items.count { out.reserveCapacity(n) }
        while !items.isAtEnd {
            // One malformed element (not an object) is skipped, not fatal.
            if let item = try? items.decode(Item.self) {
                out.append(item)
            } else {
                _ = try? items.decode(SkipValue.self)
            }
        }
        list = out
    }

    /// Decodes a stored body.
    public static func decode(_ body: Data) throws -> DatacubeList<Item> {
        try JSONDecoder().decode(DatacubeList<Item>.self, from: body)
    }
}

/// A key of any name, for metric columns looked up by their dataset names.
public struct AnyCodingKey: CodingKey, Sendable {
    public let stringValue: String
    public var intValue: Int? { nil }
    public init(_ s: String) { stringValue = s }
    public init?(stringValue: String) { self.stringValue = stringValue }
    public init?(intValue: Int) { return nil }
}

private struct SkipValue: Decodable {}

extension KeyedDecodingContainer {
    /// An int, or nil when missing, null or not a number (whole floats and numeric strings are accepted).
    func lenientInt(_ key: Key) -> Int? {
        // The common case first: one lookup.
        if let v = try? decode(Int.self, forKey: key) { return v }
        guard contains(key) else { return nil }
        if let d = try? decodeIfPresent(Double.self, forKey: key), d.isFinite, d.rounded() == d, abs(d) < 9e15 {
            return Int(d)
        }
        if let s = try? decodeIfPresent(String.self, forKey: key) {
            return Int(s.trimmingCharacters(in: .whitespaces))
        }
        return nil
    }

    /// A string, or nil; numbers are turned into their text (msgids sent as numbers).
    func lenientString(_ key: Key) -> String? {
        if let s = try? decode(String.self, forKey: key) { return s }
        guard contains(key) else { return nil }
        if let v = try? decodeIfPresent(Int.self, forKey: key) { return String(v) }
        return nil
    }

    func lenientDay(_ key: Key) -> Day? {
        lenientString(key).flatMap { Day(iso: $0) }
    }
}

extension KeyedDecodingContainer where Key == AnyCodingKey {
    /// The ints of `names`, in order, each nil when missing.
    func lenientInts(_ names: [String]) -> [Int?] {
        names.map { lenientInt(AnyCodingKey($0)) }
    }
}

/// Names of the eight core metrics, in `Datasets.coreMetrics` order.
public let coreMetricNames: [String] = Datasets.coreMetrics.map(\.name)
/// Names of every getarticletotal detail metric, in `Datasets.detailMetrics` order.
public let detailMetricNames: [String] = Datasets.detailMetrics.map(\.name)

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

/// One getusershare / getusersharehour row (`refHour` only in the hourly answer).
public struct UserShareItem: Decodable, Sendable, Equatable {
    public var refDate: Day?
    public var refHour: Int?
    public var shareScene: Int?
    public var shareCount: Int?
    public var shareUser: Int?

    public init(refDate: Day?, refHour: Int?, shareScene: Int?, shareCount: Int?, shareUser: Int?) {
        self.refDate = refDate
        self.refHour = refHour
        self.shareScene = shareScene
        self.shareCount = shareCount
        self.shareUser = shareUser
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: AnyCodingKey.self)
        refDate = c.lenientDay(AnyCodingKey("ref_date"))
        refHour = c.lenientInt(AnyCodingKey("ref_hour"))
        shareScene = c.lenientInt(AnyCodingKey("share_scene"))
        shareCount = c.lenientInt(AnyCodingKey("share_count"))
        shareUser = c.lenientInt(AnyCodingKey("share_user"))
    }
}
