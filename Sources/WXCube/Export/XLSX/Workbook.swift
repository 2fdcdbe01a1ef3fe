import Foundation

extension WorkbookParts {
    func workbook(_ xml: XMLPartWriter) throws {
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
                try xml.element(
                    "definedName", ["name": "_xlnm._FilterDatabase", "localSheetId": "\(i)", "hidden": "1"],
                    text: "'\(quoted)'!$A$1:$\(sheet.lastColumn)$\(sheet.lastRow)")
            }
            try xml.end()
        }
        try xml.end()
    }
}
