import Foundation

/// The About sheet: what the workbook holds and how to read it.
struct AboutSheet {
    let context: ExportContext
    let schemas: [(DatasetName, Schema)]

    /// Written through xmlTextWriter's element API: it is small, and libxml2 escapes it.
    func write(into entry: ZipEntry) throws {
        let xml = try XMLPartWriter(into: entry)
        try xml.startDocument()
        try xml.start("worksheet")
        try xml.attribute("xmlns", OOXML.main)
        try xml.attribute("xmlns:r", OOXML.relationships)
        try xml.start("sheetViews")
        try xml.element("sheetView", ["workbookViewId": "0"])
        try xml.end()
        try xml.start("cols")
        for (i, width) in [18, 34, 10, 80, 26].enumerated() {
            try xml.element("col", ["min": "\(i + 1)", "max": "\(i + 1)", "width": "\(width)", "customWidth": "1"])
        }
        try xml.end()
        try xml.start("sheetData")
        var rowNumber = 0
        func row(_ cells: [(String, CellStyle)]) throws {
            rowNumber += 1
            try xml.start("row")
            try xml.attribute("r", "\(rowNumber)")
            for (i, (text, style)) in cells.enumerated() where !text.isEmpty {
                try xml.start("c")
                try xml.attribute("r", "\(SheetLayout.columnLetters(i))\(rowNumber)")
                if style != .normal { try xml.attribute("s", style.attribute) }
                try xml.attribute("t", "inlineStr")
                try xml.start("is")
                try xml.start("t")
                if text.first?.isWhitespace == true || text.last?.isWhitespace == true {
                    try xml.attribute("xml:space", "preserve")
                }
                try xml.text(XLSXText.escapedForCell(String(text.utf16.prefix(XLSXText.maxCellLength)) ?? text))
                try xml.end()
                try xml.end()
                try xml.end()
            }
            try xml.end()
        }
        let b = CellStyle.header
        let n = CellStyle.normal
        try row([("Pipeline", b), (context.pipelineName, n)])
        try row([("Range", b), ("\(context.range.from.iso) to \(context.range.to.iso)", n)])
        try row([("Accounts", b), (context.accounts.joined(separator: ", "), n)])
        try row([("Generated at", b), (ISOTimestamp.utc(context.generatedAt), n)])
        try row([("wxcube version", b), (context.version, n)])
        try row([("Threshold caveat", b), (context.caveat, CellStyle.wrap)])
        try row([])
        try row([("Dataset", b), ("Column", b), ("Type", b), ("Description", b), ("中文名称 (Chinese label)", b)])
        for (dataset, schema) in schemas {
            for column in schema.columns {
                let type = column.display == .percent ? "\(column.type.rawValue) (percent)" : column.type.rawValue
                try row([(dataset.rawValue, n), (column.name, n), (type, n), (column.description, n), (column.label, n)])
            }
        }
        try xml.end() // sheetData
        try xml.element("pageMargins", ["left": "0.7", "right": "0.7", "top": "0.75", "bottom": "0.75", "header": "0.3", "footer": "0.3"])
        try xml.finish()
    }
}
