import Foundation
import GRDB
import XCTest

@testable import WXCube

final class StoreRawStoreTests: XCTestCase {
    private var dir: URL!

    override func setUpWithError() throws {
        dir = FileManager.default.temporaryDirectory.appendingPathComponent("wxcube-store-\(UUID().uuidString)")
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(at: dir)
    }

    private func day(_ s: String) throws -> Day { try XCTUnwrap(Day(iso: s)) }

    private func window(_ b: String, _ e: String, body: String, counts: [String: Int], at t: Double = 1_700_000_000) throws -> FetchedWindow {
        var rc: [Day: Int] = [:]
        for (k, v) in counts { rc[try day(k)] = v }
        return FetchedWindow(
            storeKey: "wx1", endpoint: .getuserread, begin: try day(b), end: try day(e),
            body: Data(body.utf8), rowCounts: rc, fetchedAt: Date(timeIntervalSince1970: t))
    }

    func testCreatesParentFoldersAndStoresAWindowPerDay() async throws {
        let path = dir.appendingPathComponent("a/b/store.sqlite").path
        let store = try RawStore(path: path)
        let body = #"{"list":[{"ref_date":"2024-03-01"},{"ref_date":"2024-03-03"}]}"#
        try await store.commit(try window("2024-03-01", "2024-03-03", body: body, counts: ["2024-03-01": 1, "2024-03-03": 1]))

        let days = try store.allDays()
        XCTAssertEqual(days.map(\.day), ["2024-03-01", "2024-03-02", "2024-03-03"])
        XCTAssertEqual(days.map(\.rowCount), [1, 0, 1], "a day without rows is stored complete-and-empty")
        XCTAssertEqual(Set(days.map(\.responseID)).count, 1, "one response covers the window")

        let stored = try XCTUnwrap(try store.storedDay(storeKey: "wx1", endpoint: .getuserread, day: try day("2024-03-02")))
        XCTAssertEqual(String(decoding: stored.body, as: UTF8.self), body, "the body is kept as received")
        XCTAssertNil(try store.storedDay(storeKey: "wx1", endpoint: .getuserread, day: try day("2024-03-04")))
        XCTAssertNil(try store.storedDay(storeKey: "wx1", endpoint: .getusershare, day: try day("2024-03-02")))
        XCTAssertTrue(try store.hasStoredDay(storeKey: "wx1", endpoint: .getuserread, day: try day("2024-03-02")))
        XCTAssertFalse(try store.hasStoredDay(storeKey: "wx1", endpoint: .getuserread, day: try day("2024-03-04")))
        XCTAssertFalse(try store.hasStoredDay(storeKey: "wx1", endpoint: .getusershare, day: try day("2024-03-02")))

        let range = DateRange(from: try day("2024-02-28"), to: try day("2024-03-10"))
        let coverage = try store.storedDays(storeKey: "wx1", endpoint: .getuserread, in: range)
        XCTAssertEqual(Set(coverage.keys), Set([try day("2024-03-01"), try day("2024-03-02"), try day("2024-03-03")]))
        XCTAssertEqual(coverage[try day("2024-03-01")], Date(timeIntervalSince1970: 1_700_000_000))
    }

    func testRefetchReplacesDaysAndCollectsOrphanResponses() async throws {
        let store = try RawStore(path: dir.appendingPathComponent("s.sqlite").path)
        try await store.commit(try window("2024-03-01", "2024-03-03", body: #"{"list":[]}"#, counts: [:]))
        XCTAssertEqual(try store.responseCount(), 1)
        // Refetch one day: the old response still covers the other two days.
        try await store.commit(
            try window(
                "2024-03-02", "2024-03-02", body: #"{"list":[{"ref_date":"2024-03-02"}]}"#,
                counts: ["2024-03-02": 1], at: 1_700_100_000))
        XCTAssertEqual(try store.responseCount(), 2)
        // Refetch the whole range: both older responses are orphans and go.
        try await store.commit(
            try window(
                "2024-03-01", "2024-03-03", body: #"{"list":[{"ref_date":"2024-03-02"}]}"#,
                counts: ["2024-03-02": 1], at: 1_700_200_000))
        XCTAssertEqual(try store.responseCount(), 1)
        let days = try store.allDays()
        XCTAssertEqual(days.count, 3, "UNIQUE(store_key, endpoint, day): no duplicate days")
        XCTAssertEqual(Set(days.map(\.fetchedAt)), [Date(timeIntervalSince1970: 1_700_200_000)])
    }

    func testReadOnlyOpenNeverCreatesAFile() async throws {
        let path = dir.appendingPathComponent("missing/store.sqlite").path
        XCTAssertNil(try RawStore.openReadOnly(path: path))
        XCTAssertFalse(FileManager.default.fileExists(atPath: path))

        let writer = try RawStore(path: path)
        try await writer.commit(try window("2024-03-01", "2024-03-01", body: #"{"list":[]}"#, counts: [:]))
        let reader = try XCTUnwrap(try RawStore.openReadOnly(path: path))
        XCTAssertEqual(try reader.allDays().count, 1)
        do {
            try await reader.commit(try window("2024-03-02", "2024-03-02", body: "{}", counts: [:]))
            XCTFail("a read-only store must refuse writes")
        } catch let e as RawStoreError {
            if case .readOnly = e {} else { XCTFail("unexpected \(e)") }
        }
    }

    func testSchemaIsWALWithTheDocumentedTables() throws {
        let path = dir.appendingPathComponent("s.sqlite").path
        _ = try RawStore(path: path)
        let q = try DatabaseQueue(path: path)
        try q.read { db in
            XCTAssertEqual(try String.fetchOne(db, sql: "PRAGMA journal_mode"), "wal")
            let responseCols = try db.columns(in: "responses").map(\.name)
            XCTAssertEqual(responseCols, ["id", "store_key", "endpoint", "begin_date", "end_date", "body", "fetched_at"])
            let dayCols = try db.columns(in: "days").map(\.name)
            XCTAssertEqual(dayCols, ["store_key", "endpoint", "day", "response_id", "row_count", "fetched_at", "is_delay"])
        }
    }

    func testPlannerUsesTheStoreAsCoverage() async throws {
        let store = try RawStore(path: dir.appendingPathComponent("s.sqlite").path)
        let spec = PipelineSpec(
            name: "t", accounts: [AccountSpec(name: "a", appid: "wx1", credential: .secret(Secret("s")))],
            stages: [.fetch(FetchStageSpec(endpoints: [.getuserread], refetchDays: 0))], outputs: [])
        let now = ChinaClock.startOf(try day("2024-03-20")).addingTimeInterval(12 * 3600)
        try await store.commit(try window("2024-03-01", "2024-03-03", body: #"{"list":[]}"#, counts: [:]))
        let plan = try Planner(spec: spec).plan(range: DateRange(from: try day("2024-03-01"), to: try day("2024-03-06")), now: now, coverage: store)
        XCTAssertEqual(plan.pending.map { "\($0.begin.iso)..\($0.end.iso)" }, ["2024-03-04..2024-03-06"])
        XCTAssertEqual(plan.calls.filter(\.cached).map { "\($0.begin.iso)..\($0.end.iso)" }, ["2024-03-01..2024-03-03"])
    }
}
