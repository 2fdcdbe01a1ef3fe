/// Parquet's value and level encodings (Encodings.md of apache/parquet-format).
enum ParquetEncoder {
    /// Bits needed for values up to `maxValue` (0 for 0).
    @inline(__always) static func bitWidth(_ maxValue: UInt32) -> Int {
        maxValue == 0 ? 0 : 32 - maxValue.leadingZeroBitCount
    }

    /// The RLE / bit-packing hybrid: runs of 8 or more equal values become
    /// RLE runs (varint `count << 1`, then the value in ceil(bitWidth/8)
    /// little-endian bytes); everything else is bit-packed in groups of 8,
    /// LSB first (varint `groups << 1 | 1`, then `groups * bitWidth` bytes).
    /// The last bit-packed group is padded with zeros, which readers ignore
    /// because they know how many values to read.
    static func hybrid<Word: FixedWidthInteger & UnsignedInteger>(
        _ values: UnsafeBufferPointer<Word>, bitWidth: Int, into out: ParquetBuffer
    ) {
        let n = values.count
        let valueBytes = (bitWidth + 7) / 8
        var i = 0
        while i < n {
            let v = values[i]
            var j = i + 1
            while j < n && values[j] == v { j += 1 }
            if j - i >= 8 {
                out.appendVarint(UInt64(j - i) << 1)
                var w = UInt32(v)
                for _ in 0..<valueBytes {
                    out.append(UInt8(truncatingIfNeeded: w))
                    w >>= 8
                }
                i = j
                continue
            }
            // A literal run: whole groups of 8, until a run of 8 equal values starts at a group boundary.
            let start = i
            var end = i
            while true {
                end = min(end + 8, n)
                if end >= n { break }
                let probe = values[end]
                var k = end + 1
                while k < n && k - end < 8 && values[k] == probe { k += 1 }
                if k - end >= 8 { break }
            }
            let groups = (end - start + 7) / 8
            out.appendVarint(UInt64(groups) << 1 | 1)
            bitPack(values, from: start, to: end, groups: groups, bitWidth: bitWidth, into: out)
            i = end
        }
    }

    /// Bit-packs values[from..<to] LSB first, padding to `groups * 8` values with zeros.
    @inline(__always) private static func bitPack<Word: FixedWidthInteger & UnsignedInteger>(
        _ values: UnsafeBufferPointer<Word>, from: Int, to: Int, groups: Int,
        bitWidth: Int, into out: ParquetBuffer
    ) {
        let total = groups * bitWidth
        guard total > 0 else { return }
        let dst = out.tail(reserving: total + 16)
        if bitWidth <= 16, let base = values.baseAddress {
            // A group of 8 values is `bitWidth` bytes: packed as two words and
            // stored 16 bytes at once (the bytes past the group are
            // overwritten by the next one, or lie past the end).
            var at = dst
            var i = from
            while i + 8 <= to {
                storeGroup(base + i, bitWidth: bitWidth, at: at)
                at += bitWidth
                i += 8
            }
            if i < to {
                var last: (Word, Word, Word, Word, Word, Word, Word, Word) = (0, 0, 0, 0, 0, 0, 0, 0)
                withUnsafeMutableBytes(of: &last) { last in
                    let words = last.bindMemory(to: Word.self)
                    for k in i..<to { words[k - i] = base[k] }
                    // Eight words, never empty: the tuple's buffer always has an address.
                    if let first = words.baseAddress { storeGroup(first, bitWidth: bitWidth, at: at) }
                }
            }
            out.advance(by: total)
            return
        }
        var written = 0
        var acc: UInt64 = 0
        var bits = 0
        for index in from..<(from + groups * 8) {
            let v = index < to ? UInt64(values[index]) : 0
            acc |= v << UInt64(bits)
            bits += bitWidth
            while bits >= 8 {
                dst[written] = UInt8(truncatingIfNeeded: acc)
                written += 1
                acc >>= 8
                bits -= 8
            }
        }
        out.advance(by: total)
    }

    /// Eight values of at most 16 bits (each below 2^bitWidth), LSB first,
    /// as 16 little-endian bytes at `at`, of which the first `bitWidth` count.
    @inline(__always) private static func storeGroup<Word: FixedWidthInteger & UnsignedInteger>(
        _ v: UnsafePointer<Word>, bitWidth w: Int, at: UnsafeMutablePointer<UInt8>
    ) {
        let w = UInt64(truncatingIfNeeded: w)
        let low = UInt64(v[0]) | UInt64(v[1]) << w | UInt64(v[2]) << (2 &* w) | UInt64(v[3]) << (3 &* w)
        let high = UInt64(v[4]) | UInt64(v[5]) << w | UInt64(v[6]) << (2 &* w) | UInt64(v[7]) << (3 &* w)
        let split = 4 &* w // where `high` starts: 4...64 bits
        let first = split == 64 ? low : low | high << split
        let second = split == 64 ? high : high >> (64 &- split)
        let raw = UnsafeMutableRawPointer(at)
        raw.storeBytes(of: first.littleEndian, as: UInt64.self)
        raw.storeBytes(of: second.littleEndian, toByteOffset: 8, as: UInt64.self)
    }

    /// PLAIN BOOLEAN: one bit per value, LSB first.
    static func plainBooleans(_ values: UnsafeBufferPointer<UInt32>, into out: ParquetBuffer) {
        var byte: UInt8 = 0
        var bit = 0
        for v in values {
            if v != 0 { byte |= 1 << UInt8(bit) }
            bit += 1
            if bit == 8 {
                out.append(byte)
                byte = 0
                bit = 0
            }
        }
        if bit > 0 { out.append(byte) }
    }
}
