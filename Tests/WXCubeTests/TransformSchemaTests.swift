import Foundation
import XCTest

@testable import WXCube

/// `wxcube schema` rendering, checked with real readers (JSON parser, DuckDB).
final class TransformSchemaTests: XCTestCase {
    func testFullSchemasFollowDesign() {
        XCTAssertEqual(
            Datasets.fullSchema(.article_summary).names,
            [
                "account", "ref_date", "msgid", "msg_data_id", "article_idx", "title", "user_source",
                "int_page_read_user", "int_page_read_count", "ori_page_read_user", "ori_page_read_count",
                "share_user", "share_count", "add_to_fav_user", "add_to_fav_count", "threshold_sum", "threshold_status",
            ])
        let total = Datasets.fullSchema(.article_total).names
        XCTAssertEqual(
            Array(total.prefix(11)),
            [
                "account", "ref_date", "stat_date", "day_offset", "msgid", "msg_data_id",
                "article_idx", "title", "url", "user_source", "target_user",
            ])
        XCTAssertEqual(
            Array(total.suffix(9)),
            [
                "read_rate", "share_rate", "fav_rate", "ori_page_rate", "int_page_read_user_daily",
                "int_page_read_count_daily", "share_count_daily", "add_to_fav_count_daily", "quality_flags",
            ])
        XCTAssertEqual(total.count, 48)
        XCTAssertEqual(Datasets.fullSchema(.user_share).names, ["account", "ref_date", "share_scene", "share_scene_name", "share_count", "share_user"])
    }

    func testMarkdownListsEveryColumnWithTypeAndDescription() {
        let text = SchemaDocument.render(DatasetName.allCases, format: .markdown)
        for d in DatasetName.allCases {
            XCTAssertTrue(text.contains("## \(d.rawValue)\n"), d.rawValue)
            for c in Datasets.fullSchema(d).columns {
                XCTAssertTrue(text.contains("| \(c.name) | \(c.type.rawValue) | "), c.name)
            }
        }
        XCTAssertTrue(text.contains("| read_rate | float | yes | int_page_read_user / target_user (fraction) | 阅读率 |"))
    }

    func testJSONAndBigQueryParse() throws {
        let one = try JSONSerialization.jsonObject(with: Data(SchemaDocument.render([.article_summary], format: .json).utf8)) as? [String: Any]
        XCTAssertEqual(one?["dataset"] as? String, "article_summary")
        let cols = one?["columns"] as? [[String: Any]]
        XCTAssertEqual(cols?.map { $0["name"] as? String ?? "" }, Datasets.fullSchema(.article_summary).names)
        XCTAssertEqual(cols?.last?["nullable"] as? Bool, false)
        XCTAssertEqual(cols?.first?["label_zh"] as? String, "账号")

        let bq = try JSONSerialization.jsonObject(with: Data(SchemaDocument.render([.user_read_hour], format: .bigquery).utf8)) as? [[String: String]]
        XCTAssertEqual(bq?.map { $0["name"] ?? "" }, Datasets.fullSchema(.user_read_hour).names)
        XCTAssertEqual(bq?.first, ["name": "account", "type": "STRING", "mode": "REQUIRED", "description": "Account name from the pipeline file"])
        XCTAssertEqual(bq?[1]["type"], "DATE")
        XCTAssertEqual(bq?[2]["type"], "INTEGER")

        let all =
            try JSONSerialization.jsonObject(with: Data(SchemaDocument.render(DatasetName.allCases, format: .bigquery).utf8)) as? [String: [[String: String]]]
        XCTAssertEqual(all?.keys.sorted(), DatasetName.allCases.map(\.rawValue).sorted())
        XCTAssertEqual(all?["article_total"]?.first { $0["name"] == "read_rate" }?["type"], "FLOAT")
    }

    /// DuckDB runs the DDL; the created tables have the columns in order with the right types.
    func testSQLCreatesTablesInDuckDB() throws {
        let sql = SchemaDocument.render(DatasetName.allCases, format: .sql)
        let script = """
            import duckdb, sys, json
            c = duckdb.connect()
            c.execute(sys.stdin.read())
            rows = c.execute("select table_name, column_name, data_type, is_nullable from information_schema.columns order by table_name, ordinal_position").fetchall()
            comment = c.execute("select comment from duckdb_columns() where table_name = 'article_summary' and column_name = 'threshold_status'").fetchone()[0]
            print(json.dumps({"columns": rows, "comment": comment}))
            """
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = ["python3", "-c", script]
        let input = Pipe(), output = Pipe()
        p.standardInput = input
        p.standardOutput = output
        try p.run()
        input.fileHandleForWriting.write(Data(sql.utf8))
        try input.fileHandleForWriting.close()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        XCTAssertEqual(p.terminationStatus, 0, "python3 with duckdb must be installed")
        let result = try XCTUnwrap(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        let columns = try XCTUnwrap(result["columns"] as? [[Any]])
        for d in DatasetName.allCases {
            let mine = columns.filter { $0[0] as? String == d.rawValue }
            XCTAssertEqual(mine.map { $0[1] as? String ?? "" }, Datasets.fullSchema(d).names, d.rawValue)
        }
        let summary = columns.filter { $0[0] as? String == "article_total" }
        XCTAssertEqual(summary.first { $0[1] as? String == "read_rate" }?[2] as? String, "DOUBLE")
        XCTAssertEqual(summary.first { $0[1] as? String == "stat_date" }?[2] as? String, "DATE")
        XCTAssertEqual(summary.first { $0[1] as? String == "stat_date" }?[3] as? String, "NO")
        XCTAssertEqual(summary.first { $0[1] as? String == "target_user" }?[2] as? String, "BIGINT")
        XCTAssertEqual(result["comment"] as? String, Datasets.thresholdStatus.description)
    }
}
