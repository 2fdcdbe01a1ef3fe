import Foundation
import XCTest

@testable import WXCube

/// The Parquet writer, read back with pyarrow and DuckDB (Tests/python/export_reader.py).
final class ExportParquetTests: XCTestCase {
    private func temporary() throws -> URL {
        let dir = try ExportFixture.temporaryDirectory()
        addTeardownBlock { try? FileManager.default.removeItem(at: dir) }
        return dir
    }

    @discardableResult
    private func writeParquet(
        _ dataset: DatasetName, _ stream: any RowStream, to url: URL, compression: ParquetCompression = .zstd,
        rowGroupRows: Int = ParquetExporter.defaultRowGroupRows,
        limits: ParquetLimits = ParquetLimits()
    ) throws -> WrittenFile {
        var exporter = ParquetExporter(compression: compression, rowGroupRows: rowGroupRows, context: ExportFixture.context)
        exporter.limits = limits
        return try exporter.exportFile([ExportInput(dataset: dataset, stream: stream)], to: url)
    }

    /// Parquet types for the catalogue's (docs/parquet.md).
    private func expected(_ column: Column) -> (physical: String, logical: String, maxDef: Int) {
        let def = column.nullable ? 1 : 0
        switch column.type {
        case .string: return ("BYTE_ARRAY", "String", def)
        case .int: return ("INT64", "None", def)
        case .float: return ("DOUBLE", "None", def)
        case .date: return ("INT32", "Date", def)
        case .bool: return ("BOOLEAN", "None", def)
        }
    }

    private func checkStatistics(_ answer: [String: Any], file: StaticString = #filePath, line: UInt = #line) -> Int {
        let groups = answer["row_groups"] as? [[String: Any]] ?? []
        let expected = answer["expected_stats"] as? [[[String: Any]]] ?? []
        let schema = answer["schema"] as? [[String: Any]] ?? []
        XCTAssertEqual(groups.count, expected.count, file: file, line: line)
        var compared = 0
        for (g, group) in groups.enumerated() {
            for (c, column) in (group["columns"] as? [[String: Any]] ?? []).enumerated() {
                let name = schema[c]["name"] as? String ?? "?"
                guard let stats = column["stats"] as? [String: Any] else {
                    XCTFail("row group \(g) column \(name) has no statistics", file: file, line: line)
                    continue
                }
                let want = expected[g][c]
                XCTAssertEqual(stats["null_count"] as? Int, want["null_count"] as? Int, "\(name) null_count", file: file, line: line)
                if stats["has_min_max"] as? Bool == true {
                    XCTAssertEqual("\(stats["min"] ?? "nil")", "\(want["min"] ?? "nil")", "\(name) min in row group \(g)", file: file, line: line)
                    XCTAssertEqual("\(stats["max"] ?? "nil")", "\(want["max"] ?? "nil")", "\(name) max in row group \(g)", file: file, line: line)
                    compared += 1
                } else {
                    // Only all-null chunks and very long texts go without min/max.
                    let long =
                        (want["max"] as? String).map { $0.utf8.count > 4096 } ?? false
                        || (want["min"] as? String).map { $0.utf8.count > 4096 } ?? false
                    XCTAssertTrue(want["min"] is NSNull || want["min"] == nil || long, "\(name): min/max missing", file: file, line: line)
                }
            }
        }
        return compared
    }

    // MARK: types, values, statistics

    func testEveryDatasetReadsBackWithPyarrowAsItsNDJSONWithCatalogueTypesAndCorrectStatistics() throws {
        let dir = try temporary()
        let schemaJSON = try CLIProcess.run(["schema", "--format", "json"])
        XCTAssertEqual(schemaJSON.status, 0, schemaJSON.stderr)
        let catalogue = try JSONSerialization.jsonObject(with: Data(schemaJSON.stdout.utf8)) as? [[String: Any]] ?? []
        XCTAssertEqual(catalogue.count, DatasetName.allCases.count)
        for entry in catalogue {
            guard let name = entry["dataset"] as? String, let dataset = DatasetName(rawValue: name) else {
                XCTFail("unknown dataset in wxcube schema: \(entry)")
                continue
            }
            let columns = (entry["columns"] as? [[String: Any]] ?? []).map { c in
                Column(
                    c["name"] as? String ?? "", ColumnType(rawValue: c["type"] as? String ?? "") ?? .string,
                    nullable: c["nullable"] as? Bool ?? true, c["description"] as? String ?? "", zh: c["label_zh"] as? String ?? "")
            }
            let schema = Schema(columns)
            let rows = ExportFixture.rows(schema, count: 700)
            let pq = dir.appendingPathComponent("\(name).parquet"), nd = dir.appendingPathComponent("\(name).ndjson")
            try writeParquet(dataset, ArrayRowStream(schema: schema, rows: rows), to: pq, rowGroupRows: 300)
            _ = try NDJSONExporter().exportFile([ExportInput(dataset: dataset, stream: ArrayRowStream(schema: schema, rows: rows))], to: nd)
            let answer = try ExportFixture.read("parquet", [pq.path, nd.path])
            XCTAssertEqual(answer["rows"] as? Int, 700, name)
            XCTAssertEqual(answer["ndjson_rows"] as? Int, 700, name)
            XCTAssertEqual(answer["ndjson_mismatches"] as? Int, 0, "\(name): \(answer["first_mismatch"] ?? "")")
            let fileSchema = answer["schema"] as? [[String: Any]] ?? []
            XCTAssertEqual(fileSchema.map { $0["name"] as? String ?? "" }, schema.names, name)
            for (column, field) in zip(schema.columns, fileSchema) {
                let want = expected(column)
                XCTAssertEqual(field["physical"] as? String, want.physical, "\(name).\(column.name)")
                XCTAssertEqual(field["logical"] as? String, want.logical, "\(name).\(column.name)")
                XCTAssertEqual(field["max_def"] as? Int, want.maxDef, "\(name).\(column.name) nullable=\(column.nullable)")
            }
            XCTAssertEqual((answer["row_groups"] as? [Any])?.count, 3, "700 rows at 300 per row group")
            XCTAssertGreaterThan(checkStatistics(answer), schema.count, name)
            let metadata = answer["metadata"] as? [String: String] ?? [:]
            XCTAssertEqual(metadata["wxcube.dataset"], name)
            XCTAssertEqual(metadata["wxcube.caveat"] != nil, dataset == .article_summary, "the caveat goes with article_summary only")
        }
    }

    func testKeyValueMetadataCarriesVersionPipelineRangeLabelsAndCaveat() throws {
        let dir = try temporary()
        let url = dir.appendingPathComponent("s.parquet")
        try writeParquet(.article_summary, ExportFixture.stream(.article_summary, count: 20), to: url)
        let answer = try ExportFixture.read("parquet", [url.path])
        let metadata = answer["metadata"] as? [String: String] ?? [:]
        XCTAssertEqual(metadata["wxcube.version"], WXCubeVersion.current)
        XCTAssertEqual(metadata["wxcube.pipeline"], "nightly test")
        XCTAssertEqual(metadata["wxcube.range"], #"{"from":"2024-03-01","to":"2024-03-07"}"#)
        XCTAssertEqual(metadata["wxcube.caveat"], ExportFixture.context.caveat)
        XCTAssertEqual(answer["created_by"] as? String, "wxcube version \(WXCubeVersion.current)")
        let columns = try JSONSerialization.jsonObject(with: Data((metadata["wxcube.columns"] ?? "").utf8)) as? [String: [String: String]] ?? [:]
        let schema = Datasets.fullSchema(.article_summary)
        XCTAssertEqual(columns.count, schema.count)
        for c in schema.columns {
            XCTAssertEqual(columns[c.name]?["description"], c.description, c.name)
            XCTAssertEqual(columns[c.name]?["label_zh"], c.label, c.name)
        }
    }

    // MARK: DuckDB

    func testDuckDBReadParquetCountsAndSumsEqualTheCSV() throws {
        let dir = try temporary()
        for dataset in DatasetName.allCases {
            let pq = dir.appendingPathComponent("\(dataset.rawValue).parquet"), csv = dir.appendingPathComponent("\(dataset.rawValue).csv.gz")
            try writeParquet(dataset, ExportFixture.stream(dataset, count: 900), to: pq, rowGroupRows: 250)
            _ = try CSVExporter().exportFile([ExportInput(dataset: dataset, stream: ExportFixture.stream(dataset, count: 900))], to: csv, gzipLevel: 6)
            let schema = Datasets.fullSchema(dataset)
            let numeric = schema.columns.filter { $0.type == .int || $0.type == .float }.map(\.name)
            let answer = try ExportFixture.read("duckdb-parquet", [pq.path, csv.path] + numeric)
            let p = answer["parquet"] as? [String: Any], c = answer["csv"] as? [String: Any]
            XCTAssertEqual(p?["count"] as? Int, 900, dataset.rawValue)
            XCTAssertEqual(p?["count"] as? Int, c?["count"] as? Int, dataset.rawValue)
            let ps = p?["sums"] as? [String: Any] ?? [:], cs = c?["sums"] as? [String: Any] ?? [:]
            for col in numeric {
                let a = (ps[col] as? NSNumber)?.doubleValue, b = (cs[col] as? NSNumber)?.doubleValue
                XCTAssertNotNil(a, "\(dataset.rawValue).\(col)")
                if let a, let b { XCTAssertEqual(a, b, accuracy: abs(b) * 1e-12 + 1e-9, "\(dataset.rawValue).\(col)") }
            }
            let types = Dictionary(uniqueKeysWithValues: (answer["types"] as? [[String]] ?? []).map { ($0[0], $0[1]) })
            for col in schema.columns {
                let want = ["string": "VARCHAR", "int": "BIGINT", "float": "DOUBLE", "date": "DATE", "bool": "BOOLEAN"][col.type.rawValue]
                XCTAssertEqual(types[col.name], want, "\(dataset.rawValue).\(col.name)")
            }
        }
    }

    // MARK: compression, row groups, encodings

    func testEveryCompressionReadsBackIdentically() throws {
        let dir = try temporary()
        let nd = dir.appendingPathComponent("t.ndjson")
        _ = try NDJSONExporter().exportFile([ExportInput(dataset: .article_total, stream: ExportFixture.stream(.article_total, count: 500))], to: nd)
        var sizes: [ParquetCompression: Int] = [:]
        for compression in ParquetCompression.allCases {
            let url = dir.appendingPathComponent("t-\(compression.rawValue).parquet")
            sizes[compression] = try writeParquet(
                .article_total, ExportFixture.stream(.article_total, count: 500), to: url,
                compression: compression, rowGroupRows: 200
            ).bytes
            let answer = try ExportFixture.read("parquet", [url.path, nd.path])
            XCTAssertEqual(answer["ndjson_mismatches"] as? Int, 0, "\(compression): \(answer["first_mismatch"] ?? "")")
            let codec = ["zstd": "ZSTD", "snappy": "SNAPPY", "gzip": "GZIP", "none": "UNCOMPRESSED"][compression.rawValue]
            for group in answer["row_groups"] as? [[String: Any]] ?? [] {
                for column in group["columns"] as? [[String: Any]] ?? [] {
                    XCTAssertEqual(column["compression"] as? String, codec, compression.rawValue)
                }
            }
        }
        for compression in [ParquetCompression.zstd, .snappy, .gzip] {
            XCTAssertLessThan(sizes[compression] ?? .max, sizes[.none] ?? 0, "\(compression) is smaller than none")
        }
    }

    func testDictionaryWhenSmallerPlainOtherwiseAndFallbackWhenTheDictionaryOutgrowsItsLimit() throws {
        let dir = try temporary()
        let schema = Schema([
            Column("repeated", .string, nullable: false, "few values", zh: "重复"),
            Column("unique", .string, nullable: false, "all distinct", zh: "唯一"),
            Column("n", .int, "few ints", zh: "整数"),
            Column("flag", .bool, "a bool", zh: "布尔"),
        ])
        let rows: [Row] = (0..<3000).map { i in
            [
                .string(["main", "second", "third"][i % 3]), .string("unique text number \(i) " + String(repeating: "x", count: i % 50)),
                i % 7 == 0 ? .null : .int(i % 5), i % 5 == 0 ? .null : .bool(i % 3 == 0),
            ]
        }
        let url = dir.appendingPathComponent("d.parquet")
        try writeParquet(.user_read, ArrayRowStream(schema: schema, rows: rows), to: url)
        var answer = try ExportFixture.read("parquet", [url.path])
        var columns = (answer["row_groups"] as? [[String: Any]])?.first?["columns"] as? [[String: Any]] ?? []
        XCTAssertEqual(columns.map { $0["has_dictionary"] as? Bool }, [true, false, true, false])
        XCTAssertEqual(columns.first?["encodings"] as? [String], ["PLAIN", "RLE_DICTIONARY"])
        XCTAssertEqual(columns[1]["encodings"] as? [String], ["PLAIN"])
        var values = answer["values"] as? [[String: Any]] ?? []
        XCTAssertEqual(values.count, 3000)
        XCTAssertEqual(values[2999]["repeated"] as? String, "third")
        XCTAssertEqual(values[0]["flag"] is NSNull, true)
        XCTAssertEqual(values[3]["flag"] as? Bool, true)
        XCTAssertEqual(values[4]["flag"] as? Bool, false)
        XCTAssertEqual(values[7]["n"] is NSNull, true)
        _ = checkStatistics(answer)

        // A small dictionary limit: dictionary pages first, then PLAIN pages in the same chunk.
        // Ten values for the first 1000 rows, then a new one per row.
        let many: [Row] = (0..<5000).map { i in [.string(i < 1000 ? "r\(i % 10)" : "v\(i)"), .string("u\(i)"), .int(i), .bool(true)] }
        var limits = ParquetLimits()
        limits.dictionaryBytes = 4000
        limits.pageRows = 500
        try writeParquet(.user_read, ArrayRowStream(schema: schema, rows: many), to: url, limits: limits)
        answer = try ExportFixture.read("parquet", [url.path])
        columns = (answer["row_groups"] as? [[String: Any]])?.first?["columns"] as? [[String: Any]] ?? []
        XCTAssertEqual(columns.first?["has_dictionary"] as? Bool, true)
        XCTAssertEqual(Set(columns.first?["encodings"] as? [String] ?? []), ["PLAIN", "RLE_DICTIONARY"])
        values = answer["values"] as? [[String: Any]] ?? []
        XCTAssertEqual(values.map { $0["repeated"] as? String ?? "" }, many.map { $0[0].stringValue ?? "" })
        XCTAssertEqual(values.map { $0["n"] as? Int ?? -1 }, Array(0..<5000))
        _ = checkStatistics(answer)
    }

    func testEmptyDatasetHasTheSchemaAndNoRows() throws {
        let dir = try temporary()
        for dataset in [DatasetName.article_total, .user_share] {
            let url = dir.appendingPathComponent("\(dataset.rawValue).parquet"), csv = dir.appendingPathComponent("e.csv")
            let written = try writeParquet(dataset, ExportFixture.stream(dataset, count: 0), to: url)
            XCTAssertEqual(written.rows, [0])
            let answer = try ExportFixture.read("parquet", [url.path])
            XCTAssertEqual(answer["rows"] as? Int, 0)
            XCTAssertEqual((answer["schema"] as? [Any])?.count, Datasets.fullSchema(dataset).count)
            _ = try CSVExporter().exportFile([ExportInput(dataset: dataset, stream: ExportFixture.stream(dataset, count: 0))], to: csv)
            let duck = try ExportFixture.read("duckdb-parquet", [url.path, csv.path])
            XCTAssertEqual((duck["parquet"] as? [String: Any])?["count"] as? Int, 0)
        }
    }

    func testTitlesWithEmojiControlCharactersAndTenKilobytesSurvive() throws {
        let dir = try temporary()
        let controls = String(String.UnicodeScalarView((0..<32).compactMap { Unicode.Scalar(UInt32($0)) }))
        let long = String(repeating: "長い标题 with emoji 🎉👩‍👩‍👧 ", count: 400) // over 10 KB of UTF-8
        XCTAssertGreaterThan(long.utf8.count, 10_240)
        let titles = ExportFixture.titles + [controls, long, "\u{7F}\u{85}\u{2028}\u{FEFF}", "🇨🇳", long + "!"]
        let schema = Datasets.fullSchema(.article_summary)
        guard let titleIndex = schema.index(of: "title") else { return XCTFail("no title column") }
        var rows = ExportFixture.rows(schema, count: titles.count * 3)
        for i in rows.indices { rows[i][titleIndex] = i % 17 == 16 ? .null : .string(titles[i % titles.count]) }
        let pq = dir.appendingPathComponent("t.parquet"), nd = dir.appendingPathComponent("t.ndjson")
        try writeParquet(.article_summary, ArrayRowStream(schema: schema, rows: rows), to: pq, rowGroupRows: 40)
        _ = try NDJSONExporter().exportFile([ExportInput(dataset: .article_summary, stream: ArrayRowStream(schema: schema, rows: rows))], to: nd)
        let answer = try ExportFixture.read("parquet", [pq.path, nd.path])
        XCTAssertEqual(answer["ndjson_mismatches"] as? Int, 0, "\(answer["first_mismatch"] ?? "")")
        _ = checkStatistics(answer)
        let plain = try ExportFixture.read("parquet", [pq.path])
        let read = (plain["values"] as? [[String: Any]] ?? []).map { $0["title"] as? String }
        XCTAssertEqual(read, rows.map { $0[titleIndex].stringValue })
    }

    func testSameRowsGiveByteIdenticalFiles() throws {
        let dir = try temporary()
        var digests: [String] = []
        for run in 0..<2 {
            for compression in ParquetCompression.allCases {
                let url = dir.appendingPathComponent("\(run)-\(compression.rawValue).parquet")
                digests.append(
                    try writeParquet(
                        .article_total, ExportFixture.stream(.article_total, count: 400), to: url,
                        compression: compression, rowGroupRows: 150
                    ).sha256)
            }
        }
        XCTAssertEqual(Array(digests[0..<4]), Array(digests[4..<8]))
        XCTAssertEqual(Set(digests).count, 4)
    }

    func testANullInANonNullableColumnIsAClearError() throws {
        let dir = try temporary()
        let schema = Schema([Column("account", .string, nullable: false, "acc", zh: "账号")])
        XCTAssertThrowsError(
            try writeParquet(
                .user_read, ArrayRowStream(schema: schema, rows: [[.string("a")], [.null]]),
                to: dir.appendingPathComponent("x.parquet"))
        ) { error in
            XCTAssertEqual(error as? ParquetError, .nullInRequiredColumn(dataset: "user_read", column: "account"))
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: dir.appendingPathComponent("x.parquet").path))
    }

    // MARK: string cells read in place

    func testStringCellsGiveEachStringsBytes() {
        #if _pointerBitWidth(_64) && _endian(little)
            XCTAssertTrue(ParquetStringCell.smallLayout, "the small-string check failed here: every string takes the slower path")
        #endif
        var shortWithStorage = String(repeating: "x", count: 40)
        shortWithStorage.removeLast(35) // 5 bytes, still in its heap storage (not a small string)
        let texts = [
            "", "a", "abcdefghijklmno", "abcdefghijklmnop", "微信公众号", "微信公众号文章", "🙂\u{0}\u{1F}x",
            String(repeating: "标题", count: 100), shortWithStorage,
        ]
        let cells = texts.map { Value.string($0) } + [.int(3), .null]
        cells.withUnsafeBufferPointer { cells in
            for layout in [true, false] where !layout || ParquetStringCell.smallLayout {
                for (k, text) in texts.enumerated() {
                    var cell = ParquetStringCell(cells.baseAddress! + k, smallLayout: layout)
                    XCTAssertEqual(cell?.withBytes { Array($0) }, Array(text.utf8), "\(text.debugDescription), small layout \(layout)")
                }
                XCTAssertNil(ParquetStringCell(cells.baseAddress! + texts.count, smallLayout: layout))
                XCTAssertNil(ParquetStringCell(cells.baseAddress! + texts.count + 1, smallLayout: layout))
            }
        }
    }

    // MARK: the hybrid encoder against a reference decoder

    func testHybridEncodingRoundTripsThroughAReferenceDecoder() {
        var generator = SystemRandomNumberGenerator()
        for width in [0, 1, 2, 3, 7, 8, 9, 13, 16, 20, 31, 32] {
            for length in [0, 1, 7, 8, 9, 15, 16, 17, 100, 1000] {
                let maxValue: UInt64 = width == 0 ? 0 : (UInt64(1) << UInt64(width)) - 1
                var values: [UInt32] = []
                while values.count < length {
                    let v = UInt32(UInt64.random(in: 0...maxValue, using: &generator))
                    let run = Int.random(in: 0..<4, using: &generator) == 0 ? Int.random(in: 1...20, using: &generator) : 1
                    values.append(contentsOf: repeatElement(v, count: min(run, length - values.count)))
                }
                let out = ParquetBuffer()
                values.withUnsafeBufferPointer { ParquetEncoder.hybrid($0, bitWidth: width, into: out) }
                let decoded = Self.decodeHybrid(Array(out.bytes), bitWidth: width, count: length)
                XCTAssertEqual(decoded, values, "width \(width) length \(length)")
                if width <= 8 {
                    // Definition levels are bytes: the same encoder, specialised for UInt8.
                    let bytes = ParquetBuffer()
                    values.map { UInt8($0) }.withUnsafeBufferPointer { ParquetEncoder.hybrid($0, bitWidth: width, into: bytes) }
                    XCTAssertEqual(Array(bytes.bytes), Array(out.bytes), "UInt8, width \(width) length \(length)")
                }
            }
        }
    }

    /// The RLE / bit-packed hybrid decoder, written from Encodings.md.
    private static func decodeHybrid(_ bytes: [UInt8], bitWidth: Int, count: Int) -> [UInt32] {
        var out: [UInt32] = []
        var p = 0
        func varint() -> UInt64 {
            var v: UInt64 = 0, shift: UInt64 = 0
            while p < bytes.count {
                let b = bytes[p]
                p += 1
                v |= UInt64(b & 0x7F) << shift
                if b < 0x80 { break }
                shift += 7
            }
            return v
        }
        while out.count < count && p < bytes.count {
            let header = varint()
            if header & 1 == 0 {
                var v: UInt32 = 0
                for i in 0..<((bitWidth + 7) / 8) {
                    v |= UInt32(bytes[p]) << UInt32(8 * i)
                    p += 1
                }
                out.append(contentsOf: repeatElement(v, count: Int(header >> 1)))
            } else {
                let n = Int(header >> 1) * 8
                var bit = 0
                for _ in 0..<n {
                    var v: UInt64 = 0
                    for b in 0..<bitWidth {
                        let absolute = bit + b
                        if bytes[p + absolute / 8] & (1 << UInt8(absolute % 8)) != 0 { v |= 1 << UInt64(b) }
                    }
                    bit += bitWidth
                    out.append(UInt32(v))
                }
                p += (n * bitWidth + 7) / 8
            }
        }
        return Array(out.prefix(count))
    }

    // MARK: the demo pipeline

    /// The README's demo writes Parquet for every dataset: each equals the run's NDJSON (pyarrow), its counts and
    /// sums equal the csv.gz (DuckDB), and the README's one-command DuckDB load works.
    func testDemoRunParquetEqualsItsNDJSONAndCSVAndTheReadmeDuckDBCommandLoadsIt() throws {
        let dir = try temporary()
        let out = dir.appendingPathComponent("out")
        let run = try CLIProcess.run(["run", "pipelines/demo.yaml", "--out", out.path, "--store", dir.appendingPathComponent("s.sqlite").path])
        XCTAssertEqual(run.status, 0, run.stderr)
        let manifest = try JSONSerialization.jsonObject(with: Data(contentsOf: out.appendingPathComponent("manifest.json"))) as? [String: Any]
        let files = manifest?["files"] as? [[String: Any]] ?? []
        func path(_ format: String, _ dataset: DatasetName) -> String? {
            (files.first { $0["format"] as? String == format && ($0["datasets"] as? [String]) == [dataset.rawValue] }?["path"] as? String)
                .map { out.appendingPathComponent($0).path }
        }
        for dataset in DatasetName.allCases {
            guard let pq = path("parquet", dataset), let nd = path("ndjson", dataset), let csv = path("csv.gz", dataset) else {
                XCTFail("manifest lacks \(dataset.rawValue) in parquet, ndjson or csv.gz: \(files)")
                continue
            }
            let entry = files.first { $0["format"] as? String == "parquet" && ($0["datasets"] as? [String]) == [dataset.rawValue] }
            let answer = try ExportFixture.read("parquet", [pq, nd])
            XCTAssertGreaterThan(answer["rows"] as? Int ?? 0, 0, dataset.rawValue)
            XCTAssertEqual(answer["rows"] as? Int, entry?["rows"] as? Int, dataset.rawValue)
            XCTAssertEqual(answer["ndjson_mismatches"] as? Int, 0, "\(dataset.rawValue): \(answer["first_mismatch"] ?? "")")
            _ = checkStatistics(answer)
            let numeric = Datasets.fullSchema(dataset).columns.filter { $0.type == .int || $0.type == .float }.map(\.name)
            let duck = try ExportFixture.read("duckdb-parquet", [pq, csv] + numeric)
            let p = duck["parquet"] as? [String: Any], c = duck["csv"] as? [String: Any]
            XCTAssertEqual(p?["count"] as? Int, c?["count"] as? Int, dataset.rawValue)
            let ps = p?["sums"] as? [String: Any] ?? [:], cs = c?["sums"] as? [String: Any] ?? [:]
            for col in numeric {
                let a = (ps[col] as? NSNumber)?.doubleValue, b = (cs[col] as? NSNumber)?.doubleValue
                XCTAssertEqual(a == nil, b == nil, "\(dataset.rawValue).\(col)")
                if let a, let b { XCTAssertEqual(a, b, accuracy: abs(b) * 1e-12 + 1e-9, "\(dataset.rawValue).\(col)") }
            }
        }
        // The README's command, as written there, from the folder holding out/.
        let readme = try String(contentsOf: CLIProcess.packageRoot.appendingPathComponent("README.md"), encoding: .utf8)
        guard let command = readme.split(separator: "\n").first(where: { $0.hasPrefix("python3 -c \"import duckdb") }) else {
            return XCTFail("README has no DuckDB load command")
        }
        let shell = Process()
        shell.executableURL = URL(fileURLWithPath: "/bin/sh")
        shell.arguments = ["-c", String(command)]
        shell.currentDirectoryURL = dir
        try shell.run()
        shell.waitUntilExit()
        XCTAssertEqual(shell.terminationStatus, 0)
        let tables = try ExportFixture.run(
            "python3",
            [
                "-c",
                """
                import duckdb, json, sys
                db = duckdb.connect(sys.argv[1], read_only=True)
                print(json.dumps({t: db.execute(f"select count(*) from {t}").fetchone()[0] for (t,) in db.execute("show tables").fetchall()}))
                """, dir.appendingPathComponent("out/demo.duckdb").path,
            ])
        let counts = try JSONSerialization.jsonObject(with: tables) as? [String: Int] ?? [:]
        XCTAssertEqual(Set(counts.keys), Set(DatasetName.allCases.map(\.rawValue)))
        for dataset in DatasetName.allCases {
            let entry = files.first { $0["format"] as? String == "parquet" && ($0["datasets"] as? [String]) == [dataset.rawValue] }
            XCTAssertEqual(counts[dataset.rawValue], entry?["rows"] as? Int, dataset.rawValue)
        }
    }

    /// What bench/compare.sh times: `wxcube-bench --format parquet` writes a file pyarrow reads in full.
    func testBenchWritesParquetThatPyarrowReads() throws {
        let dir = try temporary()
        let url = dir.appendingPathComponent("bench.parquet")
        let bench = try CLIProcess.run(["--rows", "7000", "--pool", "300", "--format", "parquet", "--out", url.path], executable: "wxcube-bench")
        XCTAssertEqual(bench.status, 0, bench.stderr)
        XCTAssertTrue(bench.stdout.contains(#""rows":7000"#), bench.stdout)
        let answer = try ExportFixture.read("parquet", [url.path])
        XCTAssertEqual(answer["rows"] as? Int, 7000)
        XCTAssertEqual((answer["schema"] as? [Any])?.count, Datasets.fullSchema(.article_total).count)
        _ = checkStatistics(answer)
    }

    // MARK: pipeline keys

    func testPipelineKeysForParquet() throws {
        let base = """
            version: 1
            accounts: [{name: main, appid: wx1, access_token: tok}]
            stages: [{fetch: {endpoints: [getuserread]}}]
            outputs:

            """
        let spec = try SpecLoader.parse(
            base + """
                  - {dataset: user_read, format: parquet, path: a.parquet}
                  - {dataset: user_read, format: parquet, path: b.parquet, compression: snappy, row_group_rows: 5000, level: 3}
                """, file: "t.yaml", environment: [:])
        XCTAssertEqual(spec.outputs[0].parquetCompression, .zstd)
        XCTAssertEqual(spec.outputs[0].rowGroupRows, SpecDefaults.rowGroupRows)
        XCTAssertNil(spec.outputs[0].parquetLevel)
        XCTAssertEqual(spec.outputs[1].parquetCompression, .snappy)
        XCTAssertEqual(spec.outputs[1].rowGroupRows, 5000)
        XCTAssertEqual(spec.outputs[1].parquetLevel, 3)
        do {
            _ = try SpecLoader.parse(
                base + """
                      - {dataset: user_read, format: parquet, path: a.parquet, compression: zsdt, row_group_rows: 0}
                      - {dataset: user_read, format: csv, path: b.csv, compression: zstd}
                    """, file: "t.yaml", environment: [:])
            XCTFail("expected errors")
        } catch let e as SpecError {
            let messages = e.diagnostics.map(\.message).joined(separator: "\n")
            XCTAssertTrue(messages.contains("compression: 'zsdt' is not zstd, snappy, gzip or none"), messages)
            XCTAssertTrue(messages.contains("did you mean"), messages)
            XCTAssertTrue(messages.contains("row_group_rows"), messages)
            XCTAssertTrue(messages.contains("compression: applies to parquet outputs only"), messages)
        }
    }
}
