import Foundation

extension WorkbookParts {
    func workbookRelationships(_ xml: XMLPartWriter) throws {
        try xml.start("Relationships")
        try xml.attribute("xmlns", OOXML.packageRelationships)
        for (i, sheet) in sheets.enumerated() {
            try xml.element(
                "Relationship",
                [
                    "Id": "rId\(i + 1)", "Type": "\(OOXML.relationships)/worksheet",
                    "Target": "worksheets/sheet\(sheet.file).xml",
                ])
        }
        try xml.element(
            "Relationship",
            [
                "Id": "rId\(sheets.count + 1)", "Type": "\(OOXML.relationships)/styles",
                "Target": "styles.xml",
            ])
        try xml.end()
    }

    func packageRelationships(_ xml: XMLPartWriter) throws {
        try xml.start("Relationships")
        try xml.attribute("xmlns", OOXML.packageRelationships)
        try xml.element("Relationship", ["Id": "rId1", "Type": "\(OOXML.relationships)/officeDocument", "Target": "xl/workbook.xml"])
        try xml.element(
            "Relationship",
            [
                "Id": "rId2", "Type": "\(OOXML.packageRelationships)/metadata/core-properties",
                "Target": "docProps/core.xml",
            ])
        try xml.element(
            "Relationship",
            [
                "Id": "rId3", "Type": "\(OOXML.relationships)/extended-properties",
                "Target": "docProps/app.xml",
            ])
        try xml.end()
    }
}
