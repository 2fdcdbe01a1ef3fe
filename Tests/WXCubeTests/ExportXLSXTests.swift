import Foundation
import Logging
import XCTest

@testable import WXCube

/// The XLSX exporter read back by openpyxl, unzip, Python's zipfile and LibreOffice.
final class ExportXLSXTests: XCTestCase {
    private var dir: URL!

    override func setUpWithError() throws { dir = try ExportFixture.temporaryDirectory() }
    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: dir) }

    private func workbook(
        _ inputs: [(DatasetName, [Row])], headers: HeaderLanguage = .en, maxRows: Int? = nil,
        zip64Threshold: UInt64? = nil, logger: Logger = ExportFixture.logger, name: String = "book.xlsx"
    ) throws -> URL {
        var exporter = XLSXExporter(headers: headers, context: ExportFixture.context, logger: logger)
        if let maxRows { exporter.maxRowsPerSheet = maxRows }
        if let zip64Threshold { exporter.zip64Threshold = zip64Threshold }
        let url = dir.appendingPathComponent(name)
        let written = try exporter.exportFile(
            inputs.map {
                ExportInput(dataset: $0.0, stream: ArrayRowStream(schema: Datasets.fullSchema($0.0), rows: $0.1))
            }, to: url)
        XCTAssertEqual(written.rows, inputs.map(\.1.count))
        return url
    }

    private func sheets(_ url: URL) throws -> [[String: Any]] {
        try ExportFixture.read("xlsx", [url.path])["sheets"] as? [[String: Any]] ?? []
    }

    /// Every data cell as openpyxl sees it, against the row it came from.
    private func assertCells(
        _ sheet: [String: Any], schema: Schema, rows: [Row], firstRow: Int = 0,
        file: StaticString = #filePath, line: UInt = #line
    ) {
        let cells = (sheet["rows"] as? [[[String: Any]]]) ?? []
        XCTAssertEqual(cells.count, rows.count + 1, "header + rows", file: file, line: line)
        for (r, row) in rows.enumerated() where r + 1 < cells.count {
            let got = cells[r + 1]
            for (c, column) in schema.columns.enumerated() {
                let cell = c < got.count ? got[c] : [:]
                let where_ = "\(sheet["name"] ?? "")!\(SheetLayout.columnLetters(c))\(r + 2) (\(column.name))"
                let v = cell["v"]
                switch row[c] {
                case .null:
                    XCTAssertTrue(v is NSNull || v == nil, "\(where_): \(String(describing: v))", file: file, line: line)
                case .int(let x):
                    XCTAssertEqual(cell["t"] as? String, "int", where_, file: file, line: line)
                    XCTAssertEqual((v as? NSNumber)?.intValue, x, where_, file: file, line: line)
                case .float(let x):
                    XCTAssertEqual(cell["t"] as? String, "float", where_, file: file, line: line)
                    // The reader sends floats as Python's repr: Foundation's JSON parser can be 1 ulp off.
                    XCTAssertEqual((v as? String).flatMap(Double.init), x, where_, file: file, line: line)
                    XCTAssertEqual(cell["f"] as? String, column.display == .percent ? "0.00%" : "General", where_, file: file, line: line)
                case .string(let s):
                    if s.isEmpty {
                        XCTAssertTrue(v is NSNull || v == nil, "\(where_): empty text is no cell", file: file, line: line)
                    } else {
                        XCTAssertEqual(cell["t"] as? String, "str", where_, file: file, line: line)
                        XCTAssertEqual(v as? String, s, where_, file: file, line: line)
                    }
                case .date(let d):
                    XCTAssertEqual(cell["t"] as? String, "datetime", where_, file: file, line: line)
                    XCTAssertEqual(v as? String, d.iso, where_, file: file, line: line)
                    XCTAssertEqual(cell["f"] as? String, "yyyy-mm-dd", where_, file: file, line: line)
                case .bool(let b):
                    XCTAssertEqual(v as? Bool, b, where_, file: file, line: line)
                }
            }
        }
    }

    func testOpenpyxlReadsValuesTypesNumberFormatsPanesAndSheetNames() throws {
        let summary = ExportFixture.rows(Datasets.fullSchema(.article_summary), count: 40)
        let total = ExportFixture.rows(Datasets.fullSchema(.article_total), count: 40, seed: 3)
        let sheets = try sheets(try workbook([(.article_summary, summary), (.article_total, total)]))
        XCTAssertEqual(sheets.map { $0["name"] as? String }, ["article_summary", "article_total", "About"])
        for (sheet, dataset, rows) in [(sheets[0], DatasetName.article_summary, summary), (sheets[1], .article_total, total)] {
            let schema = Datasets.fullSchema(dataset)
            XCTAssertEqual(sheet["freeze"] as? String, "A2", "header row frozen")
            XCTAssertEqual(sheet["autofilter"] as? String, "A1:\(SheetLayout.columnLetters(schema.count - 1))41")
            let header = (sheet["rows"] as? [[[String: Any]]])?.first ?? []
            XCTAssertEqual(header.map { $0["v"] as? String }, schema.names)
            XCTAssertTrue(header.allSatisfy { $0["b"] as? Bool == true }, "bold header")
            let widths = sheet["widths"] as? [String: Double] ?? [:]
            XCTAssertEqual(widths.count, schema.count, "a width per column")
            XCTAssertGreaterThan(widths["A"] ?? 0, 6)
            assertCells(sheet, schema: schema, rows: rows)
        }
        // The fixture really holds the tricky titles that assertCells compared verbatim.
        let titles = Set(summary.compactMap { $0[5].stringValue })
        XCTAssertTrue(titles.contains("vertical\u{0B}tab") && titles.contains("crlf\r\ninside") && titles.contains("=SUM(A1:A9)"))
    }

    func testChineseHeadersAndAboutSheet() throws {
        let rows = ExportFixture.rows(Datasets.fullSchema(.user_read), count: 3)
        let sheets = try sheets(try workbook([(.user_read, rows)], headers: .zh))
        let header = (sheets[0]["rows"] as? [[[String: Any]]])?.first ?? []
        XCTAssertEqual(header.map { $0["v"] as? String }, Datasets.fullSchema(.user_read).columns.map(\.label))
        let about = sheets.last ?? [:]
        XCTAssertEqual(about["name"] as? String, "About")
        let texts = ((about["rows"] as? [[[String: Any]]]) ?? []).map { $0.map { $0["v"] as? String ?? "" } }
        let context = ExportFixture.context
        XCTAssertTrue(texts.contains { $0.prefix(2) == ["Pipeline", context.pipelineName] })
        XCTAssertTrue(texts.contains { $0.prefix(2) == ["Range", "2024-03-01 to 2024-03-07"] })
        XCTAssertTrue(texts.contains { $0.prefix(2) == ["Accounts", "main, second/brand"] })
        XCTAssertTrue(texts.contains { $0.prefix(2) == ["Generated at", "2024-03-07T08:26:40Z"] })
        XCTAssertTrue(texts.contains { $0.prefix(2) == ["Threshold caveat", context.caveat] })
        for column in Datasets.fullSchema(.user_read).columns {
            XCTAssertTrue(
                texts.contains { $0 == ["user_read", column.name, column.type.rawValue, column.description, column.label] },
                "glossary row for \(column.name)")
        }
    }

    func testEmptyDatasetGivesHeaderOnlySheet() throws {
        let sheets = try sheets(try workbook([(.user_share, []), (.user_read, ExportFixture.rows(Datasets.fullSchema(.user_read), count: 2))]))
        XCTAssertEqual(sheets.map { $0["name"] as? String }, ["user_share", "user_read", "About"])
        let rows = sheets[0]["rows"] as? [[[String: Any]]] ?? []
        XCTAssertEqual(rows.count, 1)
        XCTAssertEqual(rows.first?.map { $0["v"] as? String }, Datasets.fullSchema(.user_share).names)
        XCTAssertEqual(sheets[0]["autofilter"] as? String, "A1:F1")
    }

    func testSheetContinuesOnNextSheetPastTheRowLimit() throws {
        let schema = Datasets.fullSchema(.user_share)
        let rows = ExportFixture.rows(schema, count: 11)
        // 5 rows per sheet, header included: 4 data rows each.
        let sheets = try sheets(try workbook([(.user_share, rows), (.user_read, [])], maxRows: 5))
        XCTAssertEqual(sheets.map { $0["name"] as? String }, ["user_share", "user_share_2", "user_share_3", "user_read", "About"])
        assertCells(sheets[0], schema: schema, rows: Array(rows[0..<4]))
        assertCells(sheets[1], schema: schema, rows: Array(rows[4..<8]))
        assertCells(sheets[2], schema: schema, rows: Array(rows[8..<11]))
        XCTAssertEqual(sheets[1]["freeze"] as? String, "A2")
        XCTAssertEqual(sheets[2]["autofilter"] as? String, "A1:F4")
    }

    func testZipContainerPassesUnzipAndFlagsUTF8NamesAndDescriptors() throws {
        let url = try workbook([(.article_summary, ExportFixture.rows(Datasets.fullSchema(.article_summary), count: 50))])
        let test = String(decoding: try ExportFixture.run("unzip", ["-t", url.path]), as: UTF8.self)
        XCTAssertTrue(test.contains("No errors detected"), test)
        let entries = try ExportFixture.read("zip", [url.path])["entries"] as? [[String: Any]] ?? []
        XCTAssertEqual(
            Set(entries.compactMap { $0["name"] as? String }),
            [
                "[Content_Types].xml", "_rels/.rels", "docProps/core.xml", "docProps/app.xml", "xl/workbook.xml",
                "xl/_rels/workbook.xml.rels", "xl/styles.xml", "xl/worksheets/sheet1.xml", "xl/worksheets/sheet2.xml",
            ])
        for entry in entries {
            XCTAssertEqual(entry["flag_bits"] as? Int, 0x0808, "data descriptor + UTF-8 name: \(entry)")
            XCTAssertEqual(entry["compress_type"] as? Int, 8, "deflate")
        }
        let bytes = try Data(contentsOf: url)
        XCTAssertNil(bytes.range(of: Data([0x50, 0x4B, 0x06, 0x06])), "no ZIP64 end record in a small archive")
    }

    func testZip64RecordsWhenAnEntryNeedsThem() throws {
        // Lowering the threshold makes every size and offset "large", exercising the ZIP64 fields.
        let rows = ExportFixture.rows(Datasets.fullSchema(.user_read), count: 20)
        let url = try workbook([(.user_read, rows)], zip64Threshold: 64)
        let bytes = try Data(contentsOf: url)
        XCTAssertNotNil(bytes.range(of: Data([0x50, 0x4B, 0x06, 0x06])), "ZIP64 end of central directory")
        let test = String(decoding: try ExportFixture.run("unzip", ["-t", url.path]), as: UTF8.self)
        XCTAssertTrue(test.contains("No errors detected"), test)
        XCTAssertNil(try ExportFixture.read("zip", [url.path])["bad"] as? String)
        assertCells(try sheets(url)[0], schema: Datasets.fullSchema(.user_read), rows: rows)
    }

    func testTextOverTheCellLimitIsCutWithAWarning() throws {
        let schema = Datasets.fullSchema(.article_summary)
        var rows = ExportFixture.rows(schema, count: 2)
        // 32,766 units + an emoji (2 UTF-16 units) passes 32,767: the cut falls before the emoji, not inside it.
        let long = String(repeating: "a", count: 32_766) + "🎉" + String(repeating: "b", count: 100)
        rows[1][5] = .string(long)
        let captured = CapturedLog()
        let sheets = try sheets(try workbook([(.article_summary, rows)], logger: captured.logger))
        let cells = sheets[0]["rows"] as? [[[String: Any]]] ?? []
        XCTAssertEqual(cells[2][5]["v"] as? String, String(repeating: "a", count: 32_766))
        let warnings = captured.all.filter { $0.0 == .warning }
        XCTAssertEqual(warnings.count, 1)
        XCTAssertTrue(warnings.first?.1.contains("cell=F3") == true, "\(warnings)")
    }

    /// LibreOffice converts every sheet to CSV; each must equal the CSV we write for that dataset.
    func testLibreOfficeConvertsTheWorkbookToOurCSV() throws {
        guard ProcessInfo.processInfo.environment["WXCUBE_SKIP_LIBREOFFICE"] != "1" else {
            throw XCTSkip("WXCUBE_SKIP_LIBREOFFICE=1")
        }
        let soffice = ["/usr/bin/soffice", "/usr/local/bin/soffice", "/usr/lib/libreoffice/program/soffice"]
            .first { FileManager.default.isExecutableFile(atPath: $0) }
        guard let soffice else {
            return XCTFail("LibreOffice (soffice) is not installed: apt-get install libreoffice-calc-nogui, or set WXCUBE_SKIP_LIBREOFFICE=1")
        }
        let inputs: [(DatasetName, [Row])] = [
            (.article_summary, ExportFixture.rows(Datasets.fullSchema(.article_summary), count: 30)),
            (.article_total, ExportFixture.rows(Datasets.fullSchema(.article_total), count: 30, seed: 5)),
        ]
        let book = try workbook(inputs)
        let converted = dir.appendingPathComponent("lo")
        // A private profile, so parallel runs do not share LibreOffice's lock.
        // Filter tokens: comma, ", UTF-8, from line 1, -, -, quoted as text, detect numbers,
        // values not "as shown", no formulas, no trimming, every sheet (-1).
        try ExportFixture.run(
            soffice,
            [
                "-env:UserInstallation=file://\(dir.path)/lo-profile", "--headless", "--convert-to",
                "csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,false,false,false,-1", "--outdir", converted.path, book.path,
            ])
        for (dataset, rows) in inputs {
            let ours = dir.appendingPathComponent("\(dataset.rawValue).csv")
            _ = try CSVExporter().exportFile(
                [ExportInput(dataset: dataset, stream: ArrayRowStream(schema: Datasets.fullSchema(dataset), rows: rows))], to: ours)
            let theirs = converted.appendingPathComponent("book-\(dataset.rawValue).csv")
            XCTAssertTrue(FileManager.default.fileExists(atPath: theirs.path), "LibreOffice wrote \(theirs.lastPathComponent)")
            let expected = try ExportFixture.read("csv", [ours.path])["rows"] as? [[String]] ?? []
            let got = try ExportFixture.read("csv", [theirs.path])["rows"] as? [[String]] ?? []
            XCTAssertEqual(got.count, expected.count, dataset.rawValue)
            let schema = Datasets.fullSchema(dataset)
            for (r, (g, e)) in zip(got, expected).enumerated() {
                XCTAssertEqual(g.count, e.count, "\(dataset.rawValue) row \(r)")
                for (c, (gv, ev)) in zip(g, e).enumerated() {
                    let label = "\(dataset.rawValue) row \(r) \(schema.columns[c].name)"
                    if r > 0, schema.columns[c].type == .float, !ev.isEmpty {
                        // LibreOffice prints 15 significant digits, and a percent-formatted value as "x%".
                        let percent = gv.hasSuffix("%")
                        let number = (Double(percent ? String(gv.dropLast()) : gv) ?? .nan) / (percent ? 100 : 1)
                        let want = Double(ev) ?? .nan
                        XCTAssertEqual(number, want, accuracy: abs(want) * 1e-13, label)
                    } else {
                        XCTAssertEqual(gv, Self.asLibreOfficeKeepsIt(ev), label)
                    }
                }
            }
        }
    }

    /// LibreOffice keeps every character of the cell text (U+000B included) except CR,
    /// which it drops ("a\r\nb" comes out as "a\nb"); everything else must match exactly.
    private static func asLibreOfficeKeepsIt(_ text: String) -> String {
        String(String.UnicodeScalarView(text.unicodeScalars.filter { $0 != "\r" }))
    }
}
