import Foundation
import Logging
import WXCubeSandbox
import XCTest

@testable import WXCube

final class RunSandboxTests: XCTestCase {
    typealias S = RunTestSupport
    private var dir: URL!

    override func setUpWithError() throws { dir = try S.tempDir() }
    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: dir) }

    private func store(_ name: String) -> String { dir.appendingPathComponent(name).path }

    func testFaultyRunEndsWithTheSameStoreAsAFaultFreeRun() async throws {
        let endpoints: [Endpoint] = [.getarticlesummary, .getarticletotal, .getuserread, .getusershare, .getusersharehour]
        let clean = try await SandboxServer.start(SandboxConfiguration(seed: 7, accounts: 2, now: { S.noon }))
        let cleanResult = await S.run(
            S.spec(clean.accounts, endpoints: endpoints, store: store("clean.sqlite")),
            sandbox: clean, from: "2026-06-08", to: "2026-06-14")
        await clean.stop()
        XCTAssertEqual(cleanResult.status, .complete, cleanResult.messages.joined(separator: "\n"))

        var faults = try SandboxFaults(parsing: "busy=0.2,expire=0.05,http500=0.05,truncate=0.05,slow=0.02")
        faults.slowDelaySeconds = 1.5
        let faulty = try await SandboxServer.start(SandboxConfiguration(seed: 7, accounts: 2, faults: faults, now: { S.noon }))
        let faultyResult = await S.run(
            S.spec(
                faulty.accounts, endpoints: endpoints, store: store("faulty.sqlite"),
                concurrency: 6, retries: 10, readTimeout: 0.4),
            sandbox: faulty, from: "2026-06-08", to: "2026-06-14")
        let stats = faulty.stats()
        await faulty.stop()
        XCTAssertEqual(faultyResult.status, .complete, faultyResult.messages.joined(separator: "\n"))
        XCTAssertGreaterThan(stats.faultsInjected.values.reduce(0, +), 0, "the sandbox injected faults")
        XCTAssertGreaterThan(faultyResult.summary.stats.retriesTotal, 0)

        let a = try S.content(ofStoreAt: store("clean.sqlite"))
        let b = try S.content(ofStoreAt: store("faulty.sqlite"))
        // 2 accounts x (7 + 13 + 7 + 7 + 7) days
        XCTAssertEqual(a.count, 2 * (7 + 13 + 7 + 7 + 7))
        XCTAssertEqual(a, b)
    }

    func testQuotaStopsTheRunThenTheNextDayContinuesWithoutRefetching() async throws {
        let clock = Locked(S.noon)
        var faults = SandboxFaults()
        faults.quota = 10
        let sandbox = try await SandboxServer.start(SandboxConfiguration(seed: 3, accounts: 1, faults: faults, now: { clock.current }))
        let spec = S.spec(sandbox.accounts, endpoints: [.getarticlesummary, .getuserread], store: store("q.sqlite"), concurrency: 2)
        // 10 summary days + 4 userread windows = 14 calls.
        let first = await S.run(spec, sandbox: sandbox, from: "2026-06-01", to: "2026-06-10", now: clock.current)
        XCTAssertEqual(first.status, .incomplete)
        XCTAssertEqual(first.exitCode, 3)
        XCTAssertTrue(first.messages.contains { $0.contains("45009") && $0.contains("quota") }, first.messages.joined(separator: "\n"))
        XCTAssertTrue(first.messages.contains { $0.contains("run again") || $0.contains("Run `wxcube run") }, first.messages.joined(separator: "\n"))
        let afterFirst = sandbox.stats()
        let storedFirst = Set(afterFirst.requestLog.filter(\.outcome.isSuccess).map { "\($0.endpoint) \($0.begin ?? "")" })
        XCTAssertEqual(storedFirst.count, 10)
        let daysFirst = afterFirst.requestLog.filter(\.outcome.isSuccess).reduce(0) { n, r in
            n + S.day(r.end ?? "").days(since: S.day(r.begin ?? "")) + 1
        }
        XCTAssertEqual(try RawStore.openReadOnly(path: store("q.sqlite"))?.allDays().count, daysFirst, "every answered window is stored")

        clock.withLock { $0 = $0.addingTimeInterval(86400) }
        sandbox.resetStats()
        let second = await S.run(spec, sandbox: sandbox, from: "2026-06-01", to: "2026-06-10", now: clock.current)
        let afterSecond = sandbox.stats()
        await sandbox.stop()
        XCTAssertEqual(second.status, .complete, second.messages.joined(separator: "\n"))
        XCTAssertEqual(afterSecond.datacubeCalls, 4, "14 windows, 10 stored the day before")
        let fetchedAgain = Set(afterSecond.requestLog.map { "\($0.endpoint) \($0.begin ?? "")" }).intersection(storedFirst)
        XCTAssertEqual(fetchedAgain, [], "no stored day is fetched again")
        XCTAssertEqual(try RawStore.openReadOnly(path: store("q.sqlite"))?.allDays().count, 20)
    }

    func testSecondRunOnlyRefetchesTheRefetchWindow() async throws {
        let sandbox = try await SandboxServer.start(SandboxConfiguration(seed: 5, accounts: 2, now: { S.noon }))
        let spec = S.spec(
            sandbox.accounts, endpoints: [.getarticlesummary, .getarticletotal, .getusershare],
            store: store("r.sqlite"), refetchDays: 3)
        let first = await S.run(spec, sandbox: sandbox, from: "2026-06-01", to: "2026-06-14")
        XCTAssertEqual(first.status, .complete)
        sandbox.resetStats()
        let second = await S.run(spec, sandbox: sandbox, from: "2026-06-01", to: "2026-06-14")
        let stats = sandbox.stats()
        XCTAssertEqual(second.status, .complete)
        // Per account: summary 12..14 (3 calls), total 12..14 (3 calls), usershare 12..14 (1 call).
        XCTAssertEqual(stats.datacubeCalls, 2 * 7)
        for r in stats.requestLog {
            XCTAssertGreaterThanOrEqual(r.begin ?? "", "2026-06-12", "only the refetch window is fetched again: \(r)")
        }
        XCTAssertEqual(second.plan?.pending.count, 2 * 7)

        // With refetch_days 0 a second run makes no call at all.
        var noRefetch = spec
        noRefetch.stages = [.fetch(FetchStageSpec(endpoints: [.getarticlesummary, .getarticletotal, .getusershare], refetchDays: 0))]
        sandbox.resetStats()
        let third = await S.run(noRefetch, sandbox: sandbox, from: "2026-06-01", to: "2026-06-14")
        XCTAssertEqual(third.status, .complete)
        XCTAssertEqual(sandbox.stats().datacubeCalls, 0)
        XCTAssertEqual(third.plan?.pending.count, 0)
        await sandbox.stop()
    }

    func testConcurrencyIsBounded() async throws {
        var faults = SandboxFaults()
        faults.slow = 0.3
        faults.slowDelaySeconds = 0.2
        let sandbox = try await SandboxServer.start(SandboxConfiguration(seed: 9, accounts: 3, faults: faults, now: { S.noon }))
        let spec = S.spec(sandbox.accounts, endpoints: [.getarticlesummary, .getuserreadhour], store: store("c.sqlite"), concurrency: 8)
        let result = await S.run(spec, sandbox: sandbox, from: "2026-06-01", to: "2026-06-14")
        let stats = sandbox.stats()
        await sandbox.stop()
        XCTAssertEqual(result.status, .complete, result.messages.joined(separator: "\n"))
        XCTAssertEqual(stats.datacubeCalls, 3 * 2 * 14)
        XCTAssertLessThanOrEqual(stats.maxInFlight, 8)
        XCTAssertGreaterThan(stats.maxInFlight, 1, "calls do run concurrently")
    }

    func testRateLimitSpacesFiftyCalls() async throws {
        let sandbox = try await SandboxServer.start(SandboxConfiguration(seed: 2, accounts: 1, now: { S.noon }))
        let spec = S.spec(sandbox.accounts, endpoints: [.getarticlesummary], store: store("rl.sqlite"), concurrency: 8, rps: 5)
        let start = ContinuousClock.now
        let result = await S.run(spec, sandbox: sandbox, from: "2026-04-26", to: "2026-06-14")
        let elapsed = ContinuousClock.now - start
        let calls = sandbox.stats().datacubeCalls
        await sandbox.stop()
        XCTAssertEqual(result.status, .complete)
        XCTAssertEqual(calls, 50)
        XCTAssertGreaterThanOrEqual(elapsed, .seconds(9), "50 calls at 5 calls/s take at least 49 intervals of 0.2 s")
    }

    func testAFatalAccountErrorStopsOnlyThatAccount() async throws {
        let sandbox = try await SandboxServer.start(SandboxConfiguration(seed: 4, accounts: 2, now: { S.noon }))
        let bad = sandbox.accounts[1]
        let spec = S.spec(
            sandbox.accounts, endpoints: [.getarticlesummary, .getuserread], store: store("f.sqlite"),
            secretOverride: [bad.appid: "wrong-secret-value"])
        let result = await S.run(spec, sandbox: sandbox, from: "2026-06-05", to: "2026-06-14")
        await sandbox.stop()
        XCTAssertEqual(result.status, .incomplete)
        XCTAssertEqual(result.summary.accounts.first { $0.name == "acct1" }?.outcome, .complete)
        guard case let .stopped(.fatal(_, code, _, hint))? = result.summary.accounts.first(where: { $0.name == "acct2" })?.outcome else {
            return XCTFail("acct2 should have failed: \(result.summary.lines)")
        }
        XCTAssertEqual(code, 40125)
        XCTAssertTrue(hint.contains("secret"))
        let days = try XCTUnwrap(try RawStore.openReadOnly(path: store("f.sqlite"))).allDays()
        XCTAssertEqual(Set(days.map(\.storeKey)), [sandbox.accounts[0].appid])
        XCTAssertEqual(days.count, 10 + 10)
        XCTAssertFalse(result.messages.joined().contains("wrong-secret-value"))
        XCTAssertTrue(result.remaining.allSatisfy { $0.account == "acct2" })
    }

    func testOfflineFailsClearlyWhenADayIsMissingAndSucceedsWhenAllAreStored() async throws {
        let sandbox = try await SandboxServer.start(SandboxConfiguration(seed: 4, accounts: 1, now: { S.noon }))
        let spec = S.spec(sandbox.accounts, endpoints: [.getuserread], store: store("o.sqlite"))
        _ = await S.run(spec, sandbox: sandbox, from: "2026-06-05", to: "2026-06-10")
        let calls = sandbox.stats().datacubeCalls
        var logger = Logger(label: "test")
        logger.logLevel = .critical
        let offlineOK = await PipelineRunner(
            spec: spec,
            options: RunOptions(
                from: .date(S.day("2026-06-05")), to: .date(S.day("2026-06-10")),
                offline: true, now: S.noon), logger: logger
        ).run()
        XCTAssertEqual(offlineOK.status, .complete)
        let offlineMissing = await PipelineRunner(
            spec: spec,
            options: RunOptions(
                from: .date(S.day("2026-06-05")), to: .date(S.day("2026-06-12")),
                offline: true, now: S.noon), logger: logger
        ).run()
        XCTAssertEqual(offlineMissing.status, .incomplete)
        XCTAssertTrue(offlineMissing.messages.joined(separator: "\n").contains("2026-06-11"), offlineMissing.messages.joined(separator: "\n"))
        XCTAssertEqual(sandbox.stats().datacubeCalls, calls, "--offline makes no call")
        await sandbox.stop()
    }

    func testCancellingTheRunKeepsStoredWindowsOnly() async throws {
        let sandbox = try await SandboxServer.start(SandboxConfiguration(seed: 8, accounts: 1, now: { S.noon }))
        let spec = S.spec(sandbox.accounts, endpoints: [.getarticlesummary], store: store("x.sqlite"), concurrency: 2, rps: 20)
        let task = Task { await S.run(spec, sandbox: sandbox, from: "2026-04-26", to: "2026-06-14") }
        try await Task.sleep(nanoseconds: 700_000_000)
        task.cancel()
        let result = await task.value
        await sandbox.stop()
        XCTAssertEqual(result.status, .incomplete)
        XCTAssertTrue(result.summary.interrupted)
        let days = try XCTUnwrap(try RawStore.openReadOnly(path: store("x.sqlite"))).allDays()
        XCTAssertGreaterThan(days.count, 0)
        XCTAssertLessThan(days.count, 50)
        XCTAssertEqual(days.count + result.remaining.count, 50, "every window is either stored or left to do")
    }
}
