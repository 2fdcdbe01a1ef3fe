import Foundation

/// One pass over a datacube answer that checks it is a single well-formed JSON
/// value and picks out what fetch needs: top-level `errcode` and `errmsg`,
/// whether `list` is an array, and each list element's `ref_date`.
///
/// `JSONDecoder` did the same at about a third of a back-fill's client CPU;
/// everything else in the body is the transform's business and stays as received.
struct DatacubeBodyScan {
    var errcode: Int?
    var errmsg: String?
    /// nil when there is no `list` (or it is null).
    var refDates: [String?]?
    /// The published-content endpoints' top-level `is_delay` (nil when absent or not a boolean).
    var isDelay: Bool?

    enum Failure: Error {
        case malformed
    }

    /// nil when the bytes are not one JSON object (truncated, HTML, ...), or
    /// when `list` is present but not an array.
    static func scan(_ body: Data) -> DatacubeBodyScan? {
        body.withUnsafeBytes { raw in
            var scanner = Scanner(bytes: raw)
            return try? scanner.document()
        }
    }

    struct Scanner {
        let bytes: UnsafeRawBufferPointer
        var i = 0
        static let maxDepth = 64

        init(bytes: UnsafeRawBufferPointer) { self.bytes = bytes }

        mutating func document() throws -> DatacubeBodyScan {
            var result = DatacubeBodyScan()
            skipSpace()
            try expect(UInt8(ascii: "{"))
            try members { key, scanner in
                switch key {
                case "errcode": result.errcode = try scanner.intOrSkip()
                case "errmsg": result.errmsg = try scanner.stringOrSkip()
                case "list": result.refDates = try scanner.list()
                case "is_delay": result.isDelay = try scanner.boolOrSkip()
                default: try scanner.skipValue(depth: 1)
                }
            }
            skipSpace()
            guard i == bytes.count else { throw Failure.malformed }
            return result
        }

        /// `list`: an array, each element's ref_date (nil for a non-object or a non-string ref_date); null is no list.
        mutating func list() throws -> [String?]? {
            skipSpace()
            if try literalIfPresent("null") { return nil }
            try expect(UInt8(ascii: "["))
            var dates: [String?] = []
            try elements { scanner in
                scanner.skipSpace()
                guard scanner.peek == UInt8(ascii: "{") else {
                    try scanner.skipValue(depth: 2)
                    dates.append(nil)
                    return
                }
                scanner.i += 1
                var date: String?
                try scanner.members { key, s in
                    if key == "ref_date" { date = try s.stringOrSkip() } else { try s.skipValue(depth: 3) }
                }
                dates.append(date)
            }
            return dates
        }

        // MARK: structure (the opening bracket already read)

        mutating func members(_ body: (String, inout Scanner) throws -> Void) throws {
            try objectMembers { s in
                let key = try s.string()
                s.skipSpace()
                try s.expect(UInt8(ascii: ":"))
                try body(key, &s)
            }
        }

        /// The syntax of an object after its `{`: members separated by commas
        /// up to `}`. `member` reads one `"key": value` (the scanner at its key).
        @inline(__always)
        mutating func objectMembers(_ member: (inout Scanner) throws -> Void) throws {
            skipSpace()
            if peek == UInt8(ascii: "}") {
                i += 1
                return
            }
            while true {
                skipSpace()
                try member(&self)
                skipSpace()
                guard let c = peek else { throw Failure.malformed }
                i += 1
                if c == UInt8(ascii: "}") { return }
                guard c == UInt8(ascii: ",") else { throw Failure.malformed }
            }
        }

        mutating func elements(_ body: (inout Scanner) throws -> Void) throws {
            skipSpace()
            if peek == UInt8(ascii: "]") {
                i += 1
                return
            }
            while true {
                try body(&self)
                skipSpace()
                guard let c = peek else { throw Failure.malformed }
                i += 1
                if c == UInt8(ascii: "]") { return }
                guard c == UInt8(ascii: ",") else { throw Failure.malformed }
            }
        }

        mutating func skipValue(depth: Int) throws {
            guard depth < Scanner.maxDepth else { throw Failure.malformed }
            skipSpace()
            guard let c = peek else { throw Failure.malformed }
            switch c {
            case UInt8(ascii: "{"):
                i += 1
                try members { _, s in try s.skipValue(depth: depth + 1) }
            case UInt8(ascii: "["):
                i += 1
                try elements { s in try s.skipValue(depth: depth + 1) }
            case UInt8(ascii: "\""):
                try skipString()
            case UInt8(ascii: "t"): try literal("true")
            case UInt8(ascii: "f"): try literal("false")
            case UInt8(ascii: "n"): try literal("null")
            default: _ = try number()
            }
        }

        // MARK: scalars

        /// An int value, or nil for any other value (which is skipped).
        mutating func intOrSkip() throws -> Int? {
            skipSpace()
            guard let c = peek, c == UInt8(ascii: "-") || (c >= 48 && c <= 57) else {
                try skipValue(depth: 1)
                return nil
            }
            return try number()
        }

        /// true or false, or nil for any other value (which is skipped).
        mutating func boolOrSkip() throws -> Bool? {
            skipSpace()
            if try literalIfPresent("true") { return true }
            if try literalIfPresent("false") { return false }
            try skipValue(depth: 1)
            return nil
        }

        /// A string value, or nil for any other value (which is skipped).
        mutating func stringOrSkip() throws -> String? {
            skipSpace()
            guard peek == UInt8(ascii: "\"") else {
                try skipValue(depth: 1)
                return nil
            }
            return try string()
        }

        /// Validates a number; returns it when it is an integer that fits an Int.
        mutating func number() throws -> Int? {
            let start = i
            if peek == UInt8(ascii: "-") { i += 1 }
            guard let first = peek, first >= 48, first <= 57 else { throw Failure.malformed }
            if first == 48 { i += 1 } else { skipDigits() }
            var integral = true
            if peek == UInt8(ascii: ".") {
                integral = false
                i += 1
                guard digitsFollow() else { throw Failure.malformed }
                skipDigits()
            }
            if peek == UInt8(ascii: "e") || peek == UInt8(ascii: "E") {
                integral = false
                i += 1
                if peek == UInt8(ascii: "+") || peek == UInt8(ascii: "-") { i += 1 }
                guard digitsFollow() else { throw Failure.malformed }
                skipDigits()
            }
            guard integral else { return nil }
            return Int(String(decoding: UnsafeRawBufferPointer(rebasing: bytes[start..<i]), as: UTF8.self))
        }

        mutating func skipString() throws {
            _ = try scanString()
        }

        /// Skips a string, checking it; true when it holds an escape.
        mutating func scanString() throws -> Bool {
            try expect(UInt8(ascii: "\""))
            let n = bytes.count
            var escaped = false
            while i < n {
                // Eight bytes at a time while none is a quote, a backslash or
                // a control character (most of a body's bytes are plain text).
                if i + 8 <= n, let base = bytes.baseAddress {
                    let w = base.loadUnaligned(fromByteOffset: i, as: UInt64.self)
                    if !Self.hasSpecialByte(w) {
                        i += 8
                        continue
                    }
                }
                let c = bytes[i]
                i += 1
                if c == UInt8(ascii: "\"") { return escaped }
                if c == UInt8(ascii: "\\") {
                    escaped = true
                    guard i < n else { throw Failure.malformed }
                    let e = bytes[i]
                    i += 1
                    if e == UInt8(ascii: "u") {
                        guard i + 4 <= n else { throw Failure.malformed }
                        i += 4
                    } else if !"\"\\/bfnrt".utf8.contains(e) {
                        throw Failure.malformed
                    }
                } else if c < 0x20 {
                    throw Failure.malformed
                }
            }
            throw Failure.malformed
        }

        /// Whether any of the 8 bytes of `w` is `"`, `\\` or below 0x20
        /// (may say true for a word that has none; never false for one that has).
        @inline(__always) static func hasSpecialByte(_ w: UInt64) -> Bool {
            let ones: UInt64 = 0x0101_0101_0101_0101
            let highs: UInt64 = 0x8080_8080_8080_8080
            let quote = w ^ (ones &* 0x22)
            let backslash = w ^ (ones &* 0x5C)
            let zeroQuote = (quote &- ones) & ~quote
            let zeroBackslash = (backslash &- ones) & ~backslash
            let control = (w &- ones &* 0x20) & ~w
            return (zeroQuote | zeroBackslash | control) & highs != 0
        }

        /// A string's value. Plain strings (the usual case) are copied as they
        /// are; one with escapes is handed to JSONDecoder, which is rare and small.
        mutating func string() throws -> String {
            let start = i
            try skipString()
            let raw = UnsafeRawBufferPointer(rebasing: bytes[start..<i])
            if !raw.contains(UInt8(ascii: "\\")) {
                return String(decoding: UnsafeRawBufferPointer(rebasing: raw.dropFirst().dropLast()), as: UTF8.self)
            }
            guard let s = try? JSONDecoder().decode(String.self, from: Data(raw)) else { throw Failure.malformed }
            return s
        }

        // MARK: bytes

        var peek: UInt8? { i < bytes.count ? bytes[i] : nil }

        mutating func skipSpace() {
            while let c = peek, c == 0x20 || c == 0x0A || c == 0x0D || c == 0x09 { i += 1 }
        }

        mutating func skipDigits() {
            while let c = peek, c >= 48, c <= 57 { i += 1 }
        }

        func digitsFollow() -> Bool {
            guard let c = peek else { return false }
            return c >= 48 && c <= 57
        }

        mutating func expect(_ byte: UInt8) throws {
            guard peek == byte else { throw Failure.malformed }
            i += 1
        }

        mutating func literal(_ word: StaticString) throws {
            guard try literalIfPresent(word) else { throw Failure.malformed }
        }

        mutating func literalIfPresent(_ word: StaticString) throws -> Bool {
            let n = word.utf8CodeUnitCount
            guard i + n <= bytes.count else { return false }
            let w = UnsafeRawBufferPointer(start: word.utf8Start, count: n)
            for k in 0..<n where bytes[i + k] != w[k] { return false }
            i += n
            return true
        }
    }
}
