/// One cell of a row. Null is its own case: "0" and "not reported" differ.
public enum Value: Sendable, Hashable {
    case null
    case int(Int)
    case float(Double)
    case string(String)
    case date(Day)
    case bool(Bool)

    public var isNull: Bool { if case .null = self { return true } else { return false } }

    public var intValue: Int? { if case .int(let v) = self { return v } else { return nil } }

    /// Ints and floats as a Double; nil otherwise.
    public var doubleValue: Double? {
        switch self {
        case .int(let v): return Double(v)
        case .float(let v): return v
        default: return nil
        }
    }

    public var stringValue: String? { if case .string(let v) = self { return v } else { return nil } }

    public var dayValue: Day? { if case .date(let v) = self { return v } else { return nil } }

    /// An `Int?` as a value: nil becomes `.null`.
    public init(_ int: Int?) { self = int.map(Value.int) ?? .null }
    public init(_ string: String?) { self = string.map(Value.string) ?? .null }
    public init(_ double: Double?) { self = double.map(Value.float) ?? .null }
    public init(_ day: Day?) { self = day.map(Value.date) ?? .null }
}

/// A row is its values in schema order; the schema travels with the stream.
public typealias Row = [Value]
