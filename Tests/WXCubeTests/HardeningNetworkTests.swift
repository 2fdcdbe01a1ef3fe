import Foundation
import Logging
import WXCubeSandbox
import XCTest

@testable import WXCube

/// Issue 10's network items, against misbehaving HTTP servers over loopback:
/// redirects, trickled bodies, hostile errmsg texts, bad --api-base, SIGTERM.
final class HardeningNetworkTests: XCTestCase {
    typealias S = RunTestSupport
    private var dir: URL!

    override func setUpWithError() throws { dir = try S.tempDir() }
    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: dir) }

    static let secret = "top-secret-value-17"
    static let token = "TOKEN-abcdef-0123456789"
    static let tokenAnswer = MisbehavingServer.Reply.json(#"{"access_token":"\#(token)","expires_in":7200}"#)

    private func spec(store: String, retries: Int = 0, requestTimeout: Double = 60, readTimeout: Double = 10) -> PipelineSpec {
        PipelineSpec(
            name: "hardening",
            accounts: [AccountSpec(name: "main", appid: "wxhardening00001", credential: .secret(Secret(Self.secret)))],
            api: APISpec(
                base: .url("http://127.0.0.1:9"), concurrency: 2, requestsPerSecond: 0, retries: retries,
                connectTimeoutSeconds: 5, readTimeoutSeconds: readTimeout, requestTimeoutSeconds: requestTimeout),
            store: store,
            stages: [.fetch(FetchStageSpec(endpoints: [.getuserread], refetchDays: 0))],
            outputs: [])
    }

    /// A run through the real AsyncHTTPClient transport against `base`.
    private func run(_ spec: PipelineSpec, base: String) async -> RunResult {
        await runner(spec, base: base).run()
    }

    private func runner(_ spec: PipelineSpec, base: String) -> PipelineRunner {
        var logger = Logger(label: "test")
        logger.logLevel = .critical
        let options = RunOptions(
            from: .date(S.day("2026-06-14")), to: .date(S.day("2026-06-14")), apiBase: base,
            now: S.noon, retryBaseDelay: 0.005)
        return PipelineRunner(spec: spec, options: options, logger: logger)
    }

    private func storedDays(_ path: String) throws -> Int {
        try RawStore.openReadOnly(path: path)?.allDays().count ?? 0
    }

    // MARK: 1. redirects

    func testA307FromTheTokenEndpointIsNotFollowedAndTheSecretStaysHome() async throws {
        let thief = try MisbehavingServer { _ in Self.tokenAnswer }
        defer { thief.stop() }
        let location = "\(thief.baseURL)/steal?access_token=LEAKED-QUERY&x=1"
        let server = try MisbehavingServer { _ in .respond(status: 307, headers: [("Location", location)]) }
        defer { server.stop() }
        let store = dir.appendingPathComponent("s.sqlite").path

        let result = await run(spec(store: store), base: server.baseURL)

        XCTAssertEqual(thief.requests.count, 0, "the secret was posted to the Location host")
        XCTAssertEqual(server.requests.map(\.path), ["/cgi-bin/stable_token"], "a redirect is not retried either")
        XCTAssertEqual(result.status, .incomplete)
        let text = result.messages.joined(separator: "\n")
        XCTAssertTrue(text.contains("HTTP 307"), text)
        XCTAssertTrue(text.contains("127.0.0.1:\(thief.port)"), text)
        XCTAssertFalse(text.contains("LEAKED-QUERY") || text.contains("steal"), "the Location's path and query are not shown: \(text)")
        XCTAssertEqual(try storedDays(store), 0)
    }

    func testA302FromADatacubeCallIsNotFollowedAndStoresNothing() async throws {
        let thief = try MisbehavingServer { _ in .json(#"{"list":[]}"#) }
        defer { thief.stop() }
        let server = try MisbehavingServer { r in
            r.path == "/cgi-bin/stable_token"
                ? Self.tokenAnswer
                : .respond(status: 302, headers: [("Location", "\(thief.baseURL)/datacube/getuserread?access_token=x")])
        }
        defer { server.stop() }
        let store = dir.appendingPathComponent("s.sqlite").path

        let result = await run(spec(store: store, retries: 3), base: server.baseURL)

        XCTAssertEqual(thief.requests.count, 0, "the access token was sent to the Location host")
        XCTAssertEqual(result.status, .incomplete)
        let text = result.messages.joined(separator: "\n")
        XCTAssertTrue(text.contains("HTTP 302") && text.contains("127.0.0.1:\(thief.port)"), text)
        XCTAssertEqual(try storedDays(store), 0, "the empty answer of the other host must not become cached days")
    }

    // MARK: 2. trickled bodies

    func testABodyTrickledWithContentLengthEndsAtTheRequestDeadline() async throws {
        try await trickle(chunked: false)
    }

    func testAChunkedBodyTrickledByteByByteEndsAtTheRequestDeadline() async throws {
        try await trickle(chunked: true)
    }

    private func trickle(chunked: Bool) async throws {
        // Every byte arrives well within read_timeout, so only an overall
        // deadline can end the call.
        let body = Data(#"{"list":[\#(String(repeating: " ", count: 5000))]}"#.utf8)
        let server = try MisbehavingServer { r in
            r.path == "/cgi-bin/stable_token" ? Self.tokenAnswer : .trickle(body: body, chunked: chunked, interval: 0.05)
        }
        defer { server.stop() }
        let store = dir.appendingPathComponent("t.sqlite").path
        let spec = spec(store: store, retries: 1, requestTimeout: 1, readTimeout: 5)
        let pipeline = self.runner(spec, base: server.baseURL)
        let runner = Task { await pipeline.run() }
        // A guard against the old behaviour (hanging for ~4 minutes per call), not a timing assertion.
        let guardTask = Task {
            try await Task.sleep(nanoseconds: 120 * 1_000_000_000)
            runner.cancel()
        }
        let result = await runner.value
        guardTask.cancel()
        XCTAssertFalse(result.summary.interrupted, "the run hung until the test's guard cancelled it")
        XCTAssertEqual(result.status, .incomplete)
        XCTAssertEqual(result.exitCode, 3)
        XCTAssertEqual(result.summary.stats.retries[.timeout], 1, "the deadline counts as a timeout and is retried")
        let text = result.messages.joined(separator: "\n")
        XCTAssertTrue(text.contains("gave up after 2 attempts (last: timeout)"), text)
        XCTAssertEqual(server.requests.filter { $0.path != "/cgi-bin/stable_token" }.count, 2)
        XCTAssertEqual(try storedDays(store), 0)
    }

    // MARK: 5. errmsg with secrets and escape codes, through the real CLI

    func testAHostileErrmsgReachesStderrRedactedAndEscaped() async throws {
        let forged = "2026-01-01T00:00:00Z critical wxcube: FORGED LINE"
        let server = try MisbehavingServer { r in
            if r.path == "/cgi-bin/stable_token" { return Self.tokenAnswer }
            let errmsg = "bad token \(Self.token) secret \(Self.secret) \u{1B}[31mred\u{1B}[0m\u{1B}]0;title\u{07}\n\(forged)"
            let data = try? JSONSerialization.data(withJSONObject: ["errcode": 47001, "errmsg": errmsg])
            return .respond(status: 200, headers: [("Content-Type", "application/json")], body: data ?? Data())
        }
        defer { server.stop() }
        let yaml = """
            name: hostile
            accounts:
              - name: main
                appid: wxhardening00001
                secret: ${HARDENING_SECRET}
            api:
              base_url: \(server.baseURL)
              retries: 0
            store: \(dir.appendingPathComponent("h.sqlite").path)
            range: {from: "2026-01-10", to: "2026-01-10"}
            stages:
              - fetch: {endpoints: [getuserread], refetch_days: 0}
            """
        let path = dir.appendingPathComponent("h.yaml")
        try yaml.write(to: path, atomically: true, encoding: .utf8)
        let r = try CLIProcess.run(["run", path.path, "--out", dir.path], environment: ["HARDENING_SECRET": Self.secret])
        XCTAssertEqual(r.status, 3, r.stderr)
        XCTAssertTrue(r.stderr.contains("47001"), r.stderr)
        XCTAssertFalse(r.stderr.contains(Self.token), "token on stderr:\n\(r.stderr)")
        XCTAssertFalse(r.stderr.contains(Self.secret), "secret on stderr:\n\(r.stderr)")
        XCTAssertFalse(r.stderr.unicodeScalars.contains("\u{1B}"), "an ANSI escape reached stderr")
        XCTAssertFalse(r.stderr.unicodeScalars.contains("\u{07}"))
        for line in r.stderr.split(separator: "\n") {
            XCTAssertFalse(line.hasPrefix("2026-01-01T00:00:00Z"), "a forged log line: \(line)")
        }
        XCTAssertTrue(r.stderr.contains("\\n" + forged), "the newline is shown escaped, inside the real line:\n\(r.stderr)")
    }

    // MARK: 13. a network failure is not "WeChat refused the call"

    func testAnUnreachableTokenEndpointIsNamedAsANetworkFailure() async throws {
        // A port nothing listens on: every connection is refused.
        let closed = try MisbehavingServer { _ in Self.tokenAnswer }
        let base = closed.baseURL
        closed.stop()
        let result = await run(spec(store: dir.appendingPathComponent("u.sqlite").path, retries: 1), base: base)
        XCTAssertEqual(result.status, .incomplete)
        let text = result.messages.joined(separator: "\n")
        XCTAssertTrue(text.contains("no access token after 2 attempts (last: connection error)"), text)
        XCTAssertFalse(text.contains("WeChat refused"), text)
    }

    // MARK: 8. --api-base

    func testBadApiBaseIsAUsageErrorAndSandboxMeansTheSandbox() async throws {
        let yaml = """
            name: apibase
            accounts:
              - name: main
                appid: wx0000000000000001
                secret: sandbox-secret-1
            api:
              base_url: http://127.0.0.1:9
              retries: 0
            store: \(dir.appendingPathComponent("a.sqlite").path)
            range: {from: "-2d", to: "-30d"}
            stages:
              - fetch: {endpoints: [getuserread], refetch_days: 0}
            """
        let path = dir.appendingPathComponent("a.yaml")
        try yaml.write(to: path, atomically: true, encoding: .utf8)
        for bad in ["not a url", "ftp://x", ""] {
            let r = try CLIProcess.run(["run", path.path, "--api-base", bad, "--out", dir.path])
            XCTAssertEqual(r.status, 2, "--api-base '\(bad)': \(r.stderr)")
            XCTAssertTrue(r.stderr.contains("--api-base"), r.stderr)
            XCTAssertFalse(r.stderr.contains("run again"), r.stderr)
        }
        let r = try CLIProcess.run(["run", path.path, "--api-base", "sandbox", "--out", dir.path])
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertTrue(r.stderr.contains("sandbox: simulated datacube API listening"), r.stderr)
    }

    // MARK: 9. SIGTERM

    func testSigtermStopsCleanlyPrintsTheSummaryAndExits3() async throws {
        let sandbox = try await SandboxServer.start(SandboxConfiguration(seed: 5, accounts: 1))
        let store = dir.appendingPathComponent("term.sqlite").path
        let yaml = """
            name: term
            accounts:
              - name: main
                appid: wx0000000000000001
                secret: sandbox-secret-1
            api:
              base_url: \(sandbox.baseURL)
              concurrency: 1
              requests_per_second: 4
            store: \(store)
            range: {from: "-60d", to: "-30d"}
            stages:
              - fetch: {endpoints: [getarticlesummary], refetch_days: 0}
            outputs:
              - dataset: article_summary
                format: csv
                path: summary.csv
            """
        let path = dir.appendingPathComponent("term.yaml")
        try yaml.write(to: path, atomically: true, encoding: .utf8)
        let log = dir.appendingPathComponent("term.log")
        _ = FileManager.default.createFile(atPath: log.path, contents: nil)
        let p = Process()
        p.executableURL = CLIProcess.binary
        p.arguments = ["run", path.path, "--out", dir.appendingPathComponent("out").path]
        p.standardOutput = FileHandle.nullDevice
        p.standardError = try FileHandle(forWritingTo: log)
        try p.run()
        // Wait until a few windows are stored, then send SIGTERM.
        var stored = 0
        for _ in 0..<600 where stored < 3 {
            try await Task.sleep(nanoseconds: 50_000_000)
            stored = (try? RawStore.openReadOnly(path: store)?.allDays().count) ?? 0
        }
        XCTAssertGreaterThanOrEqual(stored, 3)
        kill(p.processIdentifier, SIGTERM)
        p.waitUntilExit()
        await sandbox.stop()
        let text = try String(contentsOf: log, encoding: .utf8)
        XCTAssertEqual(p.terminationReason, .exit, "killed by the signal instead of stopping cleanly:\n\(text)")
        XCTAssertEqual(p.terminationStatus, 3, text)
        XCTAssertTrue(text.contains("interrupted (SIGTERM)"), text)
        XCTAssertTrue(text.contains("summary: calls:"), text)
        XCTAssertTrue(text.contains("(interrupted)"), text)
        XCTAssertFalse(FileManager.default.fileExists(atPath: dir.appendingPathComponent("out/summary.csv").path))
        // The store is consistent: every stored day points to a stored response.
        let days = try XCTUnwrap(RawStore.openReadOnly(path: store)).allDays()
        XCTAssertGreaterThanOrEqual(days.count, stored)
    }
}
