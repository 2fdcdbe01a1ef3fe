import Foundation
import WXCube
import WXCubeSandbox
import XCTest

/// Tokens and every error code, over real loopback HTTP.
final class SandboxAPITests: XCTestCase {
    private let today = Day(year: 2026, month: 3, day: 15) ?? Day.dataStart
    private var yesterday: Day { today.adding(days: -1) }

    private func start(lifetime: Int = 7200, faults: SandboxFaults = .none) async throws -> (SandboxServer, SandboxTestClient, SandboxTestClock) {
        let clock = SandboxTestClock(day: today)
        let server = try await SandboxServer.start(SandboxConfiguration(seed: 3, tokenLifetimeSeconds: lifetime, faults: faults, now: clock.closure))
        return (server, SandboxTestClient(server), clock)
    }

    func testAccountsAndURL() async throws {
        let (server, _, _) = try await start()
        XCTAssertEqual(server.accounts.map(\.appid), ["wx0000000000000001", "wx0000000000000002", "wx0000000000000003"])
        XCTAssertEqual(server.accounts.map(\.secret), ["sandbox-secret-1", "sandbox-secret-2", "sandbox-secret-3"])
        XCTAssertTrue(server.baseURL.hasPrefix("http://127.0.0.1:"))
        XCTAssertGreaterThan(server.port, 0)
        await server.stop()
    }

    func testTokenErrors() async throws {
        let (server, client, _) = try await start()
        let a = server.accounts[0]
        var r = try await client.send(.GET, "/cgi-bin/token?grant_type=client_credential&appid=wx9999999999999999&secret=\(a.secret)")
        XCTAssertEqual(r.status, 200)
        XCTAssertEqual(r.errcode, 40013)
        r = try await client.send(.GET, "/cgi-bin/token?grant_type=client_credential&appid=\(a.appid)&secret=wrong")
        XCTAssertEqual(r.errcode, 40125)
        XCTAssertFalse(r.text.contains("sandbox-secret"), "an error must not echo a secret")
        r = try await client.send(.POST, "/cgi-bin/stable_token", body: #"{"grant_type":"client_credential","appid":"wxnope","secret":"x"}"#)
        XCTAssertEqual(r.errcode, 40013)
        r = try await client.send(
            .POST, "/cgi-bin/stable_token", body: #"{"grant_type":"client_credential","appid":"\#(a.appid)","secret":"sandbox-secret-2"}"#)
        XCTAssertEqual(r.errcode, 40125)
        r = try await client.send(.POST, "/cgi-bin/stable_token", body: "{not json")
        XCTAssertEqual(r.errcode, 47001)
        r = try await client.send(.GET, "/cgi-bin/token?grant_type=password&appid=\(a.appid)&secret=\(a.secret)")
        XCTAssertEqual(r.errcode, 40002)
        XCTAssertEqual(server.stats().tokensIssued, 0)
        await server.stop()
    }

    func testTokensAndStableTokenForceRefresh() async throws {
        let (server, client, clock) = try await start()
        let a = server.accounts[1]
        let first = try await client.stableToken(a)
        let t1 = try XCTUnwrap(first.json?["access_token"] as? String)
        XCTAssertEqual(first.json?["expires_in"] as? Int, 7200)
        XCTAssertEqual(first.text, #"{"access_token":"\#(t1)","expires_in":7200}"#)
        clock.advance(seconds: 100)
        // force_refresh false: the same token, with what is left of its life.
        let again = try await client.stableToken(a)
        XCTAssertEqual(again.json?["access_token"] as? String, t1)
        XCTAssertEqual(again.json?["expires_in"] as? Int, 7100)
        // force_refresh true: a new token; the old one keeps working for 300 s, then 40001.
        let refreshed = try await client.stableToken(a, forceRefresh: true)
        let t2 = try XCTUnwrap(refreshed.json?["access_token"] as? String)
        XCTAssertNotEqual(t1, t2)
        let r1 = try await client.datacube(.getusershare, token: t1, begin: yesterday, end: yesterday)
        XCTAssertEqual(r1.errcode, nil)
        clock.advance(seconds: 301)
        let r2 = try await client.datacube(.getusershare, token: t1, begin: yesterday, end: yesterday)
        XCTAssertEqual(r2.errcode, 40001)
        let r3 = try await client.datacube(.getusershare, token: t2, begin: yesterday, end: yesterday)
        XCTAssertNil(r3.errcode)
        XCTAssertEqual(server.stats().tokensIssued, 2)
        await server.stop()
    }

    func testTokenExpiresAfterItsLifetime() async throws {
        let (server, client, clock) = try await start(lifetime: 60)
        let a = server.accounts[0]
        let token = try await client.token(a)
        let ok = try await client.datacube(.getuserread, token: token, begin: yesterday, end: yesterday)
        XCTAssertNotNil(ok.list, ok.text)
        clock.advance(seconds: 59)
        let r4 = try await client.datacube(.getuserread, token: token, begin: yesterday, end: yesterday)
        XCTAssertNotNil(r4.list)
        clock.advance(seconds: 2)
        let r5 = try await client.datacube(.getuserread, token: token, begin: yesterday, end: yesterday)
        XCTAssertEqual(r5.errcode, 42001)
        // A new token works again; stable_token does not hand back the expired one.
        let freshReply = try await client.stableToken(a)
        let fresh = try XCTUnwrap(freshReply.json?["access_token"] as? String)
        XCTAssertNotEqual(fresh, token)
        let r6 = try await client.stableToken(a)
        XCTAssertEqual(r6.json?["expires_in"] as? Int, 60)
        let r7 = try await client.datacube(.getuserread, token: fresh, begin: yesterday, end: yesterday)
        XCTAssertNotNil(r7.list)
        await server.stop()
    }

    func testDatacubeErrorCodes() async throws {
        let (server, client, _) = try await start()
        let token = try await client.token(server.accounts[0])
        func code(_ endpoint: Endpoint, _ begin: String, _ end: String, token t: String? = nil) async throws -> Int? {
            try await client.datacube(endpoint.rawValue, token: t ?? token, body: #"{"begin_date":"\#(begin)","end_date":"\#(end)"}"#).errcode
        }
        let y = yesterday.iso
        // 40001: missing or unknown token.
        var r = try await client.datacube(.getarticlesummary, token: nil, begin: yesterday, end: yesterday)
        XCTAssertEqual(r.status, 200)
        XCTAssertEqual(r.errcode, 40001)
        XCTAssertNotNil(r.json?["errmsg"] as? String)
        r = try await client.datacube(.getarticlesummary, token: "sbx_nonsense", begin: yesterday, end: yesterday)
        XCTAssertEqual(r.errcode, 40001)
        // 47001: malformed bodies.
        for body in ["", "{not json", "[1,2]", #"{"begin_date":"\#(y)"}"#, #"{"begin_date":20260301,"end_date":"\#(y)"}"#] {
            let reply = try await client.datacube("getuserread", token: token, body: body)
            XCTAssertEqual(reply.errcode, 47001, "body \(body): \(reply.text)")
        }
        // 61500: bad date format.
        for bad in ["2026/03/01", "2026-3-1", "2026-02-30", "yesterday", "20260301xx"] {
            let c = try await code(.getuserread, bad, y)
            XCTAssertEqual(c, 61500, bad)
        }
        // 61501: spans over the limit, after yesterday, before 2014-12-01, begin > end.
        let d2 = yesterday.adding(days: -1).iso, d3 = yesterday.adding(days: -2).iso, d4 = yesterday.adding(days: -3).iso
        let d7 = yesterday.adding(days: -6).iso, d8 = yesterday.adding(days: -7).iso
        let spanCases: [(Endpoint, String, Int?)] = [
            (.getarticlesummary, d2, 61501), (.getarticletotal, d2, 61501), (.getuserreadhour, d2, 61501),
            (.getusersharehour, d2, 61501), (.getuserread, d3, nil), (.getuserread, d4, 61501),
            (.getusershare, d7, nil), (.getusershare, d8, 61501),
        ]
        for (endpoint, begin, expected) in spanCases {
            let c = try await code(endpoint, begin, y)
            XCTAssertEqual(c, expected, "\(endpoint) \(begin)...\(y)")
        }
        let todayCode = try await code(.getarticlesummary, today.iso, today.iso)
        XCTAssertEqual(todayCode, 61501, "today is not allowed")
        let earlyCode = try await code(.getarticlesummary, "2014-11-30", "2014-11-30")
        XCTAssertEqual(earlyCode, 61501, "before 2014-12-01")
        let firstDay = try await code(.getarticlesummary, "2014-12-01", "2014-12-01")
        XCTAssertNil(firstDay, "2014-12-01 is the first day with data")
        let reversed = try await code(.getuserread, y, d2)
        XCTAssertEqual(reversed, 61501, "begin > end")
        // 42001 after expiry is in testTokenExpiresAfterItsLifetime; unknown endpoints are not datacube data.
        let r8 = try await client.datacube("getnothing", token: token, body: "{}")
        XCTAssertEqual(r8.errcode, 40066)
        let stats = server.stats()
        XCTAssertEqual(stats.callsByEndpoint["getuserread"], 5 + 5 + 3)
        XCTAssertEqual(stats.datacubeCalls, stats.requestLog.count)
        await server.stop()
    }

    func testQuotaAndNewChinaDayResetsIt() async throws {
        var faults = SandboxFaults.none
        faults.quota = 4
        let (server, client, clock) = try await start(faults: faults)
        let a = server.accounts[0], b = server.accounts[1]
        var token = try await client.token(a)
        for i in 0..<4 {
            let day = yesterday.adding(days: -i)
            let r9 = try await client.datacube(.getarticlesummary, token: token, begin: day, end: day)
            XCTAssertNotNil(r9.list)
        }
        let r10 = try await client.datacube(.getarticlesummary, token: token, begin: yesterday, end: yesterday)
        XCTAssertEqual(r10.errcode, 45009)
        let r11 = try await client.datacube(.getuserread, token: token, begin: yesterday, end: yesterday)
        XCTAssertEqual(r11.errcode, 45009)
        // Another appid has its own quota.
        let other = try await client.token(b)
        let r12 = try await client.datacube(.getuserread, token: other, begin: yesterday, end: yesterday)
        XCTAssertNotNil(r12.list)
        // Past midnight China time the count starts again (the token outlived the day: get a new one).
        clock.advance(seconds: 14 * 3600 + 1)
        token = try await client.token(a)
        let r13 = try await client.datacube(.getarticlesummary, token: token, begin: today, end: today)
        XCTAssertNotNil(r13.list)
        let stats = server.stats()
        XCTAssertEqual(stats.faultsInjected["quota"], 2)
        let perDay = Dictionary(grouping: stats.requestLog.filter { $0.appid == a.appid && $0.outcome.isSuccess }, by: \.day).mapValues(\.count)
        XCTAssertEqual(perDay, [today: 4, today.adding(days: 1): 1])
        await server.stop()
    }

    func testStopIsGracefulAndFreesThePort() async throws {
        var faults = SandboxFaults(slow: 1)
        faults.slowDelaySeconds = 30
        let (server, client, _) = try await start(faults: faults)
        let token = try await client.token(server.accounts[0])
        let day = yesterday
        let slow = Task { try await client.datacube(.getuserread, token: token, begin: day, end: day) }
        // Wait until the slow request is in the server.
        for _ in 0..<200 where server.stats().datacubeCalls == 0 { try await Task.sleep(for: .milliseconds(10)) }
        await server.stop()
        let reply = try await slow.value
        XCTAssertNotNil(reply.list, "a request in progress gets its answer: \(reply.text)")
        do {
            // The client keeps retrying a refused connection until its deadline: keep that short.
            _ = try await client.send(.GET, "/cgi-bin/token", timeoutSeconds: 1)
            XCTFail("the server still answers after stop()")
        } catch {}
    }
}
