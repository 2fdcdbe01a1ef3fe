import Foundation

extension WorkbookParts {
    /// cellXfs, in `CellStyle` order: normal, bold header, percent (built-in
    /// format 10, 0.00%), date (yyyy-mm-dd), wrapped text, two decimals (built-in format 2, 0.00).
    func styles(_ xml: XMLPartWriter) throws {
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
}
