import Foundation
import Logging
import XCTest
@testable import WXCube
import WXCubeSandbox

/// Outputs stay byte-identical when the way rows are read from the store
/// changes (issue 12: single-pass decoders instead of Codable, bodies read once).
///
/// A fixed sandbox store (seed 7, three accounts, 2026-05-01..2026-06-14, every
/// endpoint) is exported offline through the demo's outputs (14 files: csv.gz,
/// NDJSON and XLSX) with a fixed clock, and each file's SHA-256 is compared with
/// a digest produced by the Codable (JSONDecoder) path before issue 12 changed it.
///
/// When an output legitimately changes (a new column, a format fix), print the
/// new digests with `WXCUBE_PRINT_GOLDEN=1 swift test --filter ExportGoldenTests`
/// and replace `golden` below, saying why in the commit.
final class ExportGoldenTests: XCTestCase {
    typealias S = RunTestSupport

    static let golden: [String: String] = [
        "article_summary/2026-05-01_2026-06-14.csv.gz": "d6b19e12acffe9c1e4fa7a655e45bdbc8e74625d3a900359c5d35327625627d3",
        "article_total/2026-05-01_2026-06-14.csv.gz": "9d6b7b02b65969805b0efcc9a4e80cedb809c362c662d9d04e77ee553c42737b",
        "ndjson/article_summary.ndjson": "30cdd5e5324ad88af1a220ca0081ce5aba7bc77ea6bbc0d76eadf1c99df6dccc",
        "ndjson/article_total.ndjson": "79f8433ac48fc81f11a18f88055427809fb581d1da2fda5dfcd28cc6b21f1be5",
        "ndjson/user_read.ndjson": "c2d87346d0e0993e6b3255a6cb390b09f6a77384d7eb5615e21466b1b36f03cf",
        "ndjson/user_read_hour.ndjson": "299d744efe7d92787b036c0f33af08202fcbcd6921f8a01029292a484b0eff29",
        "ndjson/user_share.ndjson": "ba71c8b30e7250464ff84fa460ac8be37c840e843ca3f6e0aff812f52b4fbc04",
        "ndjson/user_share_hour.ndjson": "1c0673362916e81a6a809eff08d3ed83b87900cabdc675d782e938e03f6f3dbe",
        "report_2026-05-01_2026-06-14.xlsx": "933b7ba740f15376076253072cba64f42dafde02d341284c5f97c61e8b1ee5c3",
        "report_2026-05-01_2026-06-14_zh.xlsx": "64cc4757b8760c0e3db05dcc3c6ba53568968ef818dbe5a8088325ece0d80148",
        "user_read/2026-05-01_2026-06-14.csv.gz": "38914a295114b418e3c30e21ebc562d751edb23ee79ccb930960aa4659d7fc89",
        "user_read_hour/2026-05-01_2026-06-14.csv.gz": "c6e7d8981e8737c373ea1d8ec7a1d6520c0fed73d5d3c764d989f54ee34371c9",
        "user_share/2026-05-01_2026-06-14.csv.gz": "91d4406c6c9aa0697fa4fe289351551f50903dd4687a7135416d3b5aa73e289f",
        "user_share_hour/2026-05-01_2026-06-14.csv.gz": "a0ef23d75e0a301eed5747f228d20fa8160639f398e99139ec9c1b9695d4fd24",
    ]

    static let pipeline = """
        version: 1
        name: golden
        accounts:
          - name: 科技日报 demo
            appid: wx0000000000000001
            secret: sandbox-secret-1
          - name: lifestyle
            appid: wx0000000000000002
            secret: sandbox-secret-2
          - name: newsroom
            appid: wx0000000000000003
            secret: sandbox-secret-3
        api:
          base_url: sandbox
          concurrency: 8
          requests_per_second: 0
          retries: 5
        store: STORE
        range:
          from: 2026-05-01
          to: 2026-06-14
        stages:
          - fetch:
              endpoints: [getarticlesummary, getarticletotal, getuserread, getuserreadhour, getusershare, getusersharehour]
              refetch_days: 0
          - flatten:
              endpoint: getarticletotal
              field: details
              into: article_total
          - derive:
              dataset: article_total
              metrics:
                read_rate: int_page_read_user / target_user
                share_rate: share_user / int_page_read_user
                fav_rate: add_to_fav_user / int_page_read_user
                ori_page_rate: ori_page_read_user / int_page_read_user
              daily: [int_page_read_user, int_page_read_count, share_count, add_to_fav_count]
          - annotate_threshold:
              dataset: article_summary
              min_sum: 3
        outputs:
          - datasets: [article_summary, article_total, user_read, user_read_hour, user_share, user_share_hour]
            format: csv.gz
            path: "{dataset}/{from}_{to}.csv.gz"
          - datasets: [article_summary, article_total, user_read, user_read_hour, user_share, user_share_hour]
            format: ndjson
            path: "ndjson/{dataset}.ndjson"
          - datasets: [article_summary, article_total, user_read, user_share]
            format: xlsx
            path: "report_{from}_{to}.xlsx"
            headers: en
          - datasets: [article_summary, article_total]
            format: xlsx
            path: "report_{from}_{to}_zh.xlsx"
            headers: zh
        """

    func testOfflineExportOfAFixedSandboxStoreIsByteIdenticalToTheCodablePath() async throws {
        let dir = try S.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let store = dir.appendingPathComponent("store.sqlite").path
        let spec = try SpecLoader.parse(Self.pipeline.replacingOccurrences(of: "STORE", with: store),
                                        file: "golden.yaml", environment: [:], now: S.noon)
        let sandbox = try await SandboxServer.start(SandboxConfiguration(seed: 7, accounts: 3, now: { S.noon }))
        var logger = Logger(label: "test")
        logger.logLevel = .critical
        let fetch = await PipelineRunner(spec: spec, options: RunOptions(apiBase: sandbox.baseURL, outDirectory: dir.appendingPathComponent("fetch").path,
                                                                         now: S.noon, retryBaseDelay: 0.005), logger: logger).run()
        await sandbox.stop()
        XCTAssertEqual(fetch.status, .complete, fetch.messages.joined(separator: "\n"))

        let out = dir.appendingPathComponent("out")
        let offline = await PipelineRunner(spec: spec, options: RunOptions(outDirectory: out.path, offline: true, now: S.noon),
                                           logger: logger).run()
        XCTAssertEqual(offline.status, .complete, offline.messages.joined(separator: "\n"))

        var digests: [String: String] = [:]
        for path in try FileManager.default.subpathsOfDirectory(atPath: out.path).sorted()
        where path != OutputWriter.manifestName {
            var isDir: ObjCBool = false
            let url = out.appendingPathComponent(path)
            guard FileManager.default.fileExists(atPath: url.path, isDirectory: &isDir), !isDir.boolValue else { continue }
            let hasher = try SHA256Hasher()
            try hasher.update([UInt8](try Data(contentsOf: url)))
            digests[path] = try hasher.finalizeHex()
        }
        if ProcessInfo.processInfo.environment["WXCUBE_PRINT_GOLDEN"] == "1" {
            print(digests.keys.sorted().map { "        \"\($0)\": \"\(digests[$0] ?? "")\"," }.joined(separator: "\n"))
        }
        XCTAssertEqual(digests.count, 14, "\(digests.keys.sorted())")
        for (path, digest) in Self.golden {
            XCTAssertEqual(digests[path], digest, "\(path) differs from the Codable path's bytes")
        }
        XCTAssertEqual(Set(digests.keys), Set(Self.golden.keys))
    }
}
