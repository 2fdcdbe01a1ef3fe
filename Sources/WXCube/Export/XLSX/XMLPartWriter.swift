import CLibXML2

/// One XML part of the workbook, produced by libxml2's xmlTextWriter whose
/// output buffer (xmlOutputBufferCreateIO) writes straight into a ZIP entry.
///
/// Structure (declaration, elements, attributes, header texts) goes through
/// the writer's element API, which escapes for us. Bulk sheet rows, which we
/// encode ourselves into one reusable buffer, go through `raw(_:)`
/// (xmlTextWriterWriteRawLen) in large chunks: one libxml2 call per ~256 KiB
/// instead of several per cell.
final class XMLPartWriter {
    private let writer: xmlTextWriterPtr
    private let target: XMLOutputTarget
    private var finished = false

    init(into sink: any ByteSink) throws {
        target = XMLOutputTarget(sink: sink)
        let context = Unmanaged.passUnretained(target).toOpaque()
        guard let buffer = xmlOutputBufferCreateIO(xmlPartWrite, xmlPartClose, context, nil) else {
            throw ExportError.xml(operation: "xmlOutputBufferCreateIO")
        }
        guard let writer = xmlNewTextWriter(buffer) else {
            xmlOutputBufferClose(buffer)
            throw ExportError.xml(operation: "xmlNewTextWriter")
        }
        self.writer = writer
    }

    deinit {
        // Frees the output buffer too; closing a failed part writes nothing more.
        xmlFreeTextWriter(writer)
    }

    private func check(_ rc: Int32, _ operation: @autoclosure () -> String) throws {
        if let error = target.error { throw error }
        if rc < 0 { throw ExportError.xml(operation: operation()) }
    }

    /// `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>`
    func startDocument() throws {
        try check(xmlTextWriterStartDocument(writer, "1.0", "UTF-8", "yes"), "StartDocument")
    }

    func start(_ name: String) throws {
        try check(xmlTextWriterStartElement(writer, name), "StartElement \(name)")
    }

    func attribute(_ name: String, _ value: String) throws {
        try check(xmlTextWriterWriteAttribute(writer, name, value), "WriteAttribute \(name)")
    }

    /// Escaped character data.
    func text(_ value: String) throws {
        try check(xmlTextWriterWriteString(writer, value), "WriteString")
    }

    func end() throws {
        try check(xmlTextWriterEndElement(writer), "EndElement")
    }

    /// `<name a="v" ...>text</name>` or `<name a="v"/>`.
    func element(_ name: String, _ attributes: KeyValuePairs<String, String> = [:], text value: String? = nil) throws {
        try start(name)
        for (k, v) in attributes { try attribute(k, v) }
        if let value { try text(value) }
        try end()
    }

    /// Already-encoded, well-formed XML, passed through unchanged.
    func raw(_ bytes: UnsafeRawBufferPointer) throws {
        guard let base = bytes.baseAddress, bytes.count > 0 else { return }
        var offset = 0
        while offset < bytes.count {
            let piece = min(bytes.count - offset, Int(Int32.max))
            let start = (base + offset).assumingMemoryBound(to: xmlChar.self)
            try check(xmlTextWriterWriteRawLen(writer, start, Int32(piece)), "WriteRawLen")
            offset += piece
        }
    }

    /// Closes every open element, flushes libxml2's buffer into the sink and finishes the sink.
    func finish() throws {
        guard !finished else { return }
        finished = true
        try check(xmlTextWriterEndDocument(writer), "EndDocument")
        try check(xmlTextWriterFlush(writer), "Flush")
        try target.sink.finish()
    }

    /// A sink for `ByteOutput` that forwards its chunks as raw XML.
    final class RawSink: ByteSink {
        unowned let part: XMLPartWriter
        init(_ part: XMLPartWriter) { self.part = part }
        func write(_ bytes: UnsafeRawBufferPointer) throws { try part.raw(bytes) }
        func finish() throws {}
    }
}

/// The IO context libxml2 calls back with; it keeps the first sink error so
/// the caller sees the real cause (e.g. a full disk), not just "write failed".
private final class XMLOutputTarget {
    let sink: any ByteSink
    var error: (any Error)?
    init(sink: any ByteSink) { self.sink = sink }

    func receive(_ buffer: UnsafePointer<CChar>?, _ length: Int32) -> Int32 {
        guard error == nil else { return -1 }
        guard let buffer, length > 0 else { return 0 }
        do {
            try sink.write(UnsafeRawBufferPointer(start: buffer, count: Int(length)))
            return length
        } catch {
            self.error = error
            return -1
        }
    }
}

private func xmlPartWrite(_ context: UnsafeMutableRawPointer?, _ buffer: UnsafePointer<CChar>?, _ length: Int32) -> Int32 {
    guard let context else { return -1 }
    return Unmanaged<XMLOutputTarget>.fromOpaque(context).takeUnretainedValue().receive(buffer, length)
}

private func xmlPartClose(_ context: UnsafeMutableRawPointer?) -> Int32 { 0 }
