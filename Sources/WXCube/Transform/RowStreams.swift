/// Streams that glue stages together: concatenation, filtering, day batches.

/// The parts one after the other; each part is built only when the previous one ends.
public final class ConcatRowStream: RowStream {
    public let schema: Schema
    private var factories: [() throws -> any RowStream]
    private var position = 0
    private var current: (any RowStream)?

    public init(schema: Schema, parts: [() throws -> any RowStream]) {
        self.schema = schema
        self.factories = parts
    }

    public func next() throws -> Row? {
        while true {
            if let c = current {
                if let row = try c.next() { return row }
                current = nil
            }
            guard position < factories.count else { return nil }
            let part = try factories[position]()
            factories[position] = { ArrayRowStream(schema: Schema([]), rows: []) } // release captured state
            position += 1
            current = part
        }
    }

    /// One part, to be made and read on another thread (`ParallelRows`).
    struct Part: @unchecked Sendable {
        // @unchecked: a part is made and read by one thread only; what the
        // parts share (the store, the decoded-response cache, the anomaly
        // log) is thread-safe.
        let make: () throws -> any RowStream
    }

    var partCount: Int { factories.count - position }

    /// The parts not read yet, in order; this stream is then empty.
    func takeParts() -> [Part]? {
        guard current == nil else { return nil }
        let parts = factories[position...].map { Part(make: $0) }
        factories = []
        position = 0
        return parts
    }
}

/// The rows of `input` for which `keep` is true.
public final class FilterRowStream: RowStream {
    private let input: any RowStream
    private let keep: (Row) -> Bool
    public var schema: Schema { input.schema }

    public init(_ input: any RowStream, keep: @escaping (Row) -> Bool) {
        self.input = input
        self.keep = keep
    }

    public func next() throws -> Row? {
        while let row = try input.next() {
            if keep(row) { return row }
        }
        return nil
    }
}

/// Rows produced one day at a time: `rows(day)` for each day in order, so only one day is held.
final class DayBatchRowStream: RowStream {
    let schema: Schema
    private let days: [Day]
    private let rowsForDay: (Day) throws -> [Row]
    private var dayIndex = 0
    private var batch: [Row] = []
    private var position = 0

    init(schema: Schema, days: [Day], rows: @escaping (Day) throws -> [Row]) {
        self.schema = schema
        self.days = days
        self.rowsForDay = rows
    }

    func next() throws -> Row? {
        while position >= batch.count {
            guard dayIndex < days.count else { return nil }
            batch = try rowsForDay(days[dayIndex])
            dayIndex += 1
            position = 0
        }
        defer { position += 1 }
        return batch[position]
    }
}

/// Orders values the way datasets order rows: nulls first, then by value (docs/architecture.md, "Rules").
enum ValueOrder {
    static func less(_ a: Value, _ b: Value) -> Bool {
        switch (a, b) {
        case (.null, .null): return false
        case (.null, _): return true
        case (_, .null): return false
        case (.int(let x), .int(let y)): return x < y
        case (.float(let x), .float(let y)): return x < y
        case (.string(let x), .string(let y)): return x < y
        case (.date(let x), .date(let y)): return x < y
        case (.bool(let x), .bool(let y)): return !x && y
        default: return rank(a) < rank(b)
        }
    }

    private static func rank(_ v: Value) -> Int {
        switch v {
        case .null: return 0
        case .bool: return 1
        case .int: return 2
        case .float: return 3
        case .date: return 4
        case .string: return 5
        }
    }

    /// Lexicographic over the given column indices.
    static func less(_ a: Row, _ b: Row, by columns: [Int]) -> Bool {
        for i in columns where a[i] != b[i] {
            return less(a[i], b[i])
        }
        return false
    }
}
