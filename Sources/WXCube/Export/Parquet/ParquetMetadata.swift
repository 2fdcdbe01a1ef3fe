/// The parts of parquet.thrift (apache/parquet-format) this writer fills in,
/// with the field ids the compact protocol needs. Only what wxcube writes is
/// modelled: flat schemas, data page v1, dictionary pages, column statistics.

enum ParquetPhysicalType: Int32 {
    case boolean = 0, int32 = 1, int64 = 2, int96 = 3, float = 4, double = 5, byteArray = 6, fixedLenByteArray = 7
}

enum ParquetRepetition: Int32 {
    case required = 0, optional = 1, repeated = 2
}

enum ParquetEncoding: Int32 {
    case plain = 0, plainDictionary = 2, rle = 3, bitPacked = 4, rleDictionary = 8
}

enum ParquetPageType: Int32 {
    case dataPage = 0, indexPage = 1, dictionaryPage = 2, dataPageV2 = 3
}

/// `compression:` of a parquet output (docs/parquet.md).
public enum ParquetCompression: String, Sendable, CaseIterable {
    case zstd, snappy, gzip, none

    /// parquet.thrift's CompressionCodec.
    var codec: Int32 {
        switch self {
        case .none: return 0
        case .snappy: return 1
        case .gzip: return 2
        case .zstd: return 6
        }
    }
}

/// The logical annotation a leaf column carries (LogicalType union field and
/// the legacy ConvertedType for older readers).
enum ParquetLogicalType {
    case none, string, date

    var unionField: Int16? {
        switch self {
        case .none: return nil
        case .string: return 1
        case .date: return 6
        }
    }

    /// ConvertedType: UTF8 = 0, DATE = 6.
    var convertedType: Int32? {
        switch self {
        case .none: return nil
        case .string: return 0
        case .date: return 6
        }
    }
}

/// One leaf column of the flat schema.
struct ParquetLeaf {
    var name: String
    var physical: ParquetPhysicalType
    var logical: ParquetLogicalType
    var repetition: ParquetRepetition

    /// The catalogue's types mapped to Parquet's (docs/parquet.md).
    init(_ column: Column) {
        name = column.name
        repetition = column.nullable ? .optional : .required
        switch column.type {
        case .string:
            physical = .byteArray
            logical = .string
        case .int:
            physical = .int64
            logical = .none
        case .float:
            physical = .double
            logical = .none
        case .date:
            physical = .int32
            logical = .date
        case .bool:
            physical = .boolean
            logical = .none
        }
    }
}

/// A column chunk's statistics, values already PLAIN-encoded (without the
/// BYTE_ARRAY length prefix), as `min_value` / `max_value` want them.
struct ParquetStatistics {
    var nullCount: Int64
    var min: [UInt8]?
    var max: [UInt8]?

    func write(_ id: Int16, _ t: inout ThriftCompactWriter) {
        t.beginStruct(id)
        t.i64(3, nullCount)
        if let max, let min {
            t.binary(5, max)
            t.binary(6, min)
            t.bool(7, true) // is_max_value_exact
            t.bool(8, true) // is_min_value_exact
        }
        t.endStruct()
    }
}

/// What a finished column chunk tells the footer.
struct ParquetChunkMetadata {
    var physical: ParquetPhysicalType
    var path: String
    var codec: Int32
    var encodings: [ParquetEncoding]
    /// (page type, encoding, count) for PageEncodingStats.
    var encodingStats: [(ParquetPageType, ParquetEncoding, Int32)]
    var numValues: Int64
    var totalUncompressedSize: Int64
    var totalCompressedSize: Int64
    var dataPageOffset: Int64
    var dictionaryPageOffset: Int64?
    var statistics: ParquetStatistics

    /// ColumnChunk { 2: file_offset, 3: meta_data: ColumnMetaData }.
    func writeColumnChunk(_ t: inout ThriftCompactWriter) {
        t.beginListElementStruct()
        t.i64(2, dictionaryPageOffset ?? dataPageOffset)
        t.beginStruct(3)
        t.i32(1, physical.rawValue)
        t.listHeader(2, elementType: .i32, count: encodings.count)
        for e in encodings { t.listI32(e.rawValue) }
        t.listHeader(3, elementType: .binary, count: 1)
        t.listString(path)
        t.i32(4, codec)
        t.i64(5, numValues)
        t.i64(6, totalUncompressedSize)
        t.i64(7, totalCompressedSize)
        t.i64(9, dataPageOffset)
        if let dictionaryPageOffset { t.i64(11, dictionaryPageOffset) }
        statistics.write(12, &t)
        t.listHeader(13, elementType: .structure, count: encodingStats.count)
        for (pageType, encoding, count) in encodingStats {
            t.beginListElementStruct()
            t.i32(1, pageType.rawValue)
            t.i32(2, encoding.rawValue)
            t.i32(3, count)
            t.endStruct()
        }
        t.endStruct() // ColumnMetaData
        t.endStruct() // ColumnChunk
    }
}

enum ParquetHeaders {
    /// PageHeader for a data page v1 with RLE definition/repetition levels.
    static func dataPage(uncompressed: Int, compressed: Int, numValues: Int, encoding: ParquetEncoding, into out: ParquetBuffer) {
        var t = ThriftCompactWriter(into: out)
        t.i32(1, ParquetPageType.dataPage.rawValue)
        t.i32(2, Int32(truncatingIfNeeded: uncompressed))
        t.i32(3, Int32(truncatingIfNeeded: compressed))
        t.beginStruct(5)
        t.i32(1, Int32(truncatingIfNeeded: numValues))
        t.i32(2, encoding.rawValue)
        t.i32(3, ParquetEncoding.rle.rawValue)
        t.i32(4, ParquetEncoding.rle.rawValue)
        t.endStruct()
        t.endStruct()
    }

    /// PageHeader for a dictionary page (PLAIN-encoded entries).
    static func dictionaryPage(uncompressed: Int, compressed: Int, numValues: Int, into out: ParquetBuffer) {
        var t = ThriftCompactWriter(into: out)
        t.i32(1, ParquetPageType.dictionaryPage.rawValue)
        t.i32(2, Int32(truncatingIfNeeded: uncompressed))
        t.i32(3, Int32(truncatingIfNeeded: compressed))
        t.beginStruct(7)
        t.i32(1, Int32(truncatingIfNeeded: numValues))
        t.i32(2, ParquetEncoding.plain.rawValue)
        t.endStruct()
        t.endStruct()
    }

    /// RowGroup { 1: columns, 2: total_byte_size, 3: num_rows, 5: file_offset, 6: total_compressed_size, 7: ordinal }.
    static func rowGroup(_ chunks: [ParquetChunkMetadata], rows: Int, ordinal: Int, into out: ParquetBuffer) {
        var t = ThriftCompactWriter(into: out)
        t.listHeader(1, elementType: .structure, count: chunks.count)
        for c in chunks { c.writeColumnChunk(&t) }
        t.i64(2, chunks.reduce(0) { $0 + $1.totalUncompressedSize })
        t.i64(3, Int64(rows))
        if let first = chunks.first { t.i64(5, first.dictionaryPageOffset ?? first.dataPageOffset) }
        t.i64(6, chunks.reduce(0) { $0 + $1.totalCompressedSize })
        if ordinal <= Int(Int16.max) { t.i16(7, Int16(ordinal)) }
        t.endStruct()
    }

    /// FileMetaData; the row groups come already serialized (`rowGroups`, `rowGroupCount` of them).
    static func fileMetaData(
        leaves: [ParquetLeaf], rows: Int, rowGroups: ParquetBuffer, rowGroupCount: Int,
        keyValues: [(String, String)], createdBy: String, into out: ParquetBuffer
    ) {
        var t = ThriftCompactWriter(into: out)
        t.i32(1, 2)
        t.listHeader(2, elementType: .structure, count: leaves.count + 1)
        t.beginListElementStruct()
        t.string(4, "schema")
        t.i32(5, Int32(leaves.count))
        t.endStruct()
        for leaf in leaves {
            t.beginListElementStruct()
            t.i32(1, leaf.physical.rawValue)
            t.i32(3, leaf.repetition.rawValue)
            t.string(4, leaf.name)
            if let converted = leaf.logical.convertedType { t.i32(6, converted) }
            if let field = leaf.logical.unionField {
                t.beginStruct(10)
                t.emptyStruct(field)
                t.endStruct()
            }
            t.endStruct()
        }
        t.i64(3, Int64(rows))
        t.listHeader(4, elementType: .structure, count: rowGroupCount)
        out.append(rowGroups)
        t.listHeader(5, elementType: .structure, count: keyValues.count)
        for (key, value) in keyValues {
            t.beginListElementStruct()
            t.string(1, key)
            t.string(2, value)
            t.endStruct()
        }
        t.string(6, createdBy)
        // Every column sorts by its type's defined order (signed ints and
        // doubles, unsigned bytes for strings), so readers trust min_value/max_value.
        t.listHeader(7, elementType: .structure, count: leaves.count)
        for _ in leaves {
            t.beginListElementStruct()
            t.emptyStruct(1)
            t.endStruct()
        }
        t.endStruct()
    }
}
