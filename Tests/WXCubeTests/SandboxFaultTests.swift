import Foundation
import WXCube
import WXCubeSandbox
import XCTest

/// Fault injection: the spec parser, each fault at about its rate, deterministic draws.
final class SandboxFaultTests: XCTestCase {
    private let today = Day(year: 2026, month: 3, day: 15) ?? Day.dataStart
    private var yesterday: Day { today.adding(days: -1) }

    private func start(seed: UInt64 = 11, faults: SandboxFaults) async throws -> (SandboxServer, SandboxTestClient) {
        let clock = SandboxTestClock(day: today)
        let server = try await SandboxServer.start(SandboxConfiguration(seed: seed, faults: faults, now: clock.closure))
        return (server, SandboxTestClient(server))
    }

    func testFaultSpecParsing() throws {
        let f = try SandboxFaults(parsing: "busy=0.05,expire=0.02,http500=0.02,truncate=0.01,slow=0.01,quota=500")
        XCTAssertEqual(f, SandboxFaults(busy: 0.05, expire: 0.02, http500: 0.02, truncate: 0.01, slow: 0.01, quota: 500))
        XCTAssertEqual(try SandboxFaults(parsing: " slow=0.5 , slow_delay=2 ").slowDelaySeconds, 2)
        XCTAssertEqual(try SandboxFaults(parsing: ""), .none)
        XCTAssertEqual(try SandboxFaults(parsing: "none"), .none)
        XCTAssertEqual(SandboxFaults.none.specDescription, "none")
        let bad: [(String, String)] = [
            ("busy=2", "between 0 and 1"), ("busy=x", "between 0 and 1"), ("bsy=0.1", "unknown fault 'bsy'"),
            ("busy", "KEY=VALUE"), ("quota=-1", "quota"), ("quota=1.5", "quota"),
            ("busy=0.6,slow=0.6", "add up"), ("busy=0.1,busy=0.2", "twice"), ("busy=0.1,", "KEY=VALUE"),
        ]
        for (spec, hint) in bad {
            XCTAssertThrowsError(try SandboxFaults(parsing: spec), spec) { error in
                let text = "\(error)"
                XCTAssertTrue(text.contains(hint), "\(spec): \(text)")
                XCTAssertTrue(text.contains("Example:"), "the error shows a valid spec")
            }
        }
    }

    private enum Seen: Hashable { case data, busy, expire, http500, truncate, slow, other }

    /// Calls getuserread again and again as one client would, renewing the token after 42001.
    private static func hammer(_ client: SandboxTestClient, _ account: SandboxAccount, calls: Int, slowDelay: Double, yesterday: Day) async throws -> [Seen] {
        var token = try await client.token(account)
        var seen: [Seen] = []
        for i in 0..<calls {
            let end = yesterday.adding(days: -(i % 20))
            let reply = try await client.datacube(.getuserread, token: token, begin: end.adding(days: -2), end: end)
            if reply.status == 500 || reply.status == 502 {
                seen.append(reply.text.contains("<html>") ? .http500 : .other)
            } else if reply.status != 200 {
                seen.append(.other)
            } else if let json = reply.json {
                let code = json["errcode"] as? Int
                if code == -1 {
                    seen.append(.busy)
                } else if code == 42001 {
                    seen.append(.expire)
                    token = try await client.token(account)
                } else if code == nil, json["list"] != nil {
                    seen.append(reply.seconds >= slowDelay ? .slow : .data)
                } else {
                    seen.append(.other)
                }
            } else {
                seen.append(reply.bytes.isEmpty ? .other : .truncate)
            }
        }
        return seen
    }

    func testEachFaultKindAtAboutItsRate() async throws {
        let delay = 0.05
        var faults = SandboxFaults(busy: 0.2, expire: 0.2, http500: 0.2, truncate: 0.2, slow: 0.2)
        faults.slowDelaySeconds = delay
        let (server, client) = try await start(faults: faults)
        let perAccount = 140
        let seen = try await withThrowingTaskGroup(of: [Seen].self) { group in
            for account in server.accounts {
                let y = yesterday
                group.addTask { try await Self.hammer(client, account, calls: perAccount, slowDelay: delay, yesterday: y) }
            }
            var all: [Seen] = []
            for try await s in group { all += s }
            return all
        }
        await server.stop()
        let total = Double(seen.count)
        XCTAssertEqual(seen.count, 3 * perAccount)
        let stats = server.stats()
        XCTAssertEqual(seen.filter { $0 == .other }.count, 0)
        for (kind, name) in [(Seen.busy, "busy"), (.expire, "expire"), (.http500, "http500"), (.truncate, "truncate")] {
            let rate = Double(seen.filter { $0 == kind }.count) / total
            XCTAssertTrue((0.1...0.3).contains(rate), "\(name) at \(rate), asked for 0.2")
            XCTAssertEqual(stats.faultsInjected[name], seen.filter { $0 == kind }.count, name)
        }
        // Slow answers carry the data, at least `delay` late; the server counts them.
        let slowCount = try XCTUnwrap(stats.faultsInjected["slow"])
        XCTAssertTrue((0.1...0.3).contains(Double(slowCount) / total), "slow at \(Double(slowCount) / total)")
        XCTAssertEqual(seen.filter { $0 == .slow || $0 == .data }.count, slowCount, "every successful call here was a slow one")
        XCTAssertEqual(seen.filter { $0 == .slow }.count, slowCount, "each slow answer took at least the delay")
        XCTAssertEqual(stats.successfulCalls, slowCount)
        XCTAssertEqual(stats.datacubeCalls, seen.count)
        XCTAssertEqual(stats.requestLog.filter { $0.outcome == .truncated }.count, stats.faultsInjected["truncate"])
    }

    func testLowRatesAndNoFaults() async throws {
        let (server, client) = try await start(faults: SandboxFaults(busy: 0.05))
        let seen = try await Self.hammer(client, server.accounts[0], calls: 400, slowDelay: 100, yesterday: yesterday)
        await server.stop()
        let busy = seen.filter { $0 == .busy }.count
        XCTAssertTrue((8...40).contains(busy), "busy \(busy) of 400 at 0.05")
        XCTAssertEqual(busy + seen.filter { $0 == .data }.count, 400)

        let (clean, cleanClient) = try await start(faults: .none)
        let none = try await Self.hammer(cleanClient, clean.accounts[0], calls: 100, slowDelay: 100, yesterday: yesterday)
        await clean.stop()
        XCTAssertEqual(none.filter { $0 == .data }.count, 100)
        XCTAssertEqual(clean.stats().faultsInjected, [:])
    }

    func testFaultDrawsAreDeterministicGivenTheSeed() async throws {
        let faults = SandboxFaults(busy: 0.3, http500: 0.2, truncate: 0.1)
        var runs: [[Seen]] = []
        for seed: UInt64 in [21, 21, 22] {
            let (server, client) = try await start(seed: seed, faults: faults)
            runs.append(try await Self.hammer(client, server.accounts[1], calls: 60, slowDelay: 100, yesterday: yesterday))
            await server.stop()
        }
        XCTAssertEqual(runs[0], runs[1], "same seed, same faults in the same places")
        XCTAssertNotEqual(runs[0], runs[2], "another seed, other draws")
        XCTAssertGreaterThan(Set(runs[0]).count, 2)
    }

    func testStatsTrackConcurrencyAndReset() async throws {
        var faults = SandboxFaults(slow: 1)
        faults.slowDelaySeconds = 0.3
        let (server, client) = try await start(faults: faults)
        let token = try await client.token(server.accounts[0])
        let day = yesterday
        try await withThrowingTaskGroup(of: Void.self) { group in
            for _ in 0..<6 {
                group.addTask { _ = try await client.datacube(.getusershare, token: token, begin: day, end: day) }
            }
            try await group.waitForAll()
        }
        var stats = server.stats()
        XCTAssertEqual(stats.datacubeCalls, 6)
        XCTAssertEqual(stats.callsByEndpoint, ["getusershare": 6])
        XCTAssertGreaterThanOrEqual(stats.maxInFlight, 2, "requests are handled concurrently")
        XCTAssertEqual(stats.tokensIssued, 1)
        XCTAssertEqual(stats.requestLog.map(\.appid), Array(repeating: server.accounts[0].appid, count: 6))
        XCTAssertEqual(stats.requestLog.first?.begin, day.iso)
        server.resetStats()
        stats = server.stats()
        XCTAssertEqual(stats.datacubeCalls, 0)
        XCTAssertTrue(stats.requestLog.isEmpty)
        await server.stop()
    }
}
