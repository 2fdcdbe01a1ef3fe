import Foundation

extension WorkbookParts {
    func workbookRelationships(_ xml: XMLPartWriter) throws {
        let sheetTargets = sheets.map { ("\(OOXML.relationships)/worksheet", "worksheets/sheet\($0.file).xml") }
        try relationships(xml, sheetTargets + [("\(OOXML.relationships)/styles", "styles.xml")])
    }

    func packageRelationships(_ xml: XMLPartWriter) throws {
        try relationships(
            xml,
            [
                ("\(OOXML.relationships)/officeDocument", "xl/workbook.xml"),
                ("\(OOXML.packageRelationships)/metadata/core-properties", "docProps/core.xml"),
                ("\(OOXML.relationships)/extended-properties", "docProps/app.xml"),
            ])
    }

    /// A relationships part: each (type, target) gets the id rId1, rId2, ... in order.
    private func relationships(_ xml: XMLPartWriter, _ targets: [(type: String, target: String)]) throws {
        try xml.start("Relationships")
        try xml.attribute("xmlns", OOXML.packageRelationships)
        for (i, t) in targets.enumerated() {
            try xml.element("Relationship", ["Id": "rId\(i + 1)", "Type": t.type, "Target": t.target])
        }
        try xml.end()
    }
}
