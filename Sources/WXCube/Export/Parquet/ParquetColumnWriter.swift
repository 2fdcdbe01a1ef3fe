/// Page and chunk limits; the defaults follow Arrow's writer, tests lower them.
struct ParquetLimits: Sendable {
    /// Rows per data page.
    var pageRows = 20_000
    /// Uncompressed value bytes per data page (PLAIN pages).
    var pageBytes = 1 << 20
    /// A dictionary page larger than this stops dictionary encoding for the
    /// rest of the chunk (later pages are PLAIN).
    var dictionaryBytes = 1 << 20
    /// Byte strings longer than this get no min/max statistics (the null count stays).
    var statisticsBytes = 4096
}

/// Encodes one column of one row group at a time: values go into the current
/// data page (definition levels for OPTIONAL columns, then PLAIN values or
/// dictionary indices); a full page is compressed and appended to the chunk;
/// at the row group's end the chunk (dictionary page first) goes to the file.
///
/// Dictionary or PLAIN is decided on the chunk's first page, which is encoded
/// both ways: the dictionary is kept when the dictionary page plus the
/// bit-packed indices are smaller than PLAIN. Statistics (min, max, null
/// count) follow each type's sort order; in dictionary mode only new entries
/// can move min or max, so only they are compared.
final class ParquetColumnWriter {
    private enum Kind { case bytes, int64, int32, double, bool }
    private enum Mode { case probing, dictionary, plain }

    let column: Column
    let leaf: ParquetLeaf
    private let dataset: String
    private let kind: Kind
    private let optional: Bool
    private let limits: ParquetLimits
    /// The codec state this column uses; the exporter hands each column the
    /// one of the thread that encodes it (columns are encoded on several cores).
    var compressor: ParquetCompressor

    // The current page. Exclusivity is not checked at run time for the
    // per-value state: nothing here is reentrant, and the checks cost ~20% of
    // the writer's time (as in ByteOutput).
    private let levels = ParquetWords<UInt8>()
    private let indices = ParquetWords<UInt32>() // dictionary indices, or booleans as 0/1
    /// PLAIN values; empty while probing, when the page's PLAIN form can be
    /// made from the indices and the dictionary if it is chosen.
    private let plain = ParquetBuffer(capacity: 1 << 16)
    /// The size of the page's values PLAIN-encoded (written or not).
    @exclusivity(unchecked) private var plainBytes = 0
    @exclusivity(unchecked) private var pageRows = 0
    @exclusivity(unchecked) private var pageNulls = 0
    /// Set when the dictionary passes its limit: the page ends after this value.
    @exclusivity(unchecked) private var pageFull = false
    @exclusivity(unchecked) private var mode: Mode

    // The current chunk.
    private let bytesDictionary: ParquetByteDictionary
    private let fixedDictionary: ParquetFixedDictionary
    private let pages = ParquetBuffer(capacity: 1 << 16)
    /// The sealed chunk's dictionary page (header and compressed body).
    private let dictionaryPage = ParquetBuffer(capacity: 256)
    private let body = ParquetBuffer(capacity: 1 << 16)
    private var dictionaryPages = 0
    private var plainPages = 0
    private var chunkRows = 0
    private var chunkNulls = 0
    private var chunkUncompressed = 0
    private var chunkCompressed = 0

    // Statistics of the current chunk.
    @exclusivity(unchecked) private var hasStats = false
    @exclusivity(unchecked) private var minInt: Int64 = 0, maxInt: Int64 = 0
    @exclusivity(unchecked) private var minDouble: Double = 0, maxDouble: Double = 0
    @exclusivity(unchecked) private var minBytes: [UInt8] = [], maxBytes: [UInt8] = []

    init(column: Column, dataset: String, compressor: ParquetCompressor, limits: ParquetLimits) {
        let leaf = ParquetLeaf(column)
        let kind: Kind
        switch leaf.physical {
        case .byteArray: kind = .bytes
        case .int64: kind = .int64
        case .int32: kind = .int32
        case .double: kind = .double
        default: kind = .bool
        }
        self.column = column
        self.leaf = leaf
        self.kind = kind
        self.dataset = dataset
        self.compressor = compressor
        self.limits = limits
        self.optional = leaf.repetition == .optional
        bytesDictionary = ParquetByteDictionary(capacity: kind == .bytes ? 1024 : 16)
        fixedDictionary = ParquetFixedDictionary(capacity: kind == .bytes || kind == .bool ? 16 : 1024)
        mode = kind == .bool ? .plain : .probing
    }

    // MARK: values

    /// Appends cell `i` of each row (a missing trailing cell is null). The
    /// cells are read where they are, and each kind has its own loop for the
    /// value it expects; anything else takes `append(_:)`. The four loops are
    /// written out: one generic loop taking the cell's match as a closure
    /// measured 15-30% slower on the benchmark.
    func append(column i: Int, of rows: UnsafeBufferPointer<ParquetRowCells>) throws {
        switch kind {
        case .bytes:
            let smallLayout = ParquetStringCell.smallLayout
            for (r, row) in rows.enumerated() {
                rows.prefetch(column: i, after: r)
                guard i < row.count, var cell = ParquetStringCell(row.base.unsafelyUnwrapped + i, smallLayout: smallLayout) else {
                    try append(row[i])
                    continue
                }
                try cell.withBytes { try appendBytes($0) }
                try endValue()
            }
        case .int64:
            for (r, row) in rows.enumerated() {
                rows.prefetch(column: i, after: r)
                guard i < row.count, case .int(let v) = row.base.unsafelyUnwrapped[i] else {
                    try append(row[i])
                    continue
                }
                appendInt(Int64(v))
                try endValue()
            }
        case .double:
            for (r, row) in rows.enumerated() {
                rows.prefetch(column: i, after: r)
                guard i < row.count, case .float(let v) = row.base.unsafelyUnwrapped[i], v.isFinite else {
                    try append(row[i])
                    continue
                }
                appendDouble(v)
                try endValue()
            }
        case .int32:
            for (r, row) in rows.enumerated() {
                rows.prefetch(column: i, after: r)
                guard i < row.count, case .date(let d) = row.base.unsafelyUnwrapped[i] else {
                    try append(row[i])
                    continue
                }
                appendInt(Int64(Int32(clamping: d.daysSinceEpoch)))
                try endValue()
            }
        case .bool:
            for row in rows { try append(row[i]) }
        }
    }

    func append(_ value: Value) throws {
        switch value {
        case .null:
            try appendNull()
            return
        case .string(let s):
            guard kind == .bytes else { throw mismatch("string") }
            try appendString(s)
        case .int(let v):
            switch kind {
            case .int64: appendInt(Int64(v))
            case .double: appendDouble(Double(v))
            default: throw mismatch("int")
            }
        case .float(let v):
            guard kind == .double else { throw mismatch("float") }
            // As in csv and ndjson, NaN and infinities are null where the column allows it.
            if !v.isFinite && optional { return try appendNull() }
            appendDouble(v)
        case .date(let d):
            guard kind == .int32 else { throw mismatch("date") }
            appendInt(Int64(Int32(clamping: d.daysSinceEpoch)))
        case .bool(let b):
            guard kind == .bool else { throw mismatch("bool") }
            if optional { levels.append(1) }
            indices.append(b ? 1 : 0)
            if !hasStats {
                hasStats = true
                minInt = b ? 1 : 0
                maxInt = minInt
            } else if b {
                maxInt = 1
            } else {
                minInt = 0
            }
        }
        try endValue()
    }

    /// Ends the current value: the page ends when it is full.
    @inline(__always) private func endValue() throws {
        pageRows += 1
        if pageRows >= limits.pageRows || plainBytes >= limits.pageBytes || pageFull { try finishPage() }
    }

    @inline(__always) private func appendString(_ s: String) throws {
        let done: Void? = try s.utf8.withContiguousStorageIfAvailable { try appendBytes(UnsafeRawBufferPointer($0)) }
        if done == nil {
            var s = s
            try s.withUTF8 { try appendBytes(UnsafeRawBufferPointer($0)) }
        }
    }

    private func mismatch(_ got: String) -> ParquetError {
        .typeMismatch(dataset: dataset, column: column.name, expected: column.type.rawValue, got: got)
    }

    private func appendNull() throws {
        guard optional else { throw ParquetError.nullInRequiredColumn(dataset: dataset, column: column.name) }
        levels.append(0)
        pageNulls += 1
        pageRows += 1
        if pageRows >= limits.pageRows { try finishPage() }
    }

    @inline(__always) private func appendBytes(_ bytes: UnsafeRawBufferPointer) throws {
        guard bytes.count <= Int(Int32.max) - 64 else {
            throw ParquetError.valueTooLarge(dataset: dataset, column: column.name, bytes: bytes.count)
        }
        if optional { levels.append(1) }
        switch mode {
        case .plain:
            plain.appendLE32(UInt32(bytes.count))
            plain.append(bytes)
            plainBytes = plain.count
            updateBytesStats(bytes)
        case .dictionary, .probing:
            let dictionary = bytesDictionary
            var isNew = false
            indices.append(dictionary.index(of: bytes, isNew: &isNew))
            if isNew {
                updateBytesStats(bytes)
                if dictionary.byteSize > limits.dictionaryBytes { pageFull = true }
            }
            if mode == .probing { plainBytes += 4 + bytes.count }
        }
    }

    /// INT64 and INT32 (dates) values.
    @inline(__always) private func appendInt(_ v: Int64) {
        if optional { levels.append(1) }
        let isNew: Bool
        switch mode {
        case .plain:
            writePlainInt(v)
            plainBytes = plain.count
            isNew = true
        case .dictionary, .probing:
            var fresh = false
            indices.append(fixedDictionary.index(of: UInt64(bitPattern: v), isNew: &fresh))
            if mode == .probing { plainBytes += kind == .int32 ? 4 : 8 }
            isNew = fresh
        }
        if isNew {
            if !hasStats {
                hasStats = true
                minInt = v
                maxInt = v
            } else if v < minInt {
                minInt = v
            } else if v > maxInt {
                maxInt = v
            }
        }
    }

    @inline(__always) private func writePlainInt(_ v: Int64) {
        if kind == .int32 {
            plain.appendLE32(UInt32(bitPattern: Int32(truncatingIfNeeded: v)))
        } else {
            plain.appendLE64(UInt64(bitPattern: v))
        }
    }

    @inline(__always) private func appendDouble(_ v: Double) {
        if optional { levels.append(1) }
        let isNew: Bool
        switch mode {
        case .plain:
            plain.appendLE64(v.bitPattern)
            plainBytes = plain.count
            isNew = true
        case .dictionary, .probing:
            var fresh = false
            indices.append(fixedDictionary.index(of: v.bitPattern, isNew: &fresh))
            if mode == .probing { plainBytes += 8 }
            isNew = fresh
        }
        // NaN takes no part in min/max (parquet.thrift's ColumnOrder rules).
        if isNew && !v.isNaN {
            if !hasStats {
                hasStats = true
                minDouble = v
                maxDouble = v
            } else {
                if v < minDouble { minDouble = v }
                if v > maxDouble { maxDouble = v }
            }
        }
    }

    @inline(__always) private func updateBytesStats(_ bytes: UnsafeRawBufferPointer) {
        if !hasStats {
            hasStats = true
            minBytes = Array(bytes)
            maxBytes = minBytes
            return
        }
        if Self.compare(bytes, minBytes) < 0 {
            minBytes = Array(bytes)
        } else if Self.compare(bytes, maxBytes) > 0 {
            maxBytes = Array(bytes)
        }
    }

    /// Unsigned lexicographic order (the String logical type's sort order).
    @inline(__always) static func compare(_ a: UnsafeRawBufferPointer, _ b: [UInt8]) -> Int {
        b.withUnsafeBytes { b in
            let n = min(a.count, b.count)
            if n > 0, let pa = a.baseAddress, let pb = b.baseAddress {
                let c = memcmp(pa, pb, n)
                if c != 0 { return Int(c) }
            }
            return a.count - b.count
        }
    }

    // MARK: pages

    private func finishPage() throws {
        guard pageRows > 0 else { return }
        body.reset()
        if optional {
            let lengthAt = body.count
            body.appendLE32(0)
            if pageNulls == 0 {
                body.appendVarint(UInt64(pageRows) << 1)
                body.append(1)
            } else {
                ParquetEncoder.hybrid(levels.words, bitWidth: 1, into: body)
            }
            body.patchLE32(UInt32(body.count - lengthAt - 4), at: lengthAt)
        }
        if mode == .probing { decideEncoding() }
        let encoding: ParquetEncoding
        switch mode {
        case .dictionary:
            let entries = dictionaryCount
            let width = ParquetEncoder.bitWidth(UInt32(max(entries, 1) - 1))
            body.append(UInt8(width))
            ParquetEncoder.hybrid(indices.words, bitWidth: width, into: body)
            encoding = .rleDictionary
            dictionaryPages += 1
        case .plain, .probing:
            if kind == .bool {
                ParquetEncoder.plainBooleans(indices.words, into: body)
            } else {
                body.append(plain)
            }
            encoding = .plain
            plainPages += 1
        }
        let compressed = try compressor.compress(body.bytes)
        let headerStart = pages.count
        ParquetHeaders.dataPage(
            uncompressed: body.count, compressed: compressed.count, numValues: pageRows,
            encoding: encoding, into: pages)
        let header = pages.count - headerStart
        pages.append(compressed)
        chunkUncompressed += header + body.count
        chunkCompressed += header + compressed.count
        chunkRows += pageRows
        chunkNulls += pageNulls
        pageRows = 0
        pageNulls = 0
        plainBytes = 0
        pageFull = false
        levels.removeAll()
        indices.removeAll()
        // In dictionary mode the PLAIN buffer waits for the next chunk's first page: keep it small meanwhile.
        plain.reset(shrinkingAbove: mode == .dictionary ? 1 << 16 : 4 << 20)
        body.reset(shrinkingAbove: 1 << 16)
        // A dictionary grown past its limit stops here: the rest of the chunk is PLAIN.
        if mode == .dictionary && dictionaryByteSize > limits.dictionaryBytes { mode = .plain }
    }

    private var dictionaryByteSize: Int {
        switch kind {
        case .bytes: return bytesDictionary.byteSize
        case .int32: return fixedDictionary.count * 4
        case .int64, .double: return fixedDictionary.count * 8
        case .bool: return 0
        }
    }

    private var dictionaryCount: Int { kind == .bytes ? bytesDictionary.count : fixedDictionary.count }

    /// The first page is measured both ways; keep the smaller. When PLAIN
    /// wins, the page's PLAIN values are made from its dictionary indices.
    private func decideEncoding() {
        let entries = dictionaryCount
        let width = ParquetEncoder.bitWidth(UInt32(max(entries, 1) - 1))
        let dictionaryEstimate = dictionaryByteSize + 1 + (indices.count * width + 7) / 8
        if entries > 0 && dictionaryEstimate < plainBytes && dictionaryByteSize <= limits.dictionaryBytes {
            mode = .dictionary
            return
        }
        mode = .plain
        for e in indices.words {
            switch kind {
            case .bytes: plain.append(bytesDictionary.plainEntry(Int(e)))
            case .int32: plain.appendLE32(UInt32(truncatingIfNeeded: fixedDictionary.values[Int(e)]))
            case .int64, .double: plain.appendLE64(fixedDictionary.values[Int(e)])
            case .bool: break
            }
        }
        bytesDictionary.reset()
        fixedDictionary.reset()
    }

    /// Ends the chunk: its last data page, and its dictionary page when it
    /// has one. Columns seal their chunks at the same time, on all cores;
    /// `flushChunk` then writes them in column order.
    func sealChunk() throws {
        try finishPage()
        dictionaryPage.reset()
        guard dictionaryPages > 0 else { return }
        body.reset()
        if kind == .bytes {
            body.append(bytesDictionary.entries)
        } else {
            for v in fixedDictionary.values {
                if kind == .int32 { body.appendLE32(UInt32(truncatingIfNeeded: v)) } else { body.appendLE64(v) }
            }
        }
        let compressed = try compressor.compress(body.bytes)
        ParquetHeaders.dictionaryPage(uncompressed: body.count, compressed: compressed.count, numValues: dictionaryCount, into: dictionaryPage)
        let header = dictionaryPage.count
        dictionaryPage.append(compressed)
        chunkUncompressed += header + body.count
        chunkCompressed += header + compressed.count
    }

    /// Writes the sealed chunk (dictionary page, then data pages) at `offset`
    /// of the file and starts a new chunk. Returns what the footer says about it.
    func flushChunk(to sink: any ByteSink, offset: inout Int64) throws -> ParquetChunkMetadata {
        var dictionaryOffset: Int64?
        var encodings: [ParquetEncoding] = []
        var stats: [(ParquetPageType, ParquetEncoding, Int32)] = []
        if dictionaryPages > 0 {
            try sink.write(dictionaryPage.bytes)
            dictionaryOffset = offset
            offset += Int64(dictionaryPage.count)
            encodings.append(.plain)
            stats.append((.dictionaryPage, .plain, 1))
            stats.append((.dataPage, .rleDictionary, Int32(truncatingIfNeeded: dictionaryPages)))
        }
        if optional { encodings.append(.rle) }
        if dictionaryPages > 0 { encodings.append(.rleDictionary) }
        if plainPages > 0 {
            if !encodings.contains(.plain) { encodings.insert(.plain, at: 0) }
            stats.append((.dataPage, .plain, Int32(truncatingIfNeeded: plainPages)))
        }
        let dataOffset = offset
        try sink.write(pages.bytes)
        offset += Int64(pages.count)
        let metadata = ParquetChunkMetadata(
            physical: leaf.physical, path: leaf.name, codec: compressor.compression.codec, encodings: encodings,
            encodingStats: stats, numValues: Int64(chunkRows), totalUncompressedSize: Int64(chunkUncompressed),
            totalCompressedSize: Int64(chunkCompressed), dataPageOffset: dataOffset, dictionaryPageOffset: dictionaryOffset,
            statistics: statistics())
        // The next chunk starts afresh; buffers shrink back so that 50-odd
        // columns do not each keep their largest chunk's memory.
        pages.reset(shrinkingAbove: 1 << 16)
        body.reset(shrinkingAbove: 1 << 16)
        dictionaryPage.reset(shrinkingAbove: 1 << 16)
        bytesDictionary.reset()
        fixedDictionary.reset()
        mode = kind == .bool ? .plain : .probing
        dictionaryPages = 0
        plainPages = 0
        chunkRows = 0
        chunkNulls = 0
        chunkUncompressed = 0
        chunkCompressed = 0
        hasStats = false
        minBytes = []
        maxBytes = []
        return metadata
    }

    /// min_value / max_value, PLAIN-encoded without length prefix.
    private func statistics() -> ParquetStatistics {
        var s = ParquetStatistics(nullCount: Int64(chunkNulls), min: nil, max: nil)
        guard hasStats else { return s }
        switch kind {
        case .int64:
            s.min = Self.le(UInt64(bitPattern: minInt), 8)
            s.max = Self.le(UInt64(bitPattern: maxInt), 8)
        case .int32:
            s.min = Self.le(UInt64(UInt32(bitPattern: Int32(truncatingIfNeeded: minInt))), 4)
            s.max = Self.le(UInt64(UInt32(bitPattern: Int32(truncatingIfNeeded: maxInt))), 4)
        case .double:
            // Zero is written as -0.0 for a min and +0.0 for a max (parquet.thrift's rule for signed zeros).
            s.min = Self.le((minDouble == 0 ? -0.0 : minDouble).bitPattern, 8)
            s.max = Self.le((maxDouble == 0 ? 0.0 : maxDouble).bitPattern, 8)
        case .bool:
            s.min = [UInt8(truncatingIfNeeded: minInt)]
            s.max = [UInt8(truncatingIfNeeded: maxInt)]
        case .bytes:
            if minBytes.count <= limits.statisticsBytes && maxBytes.count <= limits.statisticsBytes {
                s.min = minBytes
                s.max = maxBytes
            }
        }
        return s
    }

    private static func le(_ v: UInt64, _ n: Int) -> [UInt8] {
        (0..<n).map { UInt8(truncatingIfNeeded: v >> (8 * UInt64($0))) }
    }
}

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif
