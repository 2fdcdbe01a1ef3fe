import Foundation

/// A streaming ZIP writer over zlib's raw deflate (APPNOTE 6.3).
///
/// Entries are written once, front to back, with no temporary files and no
/// known sizes: each local header has general-purpose bit 3 set and zero
/// CRC/sizes, and a data descriptor after the data carries them. The output
/// is never seeked, so the bytes can be counted and hashed as they go.
/// Names are flagged UTF-8 (bit 11). ZIP64 fields are written only for an
/// entry whose sizes or offset reach 4 GiB, or an archive whose directory
/// does (then the descriptor carries 8-byte sizes, as the central directory's
/// ZIP64 extra field tells readers).
final class ZipWriter {
    private let output: any ByteSink
    private let level: Int
    private let dosTime: UInt16
    private let dosDate: UInt16
    /// Values at or above this need ZIP64; lowered only by tests to exercise that path.
    let zip64Threshold: UInt64
    private var offset: UInt64 = 0
    private var entries: [CentralEntry] = []
    private var openEntry = false

    struct CentralEntry {
        let name: [UInt8]
        let crc: UInt32
        let compressedSize: UInt64
        let uncompressedSize: UInt64
        let localHeaderOffset: UInt64
    }

    init(output: any ByteSink, level: Int, modified: Date, zip64Threshold: UInt64 = 0xFFFF_FFFF) {
        self.output = output
        self.level = level
        self.zip64Threshold = zip64Threshold
        (dosTime, dosDate) = ZipWriter.dosDateTime(modified)
    }

    /// Starts an entry; write its bytes to the returned sink, then `finish()` it before the next.
    func beginEntry(_ name: String) throws -> ZipEntry {
        precondition(!openEntry, "finish the previous ZIP entry first")
        let nameBytes = Array(name.utf8)
        var header = LittleEndianBytes()
        header.u32(0x0403_4b50)
        header.u16(20) // version needed: 2.0 (deflate)
        header.u16(0x0008 | 0x0800) // sizes in a data descriptor; UTF-8 names
        header.u16(8) // deflate
        header.u16(dosTime)
        header.u16(dosDate)
        header.u32(0)
        header.u32(0)
        header.u32(0)
        header.u16(UInt16(nameBytes.count))
        header.u16(0)
        header.bytes.append(contentsOf: nameBytes)
        let start = offset
        try emit(header.bytes)
        openEntry = true
        return try ZipEntry(zip: self, name: nameBytes, localHeaderOffset: start, level: level)
    }

    fileprivate func write(_ bytes: UnsafeRawBufferPointer) throws {
        offset += UInt64(bytes.count)
        try output.write(bytes)
    }

    private func emit(_ bytes: [UInt8]) throws {
        try bytes.withUnsafeBytes { try write($0) }
    }

    fileprivate func endEntry(_ entry: CentralEntry) throws {
        var descriptor = LittleEndianBytes()
        descriptor.u32(0x0807_4b50)
        descriptor.u32(entry.crc)
        if needsZip64(entry) {
            descriptor.u64(entry.compressedSize)
            descriptor.u64(entry.uncompressedSize)
        } else {
            descriptor.u32(UInt32(entry.compressedSize))
            descriptor.u32(UInt32(entry.uncompressedSize))
        }
        try emit(descriptor.bytes)
        entries.append(entry)
        openEntry = false
    }

    /// Sizes in the descriptor are 8 bytes exactly when the central entry has a ZIP64 size.
    private func needsZip64(_ e: CentralEntry) -> Bool {
        e.compressedSize >= zip64Threshold || e.uncompressedSize >= zip64Threshold
    }

    /// Writes the central directory and end records, then finishes the output sink.
    /// Long on purpose: it is the records of the ZIP format's end (central headers,
    /// ZIP64 end record and locator, end of central directory) field by field, in
    /// the order the format lays them out; split, one record would span functions.
    func finish() throws {
        precondition(!openEntry, "finish the last ZIP entry first")
        let directoryStart = offset
        var directory = LittleEndianBytes()
        for e in entries {
            let bigSizes = needsZip64(e)
            let bigOffset = e.localHeaderOffset >= zip64Threshold
            var extra = LittleEndianBytes()
            if bigSizes || bigOffset {
                extra.u16(0x0001)
                extra.u16(UInt16((bigSizes ? 16 : 0) + (bigOffset ? 8 : 0)))
                if bigSizes {
                    extra.u64(e.uncompressedSize)
                    extra.u64(e.compressedSize)
                }
                if bigOffset { extra.u64(e.localHeaderOffset) }
            }
            let zip64 = !extra.bytes.isEmpty
            directory.u32(0x0201_4b50)
            directory.u16(zip64 ? 0x032D : 0x0314) // made by: Unix, spec 4.5 / 2.0
            directory.u16(zip64 ? 45 : 20)
            directory.u16(0x0008 | 0x0800)
            directory.u16(8)
            directory.u16(dosTime)
            directory.u16(dosDate)
            directory.u32(e.crc)
            directory.u32(bigSizes ? 0xFFFF_FFFF : UInt32(e.compressedSize))
            directory.u32(bigSizes ? 0xFFFF_FFFF : UInt32(e.uncompressedSize))
            directory.u16(UInt16(e.name.count))
            directory.u16(UInt16(extra.bytes.count))
            directory.u16(0) // comment
            directory.u16(0) // disk
            directory.u16(0) // internal attributes
            directory.u32(0o100644 << 16) // external: regular file, rw-r--r--
            directory.u32(bigOffset ? 0xFFFF_FFFF : UInt32(e.localHeaderOffset))
            directory.bytes.append(contentsOf: e.name)
            directory.bytes.append(contentsOf: extra.bytes)
        }
        try emit(directory.bytes)
        let directorySize = offset - directoryStart
        let count = UInt64(entries.count)
        let zip64End = count >= 0xFFFF || directoryStart >= zip64Threshold || directorySize >= zip64Threshold
        var end = LittleEndianBytes()
        if zip64End {
            let recordOffset = offset
            end.u32(0x0606_4b50)
            end.u64(44)
            end.u16(0x032D)
            end.u16(45)
            end.u32(0)
            end.u32(0)
            end.u64(count)
            end.u64(count)
            end.u64(directorySize)
            end.u64(directoryStart)
            end.u32(0x0706_4b50)
            end.u32(0)
            end.u64(recordOffset)
            end.u32(1)
        }
        end.u32(0x0605_4b50)
        end.u16(0)
        end.u16(0)
        end.u16(zip64End ? 0xFFFF : UInt16(count))
        end.u16(zip64End ? 0xFFFF : UInt16(count))
        end.u32(zip64End ? 0xFFFF_FFFF : UInt32(directorySize))
        end.u32(zip64End ? 0xFFFF_FFFF : UInt32(directoryStart))
        end.u16(0)
        try emit(end.bytes)
        try output.finish()
    }

    /// MS-DOS date and time fields, from the instant's UTC civil time.
    static func dosDateTime(_ date: Date) -> (time: UInt16, date: UInt16) {
        let (day, secondOfDay) = ISOTimestamp.civil(date)
        var (y, m, d) = day.components
        if y < 1980 { (y, m, d) = (1980, 1, 1) }
        let time = UInt16((secondOfDay / 3600) << 11 | ((secondOfDay / 60) % 60) << 5 | (secondOfDay % 60) / 2)
        let dosDate = UInt16(min(y - 1980, 127) << 9 | m << 5 | d)
        return (time, dosDate)
    }
}

/// One ZIP entry being written: bytes in are deflated (on the machine's cores,
/// `ParallelDeflater`, which also computes their CRC) into the archive.
final class ZipEntry: ByteSink {
    private unowned let zip: ZipWriter
    private let name: [UInt8]
    private let localHeaderOffset: UInt64
    private var uncompressed: UInt64 = 0
    private let counter: CountingSink
    private var deflater: ParallelDeflater?

    fileprivate init(zip: ZipWriter, name: [UInt8], localHeaderOffset: UInt64, level: Int) throws {
        self.zip = zip
        self.name = name
        self.localHeaderOffset = localHeaderOffset
        counter = CountingSink(zip: zip)
        deflater = ParallelDeflater(level: level, downstream: counter)
    }

    func write(_ bytes: UnsafeRawBufferPointer) throws {
        guard let deflater else { throw ExportError.zlib(operation: "write after the ZIP entry was finished", code: -2) }
        uncompressed += UInt64(bytes.count)
        try deflater.write(bytes)
    }

    func finish() throws {
        guard let deflater else { return }
        try deflater.finish()
        self.deflater = nil
        try zip.endEntry(
            .init(
                name: name, crc: deflater.crc, compressedSize: counter.count, uncompressedSize: uncompressed,
                localHeaderOffset: localHeaderOffset))
    }

    /// Passes deflate output to the archive, counting the compressed size.
    private final class CountingSink: ByteSink {
        unowned let zip: ZipWriter
        var count: UInt64 = 0
        init(zip: ZipWriter) { self.zip = zip }
        func write(_ bytes: UnsafeRawBufferPointer) throws {
            count += UInt64(bytes.count)
            try zip.write(bytes)
        }
        func finish() throws {}
    }
}

/// Little-endian integer fields for ZIP headers.
struct LittleEndianBytes {
    var bytes: [UInt8] = []
    mutating func u16(_ v: UInt16) {
        bytes.append(UInt8(v & 0xff))
        bytes.append(UInt8(v >> 8))
    }
    mutating func u32(_ v: UInt32) { for s in stride(from: 0, to: 32, by: 8) { bytes.append(UInt8(truncatingIfNeeded: v >> UInt32(s))) } }
    mutating func u64(_ v: UInt64) { for s in stride(from: 0, to: 64, by: 8) { bytes.append(UInt8(truncatingIfNeeded: v >> UInt64(s))) } }
}
