import Foundation
import WXCubeSandbox
import XCTest

@testable import WXCube

/// A month of sandbox answers in a real SQLite store, through the shipped stages,
/// checked against the sandbox generator's own figures.
final class TransformSandboxPropertyTests: XCTestCase {
    private let generator = SandboxDataGenerator(seed: 20241)
    private let range = DateRange(from: Day(year: 2025, month: 9, day: 1) ?? .dataStart, to: Day(year: 2025, month: 9, day: 30) ?? .dataStart)
    private let yesterday = Day(year: 2025, month: 10, day: 10) ?? .dataStart
    private let accounts = [account("newsroom", "wx0000000000000003"), account("lifestyle", "wx0000000000000002")]

    private var folder: URL!
    private var datasets: PipelineDatasets!

    override func setUp() async throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("wxcube-transform-\(UUID().uuidString)")
        let store = try RawStore(path: folder.appendingPathComponent("store.sqlite").path)
        var windows: [FetchedWindow] = []
        for acc in accounts {
            guard let appid = acc.appid else { continue }
            for endpoint in legacyEndpoints {
                // Windows as the planner cuts them: spans, and getarticletotal from 6 days before `from`.
                var begin = range.from.adding(days: -endpoint.lookbackDays)
                while begin <= range.to {
                    let end = min(range.to, begin.adding(days: endpoint.maxSpanDays - 1))
                    let body = generator.responseData(endpoint: endpoint, appid: appid, begin: begin, end: end, yesterday: yesterday)
                    windows.append(
                        FetchedWindow(
                            storeKey: acc.storeKey, endpoint: endpoint, begin: begin, end: end, body: body,
                            rowCounts: [:], fetchedAt: Date(timeIntervalSince1970: 0)))
                    begin = end.adding(days: 1)
                }
            }
        }
        try await store.commit(windows)
        datasets = PipelineDatasets(spec: shippedSpec(accounts: accounts), range: range, store: store)
    }

    override func tearDown() {
        if let folder { try? FileManager.default.removeItem(at: folder) }
    }

    private func rows(_ d: DatasetName) throws -> (Schema, [Row]) {
        let s = try datasets.stream(d, account: nil)
        return (s.schema, try s.collect())
    }

    func testDailyIncrementsSumToTheLastCumulativeValue() throws {
        let (schema, rows) = try rows(.article_total)
        XCTAssertGreaterThan(rows.count, 100)
        let idx = { (n: String) in schema.index(of: n) ?? -1 }
        var sums: [String: [Int]] = [:]
        var last: [String: Row] = [:]
        var checkedArticles = 0
        for row in rows {
            // Articles sent in the range have every stat_date from day_offset 0 in it.
            guard let ref = row[idx("ref_date")].dayValue, ref >= range.from else { continue }
            let key = "\(row[0])|\(row[idx("msgid")])"
            let dailies = Datasets.shippedDaily.map { row[idx("\($0)_daily")].intValue }
            XCTAssertFalse(dailies.contains(nil), "complete sandbox data has every increment: \(key)")
            sums[key, default: [0, 0, 0, 0]] = zip(sums[key] ?? [0, 0, 0, 0], dailies).map { $0 + ($1 ?? 0) }
            last[key] = row
            XCTAssertEqual(row[idx("quality_flags")], .string(""))
        }
        for (key, total) in sums {
            guard let row = last[key] else { continue }
            XCTAssertEqual(total, Datasets.shippedDaily.map { row[idx($0)].intValue ?? -1 }, key)
            checkedArticles += 1
        }
        XCTAssertGreaterThan(checkedArticles, 20)
    }

    func testBelowThresholdRowsAreExactlyTheOmittedArticleDays() throws {
        let (schema, rows) = try rows(.article_summary)
        let status = schema.index(of: "threshold_status") ?? -1
        var synthesised = Set<String>()
        for row in rows where row[status] == .string("below_threshold") {
            synthesised.insert("\(row[0].stringValue ?? "")|\(row[1].dayValue?.iso ?? "")|\(row[2].stringValue ?? "")")
        }
        var omitted = Set<String>()
        for acc in accounts {
            for d in range.days {
                for a in generator.omittedSummaryArticleDays(appid: acc.appid ?? "", on: d) {
                    omitted.insert("\(acc.name)|\(d.iso)|\(a.article.msgid)")
                }
            }
        }
        XCTAssertFalse(omitted.isEmpty, "the sandbox should omit some low-traffic article-days")
        XCTAssertEqual(synthesised, omitted)
        XCTAssertFalse(rows.contains { $0[status] == .string("inconsistent") })
    }

    func testRowCountsMatchTheSandbox() throws {
        var expected: [DatasetName: Int] = [:]
        for acc in accounts {
            let appid = acc.appid ?? ""
            for d in range.days {
                expected[.article_summary, default: 0] += generator.liveArticleDays(appid: appid, on: d).count
                expected[.user_read, default: 0] += generator.userReadRows(appid: appid, on: d).count
                expected[.user_read_hour, default: 0] += generator.userReadHourRows(appid: appid, on: d).count
                expected[.user_share, default: 0] += generator.userShareRows(appid: appid, on: d).count
                expected[.user_share_hour, default: 0] += generator.userShareHourRows(appid: appid, on: d).count
            }
            for d in DateRange(from: range.from.adding(days: -6), to: range.to).days {
                for e in generator.totalEntries(appid: appid, refDate: d, yesterday: yesterday) {
                    expected[.article_total, default: 0] += e.details.filter { range.contains($0.statDate) }.count
                }
            }
        }
        XCTAssertEqual(datasets.datasets, legacyDatasets)
        for d in legacyDatasets {
            let (_, rows) = try rows(d)
            XCTAssertEqual(rows.count, expected[d], d.rawValue)
            XCTAssertGreaterThan(rows.count, 0, d.rawValue)
        }
    }

    func testRowsAreOrderedAndDeterministic() throws {
        for d in legacyDatasets {
            let (schema, first) = try rows(d)
            let (_, again) = try rows(d)
            XCTAssertEqual(first, again, d.rawValue)
            let keys: [String]
            switch d {
            case .article_total: keys = ["account", "ref_date", "msgid", "stat_date"]
            case .article_summary: keys = ["account", "ref_date", "msgid", "user_source"]
            case .user_read: keys = ["account", "ref_date", "user_source"]
            case .user_read_hour: keys = ["account", "ref_date", "ref_hour", "user_source"]
            case .user_share: keys = ["account", "ref_date", "share_scene"]
            case .user_share_hour: keys = ["account", "ref_date", "ref_hour", "share_scene"]
            default: keys = []
            }
            let idx = keys.compactMap(schema.index(of:))
            XCTAssertEqual(idx.count, keys.count)
            for (a, b) in zip(first, first.dropFirst()) {
                XCTAssertTrue(ValueOrder.less(a, b, by: idx), "\(d.rawValue): \(a.prefix(5)) before \(b.prefix(5))")
            }
            XCTAssertEqual(first.first?[0], .string("lifestyle"), d.rawValue)
        }
    }
}
