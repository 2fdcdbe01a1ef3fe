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
        let check = try python(
            """
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

        // The five published-content datasets: DuckDB loads the csv.gz and the NDJSON
        // with exactly the column types `wxcube schema --format sql` declares, and both agree.
        let ddl = try CLIProcess.run(["schema", "--format", "sql"])
        XCTAssertEqual(ddl.status, 0, ddl.stderr)
        let ddlPath = dir.appendingPathComponent("schema.sql")
        try Data(ddl.stdout.utf8).write(to: ddlPath)
        let typed = try python(
            """
            import duckdb, json, os, sys
            out, ddl = sys.argv[1], open(sys.argv[2]).read()
            m = json.load(open(os.path.join(out, "manifest.json")))
            by = {(f["format"], f["datasets"][0]): f for f in m["files"] if len(f["datasets"]) == 1}
            con = duckdb.connect()
            con.execute(ddl)
            result = {}
            for ds in ["published_total", "published_read", "published_share", "biz_summary", "read_source"]:
                declared = con.execute(f"select column_name, data_type from information_schema.columns where table_name = '{ds}' order by ordinal_position").fetchall()
                csv_path = os.path.join(out, by[("csv.gz", ds)]["path"])
                nd_path = os.path.join(out, by[("ndjson", ds)]["path"])
                con.execute(f"create table {ds}_csv as select * from {ds} limit 0")
                con.execute(f"copy {ds}_csv from '{csv_path}' (format csv, header true, allow_quoted_nulls false)")
                spec = "{" + ", ".join(f"'{c}': '{t}'" for c, t in declared) + "}"
                con.execute(f"create table {ds}_nd as select * from read_json('{nd_path}', format='newline_delimited', columns={spec})")
                for t in [f"{ds}_csv", f"{ds}_nd"]:
                    got = con.execute(f"select column_name, data_type from information_schema.columns where table_name = '{t}' order by ordinal_position").fetchall()
                    assert got == declared, (t, got, declared)
                n_csv = con.execute(f"select count(*) from {ds}_csv").fetchone()[0]
                n_nd = con.execute(f"select count(*) from {ds}_nd").fetchone()[0]
                diff = con.execute(f"select count(*) from (select * from {ds}_csv except all select * from {ds}_nd)").fetchone()[0]
                assert n_csv == n_nd == by[("csv.gz", ds)]["rows"] > 0, (ds, n_csv, n_nd)
                assert diff == 0, (ds, diff)
                result[ds] = n_csv
            result["unknown_scenes"] = con.execute("select count(*) from read_source_csv where scene = 'unknown'").fetchone()[0]
            result["max_offset"] = con.execute("select max(day_offset) from published_total_csv").fetchone()[0]
            result["null_rates"] = con.execute("select count(*) from published_total_csv where read_finish_rate is null").fetchone()[0]
            print(json.dumps(result))
            """, out.path, ddlPath.path)
        let typedCounts = try JSONSerialization.jsonObject(with: Data(typed.utf8)) as? [String: Int] ?? [:]
        XCTAssertEqual(typedCounts.count, 8, typed)
        XCTAssertGreaterThan(typedCounts["unknown_scenes"] ?? 0, 0, typed)
        XCTAssertEqual(typedCounts["max_offset"], 29, "14 days in range, publish days from 29 days before: \(typed)")
        XCTAssertEqual(typedCounts["null_rates"], 0, typed)

        // XLSX: rates as percentages, read_avg_activetime with two decimals, Chinese headers in the zh workbook.
        let xlsx = try python(
            """
            import glob, json, os, sys, openpyxl
            out = sys.argv[1]
            en = [p for p in glob.glob(os.path.join(out, "published_*.xlsx")) if not p.endswith("_zh.xlsx")][0]
            zh = glob.glob(os.path.join(out, "published_*_zh.xlsx"))[0]
            wb = openpyxl.load_workbook(en)
            ws = wb["published_total"]
            head = [c.value for c in ws[1]]
            row = ws[2]
            fmt = {h: row[i].number_format for i, h in enumerate(head)}
            zws = openpyxl.load_workbook(zh)["published_total"]
            print(json.dumps({"sheets": wb.sheetnames, "fmt": fmt, "zh": [c.value for c in zws[1]][:3],
                              "praise": type(row[head.index("praise_money")].value).__name__}))
            """, out.path)
        let workbook = try JSONSerialization.jsonObject(with: Data(xlsx.utf8)) as? [String: Any] ?? [:]
        let formats = workbook["fmt"] as? [String: String] ?? [:]
        XCTAssertEqual(formats["read_finish_rate"], "0.00%", xlsx)
        XCTAssertEqual(formats["read_delivery_rate"], "0.00%", xlsx)
        XCTAssertEqual(formats["read_jump_rate_1"], "0.00%", xlsx)
        XCTAssertEqual(formats["share_rate"], "0.00%", xlsx)
        XCTAssertEqual(formats["read_avg_activetime"], "0.00", xlsx)
        XCTAssertEqual(workbook["praise"] as? String, "int", "praise_money stays an integer (fen): \(xlsx)")
        XCTAssertEqual(workbook["zh"] as? [String], ["账号", "发表日期", "统计日期"], xlsx)
        XCTAssertEqual(
            (workbook["sheets"] as? [String])?.prefix(5).map { $0 },
            ["published_total", "published_read", "published_share", "biz_summary", "read_source"], xlsx)

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
        XCTAssertEqual(files.count, 22, "11 datasets in csv.gz and ndjson")
        for f in files {
            XCTAssertEqual(try Data(contentsOf: out.appendingPathComponent(f)), try Data(contentsOf: again.appendingPathComponent(f)), f)
        }
    }
}
