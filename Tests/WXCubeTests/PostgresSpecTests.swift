import Foundation
import XCTest

@testable import WXCube

/// `format: postgres` in the pipeline file: URL shape, schema and mode, checked
/// without connecting; the password never in a message.
final class PostgresSpecTests: XCTestCase {
    private let now = Date(timeIntervalSince1970: 1_795_924_800)
    private let password = "p@ss:w/rd?x"

    private func yaml(_ output: String) -> String {
        """
        version: 1
        name: t
        accounts:
          - name: a
            appid: wx0000000000000001
            secret: s
        api:
          base_url: sandbox
        stages:
          - fetch:
              endpoints: [getuserread, getusershare]
        outputs:
        \(output)
        """
    }

    private func load(_ output: String) throws -> PipelineSpec {
        let encoded = password.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? ""
        return try SpecLoader.parse(yaml(output), file: "t.yaml", environment: ["PGPASSWORD": encoded], now: now)
    }

    private func messages(_ output: String) -> [String] {
        do {
            _ = try load(output)
            XCTFail("expected an error")
            return []
        } catch let e as SpecError {
            return e.diagnostics.map(\.message)
        } catch {
            XCTFail("\(error)")
            return []
        }
    }

    func testURLSchemaAndModeParseAndThePasswordIsHidden() throws {
        let spec = try load(
            """
              - datasets: [user_read, user_share]
                format: postgres
                url: "postgres://loader:${PGPASSWORD}@db.internal:6543/analytics?sslmode=require"
                schema: wx_raw
                mode: upsert
            """)
        let target = try XCTUnwrap(spec.outputs.first?.postgres)
        XCTAssertEqual(target.host, "db.internal")
        XCTAssertEqual(target.port, 6543)
        XCTAssertEqual(target.user, "loader")
        XCTAssertEqual(target.password?.value, password, "percent-decoded")
        XCTAssertEqual(target.database, "analytics")
        XCTAssertEqual(target.sslmode, .require)
        XCTAssertEqual(target.schema, "wx_raw")
        XCTAssertEqual(target.mode, .upsert)
        XCTAssertEqual(target.redactedURL, "postgres://loader:***@db.internal:6543/analytics?sslmode=require")
        XCTAssertFalse("\(target)".contains(password))

        let defaults = try XCTUnwrap(
            try load(
                """
                  - dataset: user_read
                    format: postgres
                    url: "postgresql://u@localhost/db"
                """
            ).outputs.first?.postgres)
        XCTAssertEqual(defaults.schema, "wxcube")
        XCTAssertEqual(defaults.mode, .replaceRange)
        XCTAssertEqual(defaults.port, 5432)
        XCTAssertEqual(defaults.sslmode, .prefer)
        XCTAssertNil(defaults.password)
    }

    func testBadShapesAreReportedWithoutConnectingAndWithoutThePassword() {
        let cases: [(String, String)] = [
            ("mysql://u:${PGPASSWORD}@h/db", "must start with postgres://"),
            ("postgres://h:5432/db", "needs a user"),
            ("postgres://u:${PGPASSWORD}@h:port/db", "the port must be a number"),
            ("postgres://u:${PGPASSWORD}@h:5432", "needs a database name"),
            ("postgres://u:${PGPASSWORD}@h/db?sslmode=sometimes", "sslmode 'sometimes' is not one of"),
            ("postgres://u:${PGPASSWORD}@h/db?timeout=3", "unknown URL parameter 'timeout'"),
        ]
        for (url, expected) in cases {
            let m = messages(
                """
                  - dataset: user_read
                    format: postgres
                    url: "\(url)"
                """)
            XCTAssertTrue(m.contains { $0.contains(expected) }, "\(url): \(m)")
            XCTAssertFalse(m.joined().contains(password), url)
            XCTAssertFalse(m.joined().contains("p%40ss"), url)
        }
        XCTAssertTrue(
            messages(
                """
                  - dataset: user_read
                    format: postgres
                    url: "postgres://u@h/db"
                    mode: replace
                """
            ).contains { $0.contains("'replace' is not replace_range or upsert") })
        XCTAssertTrue(
            messages(
                """
                  - dataset: user_read
                    format: postgres
                    url: "postgres://u@h/db"
                    schema: "Bad-Name"
                """
            ).contains { $0.contains("schema 'Bad-Name' must be a lowercase name") })
        XCTAssertTrue(
            messages(
                """
                  - dataset: user_read
                    format: postgres
                """
            ).contains { $0.contains("missing url") })
        XCTAssertTrue(
            messages(
                """
                  - dataset: user_read
                    format: postgres
                    url: "postgres://u@h/db"
                    path: "x.csv"
                """
            ).contains { $0.contains("path: does not apply to format: postgres") })
        XCTAssertTrue(
            messages(
                """
                  - dataset: user_read
                    format: csv
                    path: "x.csv"
                    mode: upsert
                """
            ).contains { $0.contains("apply to format: postgres only") })
    }

    func testNaturalKeysAreCatalogueColumnsAndTheSQLDeclaresThem() {
        for d in DatasetName.allCases {
            let schema = Datasets.fullSchema(d)
            for k in d.naturalKey { XCTAssertTrue(schema.contains(k), "\(d.rawValue).\(k)") }
            XCTAssertTrue(schema.contains(d.rangeColumn))
            let ddl = PostgresSQL.createTable(schema: "wxcube", dataset: d, columns: schema).joined(separator: ";\n")
            let columns = d.naturalKey.map { "\"\($0)\"" }.joined(separator: ", ")
            XCTAssertTrue(ddl.contains((d.naturalKeyAllowsNull ? "UNIQUE NULLS NOT DISTINCT (" : "PRIMARY KEY (") + columns + ")"), ddl)
            XCTAssertTrue(
                SchemaDocument.render([d], format: .markdown).contains(
                    "Natural key (primary key of a `postgres` output's table): \(d.naturalKey.joined(separator: ", "))"))
        }
    }

    func testCopyTextEncodingEscapes() {
        let sink = MemorySink()
        let out = ByteOutput(sink: sink, capacity: 64)
        XCTAssertNoThrow(
            try CopyText.write(
                [.string("a\tb\\c\nd\re"), .null, .int(-1234567890123), .int(0), .float(0.25), Day(iso: "2026-09-01").map(Value.date) ?? .null, .bool(true)],
                to: out))
        XCTAssertNoThrow(try CopyText.write([.float(.nan), .float(.infinity), .float(1e-5)], to: out))
        XCTAssertNoThrow(try out.flush())
        XCTAssertEqual(
            String(decoding: sink.bytes, as: UTF8.self), "a\\tb\\\\c\\nd\\re\t\\N\t-1234567890123\t0\t0.25\t2026-09-01\tt\n\\N\t\\N\t1e-05\n")
    }
}
