import Foundation
import WXCubeSandbox
import XCTest

@testable import WXCube

/// `wxcube run` and `wxcube plan` as a user runs them, against a sandbox that has
/// withdrawn getarticletotal and keeps yesterday delayed (is_delay) all day.
final class PublishedCLITests: XCTestCase {
    private func pipeline(_ dir: URL, onUnavailable: String) throws -> String {
        let text = """
            version: 1
            name: cli
            accounts:
              - name: main
                appid: wx0000000000000001
                secret: sandbox-secret-1
            api: {base_url: sandbox, concurrency: 1, requests_per_second: 0, retries: 2}
            store: \(dir.appendingPathComponent("store.sqlite").path)
            range: {from: -2d, to: yesterday}
            stages:
              - fetch: {endpoints: [getarticletotal, getarticleread], refetch_days: 0, on_unavailable: \(onUnavailable)}
              - flatten: {endpoint: getarticletotal, field: details, into: article_total}
            outputs:
              - datasets: [article_total, published_read]
                format: csv
                path: "{dataset}.csv"
            """
        let path = dir.appendingPathComponent("\(onUnavailable).yaml").path
        try Data(text.utf8).write(to: URL(fileURLWithPath: path))
        return path
    }

    func testOnUnavailableExitCodesManifestSummaryAndPlanReasons() async throws {
        let dir = try makeTemporaryDirectory(self, "published-cli")
        let faults = try SandboxFaults(parsing: "withdraw:getarticletotal")
        let server = try await SandboxServer.start(SandboxConfiguration(seed: 2, accounts: 1, faults: faults, delayUntilHour: 24))
        defer { Task { await server.stop() } }

        // fail: exit 1, the replacement named, nothing exported.
        let failOut = dir.appendingPathComponent("fail-out")
        let failed = try CLIProcess.run(["run", try pipeline(dir, onUnavailable: "fail"), "--api-base", server.baseURL, "--out", failOut.path])
        XCTAssertEqual(failed.status, 1, failed.stderr)
        XCTAssertTrue(failed.stderr.contains("error: account main: WeChat refused getarticletotal (47009"), failed.stderr)
        XCTAssertTrue(failed.stderr.contains("Replacement: getarticletotaldetail"), failed.stderr)
        XCTAssertTrue(failed.stderr.contains("summary: unavailable: account main getarticletotal (47009"), failed.stderr)
        XCTAssertFalse(FileManager.default.fileExists(atPath: failOut.appendingPathComponent("manifest.json").path))
        XCTAssertFalse(failed.stderr.contains("sandbox-secret-1"))

        // skip: exit 0 with a warning; the manifest lists what was unavailable.
        let skipOut = dir.appendingPathComponent("skip-out")
        let skipped = try CLIProcess.run(["run", try pipeline(dir, onUnavailable: "skip"), "--api-base", server.baseURL, "--out", skipOut.path])
        XCTAssertEqual(skipped.status, 0, skipped.stderr)
        XCTAssertTrue(skipped.stderr.contains("warning: unavailable: account main getarticletotal (47009"), skipped.stderr)
        XCTAssertTrue(skipped.stderr.contains("summary: unavailable: account main getarticletotal"), skipped.stderr)
        let manifest = try JSONSerialization.jsonObject(with: Data(contentsOf: skipOut.appendingPathComponent("manifest.json"))) as? [String: Any]
        let unavailable = manifest?["unavailable"] as? [[String: Any]] ?? []
        XCTAssertEqual(unavailable.map { $0["endpoint"] as? String }, ["getarticletotal"])
        XCTAssertEqual(unavailable.first?["errcode"] as? Int, 47009)
        let read = try String(contentsOf: skipOut.appendingPathComponent("published_read.csv"), encoding: .utf8)
        XCTAssertTrue(read.hasPrefix("account,ref_date,msgid,msg_data_id,article_idx,read_user,"), read)
        XCTAssertTrue(read.contains(",true\r\n"), "yesterday's rows carry is_delay true: \(read.prefix(300))")

        // plan: yesterday's getarticleread window is pending because WeChat said is_delay.
        let plan = try CLIProcess.run(["plan", try pipeline(dir, onUnavailable: "skip"), "--json"])
        XCTAssertEqual(plan.status, 0, plan.stderr)
        let calls = try JSONSerialization.jsonObject(with: Data(plan.stdout.utf8)) as? [[String: Any]] ?? []
        let reads = calls.filter { $0["endpoint"] as? String == "getarticleread" }
        XCTAssertEqual(reads.count, 3)
        XCTAssertEqual(reads.filter { $0["reason"] as? String == "is_delay" }.count, 1, plan.stdout)
        XCTAssertEqual(reads.filter { $0["cached"] as? Bool == true }.count, 2, plan.stdout)
        let text = try CLIProcess.run(["plan", try pipeline(dir, onUnavailable: "skip")])
        XCTAssertTrue(text.stdout.contains("is_delay (WeChat has not finished these figures)"), text.stdout)
    }
}
