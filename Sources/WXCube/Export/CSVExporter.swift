/// RFC 4180 CSV: UTF-8, a header row, CRLF, fields quoted only when they hold
/// `,` `"` CR or LF (quotes doubled).
///
/// Null is an empty field; an empty string is `""`, so loaders that read
/// empty-unquoted as NULL (DuckDB, BigQuery, ClickHouse) keep the two apart.
/// Ints are plain digits; floats are the shortest text that parses back to
/// the same Double, as Swift prints it (`0.1`, `1.0`; exponent form such as
/// `1e-05` outside [1e-4, 2^53), which every warehouse parser reads); NaN and
/// infinities are written as null. Dates are `YYYY-MM-DD`, bools `true`/`false`.
public struct CSVExporter: Exporter, Sendable {
    public var headers: HeaderLanguage
    /// A UTF-8 byte-order mark first (for Excel).
    public var bom: Bool
    /// `'` before text starting with = + - @ tab CR, so Excel does not run it as a formula.
    public var excelSafe: Bool

    public init(headers: HeaderLanguage = .en, bom: Bool = false, excelSafe: Bool = false) {
        self.headers = headers
        self.bom = bom
        self.excelSafe = excelSafe
    }

    public func export(_ inputs: [ExportInput], to sink: any ByteSink) throws -> [Int] {
        guard inputs.count == 1, let input = inputs.first else { throw ExportError.datasetCount(format: "csv", got: inputs.count) }
        let out = ByteOutput(sink: sink)
        let schema = input.stream.schema
        let width = schema.count
        if bom { try out.append([0xEF, 0xBB, 0xBF]) }
        for (i, column) in schema.columns.enumerated() {
            if i > 0 { try out.append(UInt8(ascii: ",")) }
            try writeText(headers.header(for: column), to: out, guardFormula: false)
        }
        try out.append([0x0D, 0x0A])
        let rows = try ParallelRows.encode(input.stream, into: out) { stream, out in try writeRows(stream, width: width, to: out) }
        try out.finish()
        return [rows]
    }

    private func writeRows(_ stream: any RowStream, width: Int, to out: ByteOutput) throws -> Int {
        var rows = 0
        while let row = try stream.next() {
            for i in 0..<width {
                if i > 0 { try out.append(UInt8(ascii: ",")) }
                guard i < row.count else { continue }
                try writeValue(row[i], to: out)
            }
            try out.reserve(2)
            out.appendUnchecked(0x0D)
            out.appendUnchecked(0x0A)
            rows += 1
        }
        return rows
    }

    @inline(__always) private func writeValue(_ value: Value, to out: ByteOutput) throws {
        switch value {
        case .null:
            break
        case .int(let v):
            try out.append(int: v)
        case .float(let v):
            guard v.isFinite else { return }
            try out.reserve(32)
            out.appendUnchecked(double: v)
        case .string(let s):
            try writeText(s, to: out, guardFormula: excelSafe)
        case .date(let d):
            try out.reserve(10)
            out.appendUnchecked(day: d)
        case .bool(let b):
            try out.append(b ? "true" : "false")
        }
    }

    private func writeText(_ text: String, to out: ByteOutput, guardFormula: Bool) throws {
        var text = text
        try text.withUTF8 { utf8 in
            let bytes = UnsafeRawBufferPointer(utf8)
            let prefix = guardFormula && CSVExporter.startsFormula(bytes)
            var quote = bytes.isEmpty
            if !quote {
                for b in bytes where b == 0x2C || b == 0x22 || b == 0x0A || b == 0x0D {
                    quote = true
                    break
                }
            }
            if !quote {
                if prefix { try out.append(UInt8(ascii: "'")) }
                try out.append(bytes)
                return
            }
            try out.reserve(bytes.count * 2 + 3)
            out.appendUnchecked(0x22)
            if prefix { out.appendUnchecked(UInt8(ascii: "'")) }
            for b in bytes {
                if b == 0x22 { out.appendUnchecked(0x22) }
                out.appendUnchecked(b)
            }
            out.appendUnchecked(0x22)
        }
    }

    /// Text Excel would take as a formula or a command: = + - @ tab CR first.
    static func startsFormula(_ bytes: UnsafeRawBufferPointer) -> Bool {
        guard let first = bytes.first else { return false }
        switch first {
        case UInt8(ascii: "="), UInt8(ascii: "+"), UInt8(ascii: "-"), UInt8(ascii: "@"), 0x09, 0x0D: return true
        default: return false
        }
    }
}
