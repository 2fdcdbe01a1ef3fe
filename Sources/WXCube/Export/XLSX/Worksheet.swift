import Foundation
import Logging

/// Column letters, header texts, widths and the encoded pieces of every cell of one dataset.
struct SheetLayout {
    let schema: Schema
    let headerTexts: [String]
    let letters: [String]
    let widths: [Double]
    /// `<c r="B` per column.
    let cellOpen: [[UInt8]]
    /// `" s="2"><v>` (or `"><v>`) per column: how numbers in this column are styled.
    let numberOpen: [[UInt8]]

    init(schema: Schema, headers: HeaderLanguage, sample: [Row]) {
        self.schema = schema
        headerTexts = schema.columns.map { headers.header(for: $0) }
        letters = (0..<schema.count).map(SheetLayout.columnLetters)
        cellOpen = letters.map { Array("<c r=\"\($0)".utf8) }
        numberOpen = schema.columns.map { column in
            let style: CellStyle
            switch column.display {
            case .percent: style = .percent
            case .twoDecimals: style = .twoDecimals
            case .plain: style = column.type == .date ? .date : .normal
            }
            return style.numberOpen
        }
        var widths: [Double] = []
        for (i, column) in schema.columns.enumerated() {
            // Room for the autofilter button beside the header text.
            var chars = SheetLayout.displayWidth(headerTexts[i]) + 3
            for row in sample where i < row.count {
                chars = max(chars, SheetLayout.displayWidth(row[i], column))
            }
            widths.append(Double(min(max(chars + 1, 6), 60)))
        }
        self.widths = widths
    }

    /// 0 → A, 25 → Z, 26 → AA.
    static func columnLetters(_ index: Int) -> String {
        var n = index + 1
        var scalars: [Character] = []
        while n > 0 {
            let r = (n - 1) % 26
            scalars.insert(Character(Unicode.Scalar(UInt8(65 + r))), at: 0)
            n = (n - 1) / 26
        }
        return String(scalars)
    }

    /// Columns a text takes: wide (CJK, emoji) characters count two; the longest line counts.
    static func displayWidth(_ text: String) -> Int {
        var longest = 0
        var current = 0
        for s in text.unicodeScalars {
            if s == "\n" {
                longest = max(longest, current)
                current = 0
                continue
            }
            current += s.value >= 0x1100 ? 2 : 1
            if current > 80 { break }
        }
        return max(longest, current)
    }

    static func displayWidth(_ value: Value, _ column: Column) -> Int {
        switch value {
        case .null: return 0
        case .int(let v): return String(v).count
        case .float(let v): return column.display == .percent ? 8 : min(String(v).count, 14)
        case .string(let s): return displayWidth(s)
        case .date: return 10
        case .bool: return 5
        }
    }
}

/// One worksheet part being streamed.
final class SheetWriter {
    /// The opening-tag end of a date cell (dates are always styled `CellStyle.date`).
    private static let dateOpen = CellStyle.date.numberOpen
    let info: (name: String, file: Int)
    private let layout: SheetLayout
    private let entry: ZipEntry
    private let xml: XMLPartWriter
    private let out: ByteOutput
    private let logger: Logger
    private(set) var dataRows = 0
    /// Row number digits of the current row.
    private var rowDigits: [UInt8] = []

    init(zip: ZipWriter, name: String, file: Int, selected: Bool, layout: SheetLayout, logger: Logger) throws {
        info = (name, file)
        self.layout = layout
        self.logger = logger
        entry = try zip.beginEntry("xl/worksheets/sheet\(file).xml")
        xml = try XMLPartWriter(into: entry)
        out = ByteOutput(sink: XMLPartWriter.RawSink(xml))
        try xml.startDocument()
        try xml.start("worksheet")
        try xml.attribute("xmlns", OOXML.main)
        try xml.attribute("xmlns:r", OOXML.relationships)
        try xml.start("sheetViews")
        try xml.start("sheetView")
        if selected { try xml.attribute("tabSelected", "1") }
        try xml.attribute("workbookViewId", "0")
        try xml.element("pane", ["ySplit": "1", "topLeftCell": "A2", "activePane": "bottomLeft", "state": "frozen"])
        try xml.element("selection", ["pane": "bottomLeft", "activeCell": "A2", "sqref": "A2"])
        try xml.end()
        try xml.end()
        try xml.element("sheetFormatPr", ["defaultRowHeight": "15"])
        if !layout.widths.isEmpty {
            try xml.start("cols")
            for (i, width) in layout.widths.enumerated() {
                try xml.element("col", ["min": "\(i + 1)", "max": "\(i + 1)", "width": "\(width)", "customWidth": "1"])
            }
            try xml.end()
        }
        try xml.start("sheetData")
        try xml.start("row")
        try xml.attribute("r", "1")
        for (i, text) in layout.headerTexts.enumerated() {
            try xml.start("c")
            try xml.attribute("r", "\(layout.letters[i])1")
            try xml.attribute("s", CellStyle.header.attribute)
            try xml.attribute("t", "inlineStr")
            try xml.start("is")
            try xml.element("t", text: XLSXText.escapedForCell(text))
            try xml.end()
            try xml.end()
        }
        try xml.end()
    }

    func append(_ row: Row) throws {
        dataRows += 1
        let number = dataRows + 1
        rowDigits.removeAll(keepingCapacity: true)
        var n = number
        repeat {
            rowDigits.append(UInt8(48 + n % 10))
            n /= 10
        } while n > 0
        rowDigits.reverse()
        try out.reserve(32)
        appendStatic("<row r=\"")
        rowDigits.withUnsafeBytes { out.appendUnchecked($0) }
        appendStatic("\">")
        let count = min(row.count, layout.schema.count)
        for i in 0..<count {
            try writeCell(row[i], column: i)
        }
        try out.reserve(6)
        appendStatic("</row>")
    }

    @inline(__always) private func appendStatic(_ s: StaticString) {
        out.appendUnchecked(UnsafeRawBufferPointer(start: s.utf8Start, count: s.utf8CodeUnitCount))
    }

    /// Opens `<c r="B7` (no closing quote yet).
    /// Reserves room for the whole cell except a text's content.
    @inline(__always) private func openCell(_ column: Int) throws {
        try out.reserve(128)
        layout.cellOpen[column].withUnsafeBytes { out.appendUnchecked($0) }
        rowDigits.withUnsafeBytes { out.appendUnchecked($0) }
    }

    private func writeCell(_ value: Value, column: Int) throws {
        switch value {
        case .null:
            return
        case .int(let v):
            try openCell(column)
            layout.numberOpen[column].withUnsafeBytes { out.appendUnchecked($0) }
            out.appendUnchecked(int: v)
            appendStatic("</v></c>")
        case .float(let v):
            guard v.isFinite else { return }
            try openCell(column)
            layout.numberOpen[column].withUnsafeBytes { out.appendUnchecked($0) }
            out.appendUnchecked(double: v)
            appendStatic("</v></c>")
        case .date(let d):
            try openCell(column)
            Self.dateOpen.withUnsafeBytes { out.appendUnchecked($0) }
            out.appendUnchecked(int: d.excelSerial)
            appendStatic("</v></c>")
        case .bool(let b):
            try openCell(column)
            appendStatic("\" t=\"b\"><v>")
            out.appendUnchecked(b ? UInt8(ascii: "1") : UInt8(ascii: "0"))
            appendStatic("</v></c>")
        case .string(let s):
            try writeText(s, column: column)
        }
    }

    private func writeText(_ text: String, column: Int) throws {
        var text = text
        try text.withUTF8 { utf8 in
            var bytes = UnsafeRawBufferPointer(utf8)
            // An empty text is no cell, as null is: spreadsheets do not tell the two apart.
            guard !bytes.isEmpty else { return }
            if let cut = XLSXText.truncationLength(bytes) {
                logger.warning(
                    "text cut to Excel's 32,767-character cell limit",
                    metadata: [
                        "sheet": "\(info.name)", "cell": "\(layout.letters[column])\(dataRows + 1)",
                        "column": "\(layout.schema.columns[column].name)", "utf8_bytes": "\(bytes.count)",
                    ])
                bytes = UnsafeRawBufferPointer(rebasing: bytes[0..<cut])
            }
            try openCell(column)
            if XLSXText.needsPreserve(bytes) {
                appendStatic("\" t=\"inlineStr\"><is><t xml:space=\"preserve\">")
            } else {
                appendStatic("\" t=\"inlineStr\"><is><t>")
            }
            try XLSXText.write(bytes, to: out)
            try out.reserve(16)
            appendStatic("</t></is></c>")
        }
    }

    func finish() throws -> SheetInfo {
        try out.flush()
        try xml.end() // sheetData
        let lastRow = dataRows + 1
        let lastColumn = layout.letters.last ?? ""
        if !lastColumn.isEmpty {
            try xml.element("autoFilter", ["ref": "A1:\(lastColumn)\(lastRow)"])
        }
        try xml.element("pageMargins", ["left": "0.7", "right": "0.7", "top": "0.75", "bottom": "0.75", "header": "0.3", "footer": "0.3"])
        try xml.finish()
        return SheetInfo(name: info.name, file: info.file, lastRow: lastColumn.isEmpty ? 0 : lastRow, lastColumn: lastColumn)
    }
}
