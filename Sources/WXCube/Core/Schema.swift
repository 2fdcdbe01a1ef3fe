/// The type of a column in every output format (docs/datasets.md).
public enum ColumnType: String, Sendable, CaseIterable, Codable {
    case string, int, date, float, bool
}

/// How a column is presented where the format can say so (XLSX number formats).
public enum ColumnDisplay: String, Sendable, Codable {
    case plain
    /// A fraction shown as a percent (0.00%).
    case percent
    /// A number shown with two decimals (0.00).
    case twoDecimals
}

public struct Column: Sendable, Hashable {
    public let name: String
    public let type: ColumnType
    public let nullable: Bool
    /// English description.
    public let description: String
    /// Chinese label, used for `headers: zh`.
    public let label: String
    public let display: ColumnDisplay

    public init(
        _ name: String, _ type: ColumnType, nullable: Bool = true, _ description: String, zh label: String,
        display: ColumnDisplay = .plain
    ) {
        self.name = name
        self.type = type
        self.nullable = nullable
        self.description = description
        self.label = label
        self.display = display
    }
}

/// An ordered list of columns with a name index.
public struct Schema: Sendable, Hashable {
    public let columns: [Column]
    private let positions: [String: Int]

    public init(_ columns: [Column]) {
        self.columns = columns
        var positions: [String: Int] = [:]
        for (i, c) in columns.enumerated() where positions[c.name] == nil { positions[c.name] = i }
        self.positions = positions
    }

    public var count: Int { columns.count }
    public var names: [String] { columns.map(\.name) }

    public func index(of name: String) -> Int? { positions[name] }
    public func column(_ name: String) -> Column? { positions[name].map { columns[$0] } }
    public func contains(_ name: String) -> Bool { positions[name] != nil }

    public func appending(_ more: [Column]) -> Schema { Schema(columns + more) }
}

/// A pull-based stream of rows that all follow `schema`.
///
/// Every stage and every exporter speaks this one protocol, so rows flow from
/// the store to a file one at a time and memory stays flat.
public protocol RowStream: AnyObject {
    var schema: Schema { get }
    /// The next row, or nil at the end.
    func next() throws -> Row?
}

/// A stream over rows already in memory (tests, small lookups, benchmarks).
public final class ArrayRowStream: RowStream {
    public let schema: Schema
    private var rows: [Row]
    private var position = 0

    public init(schema: Schema, rows: [Row]) {
        self.schema = schema
        self.rows = rows
    }

    public func next() throws -> Row? {
        guard position < rows.count else { return nil }
        defer { position += 1 }
        return rows[position]
    }
}

extension RowStream {
    /// Drains the stream; for tests and small datasets only.
    public func collect() throws -> [Row] {
        var out: [Row] = []
        while let row = try next() { out.append(row) }
        return out
    }
}
