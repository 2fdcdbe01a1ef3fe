/// Newline-delimited JSON: one object per row, keys in column order, `\n`
/// after each. Numbers are JSON numbers (ints as digits, floats shortest
/// round-trip as in CSV; NaN/infinity become null), null is `null`, dates are
/// `"YYYY-MM-DD"` strings, strings are escaped per RFC 8259 (`"` `\` and every
/// control character) and otherwise left as UTF-8.
///
/// Keys are always the column names: `headers: zh` is for spreadsheets.
public struct NDJSONExporter: Exporter, Sendable {
    public init() {}

    public func export(_ inputs: [ExportInput], to sink: any ByteSink) throws -> [Int] {
        guard inputs.count == 1, let input = inputs.first else { throw ExportError.datasetCount(format: "ndjson", got: inputs.count) }
        let out = ByteOutput(sink: sink)
        let keys = Keys(input.stream.schema)
        let rows = try ParallelRows.encode(input.stream, into: out) { stream, out in try writeRows(stream, keys: keys, to: out) }
        try out.finish()
        return [rows]
    }

    /// `{"name":` for the first key, `,"name":` for the rest, encoded once
    /// into one buffer that the row loop slices without touching arrays.
    struct Keys: Sendable {
        var bytes: [UInt8] = []
        var ranges: [Range<Int>] = []

        init(_ schema: Schema) {
            for (i, column) in schema.columns.enumerated() {
                let start = bytes.count
                bytes.append(i == 0 ? UInt8(ascii: "{") : UInt8(ascii: ","))
                bytes.append(contentsOf: JSONText.escaped(column.name))
                bytes.append(UInt8(ascii: ":"))
                ranges.append(start..<bytes.count)
            }
        }
    }

    private func writeRows(_ stream: any RowStream, keys: Keys, to out: ByteOutput) throws -> Int {
        var rows = 0
        try keys.bytes.withUnsafeBytes { keyBytes in
            try keys.ranges.withUnsafeBufferPointer { ranges in
                while let row = try stream.next() {
                    if ranges.isEmpty { try out.append(UInt8(ascii: "{")) }
                    for i in 0..<ranges.count {
                        try out.append(UnsafeRawBufferPointer(rebasing: keyBytes[ranges[i]]))
                        try writeValue(i < row.count ? row[i] : .null, to: out)
                    }
                    try out.reserve(2)
                    out.appendUnchecked(UInt8(ascii: "}"))
                    out.appendUnchecked(0x0A)
                    rows += 1
                }
            }
        }
        return rows
    }

    @inline(__always) private func writeValue(_ value: Value, to out: ByteOutput) throws {
        switch value {
        case .null:
            try out.append("null")
        case .int(let v):
            try out.append(int: v)
        case .float(let v):
            guard v.isFinite else { return try out.append("null") }
            try out.reserve(32)
            out.appendUnchecked(double: v)
        case .string(let s):
            try JSONText.write(s, to: out)
        case .date(let d):
            try out.reserve(12)
            out.appendUnchecked(0x22)
            out.appendUnchecked(day: d)
            out.appendUnchecked(0x22)
        case .bool(let b):
            try out.append(b ? "true" : "false")
        }
    }
}

/// RFC 8259 string escaping, the one JSON string writer of wxcube.
public enum JSONText {
    /// 0: copy; 1: short escape; 2: \u00XX.
    private static let escapeClass: [UInt8] = (0..<256).map { b -> UInt8 in
        switch b {
        case 0x22, 0x5C, 0x08, 0x0C, 0x0A, 0x0D, 0x09: return 1
        case 0..<0x20: return 2
        default: return 0
        }
    }
    private static let hex: [UInt8] = Array("0123456789abcdef".utf8)

    static func write(_ text: String, to out: ByteOutput) throws {
        var text = text
        try text.withUTF8 { utf8 in
            try out.reserve(utf8.count * 6 + 2)
            out.appendUnchecked(0x22)
            escapeClass.withUnsafeBufferPointer { table in
                var runStart = 0
                for (i, b) in utf8.enumerated() where table[Int(b)] != 0 {
                    if i > runStart { out.appendUnchecked(UnsafeRawBufferPointer(rebasing: UnsafeRawBufferPointer(utf8)[runStart..<i])) }
                    runStart = i + 1
                    out.appendUnchecked(0x5C)
                    switch b {
                    case 0x22: out.appendUnchecked(0x22)
                    case 0x5C: out.appendUnchecked(0x5C)
                    case 0x08: out.appendUnchecked(UInt8(ascii: "b"))
                    case 0x0C: out.appendUnchecked(UInt8(ascii: "f"))
                    case 0x0A: out.appendUnchecked(UInt8(ascii: "n"))
                    case 0x0D: out.appendUnchecked(UInt8(ascii: "r"))
                    case 0x09: out.appendUnchecked(UInt8(ascii: "t"))
                    default:
                        out.appendUnchecked(UInt8(ascii: "u"))
                        out.appendUnchecked(UInt8(ascii: "0"))
                        out.appendUnchecked(UInt8(ascii: "0"))
                        out.appendUnchecked(hex[Int(b >> 4)])
                        out.appendUnchecked(hex[Int(b & 0xf)])
                    }
                }
                if runStart < utf8.count {
                    out.appendUnchecked(UnsafeRawBufferPointer(rebasing: UnsafeRawBufferPointer(utf8)[runStart...]))
                }
            }
            out.appendUnchecked(0x22)
        }
    }

    /// `escaped` as a String: a JSON string literal for text documents (`plan --json`, `schema --format json`).
    public static func quoted(_ text: String) -> String { String(decoding: escaped(text), as: UTF8.self) }

    /// The escaped, quoted form of a short text (keys). The one JSON string escaping
    /// of wxcube: the exporters, `plan --json`, `wxcube schema` and the sandbox use it.
    public static func escaped(_ text: String) -> [UInt8] {
        let collect = MemorySink()
        let out = ByteOutput(sink: collect, capacity: 64)
        do {
            try write(text, to: out)
            try out.flush()
        } catch {
            // Collect never throws.
        }
        return collect.bytes
    }
}
