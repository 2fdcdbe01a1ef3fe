import Foundation
import WXCubeSandbox
import XCTest

@testable import WXCube

/// Counts the bodies a run reads: every stored body is read once per run
/// (issue 12), not once per dataset, output file or day of its window.
private final class CountingStore: RawStoreReading, @unchecked Sendable {
    // @unchecked: `reads` is behind `lock`.
    let base: any RawStoreReading
    private let lock = NSLock()
    private var reads: [String: Int] = [:]

    init(_ base: any RawStoreReading) { self.base = base }

    func storedDay(storeKey: String, endpoint: Endpoint, day: Day) throws -> StoredDay? {
        let stored = try base.storedDay(storeKey: storeKey, endpoint: endpoint, day: day)
        if let stored { lock.withLock { reads["\(storeKey) \(endpoint.rawValue) \(stored.responseID)", default: 0] += 1 } }
        return stored
    }

    func storedResponseID(storeKey: String, endpoint: Endpoint, day: Day) throws -> Int64? {
        try base.storedResponseID(storeKey: storeKey, endpoint: endpoint, day: day)
    }

    /// As `RawStore`: from the days table, not a body read.
    func hasStoredDay(storeKey: String, endpoint: Endpoint, day: Day) throws -> Bool {
        try base.hasStoredDay(storeKey: storeKey, endpoint: endpoint, day: day)
    }

    var counts: [String: Int] { lock.withLock { reads } }
}

final class StoreReadOnceTests: XCTestCase {
    private func drain(_ stream: any RowStream) throws -> Int {
        var n = 0
        while try stream.next() != nil { n += 1 }
        return n
    }

    func testEachBodyIsReadOnceAcrossDatasetsAndRepeatedStreams() throws {
        let yesterday = Day(iso: "2026-06-14") ?? Day.dataStart
        let store = CountingStore(SandboxStoreReader(generator: SandboxDataGenerator(seed: 3), yesterday: yesterday))
        let accounts = SandboxAccount.list(2).map { account("acct\($0.index)", $0.appid) }
        let datasets = PipelineDatasets(
            spec: shippedSpec(accounts: accounts),
            range: DateRange(from: yesterday.adding(days: -20), to: yesterday), store: store)
        var rows = 0
        // article_total and article_summary (annotate) both need getarticletotal; each dataset twice, as two output files would.
        for _ in 0..<2 {
            for d in datasets.datasets { rows += try drain(try datasets.stream(d, account: nil)) }
        }
        XCTAssertGreaterThan(rows, 1000)
        let counts = store.counts
        XCTAssertGreaterThan(counts.count, 6 * 2 * 20, "every endpoint's bodies were read")
        XCTAssertEqual(counts.filter { $0.value != 1 }, [:], "bodies read more than once")
    }

    /// The published-content endpoints (Codable decoders) share the run's cache:
    /// read_source reads the bodies published_read and published_share read too.
    func testPublishedEndpointBodiesAreReadOnceToo() throws {
        let yesterday = Day(iso: "2026-06-14") ?? Day.dataStart
        let store = CountingStore(SandboxStoreReader(generator: SandboxDataGenerator(seed: 3), yesterday: yesterday))
        let accounts = SandboxAccount.list(2).map { account("acct\($0.index)", $0.appid) }
        let published: [Endpoint] = [.getarticletotaldetail, .getarticleread, .getarticleshare, .getbizsummary]
        let spec = PipelineSpec(name: "test", accounts: accounts, stages: [.fetch(FetchStageSpec(endpoints: published))], outputs: [])
        let datasets = PipelineDatasets(spec: spec, range: DateRange(from: yesterday.adding(days: -20), to: yesterday), store: store)
        var rows = 0
        var read: Set<DatasetName> = []
        for _ in 0..<2 {
            for d in datasets.datasets where !d.isNested {
                rows += try drain(try datasets.stream(d, account: nil))
                read.insert(d)
            }
        }
        XCTAssertTrue(read.isSuperset(of: [.published_read, .published_share, .biz_summary, .read_source]), "\(read)")
        XCTAssertGreaterThan(rows, 100)
        let counts = store.counts
        XCTAssertGreaterThan(counts.count, 3 * 2 * 20, "the published endpoints' bodies were read")
        XCTAssertEqual(counts.filter { $0.value != 1 }, [:], "bodies read more than once")
    }

    func testAMultiDayWindowIsReadOnceForAllItsDays() throws {
        var fake = FakeRawStore()
        let from = day("2026-06-01"), to = day("2026-06-07")
        let list = DateRange(from: from, to: to).days.map { d in
            #"{"ref_date":"\#(d.iso)","share_scene":1,"share_count":\#(d.daysSinceEpoch % 7),"share_user":1}"#
        }
        fake.put("wx1", .getusershare, from: from, to: to, json: #"{"list":[\#(list.joined(separator: ","))]}"#)
        let store = CountingStore(fake)
        let datasets = PipelineDatasets(
            spec: shippedSpec(accounts: [account("a", "wx1")], endpoints: [.getusershare], annotate: false),
            range: DateRange(from: from, to: to), store: store)
        XCTAssertEqual(try drain(try datasets.stream(.user_share, account: nil)), 7)
        XCTAssertEqual(store.counts, ["wx1 getusershare 1": 1])
    }

    func testParallelFilesKeepsInputOrderAndReportsTheFirstFailure() {
        struct Boom: Error, Equatable { var i: Int }
        XCTAssertEqual(try ParallelFiles.map(Array(0..<50), workers: 4) { $0 * 2 }, Array(0..<50).map { $0 * 2 })
        XCTAssertThrowsError(
            try ParallelFiles.map(Array(0..<50), workers: 4) { i -> Int in
                if i == 3 || i == 7 { throw Boom(i: i) }
                return i
            }
        ) { error in XCTAssertEqual(error as? Boom, Boom(i: 3)) }
    }
}
