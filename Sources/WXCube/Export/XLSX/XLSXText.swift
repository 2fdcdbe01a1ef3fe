/// Text as SpreadsheetML stores it in a cell.
///
/// XML 1.0 cannot hold most control characters; OOXML's answer is the
/// `_xHHHH_` escape (ECMA-376 §22.9.2.19), which Excel and LibreOffice decode
/// (openpyxl hands it through undecoded). So controls other than tab, LF and
/// CR, and the non-characters U+FFFE/U+FFFF, become `_xHHHH_`, and the
/// underscore of a literal `_xHHHH_` in the text becomes `_x005F_` so readers
/// do not decode it. CR is legal XML but parsers turn a raw CR into LF, so it
/// is written as `&#13;` (as libxml2's own text escaping does). `& < >` become
/// entities.
enum XLSXText {
    /// Excel's limit on the characters (UTF-16 code units) in one cell.
    static let maxCellLength = 32_767

    /// Bytes that may need more than a copy: & < > controls (not tab/LF), `_`, and 0xEF (U+FFFE/U+FFFF lead).
    private static let attention: [Bool] = (0..<256).map { b in
        switch b {
        case 0x26, 0x3C, 0x3E, 0x5F, 0xEF: return true
        case 0x09, 0x0A: return false
        case 0..<0x20: return true
        default: return false
        }
    }
    private static let hex: [UInt8] = Array("0123456789ABCDEF".utf8)

    /// Writes `utf8` escaped for a `<t>` element. Worst case 7 bytes out per byte in.
    /// Long on purpose: it is the per-byte loop every XLSX text cell goes
    /// through; one switch over the bytes that need attention, copying the
    /// clean runs between them, keeps the run state local to one loop.
    static func write(_ utf8: UnsafeRawBufferPointer, to out: ByteOutput) throws {
        let n = utf8.count
        try out.reserve(n * 7)
        var clean = true
        attention.withUnsafeBufferPointer { table in
            for b in utf8 where table[Int(b)] {
                clean = false
                break
            }
        }
        if clean {
            out.appendUnchecked(utf8)
            return
        }
        var run = 0
        var i = 0
        func flushRun() { if i > run { out.appendUnchecked(UnsafeRawBufferPointer(rebasing: utf8[run..<i])) } }
        while i < n {
            let b = utf8[i]
            guard attention[Int(b)] else {
                i += 1
                continue
            }
            switch b {
            case 0x26:
                flushRun()
                appendASCII("&amp;", out)
                i += 1
            case 0x3C:
                flushRun()
                appendASCII("&lt;", out)
                i += 1
            case 0x3E:
                flushRun()
                appendASCII("&gt;", out)
                i += 1
            case 0x5F:
                guard isEscapePattern(utf8, at: i) else {
                    i += 1
                    continue
                }
                flushRun()
                appendASCII("_x005F_", out)
                i += 1
            case 0xEF:
                guard i + 2 < n, utf8[i + 1] == 0xBF, utf8[i + 2] == 0xBE || utf8[i + 2] == 0xBF else {
                    i += 1
                    continue
                }
                flushRun()
                appendASCII(utf8[i + 2] == 0xBE ? "_xFFFE_" : "_xFFFF_", out)
                i += 3
            case 0x0D:
                flushRun()
                appendASCII("&#13;", out)
                i += 1
            default:
                flushRun()
                appendEscape(b, out)
                i += 1
            }
            run = i
        }
        flushRun()
    }

    /// The same escaping as a String, for the few texts written through the
    /// xmlTextWriter element API (which adds the XML entities and `&#13;` itself).
    static func escapedForCell(_ text: String) -> String {
        guard text.utf8.contains(where: { ($0 < 0x20 && $0 != 0x09 && $0 != 0x0A && $0 != 0x0D) || $0 == 0x5F || $0 == 0xEF }) else {
            return text
        }
        var result = ""
        let scalars = Array(text.unicodeScalars)
        var i = 0
        while i < scalars.count {
            let s = scalars[i]
            if (s.value < 0x20 && s.value != 0x09 && s.value != 0x0A && s.value != 0x0D) || s.value == 0xFFFE || s.value == 0xFFFF {
                let h = String(s.value, radix: 16, uppercase: true)
                result += "_x" + String(repeating: "0", count: 4 - h.count) + h + "_"
            } else if s == "_", i + 6 < scalars.count, scalars[i + 1] == "x", scalars[i + 6] == "_",
                scalars[(i + 2)...(i + 5)].allSatisfy({ $0.properties.isASCIIHexDigit })
            {
                result += "_x005F_"
            } else {
                result.unicodeScalars.append(s)
            }
            i += 1
        }
        return result
    }

    /// The byte length of the longest prefix of at most `maxCellLength` UTF-16
    /// units that ends on a character boundary, or nil when the text fits.
    static func truncationLength(_ utf8: UnsafeRawBufferPointer) -> Int? {
        guard utf8.count > maxCellLength else { return nil } // UTF-16 units never exceed UTF-8 bytes
        var units = 0
        var i = 0
        while i < utf8.count {
            let b = utf8[i]
            let width = b < 0x80 ? 1 : b < 0xE0 ? 2 : b < 0xF0 ? 3 : 4
            let u16 = width == 4 ? 2 : 1
            if units + u16 > maxCellLength { return i }
            units += u16
            i += width
        }
        return nil
    }

    /// Leading or trailing whitespace needs `xml:space="preserve"` to survive readers.
    static func needsPreserve(_ utf8: UnsafeRawBufferPointer) -> Bool {
        guard let first = utf8.first, let last = utf8.last else { return false }
        return isSpace(first) || isSpace(last)
    }

    private static func isSpace(_ b: UInt8) -> Bool { b == 0x20 || b == 0x09 || b == 0x0A || b == 0x0D }

    private static func isHex(_ b: UInt8) -> Bool {
        (b >= 0x30 && b <= 0x39) || (b >= 0x41 && b <= 0x46) || (b >= 0x61 && b <= 0x66)
    }

    private static func isEscapePattern(_ u: UnsafeRawBufferPointer, at i: Int) -> Bool {
        i + 6 < u.count && u[i + 1] == UInt8(ascii: "x") && u[i + 6] == 0x5F
            && isHex(u[i + 2]) && isHex(u[i + 3]) && isHex(u[i + 4]) && isHex(u[i + 5])
    }

    @inline(__always) private static func appendASCII(_ s: StaticString, _ out: ByteOutput) {
        out.appendUnchecked(UnsafeRawBufferPointer(start: s.utf8Start, count: s.utf8CodeUnitCount))
    }

    private static func appendEscape(_ b: UInt8, _ out: ByteOutput) {
        appendASCII("_x00", out)
        out.appendUnchecked(hex[Int(b >> 4)])
        out.appendUnchecked(hex[Int(b & 0xF)])
        out.appendUnchecked(0x5F)
    }
}
