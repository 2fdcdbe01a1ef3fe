import AsyncHTTPClient
import Foundation
import WXCubeSandbox
import XCTest

@testable import WXCube

/// `wxcube run` as a child process (the built binary) against a sandbox in this process.
final class RunCLITests: XCTestCase {
    typealias S = RunTestSupport
    private var dir: URL!

    override func setUpWithError() throws { dir = try S.tempDir() }
    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: dir) }

    /// The `wxcube` executable built next to the test bundle.
    private func binary() throws -> URL {
        let bundle = Bundle(for: RunCLITests.self).bundleURL
        let candidates = [
            bundle.deletingLastPathComponent().appendingPathComponent("wxcube"),
            Bundle.main.bundleURL.appendingPathComponent("wxcube"),
            bundle.deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("wxcube"),
        ]
        for c in candidates where FileManager.default.isExecutableFile(atPath: c.path) { return c }
        XCTFail("no wxcube binary next to \(bundle.path): run `swift build` first")
        throw XCTSkip("wxcube binary missing")
    }

    private let secret = "sandbox-secret-1"

    /// A pipeline for sandbox account 1: getarticlesummary + getuserread over
    /// `days` days ending 30 days ago (settled: no refetch window).
    private func pipeline(baseURL: String, store: String, rps: Int, days: Int) throws -> String {
        let yaml = """
            version: 1
            name: cli-test
            accounts:
              - name: main
                appid: wx0000000000000001
                secret: ${WXCUBE_TEST_SECRET}
            api:
              base_url: \(baseURL)
              concurrency: 4
              requests_per_second: \(rps)
              retries: 10
              read_timeout: 5
            store: \(store)
            range:
              from: -\(days - 1)d
              to: -30d
            stages:
              - fetch:
                  endpoints: [getarticlesummary, getuserread]
                  refetch_days: 0
            outputs:
              - dataset: user_read
                format: csv
                path: "user_read.csv"
            """
        let path = dir.appendingPathComponent("p-\(UUID().uuidString).yaml").path
        try yaml.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    private func launch(_ args: [String], stderrTo log: URL) throws -> Process {
        _ = FileManager.default.createFile(atPath: log.path, contents: nil)
        let p = Process()
        p.executableURL = try binary()
        p.arguments = args
        p.currentDirectoryURL = dir
        var env = ProcessInfo.processInfo.environment
        env["WXCUBE_TEST_SECRET"] = secret
        p.environment = env
        p.standardOutput = FileHandle.nullDevice
        p.standardError = try FileHandle(forWritingTo: log)
        p.standardInput = FileHandle.nullDevice
        try p.run()
        return p
    }

    private func runToEnd(_ args: [String], log: URL) throws -> Int32 {
        let p = try launch(args, stderrTo: log)
        p.waitUntilExit()
        return p.terminationStatus
    }

    func testKilledRunThenRerunGivesTheSameStoreAsAnUninterruptedRun() async throws {
        let sandbox = try await SandboxServer.start(SandboxConfiguration(seed: 11, accounts: 1))
        // 40 summary days + 14 userread windows = 54 calls.
        let reference = dir.appendingPathComponent("reference.sqlite").path
        let refPipeline = try pipeline(baseURL: sandbox.baseURL, store: reference, rps: 0, days: 40)
        XCTAssertEqual(
            try runToEnd(["run", refPipeline], log: dir.appendingPathComponent("ref.log")), 0,
            (try? String(contentsOf: dir.appendingPathComponent("ref.log"), encoding: .utf8)) ?? "")

        let killed = dir.appendingPathComponent("killed.sqlite").path
        let slowPipeline = try pipeline(baseURL: sandbox.baseURL, store: killed, rps: 15, days: 40)
        let child = try launch(["run", slowPipeline], stderrTo: dir.appendingPathComponent("killed.log"))
        var storedBeforeKill = 0
        for _ in 0..<200 {
            try await Task.sleep(nanoseconds: 50_000_000)
            storedBeforeKill = (try? RawStore.openReadOnly(path: killed)?.allDays().count) ?? 0
            if storedBeforeKill >= 8 { break }
        }
        kill(child.processIdentifier, SIGKILL)
        child.waitUntilExit()
        XCTAssertEqual(child.terminationReason, .uncaughtSignal)
        let afterKill = try XCTUnwrap(try RawStore.openReadOnly(path: killed)).allDays().count
        XCTAssertGreaterThan(afterKill, 0)
        XCTAssertLessThan(afterKill, 80, "killed midway")

        let fastPipeline = try pipeline(baseURL: sandbox.baseURL, store: killed, rps: 0, days: 40)
        XCTAssertEqual(try runToEnd(["run", fastPipeline], log: dir.appendingPathComponent("rerun.log")), 0)

        let days = try XCTUnwrap(try RawStore.openReadOnly(path: killed)).allDays()
        let keys = days.map { "\($0.storeKey) \($0.endpoint) \($0.day)" }
        XCTAssertEqual(Set(keys).count, keys.count, "no duplicate days")
        XCTAssertEqual(days.count, 80)
        XCTAssertEqual(try S.content(ofStoreAt: killed), try S.content(ofStoreAt: reference))
        await sandbox.stop()
    }

    func testSecretAndTokenNeverReachStderrTheStoreOrOutputs() async throws {
        var faults = SandboxFaults()
        faults.busy = 0.3
        let sandbox = try await SandboxServer.start(SandboxConfiguration(seed: 12, accounts: 1, faults: faults))
        let store = dir.appendingPathComponent("secret.sqlite").path
        let out = dir.appendingPathComponent("out")
        let path = try pipeline(baseURL: sandbox.baseURL, store: store, rps: 0, days: 10)
        let log = dir.appendingPathComponent("secret.log")
        let status = try runToEnd(["run", path, "--log-level", "debug", "--out", out.path], log: log)
        let stderr = try String(contentsOf: log, encoding: .utf8)
        XCTAssertEqual(status, 0, stderr)

        // The token the run used: stable_token without force_refresh hands out the same one.
        let token = try await currentToken(sandbox)
        await sandbox.stop()
        XCTAssertGreaterThan(token.count, 8)

        XCTAssertTrue(stderr.contains("access_token=***"), "retry logs show the URL with the token masked")
        XCTAssertTrue(stderr.contains("summary: "), "a final summary is printed")
        XCTAssertFalse(stderr.contains(secret))
        XCTAssertFalse(stderr.contains(token))

        var files = [store, store + "-wal", store + "-shm"].filter { FileManager.default.fileExists(atPath: $0) }
        if let e = FileManager.default.enumerator(atPath: out.path) {
            for case let f as String in e { files.append(out.appendingPathComponent(f).path) }
        }
        XCTAssertFalse(files.isEmpty)
        for f in files {
            var isDir: ObjCBool = false
            guard FileManager.default.fileExists(atPath: f, isDirectory: &isDir), !isDir.boolValue else { continue }
            let bytes = try Data(contentsOf: URL(fileURLWithPath: f))
            XCTAssertNil(bytes.range(of: Data(secret.utf8)), "secret in \(f)")
            XCTAssertNil(bytes.range(of: Data(token.utf8)), "token in \(f)")
        }
    }

    func testRunExitCodesAndUsageErrors() async throws {
        let sandbox = try await SandboxServer.start(SandboxConfiguration(seed: 13, accounts: 1))
        let path = try pipeline(baseURL: sandbox.baseURL, store: dir.appendingPathComponent("e.sqlite").path, rps: 0, days: 5)
        let log = dir.appendingPathComponent("e.log")
        XCTAssertEqual(try runToEnd(["run", path, "--log-level", "loud"], log: log), 2, "bad usage")
        XCTAssertEqual(try runToEnd(["run", path, "--from", "2020-02-10", "--to", "2020-02-01"], log: log), 2)
        XCTAssertTrue(try String(contentsOf: log, encoding: .utf8).contains("after to"))
        XCTAssertEqual(try runToEnd(["run", path, "--offline"], log: log), 3, "offline without a store")
        XCTAssertEqual(try runToEnd(["run", path], log: log), 0)
        XCTAssertEqual(try runToEnd(["run", path, "--offline"], log: log), 0)
        await sandbox.stop()
    }

    private func currentToken(_ sandbox: SandboxServer) async throws -> String {
        let client = HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup)
        var request = HTTPClientRequest(url: sandbox.baseURL + "/cgi-bin/stable_token")
        request.method = .POST
        request.body = .bytes(Data(#"{"grant_type":"client_credential","appid":"wx0000000000000001","secret":"sandbox-secret-1","force_refresh":false}"#.utf8))
        let data: Data
        do {
            let response = try await client.execute(request, timeout: .seconds(10))
            data = Data(try await response.body.collect(upTo: 1 << 16).readableBytesView)
        } catch {
            try await client.shutdown()
            throw error
        }
        try await client.shutdown()
        let object = try XCTUnwrap(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        return try XCTUnwrap(object["access_token"] as? String)
    }
}
