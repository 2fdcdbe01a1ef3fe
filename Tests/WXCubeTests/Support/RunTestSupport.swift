import Foundation
import Logging
import WXCubeSandbox
import XCTest

@testable import WXCube

/// Shared helpers: a temp folder, a sandbox clock, specs and store comparisons.
enum RunTestSupport {
    /// 2026-06-15 12:00 in China: "yesterday" is 2026-06-14.
    static let noon = ChinaClock.startOf(Day(year: 2026, month: 6, day: 15) ?? Day(daysSinceEpoch: 0)).addingTimeInterval(12 * 3600)

    static func day(_ s: String) -> Day { Day(iso: s) ?? Day(daysSinceEpoch: 0) }

    static func tempDir() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("wxcube-run-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    static func spec(
        _ accounts: [SandboxAccount], endpoints: [Endpoint], store: String, concurrency: Int = 4,
        rps: Double = 0, retries: Int = 5, readTimeout: Double = 10, refetchDays: Int = 0,
        secretOverride: [String: String] = [:]
    ) -> PipelineSpec {
        PipelineSpec(
            name: "test",
            accounts: accounts.map { a in
                AccountSpec(name: "acct\(a.index)", appid: a.appid, credential: .secret(Secret(secretOverride[a.appid] ?? a.secret)))
            },
            api: APISpec(
                base: .sandbox, concurrency: concurrency, requestsPerSecond: rps, retries: retries,
                connectTimeoutSeconds: 5, readTimeoutSeconds: readTimeout),
            store: store,
            stages: [.fetch(FetchStageSpec(endpoints: endpoints, refetchDays: refetchDays))],
            outputs: [])
    }

    static func run(
        _ spec: PipelineSpec, sandbox: SandboxServer, from: String, to: String, now: Date = noon,
        refresh: Bool = false
    ) async -> RunResult {
        var logger = Logger(label: "test")
        logger.logLevel = .critical
        let options = RunOptions(
            from: .date(day(from)), to: .date(day(to)), apiBase: sandbox.baseURL, refresh: refresh,
            now: now, retryBaseDelay: 0.005)
        return await PipelineRunner(spec: spec, options: options, logger: logger).run()
    }

    /// The store's content: each day with its row count and its own rows
    /// (those whose ref_date is that day), canonical JSON; fetched_at left out.
    static func content(ofStoreAt path: String) throws -> [String] {
        guard let store = try RawStore.openReadOnly(path: path) else { return [] }
        return try store.allDays().map { d in
            let stored = try store.storedDay(
                storeKey: d.storeKey, endpoint: Endpoint(rawValue: d.endpoint) ?? .getuserread,
                day: day(d.day))
            var rows: [String] = []
            if let body = stored?.body,
                let object = try JSONSerialization.jsonObject(with: body) as? [String: Any],
                let list = object["list"] as? [[String: Any]]
            {
                for row in list where (row["ref_date"] as? String) == d.day {
                    let data = try JSONSerialization.data(withJSONObject: row, options: [.sortedKeys])
                    rows.append(String(decoding: data, as: UTF8.self))
                }
            }
            XCTAssertEqual(rows.count, d.rowCount, "row_count of \(d.storeKey) \(d.endpoint) \(d.day)")
            return "\(d.storeKey) \(d.endpoint) \(d.day) \(d.rowCount) \(rows.joined(separator: ","))"
        }
    }
}
