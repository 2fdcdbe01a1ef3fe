import Foundation
import WXCube
import XCTest

/// `format: postgres` against a real PostgreSQL server the tests start
/// (PostgresServer), through the CLI and the sandbox, read back with psql.
final class PostgresLoadTests: XCTestCase {
    nonisolated(unsafe) static var server: PostgresServer?
    nonisolated(unsafe) static var startError: (any Error)?

    override class func setUp() {
        super.setUp()
        do { server = try PostgresServer() } catch { startError = error }
    }

    override class func tearDown() {
        server?.stop()
        server = nil
        super.tearDown()
    }

    private var pg: PostgresServer {
        get throws {
            if let s = Self.server { return s }
            if let e = Self.startError { throw e }
            throw PostgresServerError(message: "no server")
        }
    }

    /// Every dataset of both API families.
    static let all = DatasetName.allCases.map(\.rawValue)

    /// Two sandbox accounts, a fixed week, NDJSON files and a postgres output.
    private func pipeline(
        _ dir: URL, url: String, mode: String? = nil, from: String = "2026-09-01", to: String = "2026-09-07",
        datasets: [String] = PostgresLoadTests.all, name: String = "pipeline.yaml"
    ) throws -> String {
        let list = "[" + datasets.joined(separator: ", ") + "]"
        let text = """
            version: 1
            name: pgtest
            accounts:
              - name: alpha
                appid: wx0000000000000001
                secret: sandbox-secret-1
              - name: beta
                appid: wx0000000000000002
                secret: sandbox-secret-2
            api:
              base_url: sandbox
              concurrency: 8
              requests_per_second: 0
            store: \(dir.appendingPathComponent("store.sqlite").path)
            range:
              from: \(from)
              to: \(to)
            stages:
              - fetch:
                  endpoints: [getarticlesummary, getarticletotal, getuserread, getuserreadhour, getusershare, getusersharehour,
                              getarticletotaldetail, getarticleread, getarticleshare, getbizsummary]
              - flatten: {endpoint: getarticletotaldetail, field: detail_list, into: published_total}
              - flatten:
                  endpoint: getarticletotal
                  field: details
                  into: article_total
              - derive:
                  dataset: article_total
                  metrics:
                    read_rate: int_page_read_user / target_user
                    share_rate: share_user / int_page_read_user
                  daily: [int_page_read_user, share_count]
              - annotate_threshold:
                  dataset: article_summary
            outputs:
              - datasets: \(list)
                format: ndjson
                path: "ndjson/{dataset}.ndjson"
              - datasets: \(list)
                format: postgres
                url: "\(url)"
            \(mode.map { "    mode: \($0)" } ?? "")
            """
        let path = dir.appendingPathComponent(name)
        try text.write(to: path, atomically: true, encoding: .utf8)
        return path.path
    }

    private func run(_ pipeline: String, _ dir: URL, password: String = PostgresServer.password, extra: [String] = []) throws -> CLIProcess.Result {
        try CLIProcess.run(
            ["run", pipeline, "--out", dir.appendingPathComponent("out").path] + extra,
            environment: ["PGPASSWORD": password])
    }

    /// Every row of every table, as text in key order: equal snapshots mean identical tables.
    private func snapshot(_ db: String) throws -> [String: String] {
        var out: [String: String] = [:]
        for t in Self.all {
            out[t] = try pg.psql("SELECT count(*) || ':' || coalesce(md5(string_agg(t::text, E'\\n' ORDER BY t::text)), '') FROM wxcube.\(t) t", database: db)
        }
        return out
    }

    private func manifest(_ dir: URL) throws -> [String: Any] {
        let data = try Data(contentsOf: dir.appendingPathComponent("out/manifest.json"))
        return try JSONSerialization.jsonObject(with: data) as? [String: Any] ?? [:]
    }

    // MARK: tests

    func testEveryDatasetLoadedMatchesNDJSONWithKeysAndCommentsAndASecondRunLeavesIdenticalTables() throws {
        let pg = try self.pg
        let dir = try makeTemporaryDirectory(self, "pg-all")
        try pg.createDatabase("loadall")
        let file = try pipeline(dir, url: pg.url(database: "loadall"))
        let first = try run(file, dir)
        XCTAssertEqual(first.status, 0, first.stderr)
        XCTAssertFalse(first.stderr.contains(PostgresServer.password))

        for t in Self.all {
            // Counts and sums of every numeric column equal the NDJSON of the same run.
            let schema = try XCTUnwrap(DatasetName(rawValue: t).map(Datasets.fullSchema))
            let lines = try String(contentsOf: dir.appendingPathComponent("out/ndjson/\(t).ndjson"), encoding: .utf8)
                .split(separator: "\n")
            let objects = try lines.map { try XCTUnwrap(JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]) }
            XCTAssertGreaterThan(objects.count, 0, t)
            let numeric = schema.columns.filter { $0.type == .int || $0.type == .float }.map(\.name)
                .filter { objects.first?[$0] != nil }
            let sums = numeric.map { "coalesce(sum(\($0))::text, '0')" }.joined(separator: " || '|' || ")
            let got = try pg.psql("SELECT count(*) || '|' || \(sums) FROM wxcube.\(t)", database: "loadall").split(separator: "|")
            XCTAssertEqual(got.count, numeric.count + 1, t)
            XCTAssertEqual(got.first.map(String.init), String(objects.count), "\(t): rows")
            for (c, value) in zip(numeric, got.dropFirst()) {
                let want = objects.reduce(0.0) { $0 + (($1[c] as? NSNumber)?.doubleValue ?? 0) }
                let have = Double(value) ?? .nan
                XCTAssertEqual(have, want, accuracy: max(1e-6, abs(want) * 1e-12), "\(t).\(c): sum")
            }
            // The key (primary, or unique with nulls equal for read_source) = the catalogue's natural key.
            let key = try pg.psql(
                """
                SELECT string_agg(a.attname, ',' ORDER BY array_position(i.indkey::int2[], a.attnum))
                FROM pg_index i JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = ANY(i.indkey)
                WHERE i.indrelid = 'wxcube.\(t)'::regclass AND i.indisunique
                """, database: "loadall")
            XCTAssertEqual(key, DatasetName(rawValue: t)?.naturalKey.joined(separator: ","), t)
            // Comments: the table's, and every column's with its description and Chinese label.
            let tableComment = try pg.psql("SELECT obj_description('wxcube.\(t)'::regclass, 'pg_class')", database: "loadall")
            XCTAssertTrue(tableComment.contains(t), tableComment)
            let comments = try pg.psql(
                """
                SELECT a.attname || '=' || coalesce(col_description(a.attrelid, a.attnum), '<none>') FROM pg_attribute a
                WHERE a.attrelid = 'wxcube.\(t)'::regclass AND a.attnum > 0 AND NOT a.attisdropped
                """, database: "loadall"
            ).split(separator: "\n")
            for c in schema.columns where objects.first?[c.name] != nil {
                let line = comments.first { $0.hasPrefix("\(c.name)=") }
                XCTAssertEqual(line.map(String.init), "\(c.name)=\(c.description) (\(c.label))", "\(t).\(c.name)")
            }
            // NOT NULL as in the catalogue (and on the key).
            let notNull = try pg.psql(
                """
                SELECT string_agg(column_name::text, ',' ORDER BY column_name) FROM information_schema.columns
                WHERE table_schema = 'wxcube' AND table_name = '\(t)' AND is_nullable = 'NO'
                """, database: "loadall")
            let primary = DatasetName(rawValue: t).map { !$0.naturalKeyAllowsNull } ?? true
            let expected = schema.columns.filter {
                (!$0.nullable || primary && DatasetName(rawValue: t)?.naturalKey.contains($0.name) == true) && objects.first?[$0.name] != nil
            }
            .map(\.name).sorted().joined(separator: ",")
            XCTAssertEqual(notNull, expected, t)
        }
        let m = try manifest(dir)
        let loads = m["loads"] as? [[String: Any]] ?? []
        XCTAssertEqual(loads.first?["status"] as? String, "loaded")
        XCTAssertFalse(
            String(decoding: try Data(contentsOf: dir.appendingPathComponent("out/manifest.json")), as: UTF8.self)
                .contains(PostgresServer.password))

        let before = try snapshot("loadall")
        let second = try run(file, dir)
        XCTAssertEqual(second.status, 0, second.stderr)
        XCTAssertEqual(try snapshot("loadall"), before, "a second run of the same range leaves identical tables")
        XCTAssertEqual(
            try pg.psql("SELECT count(*) || '/' || sum(rows) FROM wxcube.wxcube_loads", database: "loadall"),
            "\(2 * Self.all.count)/\(2 * before.values.compactMap { Int($0.split(separator: ":")[0]) }.reduce(0, +))")
    }

    func testReplaceRangeRemovesRowsNoLongerReportedUpsertKeepsThemAndBothRepeatIdentically() throws {
        let pg = try self.pg
        let dir = try makeTemporaryDirectory(self, "pg-modes")
        try pg.createDatabase("modes")
        let file = try pipeline(dir, url: pg.url(database: "modes"))
        XCTAssertEqual(try run(file, dir).status, 0)
        let loaded = try snapshot("modes")
        // Rows WeChat "no longer reports": in the run's accounts × range, plus two outside it.
        let stale = """
            INSERT INTO wxcube.user_read (account, ref_date, user_source, user_source_name, int_page_read_user) VALUES
              ('alpha', '2026-09-03', 77, 'unknown', 5),
              ('gamma', '2026-09-03', 77, 'unknown', 6),
              ('alpha', '2026-08-20', 77, 'unknown', 7)
            """
        try pg.psql(stale, database: "modes")

        // upsert: nothing is deleted; a repeat leaves identical tables.
        let upsertFile = try pipeline(dir, url: pg.url(database: "modes"), mode: "upsert", name: "upsert.yaml")
        let up = try run(upsertFile, dir)
        XCTAssertEqual(up.status, 0, up.stderr)
        XCTAssertEqual(
            try pg.psql(
                "SELECT string_agg(int_page_read_user::text, ',' ORDER BY int_page_read_user) FROM wxcube.user_read WHERE user_source = 77", database: "modes"),
            "5,6,7")
        let afterUpsert = try snapshot("modes")
        XCTAssertEqual(try run(upsertFile, dir).status, 0)
        XCTAssertEqual(try snapshot("modes"), afterUpsert)
        var expected = loaded
        expected["user_read"] = afterUpsert["user_read"]
        XCTAssertEqual(afterUpsert, expected, "upsert of the same data changes nothing else")

        // replace_range: the in-range row of a run's account goes; the others stay.
        let replace = try run(file, dir)
        XCTAssertEqual(replace.status, 0, replace.stderr)
        XCTAssertEqual(
            try pg.psql("SELECT string_agg(account || ' ' || ref_date, ',' ORDER BY account) FROM wxcube.user_read WHERE user_source = 77", database: "modes"),
            "alpha 2026-08-20,gamma 2026-09-03")
        let afterReplace = try snapshot("modes")
        XCTAssertEqual(try run(file, dir).status, 0)
        XCTAssertEqual(try snapshot("modes"), afterReplace)
        try pg.psql("DELETE FROM wxcube.user_read WHERE user_source = 77", database: "modes")
        XCTAssertEqual(try snapshot("modes"), loaded)
    }

    func testAColumnTheCatalogueGainedIsAddedAndAChangedTypeIsAClearError() throws {
        let pg = try self.pg
        let dir = try makeTemporaryDirectory(self, "pg-alter")
        try pg.createDatabase("alter")
        // A table from an older wxcube: user_share without share_scene_name.
        try pg.psql(
            """
            CREATE SCHEMA wxcube;
            CREATE TABLE wxcube.user_share (account text NOT NULL, ref_date date NOT NULL, share_scene bigint NOT NULL,
              share_count bigint, share_user bigint, PRIMARY KEY (account, ref_date, share_scene));
            """, database: "alter")
        let file = try pipeline(dir, url: pg.url(database: "alter"), datasets: ["user_share", "user_read"])
        let result = try run(file, dir)
        XCTAssertEqual(result.status, 0, result.stderr)
        XCTAssertNotEqual(try pg.psql("SELECT count(*) FROM wxcube.user_share", database: "alter"), "0")
        XCTAssertEqual(try pg.psql("SELECT count(*) FROM wxcube.user_share WHERE share_scene_name IS NULL", database: "alter"), "0")
        XCTAssertEqual(
            try pg.psql("SELECT col_description('wxcube.user_share'::regclass, 6)", database: "alter"),
            "\(Datasets.shareSceneName.description) (\(Datasets.shareSceneName.label))")

        // A column whose type differs: exit 1, the column named, nothing changed.
        try pg.psql("ALTER TABLE wxcube.user_read ALTER COLUMN share_count TYPE text", database: "alter")
        let before = try pg.psql("SELECT count(*) FROM wxcube.wxcube_loads", database: "alter")
        try pg.psql("UPDATE wxcube.user_share SET share_count = -1", database: "alter")
        let bad = try run(file, dir)
        XCTAssertEqual(bad.status, 1, bad.stderr)
        XCTAssertTrue(bad.stderr.contains("user_read.share_count is text in the database but bigint"), bad.stderr)
        XCTAssertEqual(try pg.psql("SELECT count(*) FROM wxcube.wxcube_loads", database: "alter"), before)
        XCTAssertEqual(
            try pg.psql("SELECT DISTINCT share_count FROM wxcube.user_share", database: "alter"), "-1",
            "user_share, loaded before user_read in the same transaction, was rolled back")
    }

    func testConnectionFailuresExitOneSayWhatToCheckNeverShowThePasswordAndKeepFiles() throws {
        let pg = try self.pg
        let dir = try makeTemporaryDirectory(self, "pg-fail")
        try pg.createDatabase("failing")
        let wrong = "Wr0ng-pa55-\(UUID().uuidString.prefix(6))"
        let file = try pipeline(dir, url: pg.url(database: "failing"), datasets: ["user_read"])
        let denied = try run(file, dir, password: wrong)
        XCTAssertEqual(denied.status, 1, denied.stderr)
        XCTAssertTrue(denied.stderr.contains("authentication failed for user wxtest"), denied.stderr)
        XCTAssertFalse(denied.stderr.contains(wrong), "the password is never shown")
        XCTAssertFalse(denied.stdout.contains(wrong))
        let manifestText = String(decoding: try Data(contentsOf: dir.appendingPathComponent("out/manifest.json")), as: UTF8.self)
        XCTAssertFalse(manifestText.contains(wrong))
        let loads = try manifest(dir)["loads"] as? [[String: Any]] ?? []
        XCTAssertEqual(loads.first?["status"] as? String, "failed")
        XCTAssertTrue((loads.first?["error"] as? String ?? "").contains("authentication failed"))
        XCTAssertTrue(FileManager.default.fileExists(atPath: dir.appendingPathComponent("out/ndjson/user_read.ndjson").path))
        XCTAssertTrue(FileManager.default.fileExists(atPath: dir.appendingPathComponent("store.sqlite").path))
        XCTAssertEqual(try pg.psql("SELECT count(*) FROM pg_namespace WHERE nspname = 'wxcube'", database: "failing"), "0")

        let missing = try run(try pipeline(dir, url: pg.url(database: "nosuchdb"), datasets: ["user_read"], name: "missing.yaml"), dir)
        XCTAssertEqual(missing.status, 1)
        XCTAssertTrue(missing.stderr.contains("database nosuchdb does not exist"), missing.stderr)

        let closed = try PostgresServer.freePort()
        let refusedURL = "postgres://wxtest:${PGPASSWORD}@127.0.0.1:\(closed)/failing"
        let refused = try run(try pipeline(dir, url: refusedURL, datasets: ["user_read"], name: "refused.yaml"), dir)
        XCTAssertEqual(refused.status, 1)
        XCTAssertTrue(refused.stderr.contains("cannot connect to 127.0.0.1:\(closed)"), refused.stderr)
        XCTAssertFalse(refused.stderr.contains(PostgresServer.password))

        // Permissions: a user that may not create a schema.
        try pg.psql("CREATE ROLE weak LOGIN PASSWORD 'weakpw'; REVOKE CREATE ON DATABASE failing FROM PUBLIC", database: "failing")
        let weakURL = "postgres://weak:${PGPASSWORD}@127.0.0.1:\(pg.port)/failing?sslmode=disable"
        let perm = try run(try pipeline(dir, url: weakURL, datasets: ["user_read"], name: "weak.yaml"), dir, password: "weakpw")
        XCTAssertEqual(perm.status, 1)
        XCTAssertTrue(perm.stderr.contains("permission denied"), perm.stderr)
        XCTAssertFalse(perm.stderr.contains("weakpw"))

        // plan and validate: never the password.
        let plan = try CLIProcess.run(
            ["plan", file, "--store", dir.appendingPathComponent("store.sqlite").path],
            environment: ["PGPASSWORD": PostgresServer.password])
        XCTAssertEqual(plan.status, 0, plan.stderr)
        XCTAssertTrue(
            plan.stdout.contains("postgres postgres://wxtest:***@127.0.0.1:\(pg.port)/failing?sslmode=disable schema wxcube, mode replace_range"), plan.stdout)
        XCTAssertTrue(plan.stdout.contains("user_read: create table wxcube.user_read (primary key account, ref_date, user_source)"), plan.stdout)
        XCTAssertFalse(plan.stdout.contains(PostgresServer.password) || plan.stderr.contains(PostgresServer.password))
        let refusedPlan = try CLIProcess.run(
            ["plan", dir.appendingPathComponent("refused.yaml").path],
            environment: ["PGPASSWORD": PostgresServer.password])
        XCTAssertTrue(refusedPlan.stdout.contains("not inspected: "), refusedPlan.stdout)
    }

    func testKill9DuringTheLoadLeavesThePreviousTablesUntouched() throws {
        let pg = try self.pg
        let dir = try makeTemporaryDirectory(self, "pg-kill")
        try pg.createDatabase("killed")
        let file = try pipeline(dir, url: pg.url(database: "killed"))
        XCTAssertEqual(try run(file, dir).status, 0)
        // A local edit the next load would overwrite if it committed.
        try pg.psql("UPDATE wxcube.article_summary SET title = 'local edit'", database: "killed")
        let before = try snapshot("killed")

        // Hold a late table so the load stops there, after it has replaced the earlier ones.
        let holder = try pg.session(database: "killed")
        holder.input.write(Data("BEGIN;\nLOCK TABLE wxcube.user_share_hour IN ACCESS EXCLUSIVE MODE;\n".utf8))
        try waitFor {
            try pg.psql(
                "SELECT count(*) FROM pg_locks WHERE mode = 'AccessExclusiveLock' AND relation = 'wxcube.user_share_hour'::regclass AND granted",
                database: "killed") == "1"
        }

        let process = Process()
        process.executableURL = CLIProcess.binary
        process.arguments = ["run", file, "--out", dir.appendingPathComponent("out").path, "--offline"]
        var env = ProcessInfo.processInfo.environment
        env["PGPASSWORD"] = PostgresServer.password
        process.environment = env
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        // The load waits for the lock: everything before it is done, uncommitted.
        try waitFor {
            try pg.psql("SELECT count(*) FROM pg_locks WHERE NOT granted AND relation = 'wxcube.user_share_hour'::regclass", database: "killed") == "1"
        }
        XCTAssertEqual(
            try pg.psql("SELECT count(*) FROM wxcube.article_summary WHERE title = 'local edit'", database: "killed"),
            before["article_summary"].map { String($0.split(separator: ":")[0]) })
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        holder.input.write(Data("ROLLBACK;\n\\q\n".utf8))
        try holder.input.close()
        holder.process.waitUntilExit()
        // The killed client's backend rolls back once it notices the closed connection.
        try waitFor { try pg.psql("SELECT count(*) FROM pg_stat_activity WHERE datname = 'killed' AND pid <> pg_backend_pid()", database: "killed") == "0" }
        XCTAssertEqual(try snapshot("killed"), before, "kill -9 during the load leaves the previous tables untouched")
        XCTAssertEqual(try pg.psql("SELECT count(*) FROM wxcube.wxcube_loads", database: "killed"), "\(Self.all.count)")
    }

    private func waitFor(_ condition: () throws -> Bool) throws {
        for _ in 0..<600 {
            if try condition() { return }
            Thread.sleep(forTimeInterval: 0.1)
        }
        XCTFail("condition not met within 60 s")
    }
}
