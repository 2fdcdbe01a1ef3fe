import Foundation
import XCTest

/// The README's first command, as a user runs it: the demo pipeline on the
/// built-in sandbox, read back with real readers.
final class DemoEndToEndTests: XCTestCase {
    func testDemoRunWritesEveryDatasetThenPlansCachedAndReExportsOfflineIdentically() throws {
        let dir = try makeTemporaryDirectory(self, "demo")
        let out = dir.appendingPathComponent("out"), again = dir.appendingPathComponent("again")
        let store = dir.appendingPathComponent("store.sqlite").path

        let run = try CLIProcess.run(["run", "pipelines/demo.yaml", "--out", out.path, "--store", store])
        XCTAssertEqual(run.status, 0, run.stderr)
        XCTAssertTrue(run.stderr.contains("summary: account newsroom: complete"), run.stderr)
        XCTAssertEqual(run.stdout, "", "stdout carries only what a command is asked to print")

        // The manifest lists all six datasets in csv.gz and ndjson, and matches the files.
        let check = try python("""
        import duckdb, hashlib, json, os, sys
        out = sys.argv[1]
        m = json.load(open(os.path.join(out, "manifest.json")))
        for f in m["files"]:
            data = open(os.path.join(out, f["path"]), "rb").read()
            assert hashlib.sha256(data).hexdigest() == f["sha256"], f["path"]
            assert len(data) == f["bytes"], f["path"]
        by = {(f["format"], f["datasets"][0]): f for f in m["files"] if len(f["datasets"]) == 1}
        result = {}
        con = duckdb.connect()
        for ds in ["article_summary", "article_total", "user_read", "user_read_hour", "user_share", "user_share_hour"]:
            csv_path = os.path.join(out, by[("csv.gz", ds)]["path"])
            nd_path = os.path.join(out, by[("ndjson", ds)]["path"])
            metric = "share_count"
            a = con.execute(f"select count(*), sum({metric}) from read_csv('{csv_path}', header=true)").fetchone()
            b = con.execute(f"select count(*), sum({metric}) from read_json('{nd_path}', format='newline_delimited')").fetchone()
            assert a == b, (ds, a, b)
            assert a[0] == by[("csv.gz", ds)]["rows"] > 0, (ds, a)
            result[ds] = a[0]
        status = con.execute(f"select threshold_status, count(*) from read_csv('{os.path.join(out, by[('csv.gz', 'article_summary')]['path'])}', header=true) group by 1 order by 1").fetchall()
        result["status"] = dict(status)
        print(json.dumps(result))
        """, out.path)
        let counts = try JSONSerialization.jsonObject(with: Data(check.utf8)) as? [String: Any]
        let status = counts?["status"] as? [String: Int] ?? [:]
        XCTAssertGreaterThan(status["reported"] ?? 0, 0, check)
        XCTAssertGreaterThan(status["below_threshold"] ?? 0, 0, "the sandbox omits low rows, so some are synthesised: \(check)")
        // Every live article-day is in article_summary, reported or synthesised.
        XCTAssertEqual(counts?["article_summary"] as? Int, counts?["article_total"] as? Int, check)

        // A plan against the filled store: days outside the refetch window are cached.
        let plan = try CLIProcess.run(["plan", "pipelines/demo.yaml", "--store", store, "--json"])
        XCTAssertEqual(plan.status, 0, plan.stderr)
        let calls = try JSONSerialization.jsonObject(with: Data(plan.stdout.utf8)) as? [[String: Any]] ?? []
        let summary = calls.filter { $0["endpoint"] as? String == "getarticlesummary" && $0["account"] as? String == "lifestyle" }
        XCTAssertEqual(summary.count, 14)
        XCTAssertEqual(summary.filter { $0["cached"] as? Bool == true }.count, 7, "14 days, the last 7 refetched")

        // Offline re-export from the store: the same CSV and NDJSON bytes.
        let offline = try CLIProcess.run(["run", "pipelines/demo.yaml", "--out", again.path, "--store", store, "--offline"])
        XCTAssertEqual(offline.status, 0, offline.stderr)
        let files = try FileManager.default.subpathsOfDirectory(atPath: out.path)
            .filter { $0.hasSuffix(".csv.gz") || $0.hasSuffix(".ndjson") }
        XCTAssertEqual(files.count, 12)
        for f in files {
            XCTAssertEqual(try Data(contentsOf: out.appendingPathComponent(f)), try Data(contentsOf: again.appendingPathComponent(f)), f)
        }
    }

    private func python(_ script: String, _ args: String...) throws -> String {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = ["python3", "-c", script] + args
        let pipe = Pipe(), err = Pipe()
        p.standardOutput = pipe
        p.standardError = err
        try p.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        let errData = err.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        XCTAssertEqual(p.terminationStatus, 0, String(decoding: errData, as: UTF8.self))
        return String(decoding: data, as: UTF8.self)
    }
}
