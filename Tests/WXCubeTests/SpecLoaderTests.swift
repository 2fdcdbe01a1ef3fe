import Foundation
import XCTest

@testable import WXCube

final class SpecLoaderTests: XCTestCase {
    private let env = ["WECHAT_APPID": "wx_dummy_appid", "WECHAT_SECRET": "dummy-secret-value-123", "WECHAT_ACCESS_TOKEN": "dummy-token-value-456"]
    private let now = Date(timeIntervalSince1970: 1_795_924_800) // 2026-11-29 12:00 China

    private func load(_ yaml: String, env: [String: String]? = nil) throws -> PipelineSpec {
        try SpecLoader.parse(yaml, file: "test.yaml", environment: env ?? self.env, now: now)
    }

    private func diagnostics(_ yaml: String, env: [String: String]? = nil) -> [SpecDiagnostic] {
        do {
            _ = try load(yaml, env: env)
            XCTFail("expected validation errors")
            return []
        } catch let e as SpecError {
            return e.diagnostics
        } catch {
            XCTFail("unexpected \(error)")
            return []
        }
    }

    func testShippedPipelinesValidate() throws {
        for name in ["demo", "nightly", "nightly-legacy", "backfill"] {
            let path = CLIProcess.packageRoot.appendingPathComponent("pipelines/\(name).yaml").path
            let spec = try SpecLoader.load(path: path, environment: env, now: now)
            XCTAssertEqual(spec.name, name)
            XCTAssertFalse(spec.accounts.isEmpty)
            XCTAssertFalse(spec.outputs.isEmpty)
            var derives = 0
            for case .derive(let d) in spec.stages {
                derives += 1
                if d.dataset == .published_total {
                    XCTAssertEqual(d.metrics.map(\.name), ["share_rate"])
                    XCTAssertEqual(d.daily, Datasets.shippedPublishedDaily)
                } else {
                    XCTAssertEqual(d.metrics.map(\.name), ["read_rate", "share_rate", "fav_rate", "ori_page_rate"])
                    XCTAssertEqual(d.daily, ["int_page_read_user", "int_page_read_count", "share_count", "add_to_fav_count"])
                }
            }
            XCTAssertEqual(derives, name == "demo" ? 2 : 1, name)
            // Only the legacy endpoints draw a validate warning.
            XCTAssertEqual(spec.warnings.isEmpty, !spec.fetchedEndpoints.contains { $0.info.family == .legacy }, name)
        }
        let demo = try SpecLoader.load(path: CLIProcess.packageRoot.appendingPathComponent("pipelines/demo.yaml").path, environment: [:], now: now)
        XCTAssertEqual(demo.api.base, .sandbox)
        XCTAssertEqual(demo.fetchedEndpoints, Endpoint.allCases)
    }

    func testDefaultsAndSubstitution() throws {
        let spec = try load(
            """
            name: minimal
            accounts:
              - name: main
                appid: ${WECHAT_APPID}
                secret: ${WECHAT_SECRET}
              - name: central
                appid: wx_central
                access_token: ${WECHAT_ACCESS_TOKEN}
            stages:
              - fetch: {endpoints: [getuserread]}
            outputs:
              - dataset: user_read
                format: csv
                path: "{dataset}.csv"
            """)
        XCTAssertEqual(spec.version, 1)
        XCTAssertEqual(spec.store, SpecDefaults.store)
        XCTAssertEqual(spec.api.base, .url("https://api.weixin.qq.com"))
        XCTAssertEqual(spec.api.concurrency, 4)
        XCTAssertEqual(spec.api.requestsPerSecond, 20)
        XCTAssertEqual(spec.api.retries, 5)
        XCTAssertEqual(spec.range, RangeSpec(from: .relative(days: 7), to: .yesterday))
        XCTAssertEqual(spec.refetchDays, 7)
        XCTAssertEqual(spec.accounts[0].appid, "wx_dummy_appid")
        guard case .secret(let s) = spec.accounts[0].credential else { return XCTFail("expected a secret") }
        XCTAssertEqual(s.value, "dummy-secret-value-123")
        XCTAssertEqual("\(s)", "***")
        var dumped = ""
        dump(spec, to: &dumped)
        XCTAssertFalse(dumped.contains("dummy-secret-value-123"), dumped)
        XCTAssertFalse(dumped.contains("dummy-token-value-456"), dumped)
        guard case .accessToken(let t) = spec.accounts[1].credential else { return XCTFail("expected a token") }
        XCTAssertEqual(t.value, "dummy-token-value-456")
        XCTAssertEqual(spec.accounts[1].storeKey, "wx_central", "a ready-token account is keyed by its appid")
        XCTAssertEqual(spec.outputs[0].headers, .en)
        XCTAssertEqual(spec.outputs[0].compressionLevel, 6)
        XCTAssertFalse(spec.outputs[0].bom)
    }

    func testEveryMistakeIsReportedWithItsLine() {
        let yaml = """
            version: 1
            name: broken
            acounts: []
            accounts:
              - name: main
                appid: wx1
              - name: second
                appid: ${MISSING_APPID}
                secret: ${WECHAT_SECRET}
            api:
              concurency: 4
              retries: many
            range:
              from: 2024-02-30
              to: 2030-01-01
            stages:
              - fetch:
                  endpoints: [getarticlesumary, getuserread]
              - derive:
                  dataset: article_total
                  metrics:
                    read_rate: int_page_read_user / target_users
                    weird: int_page_read_user * 2
              - annotate_threshold:
                  min_sum: 3
            outputs:
              - dataset: user_share
                format: csv.gzip
                path: "{dataset}.csv.gz"
            """
        let d = diagnostics(yaml)
        func line(_ l: Int, _ fragment: String, file: StaticString = #filePath, lineNo: UInt = #line) {
            XCTAssertTrue(
                d.contains { $0.line == l && $0.message.contains(fragment) },
                "no diagnostic at line \(l) containing '\(fragment)' in:\n\(d.map(\.description).joined(separator: "\n"))",
                file: file, line: lineNo)
        }
        line(3, "unknown key 'acounts'; did you mean 'accounts'?")
        line(5, "neither secret nor access_token")
        line(8, "environment variable MISSING_APPID is not set")
        line(11, "unknown key 'concurency'; did you mean 'concurrency'?")
        line(12, "expected a whole number")
        line(14, "'2024-02-30' is not a date")
        line(15, "after yesterday")
        line(18, "unknown endpoint 'getarticlesumary'; did you mean 'getarticlesummary'?")
        line(20, "dataset article_total is not produced")
        line(22, "unknown metric column 'target_users'; did you mean 'target_user'?")
        line(23, "is not `column / column`")
        line(25, "needs getarticlesummary fetched")
        line(25, "needs getarticletotal fetched")
        line(27, "no stage or endpoint produces dataset user_share")
        line(28, "unknown format 'csv.gzip'")
        XCTAssertEqual(d.count, 15, d.map(\.description).joined(separator: "\n"))
        XCTAssertEqual(d.map(\.line), d.map(\.line).sorted(), "diagnostics come in file order")
    }

    func testSecretsNeverAppearInMessages() {
        let d = diagnostics(
            """
            accounts:
              - name: main
                appid: wx1
                secret: ${WECHAT_SECRET}
                access_token: ${WECHAT_ACCESS_TOKEN}
            stages:
              - fetch:
                  endpoints: [getuserread]
                  refetch_days: ${WECHAT_SECRET}
            """)
        let text = d.map(\.description).joined(separator: "\n")
        XCTAssertTrue(text.contains("not both"), text)
        XCTAssertFalse(text.contains("dummy-token-value-456"), text)
        // refetch_days echoing a bad value is fine for ordinary fields, but a secret
        // substituted into it must not leak: the loader reports the type only.
        XCTAssertFalse(text.contains("dummy-secret-value-123"), text)
    }

    func testRangeRules() {
        XCTAssertTrue(
            diagnostics(
                """
                accounts: [{name: a, appid: x, secret: y}]
                range: {from: 2024-03-10, to: 2024-03-01}
                stages: [{fetch: {endpoints: [getuserread]}}]
                """
            ).contains { $0.line == 2 && $0.message.contains("is after to") })
        XCTAssertTrue(
            diagnostics(
                """
                accounts: [{name: a, appid: x, secret: y}]
                range: {from: 2014-01-01, to: 2014-06-01}
                stages: [{fetch: {endpoints: [getuserread]}}]
                """
            ).contains { $0.message.contains("before 2014-12-01") })
        XCTAssertNoThrow(
            try load(
                """
                accounts: [{name: a, appid: x, secret: y}]
                range: {from: -30d, to: 2026-11-28}
                stages: [{fetch: {endpoints: [getuserread]}}]
                """))
    }

    func testOutputRules() {
        let d = diagnostics(
            """
            accounts: [{name: a, appid: x, secret: y}]
            stages:
              - fetch: {endpoints: [getarticletotal, getuserread]}
            outputs:
              - datasets: [user_read, article_total]
                format: csv
                path: "all.csv"
              - dataset: user_read
                format: ndjson
                path: "/etc/{dataset}.ndjson"
                bom: true
              - dataset: user_raed
                format: xlsx
                path: "x_{when}.xlsx"
            """)
        let text = d.map(\.description).joined(separator: "\n")
        XCTAssertTrue(
            d.contains {
                $0.line == 5 && $0.message.contains("no stage or endpoint produces dataset article_total; fetch getarticletotal and add a flatten stage")
            }, text)
        XCTAssertTrue(d.contains { $0.line == 7 && $0.message.contains("need {dataset}") }, text)
        XCTAssertTrue(d.contains { $0.line == 10 && $0.message.contains("relative") }, text)
        XCTAssertTrue(d.contains { $0.line == 8 && $0.message.contains("bom and excel_safe") }, text)
        XCTAssertTrue(d.contains { $0.line == 12 && $0.message.contains("did you mean 'user_read'") }, text)
        XCTAssertTrue(d.contains { $0.line == 14 && $0.message.contains("unknown placeholder {when}") }, text)
    }

    func testYAMLSyntaxErrorHasAPosition() {
        let d = diagnostics("accounts:\n  - name: [unclosed\nstages: []\n")
        XCTAssertEqual(d.count, 1)
        XCTAssertTrue(d[0].message.hasPrefix("YAML syntax"), d[0].message)
        XCTAssertGreaterThanOrEqual(d[0].line, 2)
    }

    func testValidateCommandExitsTwoWithFileLineColumn() throws {
        let dir = try makeTemporaryDirectory(self)
        let file = dir.appendingPathComponent("bad.yaml")
        try """
        name: bad
        accounts:
          - name: main
        stages:
          - fetch: {endpoints: [getuserread, nope]}
        outputs:
          - dataset: user_read
            format: csv
            path: out.csv
            colour: red
        """.write(to: file, atomically: true, encoding: .utf8)
        let r = try CLIProcess.run(["validate", file.path])
        XCTAssertEqual(r.status, 2, r.stderr)
        XCTAssertTrue(r.stderr.contains("\(file.path):3:5: accounts[0]: account 'main' has neither secret nor access_token"), r.stderr)
        XCTAssertTrue(r.stderr.contains("\(file.path):5:38: stages[0].fetch.endpoints: unknown endpoint 'nope'"), r.stderr)
        XCTAssertTrue(r.stderr.contains("\(file.path):10:5: outputs[0]: unknown key 'colour'"), r.stderr)
        XCTAssertEqual(r.stdout, "")

        let ok = try CLIProcess.run(["validate", "pipelines/demo.yaml"])
        XCTAssertEqual(ok.status, 0, ok.stderr)
        XCTAssertTrue(ok.stdout.contains("ok"))

        let usage = try CLIProcess.run(["plan"])
        XCTAssertEqual(usage.status, 2, "a usage error exits 2")
    }

    /// Each stage reads its own block: its mistakes, and what it needs from the
    /// stages before it, come out of `validate` at their FILE:LINE:COLUMN.
    func testStageBlockMistakesHaveFileLineColumn() throws {
        let dir = try makeTemporaryDirectory(self)
        let file = dir.appendingPathComponent("stages.yaml")
        try """
        name: stages
        accounts:
          - {name: main, appid: wx1, secret: s}
        stages:
          - fetch: {endpoints: [getarticletotal, getuserread]}
          - flatten:
              endpoint: getarticletotal
              field: detail_list
              into: published_total
          - derive:
              dataset: user_read
              metrics:
                rate: int_page_read_user / target_users
              daily: [title]
          - derive: {dataset: published_total}
          - annotate_threshold:
              dataset: article_total
              min_sum: -1
          - flatten: {endpoint: getarticletotaldetail}
        """.write(to: file, atomically: true, encoding: .utf8)
        let r = try CLIProcess.run(["validate", file.path])
        XCTAssertEqual(r.status, 2, r.stderr)
        for expected in [
            "8:14: stages[1].flatten.field: getarticletotal's nested field is `details` (got 'detail_list')",
            "9:13: stages[1].flatten.into: flattened details of getarticletotal become article_total (got 'published_total')",
            "11:16: stages[2].derive.dataset: derive works on article_total or published_total (got 'user_read')",
            "13:15: stages[2].derive.metrics.rate: unknown metric column 'target_users'",
            "14:15: stages[2].derive.daily: 'title' is not a cumulative detail metric",
            "15:13: stages[3].derive: dataset published_total is not produced by an earlier stage",
            "17:7: stages[4].annotate_threshold: needs getarticlesummary fetched by an earlier fetch stage",
            "17:16: stages[4].annotate_threshold.dataset: the threshold applies to article_summary (got 'article_total')",
            "18:16: stages[4].annotate_threshold.min_sum: -1 is out of range 0...1000000",
            "19:14: stages[5].flatten: flattens getarticletotaldetail, which no earlier fetch stage fetches; add it to fetch.endpoints",
        ] {
            XCTAssertTrue(r.stderr.contains("\(file.path):\(expected)"), "missing \(expected) in:\n\(r.stderr)")
        }
        XCTAssertTrue(r.stderr.contains("\(file.path): 10 problems found"), r.stderr)
    }
}
