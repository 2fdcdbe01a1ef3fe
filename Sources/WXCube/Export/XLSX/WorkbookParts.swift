import Foundation

/// The workbook's package parts, written after the sheets (whose number is
/// only known then): workbook, its relationships, styles, content types,
/// package relationships and document properties. One file per part in this
/// folder (Workbook, Relationships, Styles, ContentTypes, DocProps).
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
}
