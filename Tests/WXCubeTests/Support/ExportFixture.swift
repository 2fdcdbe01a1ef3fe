import Foundation
import Logging
import XCTest

@testable import WXCube

/// Shared pieces of the export tests: tricky rows, temp folders, the Python reader.
enum ExportFixture {
    /// Titles every format must carry unharmed.
    static let titles: [String] = [
        "He said \"hi\", then left",
        "line one\nline two",
        "crlf\r\ninside",
        "emoji 🎉 and 中文标题",
        "vertical\u{0B}tab",
        "=SUM(A1:A9)",
        "",
        "  padded  ",
        "literal a_x0041_b stays",
        "<tag> & 'apos' > less",
        "tab\tinside",
        "+plus -minus @at",
        "plain title",
    ]

    static let context = ExportContext(
        pipelineName: "nightly test",
        range: DateRange(
            from: Day(iso: "2024-03-01") ?? Day(daysSinceEpoch: 0),
            to: Day(iso: "2024-03-07") ?? Day(daysSinceEpoch: 0)),
        accounts: ["main", "second/brand"], caveat: "WeChat omits article_summary rows whose read/share/favourite sum is below 3.",
        generatedAt: Date(timeIntervalSince1970: 1_709_800_000), version: WXCubeVersion.current)

    static var logger: Logger { Logger(label: "wxcube.test.export") }

    /// Deterministic rows for any schema: every type, some nulls, every title in turn.
    static func rows(_ schema: Schema, count: Int, account: String = "main", seed: Int = 0) -> [Row] {
        let start = Day(iso: "2024-03-01") ?? Day(daysSinceEpoch: 0)
        return (0..<count).map { r in
            schema.columns.enumerated().map { c, column -> Value in
                if column.name == "account" { return .string(account) }
                if column.nullable && (r + c + seed) % 11 == 5 { return .null }
                switch column.type {
                case .string: return .string(column.name == "title" ? titles[(r + seed) % titles.count] : "\(column.name)-\(r)")
                case .int: return .int((r * 37 + c * 1_000 + seed) % 100_003 - (c == 6 ? 50 : 0))
                case .float: return .float(Double((r * 7919 + c + seed) % 10_007) / 10_007.0)
                case .date: return .date(start.adding(days: (r + c) % 40))
                case .bool: return .bool(r % 2 == 0)
                }
            }
        }
    }

    static func stream(_ dataset: DatasetName, count: Int, seed: Int = 0) -> ArrayRowStream {
        let schema = Datasets.fullSchema(dataset)
        return ArrayRowStream(schema: schema, rows: rows(schema, count: count, seed: seed))
    }

    static func temporaryDirectory() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("wxcube-export-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    static let readerScript = CLIProcess.packageRoot.appendingPathComponent("Tests/python/export_reader.py")

    /// Runs a program and returns its stdout; fails the test on a non-zero exit.
    @discardableResult
    static func run(_ executable: String, _ args: [String], file: StaticString = #filePath, line: UInt = #line) throws -> Data {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [executable] + args
        let out = Pipe()
        // stderr goes to a file so a chatty child cannot block on a full pipe.
        let errURL = FileManager.default.temporaryDirectory.appendingPathComponent("wxcube-stderr-\(UUID().uuidString)")
        _ = FileManager.default.createFile(atPath: errURL.path, contents: nil)
        let errHandle = try FileHandle(forWritingTo: errURL)
        defer { try? FileManager.default.removeItem(at: errURL) }
        process.standardOutput = out
        process.standardError = errHandle
        try process.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        try errHandle.close()
        let errData = (try? Data(contentsOf: errURL)) ?? Data()
        if process.terminationStatus != 0 {
            XCTFail(
                "\(executable) \(args.joined(separator: " ")) exited \(process.terminationStatus): \(String(decoding: errData, as: UTF8.self))",
                file: file, line: line)
        }
        return data
    }

    /// The reader script's JSON answer.
    static func read(_ kind: String, _ args: [String], file: StaticString = #filePath, line: UInt = #line) throws -> [String: Any] {
        let data = try run("python3", [readerScript.path, kind] + args, file: file, line: line)
        guard let object = try JSONSerialization.jsonObject(with: data) as? [String: Any] else {
            XCTFail("reader printed no JSON object", file: file, line: line)
            return [:]
        }
        return object
    }

    /// What a CSV reader should see for a value.
    static func csvText(_ value: Value) -> String {
        switch value {
        case .null: return ""
        case .int(let v): return String(v)
        case .float(let v): return v.description
        case .string(let s): return s
        case .date(let d): return d.iso
        case .bool(let b): return b ? "true" : "false"
        }
    }

    static func export(_ exporter: any Exporter, _ inputs: [ExportInput], to url: URL, gzip: Int? = nil) throws -> WrittenFile {
        try exporter.exportFile(inputs, to: url, gzipLevel: gzip)
    }
}
