import Foundation
import Logging
import XCTest

@testable import WXCube

/// OutputWriter: paths, manifest, atomic placement; DuckDB across formats.
final class ExportOutputWriterTests: XCTestCase {
    private var dir: URL!

    override func setUpWithError() throws { dir = try ExportFixture.temporaryDirectory() }
    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: dir) }

    private var writer: OutputWriter { OutputWriter(outDirectory: dir, context: ExportFixture.context, logger: ExportFixture.logger) }

    /// Every file below `dir`, relative, hidden ones included.
    private func files() -> [String] {
        let enumerator = FileManager.default.enumerator(at: dir, includingPropertiesForKeys: [.isRegularFileKey])
        var out: [String] = []
        while let url = enumerator?.nextObject() as? URL {
            if (try? url.resourceValues(forKeys: [.isRegularFileKey]).isRegularFile) == true {
                out.append(String(url.standardizedFileURL.path.dropFirst(dir.standardizedFileURL.path.count + 1)))
            }
        }
        return out.sorted()
    }

    func testWriteAllExpandsPathsAndWritesAManifestThatMatchesTheFiles() throws {
        let outputs = [
            OutputSpec(datasets: [.article_total], format: .csvGz, path: "{dataset}/{from}_{to}.csv.gz"),
            OutputSpec(datasets: [.article_summary, .user_read], format: .ndjson, path: "json/{dataset}.ndjson"),
            OutputSpec(datasets: [.article_summary, .article_total], format: .xlsx, path: "report_{from}_{to}.xlsx", headers: .zh),
            OutputSpec(datasets: [.user_read], format: .csv, path: "accounts/{account}/{dataset}.csv"),
            OutputSpec(datasets: [.user_share], format: .ndjsonGz, path: "{dataset}.ndjson.gz"),
        ]
        let source = FixtureSource(rowsPerAccount: 25)
        let manifest = try writer.writeAll(outputs, from: source)
        XCTAssertEqual(
            files(),
            [
                "accounts/main/user_read.csv", "accounts/second_brand/user_read.csv",
                "article_total/2024-03-01_2024-03-07.csv.gz", "json/article_summary.ndjson", "json/user_read.ndjson",
                "manifest.json", "report_2024-03-01_2024-03-07.xlsx", "user_share.ndjson.gz",
            ], "every output in place, no temporary file left")

        // The manifest on disk is the one returned, and lists the run.
        let onDisk = try JSONDecoder().decode(Manifest.self, from: Data(contentsOf: dir.appendingPathComponent("manifest.json")))
        XCTAssertEqual(onDisk, manifest)
        XCTAssertEqual(manifest.pipeline, "nightly test")
        XCTAssertEqual(manifest.range, ManifestRange(from: "2024-03-01", to: "2024-03-07"))
        XCTAssertEqual(manifest.accounts, ["main", "second/brand"])
        XCTAssertEqual(manifest.wxcubeVersion, WXCubeVersion.current)
        XCTAssertEqual(manifest.caveat, ExportFixture.context.caveat)
        XCTAssertEqual(manifest.files.count, 7)
        let raw = try JSONSerialization.jsonObject(with: Data(contentsOf: dir.appendingPathComponent("manifest.json"))) as? [String: Any]
        XCTAssertNotNil(raw?["wxcube_version"])
        XCTAssertNotNil((raw?["files"] as? [[String: Any]])?.first?["sha256"])

        for file in manifest.files {
            let url = dir.appendingPathComponent(file.path)
            let sum = String(decoding: try ExportFixture.run("sha256sum", [url.path]), as: UTF8.self).prefix(64)
            XCTAssertEqual(file.sha256, String(sum), file.path)
            XCTAssertEqual(file.bytes, try Data(contentsOf: url).count, file.path)
        }
        let byPath = Dictionary(uniqueKeysWithValues: manifest.files.map { ($0.path, $0) })
        XCTAssertEqual(byPath["report_2024-03-01_2024-03-07.xlsx"]?.datasets, ["article_summary", "article_total"])
        XCTAssertEqual(byPath["report_2024-03-01_2024-03-07.xlsx"]?.datasetRows, [50, 50])
        XCTAssertEqual(byPath["report_2024-03-01_2024-03-07.xlsx"]?.rows, 100)
        XCTAssertEqual(byPath["accounts/second_brand/user_read.csv"]?.account, "second/brand")
        XCTAssertEqual(byPath["accounts/second_brand/user_read.csv"]?.rows, 25)
        XCTAssertEqual(byPath["json/user_read.ndjson"]?.rows, 50)
        XCTAssertEqual(byPath["user_share.ndjson.gz"]?.format, "ndjson.gz")

        // The per-account file holds only that account's rows.
        let perAccount = try ExportFixture.read("csv", [dir.appendingPathComponent("accounts/second_brand/user_read.csv").path])["rows"] as? [[String]] ?? []
        XCTAssertEqual(perAccount.count, 26)
        XCTAssertEqual(Set(perAccount.dropFirst().map { $0.first ?? "" }), ["second/brand"])
    }

    /// CSV and NDJSON loaded by DuckDB agree with each other and with the rows written.
    func testDuckDBReadsTheSameCountsAndSumsFromCSVAndNDJSON() throws {
        let source = FixtureSource(rowsPerAccount: 120)
        _ = try writer.writeAll(
            [
                OutputSpec(datasets: [.article_total, .article_summary], format: .csvGz, path: "{dataset}.csv.gz"),
                OutputSpec(datasets: [.article_total, .article_summary], format: .ndjsonGz, path: "{dataset}.ndjson.gz"),
            ], from: source)
        for dataset in [DatasetName.article_total, .article_summary] {
            let schema = Datasets.fullSchema(dataset)
            let numeric = schema.columns.filter { $0.type == .int || $0.type == .float }
            let rows = source.rows(dataset, account: nil)
            let answer = try ExportFixture.read(
                "duckdb",
                [
                    dir.appendingPathComponent("\(dataset.rawValue).csv.gz").path,
                    dir.appendingPathComponent("\(dataset.rawValue).ndjson.gz").path,
                ] + numeric.map(\.name))
            for format in ["csv", "ndjson"] {
                let result = answer[format] as? [String: Any] ?? [:]
                XCTAssertEqual((result["count"] as? NSNumber)?.intValue, rows.count, "\(dataset) \(format) count")
                let sums = result["sums"] as? [String: Any] ?? [:]
                for column in numeric {
                    let i = schema.index(of: column.name) ?? 0
                    let expected = rows.reduce(0.0) { $0 + ($1[i].doubleValue ?? 0) }
                    let got = (sums[column.name] as? NSNumber)?.doubleValue ?? (sums[column.name] as? String).flatMap(Double.init)
                    XCTAssertEqual(got ?? .nan, expected, accuracy: max(1e-9, abs(expected) * 1e-12), "\(dataset) \(format) sum(\(column.name))")
                }
            }
        }
    }

    func testAStreamFailingMidwayLeavesTheEarlierFileAndManifestAndNoTemporary() throws {
        for format in [OutputFormat.csvGz, .ndjson, .xlsx] {
            let target = dir.appendingPathComponent("total.\(format.rawValue)")
            // A file from an earlier run stays untouched.
            try Data("earlier run".utf8).write(to: target)
            // So does the earlier manifest: the old set stays whole (docs/operations.md).
            try Data("{}".utf8).write(to: dir.appendingPathComponent(OutputWriter.manifestName))
            let source = FixtureSource(rowsPerAccount: 400)
            var checked = false
            source.failure = (
                .article_total, 500,
                {
                    // Mid-export: readers see only the earlier file; the new bytes sit in the hidden staging folder.
                    checked = true
                    let names = self.files()
                    XCTAssertEqual(names.filter { $0.hasPrefix(".wxcube-staging-") && $0.contains("/.total.\(format.rawValue).tmp-") }.count, 1, "\(names)")
                    XCTAssertEqual(try? Data(contentsOf: target), Data("earlier run".utf8))
                }
            )
            XCTAssertThrowsError(
                try writer.writeAll(
                    [OutputSpec(datasets: [.article_total], format: format, path: "total.\(format.rawValue)")],
                    from: source)
            ) { error in
                XCTAssertTrue(error is FixtureSource.Boom, "\(error)")
            }
            XCTAssertTrue(checked)
            XCTAssertEqual(files(), ["manifest.json", "total.\(format.rawValue)"], "no temporary left; the earlier manifest stays")
            XCTAssertEqual(try Data(contentsOf: target), Data("earlier run".utf8))
            XCTAssertEqual(try Data(contentsOf: dir.appendingPathComponent(OutputWriter.manifestName)), Data("{}".utf8))
            try FileManager.default.removeItem(at: target)
        }
    }

    func testPathProblemsAreReportedBeforeAnythingIsWritten() throws {
        let source = FixtureSource(rowsPerAccount: 3)
        let cases: [([OutputSpec], String)] = [
            ([OutputSpec(datasets: [.user_read, .user_share], format: .csv, path: "both.csv")], "same file"),
            (
                [
                    OutputSpec(datasets: [.user_read], format: .csv, path: "a.csv"),
                    OutputSpec(datasets: [.user_share], format: .csv, path: "a.csv"),
                ], "same file"
            ),
            ([OutputSpec(datasets: [.user_read], format: .csv, path: "manifest.json")], "same file"),
            ([OutputSpec(datasets: [.user_read], format: .csv, path: "{datset}.csv")], "unknown placeholder {datset}"),
            ([OutputSpec(datasets: [.user_read], format: .csv, path: "{dataset")], "unclosed"),
        ]
        for (outputs, message) in cases {
            XCTAssertThrowsError(try writer.writeAll(outputs, from: source)) { error in
                XCTAssertTrue("\(error)".contains(message), "\(error)")
            }
            XCTAssertEqual(files(), [], "nothing written for \(outputs.map(\.path))")
        }
    }

    /// The child half of `testAKilledExportLeavesNoFinalFile`: exports an endless stream slowly.
    func testKillHelperChildProcess() throws {
        guard let out = ProcessInfo.processInfo.environment["WXCUBE_EXPORT_KILL_DIR"] else {
            throw XCTSkip("runs only as the child process of testAKilledExportLeavesNoFinalFile")
        }
        final class Endless: RowStream {
            let schema = Datasets.fullSchema(.article_total)
            var n = 0
            func next() throws -> Row? {
                n += 1
                if n % 2_000 == 0 { usleep(20_000) }
                return ExportFixture.rows(schema, count: 1, seed: n)[0]
            }
        }
        final class Source: DatasetSource {
            let datasets: [DatasetName] = [.article_total]
            func stream(_ dataset: DatasetName, account: String?) throws -> any RowStream { Endless() }
        }
        _ = try OutputWriter(outDirectory: URL(fileURLWithPath: out), context: ExportFixture.context, logger: ExportFixture.logger)
            .writeAll([OutputSpec(datasets: [.article_total], format: .xlsx, path: "killed.xlsx")], from: Source())
        XCTFail("the endless export returned")
    }

    func testAKilledExportLeavesNoFinalFile() throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
        process.arguments = ["WXCubeTests.ExportOutputWriterTests/testKillHelperChildProcess"]
        process.environment = ProcessInfo.processInfo.environment.merging(["WXCUBE_EXPORT_KILL_DIR": dir.path]) { $1 }
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        // Wait until the child has written a good part of the workbook into its temporary file.
        var temporary: String?
        for _ in 0..<600 {
            temporary = files().first { $0.hasPrefix(".wxcube-staging-") && $0.contains("/.killed.xlsx.tmp-") }
            if let temporary, ((try? FileManager.default.attributesOfItem(atPath: dir.appendingPathComponent(temporary).path)[.size] as? Int) ?? 0) > 1 << 20 {
                break
            }
            usleep(50_000)
        }
        XCTAssertTrue(process.isRunning, "the child is still exporting")
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        XCTAssertEqual(process.terminationReason, .uncaughtSignal)
        XCTAssertNotNil(temporary, "the child wrote to a temporary file")
        XCTAssertEqual(files(), temporary.map { [$0] } ?? [], "only the hidden temporary in the staging folder: no killed.xlsx, no manifest")

        // The next run clears the dead run's staging folder and writes the file.
        let source = FixtureSource(rowsPerAccount: 5)
        _ = try writer.writeAll([OutputSpec(datasets: [.article_total], format: .xlsx, path: "killed.xlsx")], from: source)
        XCTAssertEqual(files(), ["killed.xlsx", "manifest.json"])
    }
}
