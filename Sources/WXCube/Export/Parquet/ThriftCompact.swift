/// Apache Thrift's compact protocol, write side only: what Parquet's page
/// headers and file footer are serialized with (see docs/parquet.md).
///
/// A struct is a run of fields, each introduced by a byte holding the field
/// id's delta from the previous field (high nibble, when 1...15) and the type
/// (low nibble), and ends with a 0 byte. Integers are zigzag varints, binaries
/// and strings a varint length then bytes, lists a size/element-type header
/// then the elements; booleans live in the field header's type nibble.
struct ThriftCompactWriter {
    enum FieldType: UInt8 {
        case boolTrue = 1, boolFalse = 2, byte = 3, i16 = 4, i32 = 5, i64 = 6, double = 7, binary = 8
        case list = 9, set = 10, map = 11, structure = 12
    }

    let out: ParquetBuffer
    /// The last field id of each open struct (the innermost last).
    private var lastFieldIds: [Int16] = [0]

    init(into out: ParquetBuffer) { self.out = out }

    // MARK: structs and fields

    mutating func fieldHeader(_ id: Int16, _ type: FieldType) {
        let last = lastFieldIds[lastFieldIds.count - 1]
        let delta = Int(id) - Int(last)
        if delta > 0 && delta <= 15 {
            out.append(UInt8(delta) << 4 | type.rawValue)
        } else {
            out.append(type.rawValue)
            out.appendVarint(Self.zigzag(Int64(id)))
        }
        lastFieldIds[lastFieldIds.count - 1] = id
    }

    /// Starts a nested struct as field `id`; close it with `endStruct()`.
    mutating func beginStruct(_ id: Int16) {
        fieldHeader(id, .structure)
        lastFieldIds.append(0)
    }

    /// Starts a struct that is a list element (no field header).
    mutating func beginListElementStruct() { lastFieldIds.append(0) }

    /// Writes the stop byte of the innermost struct.
    mutating func endStruct() {
        out.append(0)
        if lastFieldIds.count > 1 { lastFieldIds.removeLast() }
    }

    /// An empty struct field (Parquet's StringType, DateType, TypeDefinedOrder).
    mutating func emptyStruct(_ id: Int16) {
        beginStruct(id)
        endStruct()
    }

    mutating func i32(_ id: Int16, _ value: Int32) {
        fieldHeader(id, .i32)
        out.appendVarint(Self.zigzag(Int64(value)))
    }

    mutating func i64(_ id: Int16, _ value: Int64) {
        fieldHeader(id, .i64)
        out.appendVarint(Self.zigzag(value))
    }

    mutating func i16(_ id: Int16, _ value: Int16) {
        fieldHeader(id, .i16)
        out.appendVarint(Self.zigzag(Int64(value)))
    }

    mutating func bool(_ id: Int16, _ value: Bool) {
        fieldHeader(id, value ? .boolTrue : .boolFalse)
    }

    mutating func binary(_ id: Int16, _ bytes: UnsafeRawBufferPointer) {
        fieldHeader(id, .binary)
        out.appendVarint(UInt64(bytes.count))
        out.append(bytes)
    }

    mutating func binary(_ id: Int16, _ bytes: [UInt8]) {
        bytes.withUnsafeBytes { binary(id, $0) }
    }

    mutating func string(_ id: Int16, _ text: String) {
        binary(id, Array(text.utf8))
    }

    // MARK: lists

    /// A list field's header; the elements follow.
    mutating func listHeader(_ id: Int16, elementType: FieldType, count: Int) {
        fieldHeader(id, .list)
        listBegin(elementType: elementType, count: count)
    }

    mutating func listBegin(elementType: FieldType, count: Int) {
        if count < 15 {
            out.append(UInt8(count) << 4 | elementType.rawValue)
        } else {
            out.append(0xF0 | elementType.rawValue)
            out.appendVarint(UInt64(count))
        }
    }

    /// A list element of type i32 (Parquet enums).
    func listI32(_ value: Int32) { out.appendVarint(Self.zigzag(Int64(value))) }

    /// A list element of type binary (strings).
    func listString(_ text: String) {
        let utf8 = Array(text.utf8)
        out.appendVarint(UInt64(utf8.count))
        out.append(utf8)
    }

    @inline(__always) static func zigzag(_ v: Int64) -> UInt64 {
        UInt64(bitPattern: (v << 1) ^ (v >> 63))
    }
}
