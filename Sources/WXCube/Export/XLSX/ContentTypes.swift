import Foundation

extension WorkbookParts {
    func contentTypes(_ xml: XMLPartWriter) throws {
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
        try xml.element(
            "Override",
            [
                "PartName": "/docProps/app.xml",
                "ContentType": "application/vnd.openxmlformats-officedocument.extended-properties+xml",
            ])
        try xml.end()
    }
}
