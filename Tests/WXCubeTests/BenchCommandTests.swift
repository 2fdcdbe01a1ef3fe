import Foundation
import XCTest

/// `wxcube-bench` writes real files: check them with real readers (no timings).
final class BenchCommandTests: XCTestCase {
    func testBenchFilesAreCorrectAndTheAnchorCSVMatchesOurCSV() throws {
        let dir = try makeTemporaryDirectory(self, "bench")
        let rows = 2500
        var results: [String: [String: Any]] = [:]
        for format in ["xlsx", "csv", "ndjson.gz"] {
            let r = try CLIProcess.run(
                [
                    "--rows", "\(rows)", "--pool", "700", "--format", format,
                    "--out", dir.appendingPathComponent("bench.\(format)").path,
                ], executable: "wxcube-bench")
            XCTAssertEqual(r.status, 0, r.stderr)
            let json = try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any] ?? [:]
            XCTAssertEqual(json["rows"] as? Int, rows, r.stdout)
            for key in ["wall_seconds", "cpu_seconds", "rows_per_second", "mb_per_second", "peak_rss_mib"] {
                XCTAssertNotNil(json[key] as? Double ?? (json[key] as? Int).map(Double.init), "\(key) in \(r.stdout)")
            }
            results[format] = json
        }
        let anchor = dir.appendingPathComponent("rows.csv")
        let a = try CLIProcess.run(["--rows", "\(rows)", "--pool", "700", "--anchor-csv", anchor.path], executable: "wxcube-bench")
        XCTAssertEqual(a.status, 0, a.stderr)

        let check = Process()
        check.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        check.arguments = [
            "python3", "-c",
            """
            import csv, gzip, json, openpyxl, sys
            d = sys.argv[1]
            wb = openpyxl.load_workbook(d + "/bench.xlsx", read_only=True)
            xlsx_rows = sum(sum(1 for _ in ws.iter_rows(values_only=True)) - 1 for ws in wb.worksheets if ws.title != "About")
            ours = open(d + "/bench.csv", "rb").read()
            anchor = open(d + "/rows.csv", "rb").read()
            types = open(d + "/rows.csv.types").read().strip().split(",")
            header = next(csv.reader(open(d + "/rows.csv", newline="", encoding="utf-8")))
            nd = [json.loads(l) for l in gzip.open(d + "/bench.ndjson.gz", "rt", encoding="utf-8")]
            assert xlsx_rows == \(rows), xlsx_rows
            assert ours == anchor, "the anchors read the same bytes wxcube's CSV exporter writes"
            assert len(types) == len(header) and "read_rate" in header and "int_page_read_user_daily" in header, header
            assert len(nd) == \(rows) and list(nd[0].keys()) == header
            print("ok")
            """, dir.path,
        ]
        let out = Pipe(), err = Pipe()
        check.standardOutput = out
        check.standardError = err
        try check.run()
        let outText = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        let errText = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        check.waitUntilExit()
        XCTAssertEqual(check.terminationStatus, 0, errText)
        XCTAssertEqual(outText, "ok\n", errText)
    }
}
