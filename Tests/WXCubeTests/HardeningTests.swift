import Foundation
import Logging
import WXCubeSandbox
import XCTest

@testable import WXCube

/// Issue 10's items that need no misbehaving server: store keys, YAML
/// errors, bad rows, the store lock, the output set, paths, validate.
final class HardeningTests: XCTestCase {
    typealias S = RunTestSupport
    private var dir: URL!

    override func setUpWithError() throws { dir = try S.tempDir() }
    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: dir) }

    private var quietLogger: Logger {
        var logger = Logger(label: "test")
        logger.logLevel = .critical
        return logger
    }

    private func parse(_ yaml: String, env: [String: String] = [:]) -> [SpecDiagnostic] {
        do {
            _ = try SpecLoader.parse(yaml, file: "p.yaml", environment: env, now: S.noon)
            return []
        } catch let e as SpecError {
            return e.diagnostics
        } catch {
            XCTFail("unexpected \(error)")
            return []
        }
    }

    private func options(
        offline: Bool = false, out: URL? = nil, apiBase: String? = nil, store: String? = nil,
        from: String = "2026-06-14", to: String = "2026-06-14"
    ) -> RunOptions {
        RunOptions(
            from: .date(S.day(from)), to: .date(S.day(to)), apiBase: apiBase, outDirectory: (out ?? dir).path,
            storePath: store, offline: offline, now: S.noon, retryBaseDelay: 0.005)
    }

    // MARK: 3. the store is keyed by appid

    func testAReadyTokenAccountNeedsItsAppid() {
        let d = parse(
            """
            accounts:
              - name: central
                access_token: ready-token-value-1
            stages:
              - fetch: {endpoints: [getuserread]}
            """)
        XCTAssertTrue(d.contains { $0.line == 2 && $0.message.contains("access_token needs appid") }, "\(d)")
    }

    func testANameReusedForAnotherAppidIsAClearErrorNotAMix() async throws {
        let sandbox = try await SandboxServer.start(SandboxConfiguration(seed: 3, accounts: 2, now: { S.noon }))
        let store = dir.appendingPathComponent("k.sqlite").path
        var first = S.spec([sandbox.accounts[0]], endpoints: [.getuserread], store: store)
        first.accounts[0].name = "main"
        let ok = await S.run(first, sandbox: sandbox, from: "2026-06-12", to: "2026-06-14")
        XCTAssertEqual(ok.status, .complete, "\(ok.messages)")
        let before = try S.content(ofStoreAt: store)

        var second = S.spec([sandbox.accounts[1]], endpoints: [.getuserread], store: store)
        second.accounts[0].name = "main"
        let refused = await S.run(second, sandbox: sandbox, from: "2026-06-12", to: "2026-06-14")
        await sandbox.stop()
        XCTAssertEqual(refused.status, .badUsage)
        let text = refused.messages.joined(separator: "\n")
        XCTAssertTrue(text.contains("'main' under appid \(sandbox.accounts[0].appid)"), text)
        XCTAssertTrue(text.contains("now gives it appid \(sandbox.accounts[1].appid)"), text)
        XCTAssertEqual(try S.content(ofStoreAt: store), before, "nothing was fetched or stored")
    }

    func testDaysAStoreKeptUnderAnAccountNameAreNotServedToAnAppid() async throws {
        // A store from before appid keys: a ready-token account's days under its name.
        let path = dir.appendingPathComponent("legacy.sqlite").path
        let legacy = try RawStore(path: path)
        try await legacy.commit(
            FetchedWindow(
                storeKey: "central", endpoint: .getuserread, begin: S.day("2026-06-12"), end: S.day("2026-06-14"),
                body: Data(#"{"list":[]}"#.utf8), rowCounts: [:], fetchedAt: S.noon))
        let spec = PipelineSpec(
            name: "legacy",
            accounts: [AccountSpec(name: "central", appid: "wxother000000001", credential: .accessToken(Secret("another-token")))],
            store: path, stages: [.fetch(FetchStageSpec(endpoints: [.getuserread], refetchDays: 0))], outputs: [])
        let result = await PipelineRunner(spec: spec, options: options(offline: true, from: "2026-06-12"), logger: quietLogger).run()
        XCTAssertEqual(result.status, .incomplete, "the name-keyed days must not count as this appid's")
        XCTAssertTrue(result.messages.joined().contains("3 day(s) are not in the store"), "\(result.messages)")
    }

    // MARK: 4. YAML errors

    func testADuplicatedKeyIsReportedAtItsLineWithoutEchoingTheFile() {
        let d = parse(
            """
            name: dup
            accounts:
              - name: main
                appid: wx1
                secret: literal-secret-value-999
            api:
              retries: 2
              retries: 3
            stages:
              - fetch: {endpoints: [getuserread]}
            """)
        XCTAssertEqual(d.count, 1, "\(d)")
        XCTAssertEqual(d.first?.line, 8)
        XCTAssertEqual(d.first?.column, 3)
        XCTAssertTrue(d.first?.message.contains("duplicate key 'retries' (first at line 7)") ?? false, "\(d)")
        XCTAssertFalse(d.map(\.description).joined().contains("literal-secret-value-999"))
    }

    func testAControlCharacterIsReportedAtItsPlaceWithoutEchoingTheLine() {
        let d = parse("name: ctl\naccounts:\n  - name: main\n    appid: wx1\n    secret: literal-secret-value-999\u{07}\n")
        XCTAssertEqual(d.count, 1, "\(d)")
        XCTAssertEqual(d.first?.line, 5)
        XCTAssertEqual(d.first?.column, 37)
        XCTAssertTrue(d.first?.message.contains("U+0007") ?? false, "\(d)")
        XCTAssertFalse(d.map(\.description).joined().contains("literal-secret"), "\(d)")
    }

    // MARK: 13. the YAML reader stays linear

    func testAMappingWithHundredsOfThousandsOfKeysIsChecked() {
        var yaml = "name: big\naccounts: []\napi:\n"
        yaml.reserveCapacity(5_000_000)
        for i in 0..<300_000 { yaml += "  key\(i): 1\n" }
        let d = parse(yaml)
        XCTAssertTrue(d.contains { $0.message.contains("accounts: the list is empty") })
        let unknown = d.filter { $0.message.contains("unknown key '") }
        XCTAssertEqual(unknown.count, 20, "the first 20 unknown keys are named")
        XCTAssertTrue(d.contains { $0.message.contains("299980 more unknown keys") }, "\(d.suffix(3))")
    }

    // MARK: 6. bad rows in answers

    func testDuplicateAndKeylessRowsKeepOneRowPerKeyAndAreCounted() async throws {
        let path = dir.appendingPathComponent("bad.sqlite").path
        let store = try RawStore(path: path)
        let d = "2026-06-14"
        let summary = """
            {"list":[
              {"ref_date":"\(d)","msgid":"100_1","user_source":0,"title":"first","int_page_read_user":5},
              {"ref_date":"\(d)","msgid":"100_1","user_source":0,"title":"again","int_page_read_user":9},
              {"ref_date":"\(d)","user_source":0,"title":"no msgid","int_page_read_user":1},
              {"ref_date":"\(d)","msgid":"200_1","user_source":0,"title":"other","int_page_read_user":2}
            ]}
            """
        let total = """
            {"list":[
              {"ref_date":"\(d)","msgid":"100_1","title":"first","user_source":0,"details":[
                {"stat_date":"\(d)","target_user":10,"int_page_read_user":5},
                {"stat_date":"\(d)","target_user":10,"int_page_read_user":7}]},
              {"ref_date":"\(d)","msgid":"100_1","title":"again","user_source":0,"details":[
                {"stat_date":"\(d)","target_user":10,"int_page_read_user":8}]}
            ]}
            """
        try await store.commit(
            FetchedWindow(
                storeKey: "wxbad00000000001", endpoint: .getarticlesummary, begin: S.day(d), end: S.day(d),
                body: Data(summary.utf8), rowCounts: [S.day(d): 4], fetchedAt: S.noon))
        for offset in -6...0 {
            let day = S.day(d).adding(days: offset)
            try await store.commit(
                FetchedWindow(
                    storeKey: "wxbad00000000001", endpoint: .getarticletotal, begin: day, end: day,
                    body: Data((offset == 0 ? total : #"{"list":[]}"#).utf8),
                    rowCounts: [day: offset == 0 ? 2 : 0], fetchedAt: S.noon))
        }
        let spec = PipelineSpec(
            name: "bad", accounts: [AccountSpec(name: "main", appid: "wxbad00000000001", credential: .secret(Secret("s3cr3t-value")))],
            store: path,
            stages: [.fetch(FetchStageSpec(endpoints: [.getarticlesummary, .getarticletotal], refetchDays: 0)), .flatten(FlattenStageSpec())],
            outputs: [
                OutputSpec(datasets: [.article_summary], format: .csv, path: "summary.csv"),
                OutputSpec(datasets: [.article_total], format: .csv, path: "total.csv"),
            ])
        let out = dir.appendingPathComponent("out")
        let result = await PipelineRunner(spec: spec, options: options(offline: true, out: out), logger: quietLogger).run()
        XCTAssertEqual(result.status, .complete, "\(result.messages)")

        let rows = try python(
            """
            import csv, json, sys
            out = {}
            for name in ("summary", "total"):
                with open(sys.argv[1] + "/" + name + ".csv", newline="", encoding="utf-8") as f:
                    out[name] = [(r["msgid"], r["int_page_read_user"]) for r in csv.DictReader(f)]
            m = json.load(open(sys.argv[1] + "/manifest.json"))
            out["anomalies"] = m["anomalies"]["rows_dropped"]
            out["kinds"] = sorted(c["kind"] + ":" + str(c["rows"]) for c in m["anomalies"]["counts"])
            print(json.dumps(out, sort_keys=True))
            """, out.path)
        let object = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(rows.utf8)) as? [String: Any])
        XCTAssertEqual(object["summary"] as? [[String]], [["100_1", "5"], ["200_1", "2"]], "one row per msgid, the first one")
        XCTAssertEqual(object["total"] as? [[String]], [["100_1", "5"]], "one row per msgid and stat_date, the first one")
        XCTAssertEqual(object["anomalies"] as? Int, 4)
        XCTAssertEqual(
            object["kinds"] as? [String],
            [
                "msgid repeated in one answer:1", "msgid repeated in one answer:1",
                "row without msgid:1", "stat_date repeated in one article's details:1",
            ].sorted())
        XCTAssertEqual(result.summary.anomalies?.rowsDropped, 4)
        XCTAssertTrue(result.summary.lines.contains("anomalies: 4 row(s) of the answers dropped (\(Anomalies.rule))"), "\(result.summary.lines)")
    }

    // MARK: 7. one run per store

    func testASecondRunOnAStoreInUseStopsAtOnceNamingTheHolder() async throws {
        let sandbox = try await SandboxServer.start(SandboxConfiguration(seed: 4, accounts: 1, now: { S.noon }))
        let store = dir.appendingPathComponent("locked.sqlite").path
        let spec = S.spec(sandbox.accounts, endpoints: [.getuserread], store: store)
        var lock: StoreLock? = try StoreLock.acquire(store: store)
        XCTAssertNotNil(lock)

        let blocked = await S.run(spec, sandbox: sandbox, from: "2026-06-12", to: "2026-06-14")
        XCTAssertEqual(blocked.exitCode, 3)
        let text = blocked.messages.joined(separator: "\n")
        XCTAssertTrue(text.contains("another run holds \(store) since "), text)
        XCTAssertTrue(text.contains("(pid \(getpid()))"), text)
        XCTAssertEqual(blocked.summary.stats.requests, 0)

        // --offline only reads: the lock does not stop it.
        let offline = await PipelineRunner(spec: spec, options: options(offline: true, store: store, from: "2026-06-12"), logger: quietLogger).run()
        XCTAssertFalse(offline.messages.joined().contains("another run holds"), "\(offline.messages)")

        lock = nil
        let after = await S.run(spec, sandbox: sandbox, from: "2026-06-12", to: "2026-06-14")
        await sandbox.stop()
        XCTAssertEqual(after.status, .complete, "\(after.messages)")
    }

    // MARK: 10. the output set is replaced as a whole

    func testAFailedExportLeavesThePreviousSetAndItsManifest() throws {
        let outputs = [
            OutputSpec(datasets: [.user_read], format: .csv, path: "a.csv"),
            OutputSpec(datasets: [.user_share], format: .csvGz, path: "sub/b.csv.gz"),
        ]
        let writer = OutputWriter(outDirectory: dir, context: ExportFixture.context, logger: ExportFixture.logger)
        _ = try writer.writeAll(outputs, from: FixtureSource(rowsPerAccount: 3))
        let names = ["a.csv", "sub/b.csv.gz", "manifest.json"]
        let before = try names.map { try Data(contentsOf: dir.appendingPathComponent($0)) }

        let failing = FixtureSource(rowsPerAccount: 40)
        failing.failure = (.user_share, 10, {})
        XCTAssertThrowsError(try writer.writeAll(outputs, from: failing))
        XCTAssertEqual(
            try names.map { try Data(contentsOf: dir.appendingPathComponent($0)) }, before,
            "a.csv was complete in the failed run, but the old set and its manifest stay as they were")
        XCTAssertEqual(try leftovers(), [], "the staging folder is removed")

        let manifest = try writer.writeAll(outputs, from: FixtureSource(rowsPerAccount: 40))
        XCTAssertNotEqual(try Data(contentsOf: dir.appendingPathComponent("a.csv")), before[0])
        XCTAssertEqual(manifest.files.map(\.path), ["a.csv", "sub/b.csv.gz"])
        for f in manifest.files {
            let url = dir.appendingPathComponent(f.path)
            let sum = String(decoding: try ExportFixture.run("sha256sum", [url.path]), as: UTF8.self).prefix(64)
            XCTAssertEqual(f.sha256, String(sum), f.path)
        }
        XCTAssertEqual(try leftovers(), [])
    }

    private func leftovers() throws -> [String] {
        try FileManager.default.subpathsOfDirectory(atPath: dir.path).filter { $0.contains(".wxcube-staging") || $0.contains(".tmp-") }
    }

    // MARK: 11. paths

    func testOutputsRefuseASymlinkedFolderAndTheOutFolderItself() throws {
        let elsewhere = try S.tempDir()
        defer { try? FileManager.default.removeItem(at: elsewhere) }
        try FileManager.default.createSymbolicLink(at: dir.appendingPathComponent("link"), withDestinationURL: elsewhere)
        let writer = OutputWriter(outDirectory: dir, context: ExportFixture.context, logger: ExportFixture.logger)
        XCTAssertThrowsError(
            try writer.writeAll(
                [OutputSpec(datasets: [.user_read], format: .csv, path: "link/x.csv")],
                from: FixtureSource(rowsPerAccount: 2))
        ) { error in
            XCTAssertTrue("\(error)".contains("symbolic link"), "\(error)")
        }
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: elsewhere.path), [])
        for path in [".", "./"] {
            XCTAssertThrowsError(
                try writer.writeAll(
                    [OutputSpec(datasets: [.user_read], format: .csv, path: path)],
                    from: FixtureSource(rowsPerAccount: 2)), path
            ) { error in
                XCTAssertTrue("\(error)".contains("name a file") || "\(error)".contains("--out folder itself"), "\(error)")
            }
        }
        var isDir: ObjCBool = false
        XCTAssertTrue(FileManager.default.fileExists(atPath: dir.path, isDirectory: &isDir) && isDir.boolValue, "--out is still a folder")
    }

    func testValidateRefusesControlCharactersInAccountNames() {
        let d = parse(
            """
            accounts:
              - name: "ma\\nin\\e[31m"
                appid: wx1
                secret: s3cr3t-value
            stages:
              - fetch: {endpoints: [getuserread]}
            """)
        XCTAssertTrue(d.contains { $0.line == 2 && $0.message.contains("control characters") }, "\(d)")
        XCTAssertFalse(d.map(\.message).joined().contains("\n"))
    }

    // MARK: 12. validate reports everything

    func testValidateReportsEveryMistakeEachAtItsLine() {
        let d = parse(
            """
            name: v
            accounts:
              - name: main
                appid: ${UNSET_APPID_1}
                secret: ${UNSET_SECRET_1}
              - name: other
                appid: wx2
                secret: ""
              - name: third
                appid: wx3
                secret: ${EMPTY_SECRET}
            api:
              retries: lots
            range: {from: "${UNSET_FROM}"}
            stages:
              - fetch: {endpoints: [getuserread, getnothing]}
            """, env: ["EMPTY_SECRET": ""])
        let lines = Set(d.map(\.line))
        for line in [4, 5, 8, 11, 13, 14, 16] {
            XCTAssertTrue(lines.contains(line), "no diagnostic at line \(line): \(d)")
        }
        XCTAssertTrue(d.contains { $0.line == 8 && $0.message.contains("must not be empty") }, "\(d)")
        XCTAssertTrue(d.contains { $0.line == 11 && $0.message.contains("set but empty") }, "\(d)")
    }

    // MARK: 13. plain messages

    func testCommonMistakesGetPlainMessages() throws {
        let pipeline = dir.appendingPathComponent("p.yaml")
        try """
        name: plain
        accounts:
          - name: main
            appid: wx0000000000000001
            secret: sandbox-secret-1
        api: {base_url: sandbox}
        store: \(dir.appendingPathComponent("p.sqlite").path)
        stages:
          - fetch: {endpoints: [getuserread]}
        outputs:
          - {dataset: user_read, format: csv, path: u.csv}
        """.write(to: pipeline, atomically: true, encoding: .utf8)
        let file = dir.appendingPathComponent("a-file")
        try Data("x".utf8).write(to: file)

        let outIsFile = try CLIProcess.run(["run", pipeline.path, "--out", file.path])
        XCTAssertEqual(outIsFile.status, 2, outIsFile.stderr)
        XCTAssertTrue(outIsFile.stderr.contains("is a file, not a folder"), outIsFile.stderr)

        let folder = try CLIProcess.run(["validate", dir.path])
        XCTAssertEqual(folder.status, 2, folder.stderr)
        XCTAssertTrue(folder.stderr.contains("is a folder, not a pipeline file"), folder.stderr)

        let huge = try CLIProcess.run(["plan", pipeline.path, "--from", "-99999999999d"])
        XCTAssertEqual(huge.status, 2, huge.stderr)
        XCTAssertTrue(huge.stderr.contains("N at most 36500"), huge.stderr)

        for r in [outIsFile, folder, huge] {
            XCTAssertFalse(r.stderr.contains("NSCocoaErrorDomain") || r.stderr.contains("Error Domain"), r.stderr)
        }
    }

    func testLogTextEscapesEveryControlCharacter() {
        XCTAssertEqual(LogText.escaped("a\nb\u{1B}[2Jc\u{7F}\u{85}d"), "a\\nb\\u{1B}[2Jc\\u{7F}\\u{85}d")
        XCTAssertEqual(LogText.escaped("中文 ok"), "中文 ok")
    }
}
