import Foundation
import WXCubeSandbox
import XCTest

@testable import WXCube

/// The published-content endpoints' spans, floor and look-back: in the planner,
/// and in the sandbox over loopback HTTP (WeChat's rules).
final class PublishedPlanAndSandboxTests: XCTestCase {
    typealias P = PublishedSupport

    private func planner(_ endpoints: [Endpoint]) -> Planner {
        Planner(spec: P.spec([SandboxAccount(index: 1)], endpoints: endpoints, store: "/nonexistent.sqlite", stages: []))
    }

    func testPlannerSpansLookbackAndFloor() throws {
        let plan = try planner(P.endpoints).plan(range: DateRange(from: P.day("2025-12-10"), to: P.yesterday), now: P.at(hour: 12))
        XCTAssertEqual(plan.warnings, [])
        func calls(_ e: Endpoint) -> [PlannedCall] { plan.calls.filter { $0.endpoint == e } }
        // getarticletotaldetail: one publish day per call, from 29 days before `from`.
        let detail = calls(.getarticletotaldetail)
        XCTAssertEqual(detail.first?.begin, P.day("2025-11-11"))
        XCTAssertEqual(detail.last?.end, P.yesterday)
        XCTAssertTrue(detail.allSatisfy { $0.begin == $0.end && !$0.cached && $0.reason == .notStored })
        XCTAssertEqual(detail.count, P.yesterday.days(since: P.day("2025-11-11")) + 1)
        for e in [Endpoint.getarticleread, .getarticleshare] {
            XCTAssertEqual(calls(e).first?.begin, P.day("2025-12-10"), e.rawValue)
            XCTAssertTrue(calls(e).allSatisfy { $0.begin == $0.end }, e.rawValue)
            XCTAssertEqual(calls(e).count, 36, e.rawValue)
        }
        // getbizsummary: 30-day windows.
        XCTAssertEqual(
            calls(.getbizsummary).map { "\($0.begin.iso)..\($0.end.iso)" },
            ["2025-12-10..2026-01-08", "2026-01-09..2026-01-14"])

        // A range before 2025-11-01 is clamped, with one warning; the look-back stops at the floor too.
        let early = try planner(P.endpoints).plan(range: DateRange(from: P.day("2025-10-01"), to: P.day("2025-11-10")), now: P.at(hour: 12))
        XCTAssertEqual(early.range.from, P.floor)
        XCTAssertEqual(early.warnings.count, 1, "\(early.warnings)")
        XCTAssertTrue(early.warnings[0].contains("2025-11-01"), early.warnings[0])
        XCTAssertEqual(early.calls.map(\.begin).min(), P.floor)
        XCTAssertEqual(early.calls.filter { $0.endpoint == .getbizsummary }.map { "\($0.begin.iso)..\($0.end.iso)" }, ["2025-11-01..2025-11-10"])

        // Ending before the floor is an error that says why.
        XCTAssertThrowsError(try planner(P.endpoints).plan(range: DateRange(from: P.day("2025-10-01"), to: P.day("2025-10-20")), now: P.at(hour: 12))) { e in
            XCTAssertTrue("\(e)".contains("2025-11-01"), "\(e)")
        }

        // Both families: the legacy range stays, the published endpoints start at the floor, one warning.
        let mixed = try planner([.getarticlesummary, .getarticleread]).plan(
            range: DateRange(from: P.day("2025-10-25"), to: P.day("2025-11-03")), now: P.at(hour: 12))
        XCTAssertEqual(mixed.range.from, P.day("2025-10-25"))
        XCTAssertEqual(mixed.warnings.count, 1, "\(mixed.warnings)")
        XCTAssertEqual(mixed.calls.filter { $0.endpoint == .getarticleread }.map(\.begin).min(), P.floor)
        XCTAssertEqual(mixed.calls.filter { $0.endpoint == .getarticlesummary }.count, 10)
    }

    func testSandboxServesWeChatsRulesForThePublishedEndpoints() async throws {
        let clock = SandboxTestClock(day: P.today, hour: 12)
        let server = try await SandboxServer.start(SandboxConfiguration(seed: 5, accounts: 1, now: clock.closure))
        let client = SandboxTestClient(server)
        let token = try await client.token(server.accounts[0])
        let y = P.yesterday
        for e in P.endpoints {
            let span = e.maxSpanDays
            let ok = try await client.datacube(e, token: token, begin: y.adding(days: -(span - 1)), end: y)
            XCTAssertNil(ok.errcode, "\(e): \(ok.text.prefix(200))")
            XCTAssertNotNil(ok.list, e.rawValue)
            XCTAssertEqual(ok.json?["is_delay"] as? Bool, false, e.rawValue)
            let long = try await client.datacube(e, token: token, begin: y.adding(days: -span), end: y)
            XCTAssertEqual(long.errcode, 61501, "\(e) span \(span + 1)")
            let floor = try await client.datacube(e, token: token, begin: P.day("2025-10-31"), end: P.day("2025-10-31"))
            XCTAssertEqual(floor.errcode, 61501, "\(e) before 2025-11-01")
            let first = try await client.datacube(e, token: token, begin: P.floor, end: P.floor)
            XCTAssertNil(first.errcode, "\(e) on 2025-11-01")
            let today = try await client.datacube(e, token: token, begin: P.today, end: P.today)
            XCTAssertEqual(today.errcode, 61501, "\(e) today")
        }
        // getbizsummary: one entry per day of the window.
        let biz = try await client.datacube(.getbizsummary, token: token, begin: y.adding(days: -29), end: y)
        XCTAssertEqual(biz.list?.count, 30)
        XCTAssertEqual(biz.list?.first?["ref_date"] as? String, y.adding(days: -29).iso)

        // A day without a send: getarticletotaldetail answers an empty list.
        let generator = SandboxDataGenerator(seed: 5)
        let appid = server.accounts[0].appid
        let quiet = try XCTUnwrap(
            DateRange(from: P.floor, to: y).days.first { generator.articles(appid: appid, sentOn: $0).isEmpty },
            "the sandbox has days without a send")
        let empty = try await client.datacube(.getarticletotaldetail, token: token, begin: quiet, end: quiet)
        XCTAssertEqual(empty.list?.count, 0, empty.text)
        XCTAssertEqual(empty.text, #"{"list":[],"is_delay":false}"#)

        // Before 10:00 China time, answers holding yesterday's figures say is_delay: true.
        clock.advance(seconds: -3 * 3600)
        let delayed = try await client.datacube(.getarticleread, token: token, begin: y, end: y)
        XCTAssertEqual(delayed.json?["is_delay"] as? Bool, true)
        let before = try await client.datacube(.getarticleread, token: token, begin: y.adding(days: -1), end: y.adding(days: -1))
        XCTAssertEqual(before.json?["is_delay"] as? Bool, false)
        // A publish day still tracked on yesterday (29 days back) is delayed; 30 days back is not.
        let tracked = try await client.datacube(.getarticletotaldetail, token: token, begin: y.adding(days: -29), end: y.adding(days: -29))
        XCTAssertEqual(tracked.json?["is_delay"] as? Bool, true)
        let settled = try await client.datacube(.getarticletotaldetail, token: token, begin: y.adding(days: -30), end: y.adding(days: -30))
        XCTAssertEqual(settled.json?["is_delay"] as? Bool, false)
        // Legacy endpoints have no is_delay.
        let legacy = try await client.datacube(.getarticlesummary, token: token, begin: y, end: y)
        XCTAssertNil(legacy.json?["is_delay"])
        await server.stop()

        // withdraw:ENDPOINT answers every call of that endpoint with 47009.
        let faults = try SandboxFaults(parsing: "withdraw:getarticletotal")
        XCTAssertEqual(faults.specDescription, "withdraw:getarticletotal")
        XCTAssertThrowsError(try SandboxFaults(parsing: "withdraw:getnothing"))
        let withdrawn = try await SandboxServer.start(SandboxConfiguration(seed: 5, accounts: 1, faults: faults, now: clock.closure))
        let c2 = SandboxTestClient(withdrawn)
        let t2 = try await c2.token(withdrawn.accounts[0])
        let gone = try await c2.datacube(.getarticletotal, token: t2, begin: y, end: y)
        XCTAssertEqual(gone.errcode, 47009)
        XCTAssertTrue(gone.text.contains("getarticletotaldetail"), gone.text)
        let replacement = try await c2.datacube(.getarticletotaldetail, token: t2, begin: y, end: y)
        XCTAssertNil(replacement.errcode)
        await withdrawn.stop()
    }

    func testSpecReadsOnUnavailableFlattenAndWarnsOnLegacyEndpoints() throws {
        func parse(_ stages: String) throws -> PipelineSpec {
            try SpecLoader.parse(
                """
                version: 1
                name: t
                accounts: [{name: a, appid: wx1, secret: s}]
                stages:
                \(stages)
                """, file: "t.yaml", environment: [:], now: P.at(hour: 12))
        }
        let ok = try parse(
            """
              - fetch: {endpoints: [getarticletotaldetail, getarticleread], on_unavailable: skip}
              - flatten: {endpoint: getarticletotaldetail, field: detail_list, into: published_total}
              - derive: {dataset: published_total, metrics: {share_rate: share_user / read_user}, daily: [read_user, like_user]}
            """)
        XCTAssertEqual(ok.onUnavailable, .skip)
        XCTAssertEqual(ok.warnings, [])
        let datasets = PipelineDatasets(spec: ok, range: DateRange(from: P.floor, to: P.floor), store: FixedBodiesStore(bodies: [:]))
        XCTAssertEqual(datasets.datasets, [.published_total, .published_read, .read_source])
        XCTAssertEqual(try datasets.schema(.published_total).names.suffix(4), ["share_rate", "read_user_daily", "like_user_daily", "quality_flags"])

        let legacy = try parse("  - fetch: {endpoints: [getarticletotal, getuserreadhour]}")
        XCTAssertEqual(legacy.onUnavailable, .fail)
        XCTAssertEqual(legacy.warnings.count, 2)
        XCTAssertTrue(legacy.warnings[0].message.contains("getarticletotaldetail"), legacy.warnings[0].message)
        XCTAssertTrue(legacy.warnings[1].message.contains("no replacement"), legacy.warnings[1].message)

        // flatten's keys mean something: the wrong field, dataset or a flat endpoint are errors.
        for bad in [
            "{endpoint: getarticletotaldetail, field: details, into: published_total}",
            "{endpoint: getarticletotaldetail, field: detail_list, into: article_total}",
            "{endpoint: getarticleread, field: detail, into: published_read}",
        ] {
            XCTAssertThrowsError(
                try parse(
                    """
                      - fetch: {endpoints: [getarticletotaldetail, getarticleread]}
                      - flatten: \(bad)
                    """), bad)
        }
        XCTAssertThrowsError(try parse("  - fetch: {endpoints: [getarticleread], on_unavailable: ignore}")) { e in
            XCTAssertTrue("\(e)".contains("fail or skip"), "\(e)")
        }
        // derive on published_total only knows its own cumulative columns.
        XCTAssertThrowsError(
            try parse(
                """
                  - fetch: {endpoints: [getarticletotaldetail]}
                  - flatten: {endpoint: getarticletotaldetail, field: detail_list, into: published_total}
                  - derive: {dataset: published_total, daily: [read_finish_rate]}
                """))
    }

    func testValidateWarnsOnLegacyPipelinesAndNamesTheReplacement() throws {
        let env = ["WECHAT_APPID": "wx123", "WECHAT_SECRET": "s"]
        let legacy = try CLIProcess.run(["validate", "pipelines/nightly-legacy.yaml"], environment: env)
        XCTAssertEqual(legacy.status, 0, legacy.stderr)
        XCTAssertTrue(legacy.stderr.contains("warning: stages[0].fetch.endpoints: getarticletotal is a legacy endpoint"), legacy.stderr)
        XCTAssertTrue(legacy.stderr.contains("getarticletotaldetail"), legacy.stderr)
        let current = try CLIProcess.run(["validate", "pipelines/nightly.yaml"], environment: env)
        XCTAssertEqual(current.status, 0, current.stderr)
        XCTAssertFalse(current.stderr.contains("warning"), current.stderr)
    }
}
