import Foundation
import Logging
import WXCubeSandbox
import XCTest

@testable import WXCube

/// Outputs stay byte-identical when the way rows are read from the store
/// changes (issue 12: single-pass decoders instead of Codable, bodies read once).
///
/// A fixed sandbox store (seed 7, three accounts, 2026-05-01..2026-06-14, every
/// endpoint of both API families) is exported offline through the demo's outputs
/// (37 files: csv.gz, NDJSON, Parquet and XLSX) with a fixed clock, and each file's
/// SHA-256 is compared with a digest produced by the Codable (JSONDecoder) path
/// before issue 12 changed it (main's code just before issue 12 was merged).
///
/// Since csv.gz and XLSX entries deflate on all cores (pigz-style 256 KiB
/// blocks, `ParallelDeflater`), a file of more than one block is compressed
/// differently from one zlib stream. So the export runs with one block per
/// file first (exactly the old bytes: the goldens), then twice as shipped: those
/// two are identical (deterministic), and every file holds exactly the same
/// bytes as the one-stream export once decompressed (checked with Python's
/// gzip and zipfile).
///
/// When an output legitimately changes (a new column, a format fix), print the
/// new digests with `WXCUBE_PRINT_GOLDEN=1 swift test --filter ExportGoldenTests`
/// and replace `golden` below, saying why in the commit.
final class ExportGoldenTests: XCTestCase {
    typealias S = RunTestSupport

    static let golden: [String: String] = [
        "article_summary/2026-05-01_2026-06-14.csv.gz": "d6b19e12acffe9c1e4fa7a655e45bdbc8e74625d3a900359c5d35327625627d3",
        "article_total/2026-05-01_2026-06-14.csv.gz": "9d6b7b02b65969805b0efcc9a4e80cedb809c362c662d9d04e77ee553c42737b",
        "biz_summary/2026-05-01_2026-06-14.csv.gz": "74ecf4fa2010a7ff410011f5ddf80072ffa90024708f6f55983295fd63cf3baf",
        "ndjson/article_summary.ndjson": "30cdd5e5324ad88af1a220ca0081ce5aba7bc77ea6bbc0d76eadf1c99df6dccc",
        "ndjson/article_total.ndjson": "79f8433ac48fc81f11a18f88055427809fb581d1da2fda5dfcd28cc6b21f1be5",
        "ndjson/biz_summary.ndjson": "aaa96e6915b25f0d2438ba8cdc374bec94b7dd957072637216985ae420c8d55f",
        "ndjson/published_read.ndjson": "30db1cb003c3c5a9171fa9f3b8851d54b8a6d5bfda7d44e6e9fa2c2b9d047fae",
        "ndjson/published_share.ndjson": "69acfbd39cd0f0925c712464f696e52283fd96bbb327d9e4861c8c8cba189054",
        "ndjson/published_total.ndjson": "a0017d44e103b2718ce020efd6b90b5c62c28c690e981522a71f8de25b2fbd07",
        "ndjson/read_source.ndjson": "765e73ec919d6463392f315fcb1d30c9de895e4979e6bd67790c8c4f617354c9",
        "ndjson/user_read.ndjson": "c2d87346d0e0993e6b3255a6cb390b09f6a77384d7eb5615e21466b1b36f03cf",
        "ndjson/user_read_hour.ndjson": "299d744efe7d92787b036c0f33af08202fcbcd6921f8a01029292a484b0eff29",
        "ndjson/user_share.ndjson": "ba71c8b30e7250464ff84fa460ac8be37c840e843ca3f6e0aff812f52b4fbc04",
        "ndjson/user_share_hour.ndjson": "1c0673362916e81a6a809eff08d3ed83b87900cabdc675d782e938e03f6f3dbe",
        "parquet/article_summary.parquet": "7afdb8030885c8aacbebc595d21d5c4b37301ac7411a1763077486bf40773339",
        "parquet/article_total.parquet": "7641e8f7f2ba9b14f88690904b582fe275ce56629d9c8b80135073963b72890e",
        "parquet/biz_summary.parquet": "474bbea7d425154a406fb2b413a4ec3b6b16d64fa18929c6921514f085fe4153",
        "parquet/published_read.parquet": "1743c3a964655bb3ebf0ee90f1dc8b582df47f84e5877d797c822d365e401de0",
        "parquet/published_share.parquet": "1f514f57049b0c8f5be505379caa7497812e29f1f71dcd9ef9c27ec5af263a2b",
        "parquet/published_total.parquet": "8dcbc980e33008e7ef7f3f253e348fcd1d9fc2381bb8e4e41b3e730c6e3c0013",
        "parquet/read_source.parquet": "a610bd2cdb08ee706f83adb74f9bc54119870ad0ec03bc9526c46b70d68a032d",
        "parquet/user_read.parquet": "c74f60698489f2a1a5d5e9d5f01f24665736d4ec74d1426938dfbcc51c04e633",
        "parquet/user_read_hour.parquet": "29bde8f3b1a694f9f946d8b253f0502bde0cc04f65b8b3530a05f80f4a8a261d",
        "parquet/user_share.parquet": "7aca46de349f5868bb39725e09621adc00074d891427e10a2023eaa08c42e050",
        "parquet/user_share_hour.parquet": "6fd5d5063eb13e8067c2720f92c64a4aaafb493a6c98651a8a3e851c9c608794",
        "published_2026-05-01_2026-06-14.xlsx": "aa95ae2ca5483345be66067563d8753444e278099ae382b0bdb21e8f5e77f997",
        "published_2026-05-01_2026-06-14_zh.xlsx": "8866c3131d914308fcbd061a9428d42f02ccee8de4af6d18389392e46f883509",
        "published_read/2026-05-01_2026-06-14.csv.gz": "77fbd877bdbcc0b964b6ed00b583cfc473123d4e43fe95aa2c931e552f84bd5c",
        "published_share/2026-05-01_2026-06-14.csv.gz": "a7a94dcf06d86bf2eff3601fc7a2c588e4d64a317724b081520479cc0b8c2ef9",
        "published_total/2026-05-01_2026-06-14.csv.gz": "531a25be9a02e828f26069535c5880083c3bbacdce3fac228b9b361d8c14eaf4",
        "read_source/2026-05-01_2026-06-14.csv.gz": "74b384ce5d91327b61138003db83738e93bad213b440a5e4985748c95a2c9e4a",
        "report_2026-05-01_2026-06-14.xlsx": "0132598c3ccd3c97004da1e1c105d2a01ac69cc3c9cb14442c99e6ea408a0ba0",
        "report_2026-05-01_2026-06-14_zh.xlsx": "649a4b69145a8abc7d87e0b3e1512a3a3af825fa9b0ad0d3e19a56da09e08c13",
        "user_read/2026-05-01_2026-06-14.csv.gz": "38914a295114b418e3c30e21ebc562d751edb23ee79ccb930960aa4659d7fc89",
        "user_read_hour/2026-05-01_2026-06-14.csv.gz": "c6e7d8981e8737c373ea1d8ec7a1d6520c0fed73d5d3c764d989f54ee34371c9",
        "user_share/2026-05-01_2026-06-14.csv.gz": "91d4406c6c9aa0697fa4fe289351551f50903dd4687a7135416d3b5aa73e289f",
        "user_share_hour/2026-05-01_2026-06-14.csv.gz": "a0ef23d75e0a301eed5747f228d20fa8160639f398e99139ec9c1b9695d4fd24",
    ]

    /// `pipelines/demo.yaml` as of the merge of issue 12 (every dataset of both API
    /// families, csv.gz / NDJSON / Parquet / XLSX) with a fixed range and store.
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
              endpoints: [getarticlesummary, getarticletotal, getuserread, getuserreadhour, getusershare, getusersharehour,
                          getarticletotaldetail, getarticleread, getarticleshare, getbizsummary]
              refetch_days: 0
              on_unavailable: fail
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
          - flatten: {endpoint: getarticletotaldetail, field: detail_list, into: published_total}
          - derive:
              dataset: published_total
              metrics:
                share_rate: share_user / read_user
              daily: [read_user, share_user, zaikan_user, like_user, comment_count, collection_user]
        outputs:
          - datasets: [article_summary, article_total, user_read, user_read_hour, user_share, user_share_hour]
            format: csv.gz
            path: "{dataset}/{from}_{to}.csv.gz"
          - datasets: [article_summary, article_total, user_read, user_read_hour, user_share, user_share_hour]
            format: ndjson
            path: "ndjson/{dataset}.ndjson"
          - datasets: [article_summary, article_total, user_read, user_read_hour, user_share, user_share_hour,
                       published_total, published_read, published_share, biz_summary, read_source]
            format: parquet
            path: "parquet/{dataset}.parquet"
            compression: zstd
          - datasets: [article_summary, article_total, user_read, user_share]
            format: xlsx
            path: "report_{from}_{to}.xlsx"
            headers: en
          - datasets: [article_summary, article_total]
            format: xlsx
            path: "report_{from}_{to}_zh.xlsx"
            headers: zh
          - datasets: [published_total, published_read, published_share, biz_summary, read_source]
            format: csv.gz
            path: "{dataset}/{from}_{to}.csv.gz"
          - datasets: [published_total, published_read, published_share, biz_summary, read_source]
            format: ndjson
            path: "ndjson/{dataset}.ndjson"
          - datasets: [published_total, published_read, published_share, biz_summary, read_source]
            format: xlsx
            path: "published_{from}_{to}.xlsx"
            headers: en
          - datasets: [published_total, biz_summary]
            format: xlsx
            path: "published_{from}_{to}_zh.xlsx"
            headers: zh
        """

    func testOfflineExportOfAFixedSandboxStoreIsByteIdenticalToTheCodablePath() async throws {
        let dir = try S.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let store = dir.appendingPathComponent("store.sqlite").path
        let spec = try SpecLoader.parse(
            Self.pipeline.replacingOccurrences(of: "STORE", with: store),
            file: "golden.yaml", environment: [:], now: S.noon)
        let sandbox = try await SandboxServer.start(SandboxConfiguration(seed: 7, accounts: 3, now: { S.noon }))
        var logger = Logger(label: "test")
        logger.logLevel = .critical
        let fetch = await PipelineRunner(
            spec: spec,
            options: RunOptions(
                apiBase: sandbox.baseURL, outDirectory: dir.appendingPathComponent("fetch").path,
                now: S.noon, retryBaseDelay: 0.005), logger: logger
        ).run()
        await sandbox.stop()
        XCTAssertEqual(fetch.status, .complete, fetch.messages.joined(separator: "\n"))

        let single = dir.appendingPathComponent("single")
        let saved = ParallelDeflater.blockBytesSetting.current
        ParallelDeflater.blockBytesSetting.withLock { $0 = Int.max }
        let digests = try await Self.export(spec, into: single, logger: logger)
        ParallelDeflater.blockBytesSetting.withLock { $0 = saved }
        if ProcessInfo.processInfo.environment["WXCUBE_PRINT_GOLDEN"] == "1" {
            print(digests.keys.sorted().map { "        \"\($0)\": \"\(digests[$0] ?? "")\"," }.joined(separator: "\n"))
        }
        XCTAssertEqual(digests.count, Self.golden.count, "\(digests.keys.sorted())")
        for (path, digest) in Self.golden {
            XCTAssertEqual(digests[path], digest, "\(path) differs from the Codable path's bytes")
        }
        XCTAssertEqual(Set(digests.keys), Set(Self.golden.keys))

        let parallel = dir.appendingPathComponent("parallel"), again = dir.appendingPathComponent("again")
        let parallelDigests = try await Self.export(spec, into: parallel, logger: logger)
        let againDigests = try await Self.export(spec, into: again, logger: logger)
        XCTAssertEqual(parallelDigests, againDigests, "the same store gives the same bytes")
        XCTAssertNotEqual(parallelDigests, digests, "no file of this export spans several deflate blocks: the parallel path is not tested")
        let same = try python(
            """
            import gzip, os, sys, zipfile
            a, b = sys.argv[1], sys.argv[2]
            n = 0
            for root, _, files in os.walk(a):
                for f in files:
                    pa = os.path.join(root, f); pb = os.path.join(b, os.path.relpath(pa, a))
                    if f.endswith(".gz"):
                        assert gzip.open(pa).read() == gzip.open(pb).read(), pa
                    elif f.endswith(".xlsx"):
                        za, zb = zipfile.ZipFile(pa), zipfile.ZipFile(pb)
                        assert za.namelist() == zb.namelist(), pa
                        for name in za.namelist():
                            assert za.read(name) == zb.read(name), (pa, name)
                    elif f != "manifest.json":
                        assert open(pa, "rb").read() == open(pb, "rb").read(), pa
                    n += 1
            print(n)
            """, single.path, parallel.path)
        XCTAssertEqual(same.trimmingCharacters(in: .whitespacesAndNewlines), "\(Self.golden.count + 1)")
    }

    /// Exports the store offline into `out`; the SHA-256 of every file but the manifest.
    static func export(_ spec: PipelineSpec, into out: URL, logger: Logger) async throws -> [String: String] {
        let offline = await PipelineRunner(
            spec: spec, options: RunOptions(outDirectory: out.path, offline: true, now: S.noon),
            logger: logger
        ).run()
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
        return digests
    }
}
