import Foundation
import Logging
import WXCubeSandbox
import XCTest

@testable import WXCube

/// pipelines/demo.yaml fetched from the sandbox over loopback HTTP into a real
/// SQLite store, then every dataset streamed through the stages.
final class TransformEndToEndTests: XCTestCase {
    func testDemoPipelineYieldsAllSixDatasetsFromTheStore() async throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("wxcube-transform-e2e-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: dir) }
        let demo = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("pipelines/demo.yaml").path
        let spec = try SpecLoader.load(path: demo, environment: [:])
        let noon = ChinaClock.startOf(day("2026-06-15")).addingTimeInterval(12 * 3600)
        let sandbox = try await SandboxServer.start(SandboxConfiguration(seed: 11, accounts: 3, now: { noon }))
        var logger = Logger(label: "test")
        logger.logLevel = .critical
        let storePath = dir.appendingPathComponent("store.sqlite").path
        let options = RunOptions(
            from: .date(day("2026-06-12")), to: .date(day("2026-06-14")), apiBase: sandbox.baseURL,
            outDirectory: dir.path, storePath: storePath, now: noon, retryBaseDelay: 0.005)
        let result = await PipelineRunner(spec: spec, options: options, logger: logger).run()
        await sandbox.stop()
        XCTAssertEqual(result.status, .complete, result.messages.joined(separator: "\n"))

        let store = try XCTUnwrap(try RawStore.openReadOnly(path: storePath))
        let range = DateRange(from: day("2026-06-12"), to: day("2026-06-14"))
        let datasets = PipelineDatasets(spec: spec, range: range, store: store)
        try datasets.validate()
        XCTAssertEqual(datasets.datasets, DatasetName.allCases, "the demo produces both families' datasets")
        let generator = SandboxDataGenerator(seed: 11)
        for d in DatasetName.allCases {
            let stream = try datasets.stream(d, account: nil)
            XCTAssertEqual(stream.schema.names, Datasets.fullSchema(d).names, d.rawValue)
            let rows = try stream.collect()
            XCTAssertGreaterThan(rows.count, 0, d.rawValue)
            // Accounts by name: "lifestyle", "newsroom", "科技日报 demo".
            XCTAssertEqual(
                Array(Set(rows.map { $0[0] })).sorted { ValueOrder.less($0, $1) },
                ["lifestyle", "newsroom", "科技日报 demo"].map(Value.string), d.rawValue)
            if d == .article_summary {
                let expected = spec.accounts.reduce(0) { n, a in
                    n + range.days.reduce(0) { $0 + generator.liveArticleDays(appid: a.appid ?? "", on: $1).count }
                }
                XCTAssertEqual(rows.count, expected)
            }
        }
        XCTAssertTrue(datasets.thresholdCaveat.contains(">= 3"))
    }
}
