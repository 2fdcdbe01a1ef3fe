import Foundation
import XCTest

@testable import WXCube

final class PlannerTests: XCTestCase {
    private func day(_ s: String) -> Day {
        guard let d = Day(iso: s) else { preconditionFailure("bad test date \(s)") }
        return d
    }

    private func spec(_ endpoints: [Endpoint], accounts: [String] = ["main"], refetchDays: Int = 7) -> PipelineSpec {
        PipelineSpec(
            name: "test",
            accounts: accounts.map { AccountSpec(name: $0, appid: "wx_\($0)", credential: .secret(Secret("s"))) },
            stages: [.fetch(FetchStageSpec(endpoints: endpoints, refetchDays: refetchDays))],
            outputs: [])
    }

    /// Noon in China on 2026-11-29: yesterday is 2026-11-28, after 08:00.
    private let now = Date(timeIntervalSince1970: 1_795_924_800)

    private func windows(_ endpoint: Endpoint, _ from: String, _ to: String) throws -> [String] {
        let plan = try Planner(spec: spec([endpoint])).plan(range: DateRange(from: day(from), to: day(to)), now: now)
        return plan.calls.map { "\($0.begin.iso)..\($0.end.iso)" }
    }

    func testNowFixtureIsNoonInChina() {
        XCTAssertEqual(ChinaClock.today(at: now).iso, "2026-11-29")
        XCTAssertEqual(ChinaClock.hour(at: now), 12)
    }

    func testWindowsPerSpanAcrossBoundaries() throws {
        struct Case {
            var endpoint: Endpoint
            var from: String
            var to: String
            var expected: [String]
            var why: String
        }
        let cases: [Case] = [
            Case(
                endpoint: .getarticlesummary, from: "2024-02-28", to: "2024-03-01",
                expected: ["2024-02-28..2024-02-28", "2024-02-29..2024-02-29", "2024-03-01..2024-03-01"], why: "span 1 over a leap day"),
            Case(
                endpoint: .getuserreadhour, from: "2023-12-31", to: "2024-01-01",
                expected: ["2023-12-31..2023-12-31", "2024-01-01..2024-01-01"], why: "span 1 over a year end"),
            Case(
                endpoint: .getuserread, from: "2024-02-25", to: "2024-03-05",
                expected: ["2024-02-25..2024-02-27", "2024-02-28..2024-03-01", "2024-03-02..2024-03-04", "2024-03-05..2024-03-05"],
                why: "span 3 over a leap February, last window clipped"),
            Case(
                endpoint: .getuserread, from: "2023-02-27", to: "2023-03-02",
                expected: ["2023-02-27..2023-03-01", "2023-03-02..2023-03-02"], why: "span 3 over a non-leap February"),
            Case(
                endpoint: .getuserread, from: "2023-12-30", to: "2024-01-02",
                expected: ["2023-12-30..2024-01-01", "2024-01-02..2024-01-02"], why: "span 3 over a year end"),
            Case(
                endpoint: .getusershare, from: "2023-01-30", to: "2023-02-14",
                expected: ["2023-01-30..2023-02-05", "2023-02-06..2023-02-12", "2023-02-13..2023-02-14"], why: "span 7 over a month end"),
            Case(
                endpoint: .getusershare, from: "2020-12-28", to: "2021-01-03",
                expected: ["2020-12-28..2021-01-03"], why: "span 7, exactly one full window over a year end"),
            Case(
                endpoint: .getusersharehour, from: "2024-07-04", to: "2024-07-04",
                expected: ["2024-07-04..2024-07-04"], why: "from == to"),
            Case(
                endpoint: .getusershare, from: "2024-07-04", to: "2024-07-04",
                expected: ["2024-07-04..2024-07-04"], why: "from == to, span 7"),
            Case(
                endpoint: .getarticletotal, from: "2024-03-01", to: "2024-03-01",
                expected: [
                    "2024-02-24..2024-02-24", "2024-02-25..2024-02-25", "2024-02-26..2024-02-26", "2024-02-27..2024-02-27",
                    "2024-02-28..2024-02-28", "2024-02-29..2024-02-29", "2024-03-01..2024-03-01",
                ],
                why: "getarticletotal looks back 6 days, over a leap day"),
            Case(
                endpoint: .getarticlesummary, from: "2014-11-29", to: "2014-12-02",
                expected: ["2014-12-01..2014-12-01", "2014-12-02..2014-12-02"], why: "clamped to 2014-12-01"),
            Case(
                endpoint: .getarticletotal, from: "2014-12-03", to: "2014-12-03",
                expected: ["2014-12-01..2014-12-01", "2014-12-02..2014-12-02", "2014-12-03..2014-12-03"],
                why: "lookback never before 2014-12-01"),
            Case(
                endpoint: .getusershare, from: "2014-11-01", to: "2014-12-09",
                expected: ["2014-12-01..2014-12-07", "2014-12-08..2014-12-09"], why: "span 7 from the clamp"),
        ]
        for c in cases {
            XCTAssertEqual(try windows(c.endpoint, c.from, c.to), c.expected, c.why)
        }
    }

    func testEveryWindowRespectsItsSpanAndCoversTheRangeOnce() throws {
        let range = DateRange(from: day("2023-11-15"), to: day("2024-03-10"))
        let plan = try Planner(spec: spec(legacyEndpoints)).plan(range: range, now: now)
        for endpoint in legacyEndpoints {
            let calls = plan.calls.filter { $0.endpoint == endpoint }
            var covered: [Day] = []
            for c in calls {
                XCTAssertLessThan(c.end.days(since: c.begin), endpoint.maxSpanDays, "\(c) exceeds the span")
                covered += c.days.days
            }
            let expectedFrom = range.from.adding(days: -endpoint.lookbackDays)
            XCTAssertEqual(covered, DateRange(from: expectedFrom, to: range.to).days, "\(endpoint) covers each day once, in order")
        }
    }

    func testClampWarnsAndLookbackIsSixDays() throws {
        let plan = try Planner(spec: spec([.getarticletotal])).plan(range: DateRange(from: day("2014-11-20"), to: day("2014-12-01")), now: now)
        XCTAssertEqual(plan.range.from.iso, "2014-12-01")
        XCTAssertTrue(plan.warnings.contains { $0.contains("2014-12-01") }, "\(plan.warnings)")
        XCTAssertEqual(plan.calls.map(\.begin.iso), ["2014-12-01"])

        let later = try Planner(spec: spec([.getarticletotal])).plan(range: DateRange(from: day("2020-01-10"), to: day("2020-01-12")), now: now)
        XCTAssertEqual(later.calls.first?.begin.iso, "2020-01-04")
        XCTAssertEqual(later.calls.count, 9)
        XCTAssertTrue(later.warnings.isEmpty)
    }

    func testRejectsBadRanges() {
        let planner = Planner(spec: spec([.getuserread]))
        XCTAssertThrowsError(try planner.plan(range: DateRange(from: day("2024-01-05"), to: day("2024-01-04")), now: now)) {
            XCTAssertEqual($0 as? PlanError, .fromAfterTo(from: day("2024-01-05"), to: day("2024-01-04")))
        }
        XCTAssertThrowsError(try planner.plan(range: DateRange(from: day("2026-11-28"), to: day("2026-11-29")), now: now)) {
            XCTAssertEqual($0 as? PlanError, .toAfterYesterday(to: day("2026-11-29"), yesterday: day("2026-11-28")))
        }
        XCTAssertThrowsError(try planner.plan(range: DateRange(from: day("2014-01-01"), to: day("2014-11-30")), now: now))
        XCTAssertNoThrow(try planner.plan(range: DateRange(from: day("2026-11-28"), to: day("2026-11-28")), now: now))
    }

    func testChinaDatesAndTheEightOClockWarning() throws {
        // 2024-03-01 16:30 UTC is 2024-03-02 00:30 in China: China's yesterday is 03-01,
        // while a UTC (or US) clock would still call 03-01 "today".
        let lateUTC = Date(timeIntervalSince1970: 1_709_310_600)
        XCTAssertEqual(ChinaClock.today(at: lateUTC).iso, "2024-03-02")
        XCTAssertEqual(ChinaClock.hour(at: lateUTC), 0)
        let range = RangeSpec(from: .relative(days: 2), to: .yesterday).resolve(today: ChinaClock.today(at: lateUTC))
        XCTAssertEqual(range.description, "2024-02-28..2024-03-01")
        let plan = try Planner(spec: spec([.getuserread])).plan(range: range, now: lateUTC)
        XCTAssertTrue(plan.warnings.contains { $0.contains("08:00") }, "\(plan.warnings)")
        // At 09:00 China time there is no warning.
        let nine = lateUTC.addingTimeInterval(8.5 * 3600)
        XCTAssertFalse(try Planner(spec: spec([.getuserread])).plan(range: range, now: nine).warnings.contains { $0.contains("08:00") })
    }

    func testMachineTimeZoneDoesNotChangeThePlan() throws {
        // The same instant planned under zones on both sides of the date line.
        let instant = Date(timeIntervalSince1970: 1_709_310_600)
        var results: [[PlannedCall]] = []
        let original = ProcessInfo.processInfo.environment["TZ"]
        defer {
            if let original { setenv("TZ", original, 1) } else { unsetenv("TZ") }
            tzset()
        }
        for zone in ["Pacific/Pago_Pago", "Asia/Shanghai", "Pacific/Kiritimati", "UTC"] {
            setenv("TZ", zone, 1)
            tzset()
            NSTimeZone.resetSystemTimeZone()
            let range = RangeSpec(from: .relative(days: 10), to: .yesterday).resolve(today: ChinaClock.today(at: instant))
            results.append(try Planner(spec: spec(legacyEndpoints)).plan(range: range, now: instant).calls)
        }
        XCTAssertFalse(results[0].isEmpty)
        for r in results.dropFirst() { XCTAssertEqual(r, results[0]) }
    }

    func testCLIPlanIsTheSameUnderAFarTimeZone() throws {
        let env = ["WECHAT_APPID": "wx_test", "WECHAT_SECRET": "not-a-real-secret"]
        let args = ["plan", "pipelines/nightly-legacy.yaml", "--from", "2024-02-27", "--to", "2024-03-02", "--json", "--store", "/nonexistent/none.sqlite"]
        let samoa = try CLIProcess.run(args, environment: env.merging(["TZ": "Pacific/Pago_Pago"]) { $1 })
        let kiribati = try CLIProcess.run(args, environment: env.merging(["TZ": "Pacific/Kiritimati"]) { $1 })
        XCTAssertEqual(samoa.status, 0, samoa.stderr)
        XCTAssertEqual(samoa.stdout, kiribati.stdout)
        let calls = try JSONDecoder().decode([PlannedCall].self, from: Data(samoa.stdout.utf8))
        XCTAssertEqual(
            calls.filter { $0.endpoint == .getuserread }.map { "\($0.begin.iso)..\($0.end.iso)" },
            ["2024-02-27..2024-02-29", "2024-03-01..2024-03-02"])
        XCTAssertEqual(calls.filter { $0.endpoint == .getarticletotal }.first?.begin.iso, "2024-02-21")
        XCTAssertTrue(calls.allSatisfy { $0.account == "main" && !$0.cached })
        XCTAssertFalse(samoa.stdout.contains("not-a-real-secret"))

        // Relative dates start with a dash and still parse as values.
        let relative = try CLIProcess.run(
            [
                "plan", "pipelines/nightly-legacy.yaml", "--from", "-3d", "--to", "2024-03-02", "--json",
                "--store", "/nonexistent/none.sqlite",
            ], environment: env)
        XCTAssertEqual(relative.status, 0, relative.stderr)
        let relCalls = try JSONDecoder().decode([PlannedCall].self, from: Data(relative.stdout.utf8))
        XCTAssertEqual(relCalls.filter { $0.endpoint == .getarticlesummary }.map(\.begin.iso), ["2024-02-28", "2024-02-29", "2024-03-01", "2024-03-02"])
    }

    func testTwelveYearsPlanOneCallPerDayOrSpanInAccountOrder() throws {
        // Correctness at scale (no timing assertion: machines are shared and noisy).
        let range = DateRange(from: day("2014-12-01"), to: day("2026-11-28"))
        let plan = try Planner(spec: spec(legacyEndpoints, accounts: ["a", "b"])).plan(range: range, now: now)
        let days = range.dayCount
        XCTAssertEqual(plan.calls.filter { $0.account == "a" && $0.endpoint == .getarticlesummary }.count, days)
        XCTAssertEqual(plan.calls.filter { $0.account == "a" && $0.endpoint == .getusershare }.count, (days + 6) / 7)
        XCTAssertEqual(plan.calls.first?.account, "a")
        XCTAssertEqual(plan.calls.last?.account, "b")
    }

    func testStoredDaysAreCachedExceptTheRefetchWindow() throws {
        struct FakeCoverage: CoverageReading {
            var stored: [Day: Date]
            func storedDays(storeKey: String, endpoint: Endpoint, in range: DateRange) throws -> [Day: Date] {
                stored.filter { range.contains($0.key) }
            }
        }
        let to = day("2026-11-28")
        let from = day("2026-11-01")
        // Everything fetched "now": days within 7 of `to` have not settled.
        var stored: [Day: Date] = [:]
        for d in DateRange(from: from, to: to).days { stored[d] = now }
        let planner = Planner(spec: spec([.getarticlesummary]))
        let plan = try planner.plan(range: DateRange(from: from, to: to), now: now, coverage: FakeCoverage(stored: stored))
        XCTAssertEqual(plan.pending.map(\.begin.iso), DateRange(from: day("2026-11-22"), to: to).days.map(\.iso))
        XCTAssertEqual(plan.calls.filter(\.cached).count, 21)
        // A day fetched once it had settled is not fetched again.
        stored[day("2026-11-22")] = ChinaClock.startOf(day("2026-11-30"))
        let settled = try planner.plan(range: DateRange(from: from, to: to), now: now, coverage: FakeCoverage(stored: stored))
        XCTAssertFalse(settled.pending.contains { $0.begin.iso == "2026-11-22" })
        // --refresh fetches everything.
        let refresh = try Planner(spec: spec([.getarticlesummary]), refresh: true)
            .plan(range: DateRange(from: from, to: to), now: now, coverage: FakeCoverage(stored: stored))
        XCTAssertEqual(refresh.pending.count, 28)
        // A gap in the store becomes its own window, cut at the span.
        stored[day("2026-11-10")] = nil
        let gap = try Planner(spec: spec([.getuserread])).plan(range: DateRange(from: from, to: to), now: now, coverage: FakeCoverage(stored: stored))
        XCTAssertTrue(gap.pending.contains { $0.begin.iso == "2026-11-10" && $0.end.iso == "2026-11-10" })
    }
}
