import Foundation

/// Rows of the API answers that did not make it into the outputs as sent:
/// duplicates of a key (only the first is kept) and rows without the field
/// their key needs. Listed in `manifest.json` (`anomalies`) and in the run
/// summary, with a warning (docs/operations.md "Bad rows in answers").
public struct Anomalies: Codable, Sendable, Equatable {
    /// One kind of dropped row, per endpoint and account.
    public struct Count: Codable, Sendable, Equatable {
        public var endpoint: String
        public var account: String
        public var kind: String
        public var rows: Int
        /// Up to three `DAY KEY` examples, to find them in the store.
        public var examples: [String]
    }

    public static let rule = "one row per key: the first row of an answer is kept, later rows with the same key are dropped"

    /// Always `Anomalies.rule`; in the file so that a reader needs no docs.
    public var rule: String
    public var rowsDropped: Int
    public var counts: [Count]

    enum CodingKeys: String, CodingKey {
        case rule, counts
        case rowsDropped = "rows_dropped"
    }

    public var isEmpty: Bool { rowsDropped == 0 }

    /// One line per kind, for the summary and the warning.
    public var lines: [String] {
        counts.map { c in
            "\(c.account) \(c.endpoint): \(c.rows) row(s) dropped: \(c.kind) (e.g. \(c.examples.joined(separator: "; ")))"
        }
    }
}

/// Collects anomalies while datasets stream. A dataset may be read more than
/// once (several outputs): each row is counted once, by where it is.
public final class AnomalyLog: Sendable {
    private struct Record: Hashable {
        var endpoint: Endpoint
        var account: String
        var day: Day
        var kind: String
        var key: String
        var occurrence: Int
    }

    private let records = Locked<Set<Record>>([])

    public init() {}

    /// Notes a dropped row: its `occurrence` tells copies of one key apart.
    func record(endpoint: Endpoint, account: String, day: Day, kind: String, key: String, occurrence: Int) {
        records.withLock { _ = $0.insert(Record(endpoint: endpoint, account: account, day: day, kind: kind, key: key, occurrence: occurrence)) }
    }

    public var snapshot: Anomalies {
        let all = records.current
        var grouped: [String: (endpoint: Endpoint, account: String, kind: String, records: [Record])] = [:]
        for r in all {
            grouped["\(r.account)\u{0}\(r.endpoint.rawValue)\u{0}\(r.kind)", default: (r.endpoint, r.account, r.kind, [])].records.append(r)
        }
        let counts = grouped.keys.sorted().compactMap { k -> Anomalies.Count? in
            guard let g = grouped[k] else { return nil }
            let examples = g.records.sorted { ($0.day, $0.key, $0.occurrence) < ($1.day, $1.key, $1.occurrence) }
                .prefix(3).map { $0.key.isEmpty ? $0.day.iso : "\($0.day.iso) \($0.key)" }
            return Anomalies.Count(endpoint: g.endpoint.rawValue, account: g.account, kind: g.kind, rows: g.records.count, examples: examples)
        }
        return Anomalies(rule: Anomalies.rule, rowsDropped: all.count, counts: counts)
    }
}

/// Keeps the first item per key, in order, reporting every other one.
enum OnePerKey {
    static func filter<T, Key: Hashable & CustomStringConvertible>(
        _ items: [T], key: (T) -> Key?, missing: String, duplicate: String,
        report: (_ kind: String, _ key: String, _ occurrence: Int) -> Void
    ) -> [T] {
        // The usual answer: a few items, every key present and distinct. Then
        // the items are kept as they are, without hashing or copying them.
        if items.count <= 16 {
            var keys: [Key] = []
            keys.reserveCapacity(items.count)
            var clean = true
            for item in items {
                guard let k = key(item), !keys.contains(k) else {
                    clean = false
                    break
                }
                keys.append(k)
            }
            if clean { return items }
        }
        var seen: [Key: Int] = [:]
        var out: [T] = []
        out.reserveCapacity(items.count)
        var missingCount = 0
        for item in items {
            guard let k = key(item) else {
                missingCount += 1
                report(missing, "", missingCount)
                continue
            }
            if let n = seen[k] {
                seen[k] = n + 1
                report(duplicate, k.description, n + 1)
                continue
            }
            seen[k] = 1
            out.append(item)
        }
        return out
    }
}
