import Foundation

extension WorkbookParts {
    func coreProperties(_ xml: XMLPartWriter) throws {
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

    func appProperties(_ xml: XMLPartWriter) throws {
        try xml.start("Properties")
        try xml.attribute("xmlns", "http://schemas.openxmlformats.org/officeDocument/2006/extended-properties")
        try xml.attribute("xmlns:vt", "http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes")
        try xml.element("Application", text: "wxcube")
        try xml.end()
    }
}
