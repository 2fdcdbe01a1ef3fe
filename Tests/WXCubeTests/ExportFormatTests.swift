import Foundation
import Logging
import XCTest

@testable import WXCube

/// Byte-exact format rules, checked without external readers.
final class ExportFormatTests: XCTestCase {
    private let schema = Schema([
        Column("name", .string, "a text", zh: "名称"),
        Column("n", .int, "an int", zh: "数"),
        Column("x", .float, "a float", zh: "浮点", display: .percent),
        Column("d", .date, "a date", zh: "日期"),
        Column("b", .bool, "a bool", zh: "布尔"),
    ])

    private var sampleRows: [Row] {
        [
            [.string("plain"), .int(-42), .float(0.1), .date(Day(iso: "2024-02-29") ?? Day(daysSinceEpoch: 0)), .bool(true)],
            [.string("a,b \"q\"\r\nz"), .int(9_007_199_254_740_993), .float(1e-05), .null, .bool(false)],
            [.string(""), .null, .float(1.0), .null, .null],
            [.null, .int(0), .float(.nan), .null, .null],
            [.string("=1+1"), .int(Int.min), .float(123456.789), .null, .null],
        ]
    }

    private func bytes(_ exporter: any Exporter, rows: [Row]? = nil, gzip: Int? = nil) throws -> [UInt8] {
        let dir = try ExportFixture.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let url = dir.appendingPathComponent("out")
        _ = try exporter.exportFile(
            [ExportInput(dataset: .user_read, stream: ArrayRowStream(schema: schema, rows: rows ?? sampleRows))],
            to: url, gzipLevel: gzip)
        return Array(try Data(contentsOf: url))
    }

    func testCSVBytesFollowRFC4180AndKeepNullApartFromEmptyText() throws {
        let text = String(decoding: try bytes(CSVExporter()), as: UTF8.self)
        XCTAssertEqual(
            text,
            """
            name,n,x,d,b\r
            plain,-42,0.1,2024-02-29,true\r
            "a,b ""q""\r
            z",9007199254740993,1e-05,,false\r
            "",,1.0,,\r
            ,0,,,\r
            =1+1,-9223372036854775808,123456.789,,\r

            """)
    }

    func testCSVBomExcelSafeAndChineseHeaders() throws {
        let raw = try bytes(CSVExporter(headers: .zh, bom: true, excelSafe: true))
        XCTAssertEqual(Array(raw.prefix(3)), [0xEF, 0xBB, 0xBF])
        let text = String(decoding: raw.dropFirst(3), as: UTF8.self)
        XCTAssertTrue(text.hasPrefix("名称,数,浮点,日期,布尔\r\n"), text)
        XCTAssertTrue(text.contains("\r\n'=1+1,"), "a formula-looking text gets a ' prefix")
        XCTAssertTrue(text.contains("\r\nplain,"), "ordinary text is untouched")
    }

    func testNDJSONBytesEscapeControlsAndKeepUTF8() throws {
        let rows: [Row] = [
            [
                .string("q\"\\/\u{01}\u{0B}\u{1F}\t\n\r\u{08}\u{0C} 中文🎉"), .int(7), .float(0.25), .date(Day(iso: "2024-01-02") ?? Day(daysSinceEpoch: 0)),
                .bool(false),
            ],
            [.null, .null, .float(.infinity), .null, .null],
        ]
        let text = String(decoding: try bytes(NDJSONExporter(), rows: rows), as: UTF8.self)
        XCTAssertEqual(
            text,
            """
            {"name":"q\\"\\\\/\\u0001\\u000b\\u001f\\t\\n\\r\\b\\f 中文🎉","n":7,"x":0.25,"d":"2024-01-02","b":false}
            {"name":null,"n":null,"x":null,"d":null,"b":null}

            """)
    }

    func testGzipIsOneMemberWithCorrectTrailer() throws {
        let plain = try bytes(CSVExporter())
        let gz = try bytes(CSVExporter(), gzip: 6)
        XCTAssertEqual(Array(gz.prefix(3)), [0x1F, 0x8B, 0x08])
        // ISIZE (last 4 bytes, little-endian) is the uncompressed length.
        let isize = gz.suffix(4).reversed().reduce(0) { $0 << 8 | Int($1) }
        XCTAssertEqual(isize, plain.count)
        // Decompress with the system gzip: it checks the CRC and would print a second member's data too.
        let dir = try ExportFixture.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let url = dir.appendingPathComponent("x.csv.gz")
        try Data(gz).write(to: url)
        let out = try ExportFixture.run("gzip", ["-dc", url.path])
        XCTAssertEqual(Array(out), plain)
        let list = String(decoding: try ExportFixture.run("gzip", ["-lv", url.path]), as: UTF8.self)
        XCTAssertEqual(list.split(separator: "\n").count, 2, "one member: header line + one entry\n\(list)")
    }

    func testSHA256MatchesKnownVectorsAcrossChunking() throws {
        func hex(_ chunks: [[UInt8]]) throws -> String {
            let h = try SHA256Hasher()
            for c in chunks { try h.update(c) }
            return try h.finalizeHex()
        }
        XCTAssertEqual(try hex([]), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        XCTAssertEqual(try hex([Array("abc".utf8)]), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        let long = Array("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq".utf8)
        XCTAssertEqual(try hex([long]), "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1")
        XCTAssertEqual(
            try hex([Array(long[0..<1]), Array(long[1..<50]), Array(long[50...])]),
            "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1")
        let million = [UInt8](repeating: UInt8(ascii: "a"), count: 1_000_000)
        XCTAssertEqual(
            try hex([Array(million[0..<333_333]), Array(million[333_333...])]),
            "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0")
    }

    func testCSVAndNDJSONAreByteIdenticalAcrossRuns() throws {
        let dir = try ExportFixture.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        var digests: [String] = []
        for run in 0..<2 {
            for (name, exporter, gz) in [
                ("a.csv.gz", CSVExporter() as any Exporter, 6), ("a.ndjson.gz", NDJSONExporter(), 6),
                ("a.csv", CSVExporter(), nil), ("a.ndjson", NDJSONExporter(), nil),
            ] as [(String, any Exporter, Int?)] {
                let url = dir.appendingPathComponent("\(run)-\(name)")
                let written = try exporter.exportFile(
                    [ExportInput(dataset: .article_total, stream: ExportFixture.stream(.article_total, count: 300))],
                    to: url, gzipLevel: gz)
                digests.append(written.sha256)
            }
        }
        XCTAssertEqual(Array(digests[0..<4]), Array(digests[4..<8]))
        XCTAssertEqual(Set(digests).count, 4)
        for name in ["a.csv.gz", "a.ndjson.gz", "a.csv", "a.ndjson"] {
            XCTAssertEqual(
                try Data(contentsOf: dir.appendingPathComponent("0-\(name)")),
                try Data(contentsOf: dir.appendingPathComponent("1-\(name)")), name)
        }
    }
}
