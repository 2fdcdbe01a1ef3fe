import Foundation
import Logging
import XCTest

@testable import WXCube

final class FetchUnitTests: XCTestCase {
    private let logger = Logger(label: "test")

    private func day(_ s: String) throws -> Day { try XCTUnwrap(Day(iso: s)) }

    private func call(_ b: String, _ e: String, endpoint: Endpoint = .getuserread) throws -> PlannedCall {
        PlannedCall(account: "main", storeKey: "wx1", endpoint: endpoint, begin: try day(b), end: try day(e), cached: false)
    }

    private func session(
        _ transport: any HTTPTransport, credential: Credential = .secret(Secret("top-secret-value")),
        retries: Int = 3
    ) -> (AccountSession, DatacubeClient, FetchStats) {
        let account = AccountSpec(name: "main", appid: "wx1", credential: credential)
        let policy = RetryPolicy(retries: retries, baseDelay: 0.001)
        let stats = FetchStats()
        let tokens = TokenProvider(account: account, baseURL: "http://x", transport: transport, policy: policy)
        let s = AccountSession(account: account, tokens: tokens, limiter: RateLimiter(requestsPerSecond: 0))
        return (s, DatacubeClient(baseURL: "http://x/", transport: transport, policy: policy, stats: stats, logger: logger), stats)
    }

    private static let tokenOK = ScriptedTransport.json(#"{"access_token":"TOKEN-1","expires_in":7200}"#)

    // MARK: response reading

    func testResponseSplitsByRefDateAndDropsRowsOutsideTheWindow() throws {
        let body = Data(#"{"list":[{"ref_date":"2024-03-01","x":1},{"ref_date":"2024-03-01"},{"ref_date":"2024-03-05"},{"foo":1}],"extra":true}"#.utf8)
        let answer = DatacubeAnswerReader.read(body, begin: try day("2024-03-01"), end: try day("2024-03-03"))
        XCTAssertEqual(
            answer,
            .rows(
                rowCounts: [try day("2024-03-01"): 2, try day("2024-03-02"): 0, try day("2024-03-03"): 0],
                dropped: ["2024-03-05", "(none)"], isDelay: nil))
    }

    func testResponseErrorsAndMalformedBodies() throws {
        let d = try day("2024-03-01")
        XCTAssertEqual(
            DatacubeAnswerReader.read(Data(#"{"errcode":45009,"errmsg":"reach max api daily quota limit"}"#.utf8), begin: d, end: d),
            .apiError(code: 45009, message: "reach max api daily quota limit"))
        if case .malformed = DatacubeAnswerReader.read(Data(#"{"list":[{"ref_date":"2024-03-01""#.utf8), begin: d, end: d) {
        } else {
            XCTFail("a truncated body is malformed")
        }
        if case .malformed = DatacubeAnswerReader.read(Data(#"{"errcode":0}"#.utf8), begin: d, end: d) {
        } else {
            XCTFail("a body without list is malformed")
        }
        XCTAssertEqual(DatacubeAnswerReader.read(Data(#"{"list":[]}"#.utf8), begin: d, end: d), .rows(rowCounts: [d: 0], dropped: [], isDelay: nil))
        // Lenient like the transform: an element that is not an object is dropped, not a broken answer.
        XCTAssertEqual(
            DatacubeAnswerReader.read(Data(#"{"list":[{"ref_date":"2024-03-01","x":1},7,null],"extra":true}"#.utf8), begin: d, end: d),
            .rows(rowCounts: [d: 1], dropped: ["(none)", "(none)"], isDelay: nil))
    }

    // MARK: retries

    func testRetriesBusy5xxTruncatedAndTimeoutsThenSucceeds() async throws {
        let transport = ScriptedTransport { url, _, n in
            if url.contains("stable_token") { return Self.tokenOK }
            switch n {
            case 1: return ScriptedTransport.json(#"{"errcode":-1,"errmsg":"system error"}"#)
            case 2: return ScriptedTransport.json("oops", status: 502)
            case 3: return ScriptedTransport.json(#"{"list":[{"ref"#)
            case 4: throw TransportError.timeout("read")
            default: return ScriptedTransport.json(#"{"list":[{"ref_date":"2024-03-02"}]}"#)
            }
        }
        let (s, client, stats) = session(transport, retries: 5)
        let w = try await client.fetch(try call("2024-03-01", "2024-03-03"), session: s, fetchedAt: { Date() })
        XCTAssertEqual(w.rowCounts[try day("2024-03-02")], 1)
        XCTAssertEqual(w.rowCounts[try day("2024-03-01")], 0)
        let snap = stats.snapshot
        XCTAssertEqual(snap.requests, 5)
        XCTAssertEqual(snap.retries, [.busy: 1, .http5xx: 1, .malformed: 1, .timeout: 1])
        let datacube = transport.requests.filter { $0.url.contains("/datacube/getuserread?access_token=TOKEN-1") }
        XCTAssertEqual(datacube.count, 5)
        XCTAssertEqual(datacube.first?.body, #"{"begin_date":"2024-03-01","end_date":"2024-03-03"}"#)
    }

    func testWindowFailsAfterTheLastRetry() async throws {
        let transport = ScriptedTransport { url, _, _ in
            url.contains("stable_token") ? Self.tokenOK : ScriptedTransport.json(#"{"errcode":-1,"errmsg":"busy"}"#)
        }
        let (s, client, stats) = session(transport, retries: 2)
        do {
            _ = try await client.fetch(try call("2024-03-01", "2024-03-01"), session: s, fetchedAt: { Date() })
            XCTFail("expected a failure")
        } catch let f as WindowFailure {
            XCTAssertEqual(f, .retriesExhausted(call: "main getuserread 2024-03-01..2024-03-01", attempts: 3, lastCause: RetryCause.busy.rawValue))
        }
        XCTAssertEqual(stats.snapshot.requests, 3)
        XCTAssertNil(s.failure, "a failed window does not stop the account")
    }

    func testFatalQuotaAndPlannerBugAnswers() async throws {
        for code in [40164, 45009, 61501] {
            let transport = ScriptedTransport { url, _, _ in
                url.contains("stable_token") ? Self.tokenOK : ScriptedTransport.json(#"{"errcode":\#(code),"errmsg":"m"}"#)
            }
            let (s, client, stats) = session(transport)
            do {
                _ = try await client.fetch(try call("2024-03-01", "2024-03-01"), session: s, fetchedAt: { Date() })
                XCTFail("expected a failure for \(code)")
            } catch {
                switch (code, error) {
                case let (40164, AccountFailure.fatal(_, c, _, hint)):
                    XCTAssertEqual(c, 40164)
                    XCTAssertTrue(hint.contains("whitelist"), hint)
                case (45009, AccountFailure.quotaExhausted):
                    break
                case let (61501, WindowFailure.plannerBug(_, c, _, request)):
                    XCTAssertEqual(c, 61501)
                    XCTAssertTrue(request.contains("access_token=***"), request)
                    XCTAssertFalse(request.contains("TOKEN-1"), request)
                    XCTAssertTrue(request.contains("2024-03-01"), request)
                default:
                    XCTFail("\(code): unexpected \(error)")
                }
            }
            XCTAssertEqual(stats.snapshot.requests, 1, "\(code) is never retried")
        }
    }

    func testPerMinuteQuotaSlowsTheAccountAndRetries() async throws {
        let transport = ScriptedTransport { url, _, n in
            if url.contains("stable_token") { return Self.tokenOK }
            return n == 1
                ? ScriptedTransport.json(#"{"errcode":45011,"errmsg":"api minute-quota reach limit"}"#)
                : ScriptedTransport.json(#"{"list":[]}"#)
        }
        let (s, client, stats) = session(transport)
        _ = try await client.fetch(try call("2024-03-01", "2024-03-01"), session: s, fetchedAt: { Date() })
        XCTAssertEqual(stats.snapshot.retries[.rateLimited], 1)
        let rate = await s.limiter.requestsPerSecond
        XCTAssertEqual(rate, 1, "an unlimited account drops to 1 call/s after 45011")
    }

    // MARK: tokens

    func testExpiredTokenGetsANewOneThenAForcedOneThenFailsTheAccount() async throws {
        let transport = ScriptedTransport { url, body, n in
            if url.contains("stable_token") {
                return ScriptedTransport.json(#"{"access_token":"TOKEN-\#(n)","expires_in":7200}"#)
            }
            return ScriptedTransport.json(#"{"errcode":42001,"errmsg":"access_token expired"}"#)
        }
        let (s, client, _) = session(transport)
        do {
            _ = try await client.fetch(try call("2024-03-01", "2024-03-01"), session: s, fetchedAt: { Date() })
            XCTFail("expected the account to fail")
        } catch let f as AccountFailure {
            guard case .tokenRejected = f else { return XCTFail("\(f)") }
        }
        let tokenBodies = transport.requests.filter { $0.url.contains("stable_token") }.map(\.body)
        XCTAssertEqual(tokenBodies.count, 3)
        XCTAssertTrue(tokenBodies[0].contains(#""force_refresh":false"#))
        XCTAssertTrue(tokenBodies[1].contains(#""force_refresh":false"#))
        XCTAssertTrue(tokenBodies[2].contains(#""force_refresh":true"#))
        let used = transport.requests.filter { $0.url.contains("datacube") }.map(\.url)
        XCTAssertEqual(used.map { String($0.split(separator: "=").last ?? "") }, ["TOKEN-1", "TOKEN-2", "TOKEN-3"])
    }

    func testExpiredTokenRetriesOnceWithANewToken() async throws {
        let transport = ScriptedTransport { url, _, n in
            if url.contains("stable_token") { return ScriptedTransport.json(#"{"access_token":"TOKEN-\#(n)","expires_in":7200}"#) }
            return url.hasSuffix("TOKEN-1")
                ? ScriptedTransport.json(#"{"errcode":40001,"errmsg":"invalid credential"}"#)
                : ScriptedTransport.json(#"{"list":[]}"#)
        }
        let (s, client, stats) = session(transport)
        _ = try await client.fetch(try call("2024-03-01", "2024-03-01"), session: s, fetchedAt: { Date() })
        XCTAssertEqual(stats.snapshot.retries[.tokenExpired], 1)
    }

    func testConcurrentCallersShareOneTokenRefresh() async throws {
        let transport = ScriptedTransport { url, _, n in
            if url.contains("stable_token") { return ScriptedTransport.json(#"{"access_token":"TOKEN-\#(n)","expires_in":7200}"#) }
            return ScriptedTransport.json(#"{"list":[]}"#)
        }
        let account = AccountSpec(name: "main", appid: "wx1", credential: .secret(Secret("s3cr3t")))
        let provider = TokenProvider(account: account, baseURL: "http://x", transport: transport, policy: RetryPolicy(retries: 0))
        let tokens = try await withThrowingTaskGroup(of: String.self) { group in
            for _ in 0..<20 { group.addTask { try await provider.token().token.value } }
            return try await group.reduce(into: Set<String>()) { $0.insert($1) }
        }
        XCTAssertEqual(tokens, ["TOKEN-1"])
        let fetches = await provider.fetches
        XCTAssertEqual(fetches, 1)
        XCTAssertEqual(transport.requests.count, 1)
    }

    func testTokenIsCachedUntilFiveMinutesBeforeExpiry() async throws {
        let transport = ScriptedTransport { _, _, n in ScriptedTransport.json(#"{"access_token":"T\#(n)","expires_in":7200}"#) }
        let clock = Locked(Date(timeIntervalSince1970: 1_000_000))
        let account = AccountSpec(name: "main", appid: "wx1", credential: .secret(Secret("s3cr3t")))
        let provider = TokenProvider(
            account: account, baseURL: "http://x", transport: transport, policy: RetryPolicy(retries: 0),
            clock: { clock.current })
        let first = try await provider.token().token.value
        clock.withLock { $0 = $0.addingTimeInterval(7200 - 301) }
        let second = try await provider.token().token.value
        XCTAssertEqual(first, second)
        clock.withLock { $0 = $0.addingTimeInterval(2) }
        let third = try await provider.token().token.value
        XCTAssertEqual(third, "T2")
    }

    func testReadyAccessTokenExpiryFailsTheAccountAskingToRenewUpstream() async throws {
        let transport = ScriptedTransport { _, _, _ in ScriptedTransport.json(#"{"errcode":42001,"errmsg":"access_token expired"}"#) }
        let (s, client, _) = session(transport, credential: .accessToken(Secret("READY-TOKEN")))
        do {
            _ = try await client.fetch(try call("2024-03-01", "2024-03-01"), session: s, fetchedAt: { Date() })
            XCTFail("expected the account to fail")
        } catch let f as AccountFailure {
            guard case .accessTokenRejected = f else { return XCTFail("\(f)") }
            XCTAssertTrue(f.description.contains("renew it upstream"), f.description)
            XCTAssertFalse(f.description.contains("READY-TOKEN"))
        }
        XCTAssertFalse(transport.requests.contains { $0.url.contains("stable_token") })
        XCTAssertEqual(transport.requests.count, 1)
    }

    func testWrongSecretFailsTheAccountWithAHint() async throws {
        let transport = ScriptedTransport { _, _, _ in ScriptedTransport.json(#"{"errcode":40125,"errmsg":"invalid appsecret"}"#) }
        let (s, client, _) = session(transport)
        do {
            _ = try await client.fetch(try call("2024-03-01", "2024-03-01"), session: s, fetchedAt: { Date() })
            XCTFail("expected the account to fail")
        } catch let f as AccountFailure {
            guard case .fatal(_, 40125, _, _) = f else { return XCTFail("\(f)") }
            XCTAssertFalse(f.description.contains("top-secret-value"))
        }
    }

    // MARK: rate limit, redaction, scheduling

    func testRateLimiterSpacesCalls() async throws {
        let limiter = RateLimiter(requestsPerSecond: 20)
        let start = ContinuousClock.now
        for _ in 0..<11 { try await limiter.acquire() }
        let elapsed = ContinuousClock.now - start
        XCTAssertGreaterThanOrEqual(elapsed, .milliseconds(480), "10 intervals of 50 ms")
    }

    func testRedactorMasksTokens() {
        XCTAssertEqual(
            Redactor.redactURL("POST http://h/datacube/x?access_token=ABC.def-1&y=2 failed"),
            "POST http://h/datacube/x?access_token=***&y=2 failed")
        XCTAssertEqual(Redactor.redactURL("a access_token=X b access_token=Y"), "a access_token=*** b access_token=***")
        XCTAssertEqual(Redactor.redact("secret is hunter22", secrets: ["hunter22"]), "secret is ***")
    }

    func testInterleavingAlternatesAccounts() throws {
        let a1 = try call("2024-03-01", "2024-03-01"), a2 = try call("2024-03-02", "2024-03-02")
        var b1 = a1
        b1.account = "b"
        let out = WindowFetcher.interleaved([a1, a2, b1])
        XCTAssertEqual(out.map(\.account), ["main", "b", "main"])
    }

    func testRetryDelaysAreBoundedFullJitter() {
        let p = RetryPolicy(retries: 5, baseDelay: 0.5, maxDelay: 4)
        for attempt in 0..<8 {
            let d = p.delay(attempt: attempt)
            XCTAssertGreaterThanOrEqual(d, 0)
            XCTAssertLessThanOrEqual(d, min(4, 0.5 * pow(2, Double(attempt))))
        }
    }
}
