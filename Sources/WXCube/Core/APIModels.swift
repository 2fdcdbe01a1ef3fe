import Foundation

// Typed, lenient models shared by the datacube responses; each endpoint's own item model lives in its file under Endpoints/.
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
    /// The published-content endpoints' `is_delay` (nil when the answer has none).
    public let isDelay: Bool?

    private enum CodingKeys: String, CodingKey { case list, errcode, errmsg, is_delay }

    public init(list: [Item]?, errcode: Int? = nil, errmsg: String? = nil, isDelay: Bool? = nil) {
        self.list = list
        self.errcode = errcode
        self.errmsg = errmsg
        self.isDelay = isDelay
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        errcode = c.lenientInt(.errcode)
        errmsg = c.lenientString(.errmsg)
        isDelay = c.lenientBool(.is_delay)
        guard c.contains(.list), (try? c.decodeNil(forKey: .list)) == false,
            var items = try? c.nestedUnkeyedContainer(forKey: .list)
        else {
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

struct SkipValue: Decodable {}

/// Decodes any JSON value without reading it, so a list can step over an element of the wrong shape.
struct AnySkip: Decodable {
    init(from decoder: any Decoder) throws {}
}

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

    /// A number as a Double (numeric strings accepted), or nil.
    func lenientDouble(_ key: Key) -> Double? {
        if let v = try? decode(Double.self, forKey: key), v.isFinite { return v }
        guard contains(key) else { return nil }
        if let s = try? decodeIfPresent(String.self, forKey: key), let v = Double(s.trimmingCharacters(in: .whitespaces)), v.isFinite {
            return v
        }
        return nil
    }

    /// true/false, 1/0 or "true"/"false"; nil otherwise.
    func lenientBool(_ key: Key) -> Bool? {
        if let b = try? decode(Bool.self, forKey: key) { return b }
        guard contains(key) else { return nil }
        if let i = try? decodeIfPresent(Int.self, forKey: key), i == 0 || i == 1 { return i == 1 }
        if let s = try? decodeIfPresent(String.self, forKey: key) {
            switch s.lowercased() {
            case "true", "1": return true
            case "false", "0": return false
            default: return nil
            }
        }
        return nil
    }

    /// The elements of a list field that decode as `T`; others are skipped. nil when the field is missing or not a list.
    func lenientList<T: Decodable>(_ key: Key, of type: T.Type) -> [T]? {
        guard var items = try? nestedUnkeyedContainer(forKey: key) else { return nil }
        var out: [T] = []
        while !items.isAtEnd {
            if let v = try? items.decode(T.self) {
                out.append(v)
            } else if (try? items.decode(AnySkip.self)) == nil {
                break
            }
        }
        return out
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
