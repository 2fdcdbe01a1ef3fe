import Foundation
import GRDB

/// Errors opening or writing the raw store.
public enum RawStoreError: Error, CustomStringConvertible {
    case cannotCreateFolder(path: String, reason: String)
    case cannotOpen(path: String, reason: String)
    case readOnly(path: String)
    case emptyWindow(storeKey: String, endpoint: Endpoint, begin: Day, end: Day)

    public var description: String {
        switch self {
        case let .cannotCreateFolder(path, reason):
            return "store: cannot create the folder for \(path): \(reason); check the `store:` path and its permissions"
        case let .cannotOpen(path, reason):
            return "store: cannot open \(path): \(reason); check the `store:` path, or move a damaged file aside and run again"
        case let .readOnly(path):
            return "store: \(path) was opened read-only; this is a bug in wxcube"
        case let .emptyWindow(storeKey, endpoint, begin, end):
            return "store: window \(storeKey) \(endpoint.rawValue) \(begin.iso)..\(end.iso) has no days; this is a bug in wxcube"
        }
    }
}

/// An account name that stored data under one appid and is now given another.
public struct AccountKeyConflict: Error, Sendable, CustomStringConvertible {
    public struct Entry: Sendable, Equatable {
        public var name: String
        public var storedKey: String
        public var newKey: String
    }
    public var store: String
    public var entries: [Entry]

    public var description: String {
        entries.map { e in
            "store: \(store) holds data of account '\(e.name)' under appid \(e.storedKey), but the pipeline now gives it appid \(e.newKey); "
                + "a different WeChat account needs its own name (or its own --store). If this is the same account and its appid was wrong, "
                + "move the store aside and run again"
        }.joined(separator: "\n")
    }
}

/// One row of the `days` table, for inspection and tests.
public struct StoredDayRecord: Sendable, Hashable {
    public var storeKey: String
    public var endpoint: String
    public var day: String
    public var responseID: Int64
    public var rowCount: Int
    public var fetchedAt: Date
}

/// The SQLite raw store (GRDB, WAL). Raw responses are kept exactly as
/// received; `days` says which response covers each (store key, endpoint, day).
public final class RawStore: CoverageReading, RawStoreReading, Sendable {
    private let reader: any DatabaseReader
    private let writer: (any DatabaseWriter)?
    public let path: String

    /// Opens (creating if needed, with parent folders) the store for writing.
    public init(path: String) throws {
        self.path = path
        let folder = URL(fileURLWithPath: path).deletingLastPathComponent().path
        do {
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        } catch {
            throw RawStoreError.cannotCreateFolder(path: path, reason: "\(error.localizedDescription)")
        }
        var config = Configuration()
        config.busyMode = .timeout(10)
        // WAL with synchronous=NORMAL: a commit survives a killed process (the
        // SIGKILL guarantee) without an fsync per window; only power loss can
        // lose the last commits, which the next run then fetches again.
        config.prepareDatabase { db in try db.execute(sql: "PRAGMA synchronous = NORMAL") }
        do {
            let pool = try DatabasePool(path: path, configuration: config)
            try RawStore.migrator.migrate(pool)
            reader = pool
            writer = pool
        } catch {
            throw RawStoreError.cannotOpen(path: path, reason: "\(error)")
        }
    }

    private init(readOnlyPath path: String, reader: any DatabaseReader) {
        self.path = path
        self.reader = reader
        self.writer = nil
    }

    /// Opens an existing store read-only (for `plan`, offline exports and
    /// tests); nil when the file does not exist. Never creates anything.
    public static func openReadOnly(path: String) throws -> RawStore? {
        guard FileManager.default.fileExists(atPath: path) else { return nil }
        var config = Configuration()
        config.readonly = true
        config.busyMode = .timeout(10)
        do {
            let queue = try DatabaseQueue(path: path, configuration: config)
            let ready = try queue.read { db in try db.tableExists("days") && db.tableExists("responses") }
            guard ready else { return nil }
            return RawStore(readOnlyPath: path, reader: queue)
        } catch {
            throw RawStoreError.cannotOpen(path: path, reason: "\(error)")
        }
    }

    static var migrator: DatabaseMigrator {
        var m = DatabaseMigrator()
        m.registerMigration("v1") { db in
            try db.execute(
                sql: """
                    CREATE TABLE responses (
                        id INTEGER PRIMARY KEY AUTOINCREMENT,
                        store_key TEXT NOT NULL,
                        endpoint TEXT NOT NULL,
                        begin_date TEXT NOT NULL,
                        end_date TEXT NOT NULL,
                        body BLOB NOT NULL,
                        fetched_at DOUBLE NOT NULL
                    );
                    CREATE TABLE days (
                        store_key TEXT NOT NULL,
                        endpoint TEXT NOT NULL,
                        day TEXT NOT NULL,
                        response_id INTEGER NOT NULL REFERENCES responses(id),
                        row_count INTEGER NOT NULL,
                        fetched_at DOUBLE NOT NULL,
                        PRIMARY KEY (store_key, endpoint, day)
                    ) WITHOUT ROWID;
                    CREATE INDEX days_response ON days(response_id);
                    """)
        }
        // Which appid (store key) each account name stored data under, so that
        // a name reused for another appid is an error, never a silent mix.
        m.registerMigration("v2-accounts") { db in
            try db.execute(
                sql: """
                    CREATE TABLE accounts (
                        name TEXT PRIMARY KEY,
                        store_key TEXT NOT NULL
                    ) WITHOUT ROWID;
                    """)
        }
        // is_delay: 1 when the answer covering the day said WeChat had not
        // finished it; the planner fetches such days again until it is 0.
        m.registerMigration("v3-is-delay") { db in
            try db.execute(sql: "ALTER TABLE days ADD COLUMN is_delay INTEGER NOT NULL DEFAULT 0")
        }
        return m
    }

    /// Checks each account's name against the appid it stored data under
    /// before, and (when writable) records new ones. Throws
    /// `AccountKeyConflict` for a name now given another appid. Returns the
    /// names whose data a store from before appid keys holds under the name
    /// itself (ready-token accounts): that data is no longer read.
    public func checkAccountKeys(_ accounts: [(name: String, storeKey: String)]) throws -> [String] {
        let recorded: [String: String] = try reader.read { db in
            guard try db.tableExists("accounts") else { return [:] }
            var out: [String: String] = [:]
            for row in try GRDB.Row.fetchAll(db, sql: "SELECT name, store_key FROM accounts") {
                let name: String = row[0]
                let key: String = row[1]
                out[name] = key
            }
            return out
        }
        var conflicts: [AccountKeyConflict.Entry] = []
        for a in accounts {
            if let old = recorded[a.name], old != a.storeKey {
                conflicts.append(.init(name: a.name, storedKey: old, newKey: a.storeKey))
            }
        }
        if !conflicts.isEmpty { throw AccountKeyConflict(store: path, entries: conflicts) }
        var legacy: [String] = []
        for a in accounts where a.name != a.storeKey && recorded[a.name] == nil {
            let held = try reader.read { db in
                try Bool.fetchOne(db, sql: "SELECT 1 FROM days WHERE store_key = ? LIMIT 1", arguments: [a.name]) ?? false
            }
            if held { legacy.append(a.name) }
        }
        if let writer {
            try writer.write { db in
                for a in accounts where recorded[a.name] == nil {
                    try db.execute(sql: "INSERT OR IGNORE INTO accounts (name, store_key) VALUES (?, ?)", arguments: [a.name, a.storeKey])
                }
            }
        }
        return legacy
    }

    /// Commits a window: one response row and one `days` row per day, in one
    /// transaction. Days stored before are replaced, and responses no day
    /// points to any more are deleted.
    public func commit(_ window: FetchedWindow) async throws {
        try await commit([window])
    }

    /// Commits several windows in one transaction.
    public func commit(_ windows: [FetchedWindow]) async throws {
        guard let writer else { throw RawStoreError.readOnly(path: path) }
        for w in windows where w.begin > w.end {
            throw RawStoreError.emptyWindow(storeKey: w.storeKey, endpoint: w.endpoint, begin: w.begin, end: w.end)
        }
        try await writer.write { db in
            for w in windows { try RawStore.insert(w, db: db) }
        }
    }

    private static func insert(_ w: FetchedWindow, db: Database) throws {
        let endpoint = w.endpoint.rawValue
        let fetchedAt = w.fetchedAt.timeIntervalSince1970
        let days = DateRange(from: w.begin, to: w.end).days
        let oldIDs = try Int64.fetchSet(
            db,
            sql: """
                SELECT DISTINCT response_id FROM days
                WHERE store_key = ? AND endpoint = ? AND day >= ? AND day <= ?
                """, arguments: [w.storeKey, endpoint, w.begin.iso, w.end.iso])
        try db.execute(
            sql: """
                INSERT INTO responses (store_key, endpoint, begin_date, end_date, body, fetched_at)
                VALUES (?, ?, ?, ?, ?, ?)
                """, arguments: [w.storeKey, endpoint, w.begin.iso, w.end.iso, w.body, fetchedAt])
        let responseID = db.lastInsertedRowID
        let statement = try db.cachedStatement(
            sql: """
                INSERT OR REPLACE INTO days (store_key, endpoint, day, response_id, row_count, fetched_at, is_delay)
                VALUES (?, ?, ?, ?, ?, ?, ?)
                """)
        for d in days {
            try statement.execute(arguments: [w.storeKey, endpoint, d.iso, responseID, w.rowCounts[d] ?? 0, fetchedAt, w.isDelay ? 1 : 0])
        }
        for id in oldIDs {
            try db.execute(
                sql: """
                    DELETE FROM responses WHERE id = ? AND NOT EXISTS (SELECT 1 FROM days WHERE response_id = ?)
                    """, arguments: [id, id])
        }
    }

    // MARK: CoverageReading

    public func storedDays(storeKey: String, endpoint: Endpoint, in range: DateRange) throws -> [Day: Date] {
        try reader.read { db in
            var out: [Day: Date] = [:]
            let rows = try GRDB.Row.fetchCursor(
                db,
                sql: """
                    SELECT day, fetched_at FROM days
                    WHERE store_key = ? AND endpoint = ? AND day >= ? AND day <= ?
                    """, arguments: [storeKey, endpoint.rawValue, range.from.iso, range.to.iso])
            while let row = try rows.next() {
                let text: String = row[0]
                guard let d = Day(iso: text) else { continue }
                out[d] = Date(timeIntervalSince1970: row[1])
            }
            return out
        }
    }

    public func unsettledDays(storeKey: String, endpoint: Endpoint, in range: DateRange) throws -> Set<Day> {
        try reader.read { db in
            // A store written before is_delay existed has no such column: nothing is unsettled.
            guard try db.columns(in: "days").contains(where: { $0.name == "is_delay" }) else { return [] }
            let days = try String.fetchAll(
                db,
                sql: """
                    SELECT day FROM days
                    WHERE store_key = ? AND endpoint = ? AND day >= ? AND day <= ? AND is_delay = 1
                    """, arguments: [storeKey, endpoint.rawValue, range.from.iso, range.to.iso])
            return Set(days.compactMap { Day(iso: $0) })
        }
    }

    // MARK: RawStoreReading

    public func storedDay(storeKey: String, endpoint: Endpoint, day: Day) throws -> StoredDay? {
        // Cached statements: an export asks these once per stored day, and
        // preparing them each time (parse, authorizer) cost ~10% of an export.
        // One SELECT is atomic on its own, so these per-day reads skip the
        // read transaction `read` wraps around its closure (BEGIN and COMMIT
        // cost as much as the SELECT).
        try reader.unsafeRead { db in
            let statement = try db.cachedStatement(
                sql: """
                    SELECT r.id, r.body, d.fetched_at FROM days d JOIN responses r ON r.id = d.response_id
                    WHERE d.store_key = ? AND d.endpoint = ? AND d.day = ?
                    """)
            guard let row = try GRDB.Row.fetchOne(statement, arguments: [storeKey, endpoint.rawValue, day.iso]) else { return nil }
            return StoredDay(responseID: row[0], body: row[1], fetchedAt: Date(timeIntervalSince1970: row[2]))
        }
    }

    public func hasStoredDay(storeKey: String, endpoint: Endpoint, day: Day) throws -> Bool {
        try reader.unsafeRead { db in // one SELECT: see storedDay
            try Bool.fetchOne(
                db.cachedStatement(sql: "SELECT 1 FROM days WHERE store_key = ? AND endpoint = ? AND day = ?"),
                arguments: [storeKey, endpoint.rawValue, day.iso]) ?? false
        }
    }

    public func storedResponseID(storeKey: String, endpoint: Endpoint, day: Day) throws -> Int64? {
        try reader.unsafeRead { db in // one SELECT: see storedDay
            try Int64.fetchOne(
                db.cachedStatement(sql: "SELECT response_id FROM days WHERE store_key = ? AND endpoint = ? AND day = ?"),
                arguments: [storeKey, endpoint.rawValue, day.iso])
        }
    }

    // MARK: Inspection

    /// Every `days` row, ordered by key, endpoint and day.
    public func allDays() throws -> [StoredDayRecord] {
        try reader.read { db in
            try GRDB.Row.fetchAll(
                db,
                sql: """
                    SELECT store_key, endpoint, day, response_id, row_count, fetched_at FROM days
                    ORDER BY store_key, endpoint, day
                    """
            ).map { row in
                StoredDayRecord(
                    storeKey: row[0], endpoint: row[1], day: row[2], responseID: row[3],
                    rowCount: row[4], fetchedAt: Date(timeIntervalSince1970: row[5]))
            }
        }
    }

    /// The number of rows in `responses` (for garbage-collection checks).
    public func responseCount() throws -> Int {
        try reader.read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM responses") ?? 0 }
    }
}
