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
        func row(_ cells: [(String, Int)]) throws {
            rowNumber += 1
            try xml.start("row")
            try xml.attribute("r", "\(rowNumber)")
            for (i, (text, style)) in cells.enumerated() where !text.isEmpty {
                try xml.start("c")
                try xml.attribute("r", "\(SheetLayout.columnLetters(i))\(rowNumber)")
                if style != CellStyle.normal { try xml.attribute("s", "\(style)") }
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

/// The workbook's package parts, written after the sheets (whose number is
/// only known then): workbook, its relationships, styles, content types,
/// package relationships and document properties.
struct WorkbookParts {
    let sheets: [SheetInfo]
    let context: ExportContext

    func write(into zip: ZipWriter) throws {
        try part("xl/workbook.xml", zip, workbook)
        try part("xl/_rels/workbook.xml.rels", zip, workbookRelationships)
        try part("xl/styles.xml", zip, styles)
        try part("[Content_Types].xml", zip, contentTypes)
        try part("_rels/.rels", zip, packageRelationships)
        try part("docProps/core.xml", zip, coreProperties)
        try part("docProps/app.xml", zip, appProperties)
    }

    private func part(_ name: String, _ zip: ZipWriter, _ body: (XMLPartWriter) throws -> Void) throws {
        let xml = try XMLPartWriter(into: zip.beginEntry(name))
        try xml.startDocument()
        try body(xml)
        try xml.finish()
    }

    private func workbook(_ xml: XMLPartWriter) throws {
        try xml.start("workbook")
        try xml.attribute("xmlns", OOXML.main)
        try xml.attribute("xmlns:r", OOXML.relationships)
        try xml.start("bookViews")
        try xml.element("workbookView", ["activeTab": "0"])
        try xml.end()
        try xml.start("sheets")
        for (i, sheet) in sheets.enumerated() {
            try xml.element("sheet", ["name": sheet.name, "sheetId": "\(i + 1)", "r:id": "rId\(i + 1)"])
        }
        try xml.end()
        let filtered = sheets.enumerated().filter { $0.element.lastRow > 0 }
        if !filtered.isEmpty {
            try xml.start("definedNames")
            for (i, sheet) in filtered {
                let quoted = sheet.name.replacingOccurrences(of: "'", with: "''")
                try xml.element("definedName", ["name": "_xlnm._FilterDatabase", "localSheetId": "\(i)", "hidden": "1"],
                                text: "'\(quoted)'!$A$1:$\(sheet.lastColumn)$\(sheet.lastRow)")
            }
            try xml.end()
        }
        try xml.end()
    }

    private func workbookRelationships(_ xml: XMLPartWriter) throws {
        try xml.start("Relationships")
        try xml.attribute("xmlns", OOXML.packageRelationships)
        for (i, sheet) in sheets.enumerated() {
            try xml.element("Relationship", ["Id": "rId\(i + 1)", "Type": "\(OOXML.relationships)/worksheet",
                                             "Target": "worksheets/sheet\(sheet.file).xml"])
        }
        try xml.element("Relationship", ["Id": "rId\(sheets.count + 1)", "Type": "\(OOXML.relationships)/styles",
                                         "Target": "styles.xml"])
        try xml.end()
    }

    /// cellXfs, in `CellStyle` order: normal, bold header, percent (built-in
    /// format 10, 0.00%), date (yyyy-mm-dd), wrapped text, two decimals (built-in format 2, 0.00).
    private func styles(_ xml: XMLPartWriter) throws {
        try xml.start("styleSheet")
        try xml.attribute("xmlns", OOXML.main)
        try xml.start("numFmts")
        try xml.attribute("count", "1")
        try xml.element("numFmt", ["numFmtId": "164", "formatCode": "yyyy-mm-dd"])
        try xml.end()
        try xml.start("fonts")
        try xml.attribute("count", "2")
        for bold in [false, true] {
            try xml.start("font")
            if bold { try xml.element("b") }
            try xml.element("sz", ["val": "11"])
            try xml.element("name", ["val": "Calibri"])
            try xml.element("family", ["val": "2"])
            try xml.end()
        }
        try xml.end()
        try xml.start("fills")
        try xml.attribute("count", "2")
        for pattern in ["none", "gray125"] {
            try xml.start("fill")
            try xml.element("patternFill", ["patternType": pattern])
            try xml.end()
        }
        try xml.end()
        try xml.start("borders")
        try xml.attribute("count", "1")
        try xml.start("border")
        for side in ["left", "right", "top", "bottom", "diagonal"] { try xml.element(side) }
        try xml.end()
        try xml.end()
        try xml.start("cellStyleXfs")
        try xml.attribute("count", "1")
        try xml.element("xf", ["numFmtId": "0", "fontId": "0", "fillId": "0", "borderId": "0"])
        try xml.end()
        try xml.start("cellXfs")
        try xml.attribute("count", "6")
        try xml.element("xf", ["numFmtId": "0", "fontId": "0", "fillId": "0", "borderId": "0", "xfId": "0"])
        try xml.element("xf", ["numFmtId": "0", "fontId": "1", "fillId": "0", "borderId": "0", "xfId": "0", "applyFont": "1"])
        try xml.element("xf", ["numFmtId": "10", "fontId": "0", "fillId": "0", "borderId": "0", "xfId": "0", "applyNumberFormat": "1"])
        try xml.element("xf", ["numFmtId": "164", "fontId": "0", "fillId": "0", "borderId": "0", "xfId": "0", "applyNumberFormat": "1"])
        try xml.start("xf")
        for (k, v) in ["numFmtId": "0", "fontId": "0", "fillId": "0", "borderId": "0", "xfId": "0", "applyAlignment": "1"] as KeyValuePairs {
            try xml.attribute(k, v)
        }
        try xml.element("alignment", ["vertical": "top", "wrapText": "1"])
        try xml.end()
        try xml.element("xf", ["numFmtId": "2", "fontId": "0", "fillId": "0", "borderId": "0", "xfId": "0", "applyNumberFormat": "1"])
        try xml.end()
        try xml.start("cellStyles")
        try xml.attribute("count", "1")
        try xml.element("cellStyle", ["name": "Normal", "xfId": "0", "builtinId": "0"])
        try xml.end()
        try xml.end()
    }

    private func contentTypes(_ xml: XMLPartWriter) throws {
        let sml = "application/vnd.openxmlformats-officedocument.spreadsheetml"
        try xml.start("Types")
        try xml.attribute("xmlns", OOXML.contentTypes)
        try xml.element("Default", ["Extension": "rels", "ContentType": "application/vnd.openxmlformats-package.relationships+xml"])
        try xml.element("Default", ["Extension": "xml", "ContentType": "application/xml"])
        try xml.element("Override", ["PartName": "/xl/workbook.xml", "ContentType": "\(sml).sheet.main+xml"])
        for sheet in sheets {
            try xml.element("Override", ["PartName": "/\(sheet.path)", "ContentType": "\(sml).worksheet+xml"])
        }
        try xml.element("Override", ["PartName": "/xl/styles.xml", "ContentType": "\(sml).styles+xml"])
        try xml.element("Override", ["PartName": "/docProps/core.xml", "ContentType": "application/vnd.openxmlformats-package.core-properties+xml"])
        try xml.element("Override", ["PartName": "/docProps/app.xml",
                                     "ContentType": "application/vnd.openxmlformats-officedocument.extended-properties+xml"])
        try xml.end()
    }

    private func packageRelationships(_ xml: XMLPartWriter) throws {
        try xml.start("Relationships")
        try xml.attribute("xmlns", OOXML.packageRelationships)
        try xml.element("Relationship", ["Id": "rId1", "Type": "\(OOXML.relationships)/officeDocument", "Target": "xl/workbook.xml"])
        try xml.element("Relationship", ["Id": "rId2", "Type": "\(OOXML.packageRelationships)/metadata/core-properties",
                                         "Target": "docProps/core.xml"])
        try xml.element("Relationship", ["Id": "rId3", "Type": "\(OOXML.relationships)/extended-properties",
                                         "Target": "docProps/app.xml"])
        try xml.end()
    }

    private func coreProperties(_ xml: XMLPartWriter) throws {
        let stamp = ISOTimestamp.utc(context.generatedAt)
        try xml.start("cp:coreProperties")
        try xml.attribute("xmlns:cp", "http://schemas.openxmlformats.org/package/2006/metadata/core-properties")
        try xml.attribute("xmlns:dc", "http://purl.org/dc/elements/1.1/")
        try xml.attribute("xmlns:dcterms", "http://purl.org/dc/terms/")
        try xml.attribute("xmlns:dcmitype", "http://purl.org/dc/dcmitype/")
        try xml.attribute("xmlns:xsi", "http://www.w3.org/2001/XMLSchema-instance")
        try xml.element("dc:title", text: "\(context.pipelineName) \(context.range.from.iso) to \(context.range.to.iso)")
        try xml.element("dc:creator", text: "wxcube \(context.version)")
        try xml.element("dcterms:created", ["xsi:type": "dcterms:W3CDTF"], text: stamp)
        try xml.element("dcterms:modified", ["xsi:type": "dcterms:W3CDTF"], text: stamp)
        try xml.end()
    }

    private func appProperties(_ xml: XMLPartWriter) throws {
        try xml.start("Properties")
        try xml.attribute("xmlns", "http://schemas.openxmlformats.org/officeDocument/2006/extended-properties")
        try xml.attribute("xmlns:vt", "http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes")
        try xml.element("Application", text: "wxcube")
        try xml.end()
    }
}
