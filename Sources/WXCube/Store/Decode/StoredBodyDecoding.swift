import Foundation

/// A stored body's list items, decoded for the transform.
///
/// An endpoint's item type says how its stored bodies become items. The four
/// datacube families here decode in one pass over the bytes (`SinglePassListItem`);
/// an endpoint without such a decoder may still answer with
/// `DatacubeList<Self>.decode(body).list ?? []` (Codable, several times slower).
protocol StoredListItem: Sendable {
    /// The items of `body`'s `list` (none when there is no list or it is not an
    /// array). Throws when the body is not one JSON object.
    static func decodeStoredList(_ body: Data) throws -> [Self]
    /// The list items and the answer's `is_delay` (nil when not sent, or not
    /// read by this item's decoder: only the published-content datasets show it).
    static func decodeStoredAnswer(_ body: Data) throws -> (list: [Self], isDelay: Bool?)
}

extension StoredListItem {
    static func decodeStoredAnswer(_ body: Data) throws -> (list: [Self], isDelay: Bool?) {
        (try decodeStoredList(body), nil)
    }
}

/// An item read with the Codable model (`DatacubeList<Self>`), is_delay included.
protocol CodableStoredListItem: StoredListItem, Decodable {}

extension CodableStoredListItem {
    static func decodeStoredList(_ body: Data) throws -> [Self] {
        try decodeStoredAnswer(body).list
    }

    static func decodeStoredAnswer(_ body: Data) throws -> (list: [Self], isDelay: Bool?) {
        let response = try DatacubeList<Self>.decode(body)
        return (response.list ?? [], response.isDelay)
    }
}

/// An item decoded straight from the body's bytes by `DatacubeBodyScan`'s scanner.
///
/// Lenient exactly as the Codable models in `Core/APIModels.swift` (which tests
/// keep as the oracle): a missing or null field is nil (never 0), a field of an
/// unexpected type is nil, ints sent as `12.0`, `1e3` or `"12"` are read, numbers
/// are accepted for string fields, unknown fields are ignored, the first of
/// duplicate keys counts, and a list element that is not an object is skipped.
protocol SinglePassListItem: StoredListItem {
    /// Reads one list element: the scanner stands just after its `{` and is
    /// left just after the matching `}`.
    static func decodeElement(_ s: inout DatacubeBodyScan.Scanner) throws -> Self
}

extension SinglePassListItem {
    static func decodeStoredList(_ body: Data) throws -> [Self] {
        try StoredBodyDecoding.list(body, Self.decodeElement)
    }
}

enum StoredBodyDecoding {
    /// The body is not one JSON object (truncated, HTML, ...).
    struct Unreadable: Error, CustomStringConvertible {
        var offset: Int
        var description: String { "not one JSON object (stopped at byte \(offset))" }
    }

    /// The top-level `list` of `body`, each object element read by `element`.
    ///
    /// Bodies reach the store only after `DatacubeBodyScan.scan` accepted them,
    /// so this checks structure as strictly as that scan (stricter than
    /// JSONDecoder on malformed JSON, e.g. a trailing comma; no stored body has one).
    static func list<Item>(_ body: Data, _ element: (inout DatacubeBodyScan.Scanner) throws -> Item) throws -> [Item] {
        try body.withUnsafeBytes { raw in
            var s = DatacubeBodyScan.Scanner(bytes: raw)
            do {
                var items: [Item]?
                s.skipSpace()
                try s.expect(UInt8(ascii: "{"))
                try s.fields(StoredKeyTable.top) { _, s in
                    items = try s.objectList(depth: 2, element)
                }
                s.skipSpace()
                guard s.i == raw.count else { throw DatacubeBodyScan.Failure.malformed }
                return items ?? []
            } catch {
                throw Unreadable(offset: s.i)
            }
        }
    }
}

/// The field names an item reads, matched on the key's bytes (no String made).
struct StoredKeyTable: Sendable {
    /// Every name quoted, one after the other: name k is
    /// `flat[starts[k] + 1 ..< starts[k] + 1 + lengths[k]]`, between its quotes.
    private let flat: [UInt8]
    private let starts: [Int]
    private let lengths: [Int]

    init(_ names: [String]) {
        var flat: [UInt8] = [], starts: [Int] = [], lengths: [Int] = []
        for name in names {
            starts.append(flat.count)
            lengths.append(name.utf8.count)
            flat.append(UInt8(ascii: "\""))
            flat.append(contentsOf: name.utf8)
            flat.append(UInt8(ascii: "\""))
        }
        self.flat = flat
        self.starts = starts
        self.lengths = lengths
    }

    static let top = StoredKeyTable(["list"])

    var count: Int { lengths.count }

    /// The index of `raw` among the names, trying `hint` first (fields usually
    /// come in the same order in every element).
    @inline(__always) func index(of raw: UnsafeRawBufferPointer, hint: Int) -> Int? {
        flat.withUnsafeBytes { names in
            lengths.withUnsafeBufferPointer { lengths in
                starts.withUnsafeBufferPointer { starts in
                    func equal(_ k: Int) -> Bool {
                        guard lengths[k] == raw.count else { return false }
                        guard let a = raw.baseAddress, let b = names.baseAddress else { return raw.isEmpty }
                        return memcmp(a, b + starts[k] + 1, raw.count) == 0
                    }
                    if hint < lengths.count, equal(hint) { return hint }
                    for k in 0..<lengths.count where k != hint && equal(k) { return k }
                    return nil
                }
            }
        }
    }
}

extension StoredKeyTable {
    /// When the bytes at `offset` are name `k` in quotes (escape-free), their
    /// length with the quotes: the usual key, found without scanning it.
    @inline(__always) func quotedLength(of k: Int, at offset: Int, in bytes: UnsafeRawBufferPointer) -> Int? {
        guard k < lengths.count else { return nil }
        let n = lengths[k] + 2
        guard offset + n <= bytes.count, let base = bytes.baseAddress else { return nil }
        return flat.withUnsafeBytes { names in
            guard let names = names.baseAddress else { return nil }
            return memcmp(base + offset, names + starts[k], n) == 0 ? n : nil
        }
    }
}

extension DatacubeBodyScan.Scanner {
    private static let quote = UInt8(ascii: "\"")

    /// An object's members after its `{`: each key found in `table` (its first
    /// occurrence only) goes to `field`, which reads the value; others are skipped.
    @inline(__always)
    mutating func fields(
        _ table: StoredKeyTable, depth: Int = 1,
        _ field: (Int, inout DatacubeBodyScan.Scanner) throws -> Void
    ) throws {
        var seen: UInt64 = 0
        var hint = 0
        try objectMembers { s in
            let k: Int?
            if let n = table.quotedLength(of: hint, at: s.i, in: s.bytes) {
                // The next name in the usual order (a name holds no quote or backslash).
                s.i += n
                k = hint
            } else {
                k = try s.keyIndex(table, hint: hint)
            }
            s.skipSpace()
            try s.expect(UInt8(ascii: ":"))
            if let k, k < 64, seen & (1 << UInt64(k)) == 0 {
                seen |= 1 << UInt64(k)
                hint = k + 1
                try field(k, &s)
            } else {
                try s.skipValue(depth: depth + 1)
            }
        }
    }

    /// The key at the scanner, read, and its index in `table` (nil: not there).
    private mutating func keyIndex(_ table: StoredKeyTable, hint: Int) throws -> Int? {
        let start = i
        let escaped = try scanString()
        if escaped {
            i = start
            let key = try string()
            return Array(key.utf8).withUnsafeBytes { table.index(of: $0, hint: hint) }
        }
        return table.index(of: UnsafeRawBufferPointer(rebasing: bytes[(start + 1)..<(i - 1)]), hint: hint)
    }

    /// An array of objects, each read by `element`; an element that is not an
    /// object is skipped. nil (the value skipped) when the value is not an array.
    mutating func objectList<Item>(depth: Int, _ element: (inout DatacubeBodyScan.Scanner) throws -> Item) throws -> [Item]? {
        skipSpace()
        guard peek == UInt8(ascii: "[") else {
            try skipValue(depth: depth)
            return nil
        }
        i += 1
        var out: [Item] = []
        try elements { s in
            s.skipSpace()
            guard s.peek == UInt8(ascii: "{") else {
                try s.skipValue(depth: depth + 1)
                return
            }
            s.i += 1
            out.append(try element(&s))
        }
        return out
    }

    /// An int: a JSON integer that fits, a whole number written with a fraction
    /// or exponent (`12.0`, `1e3`), or a string holding an integer; else nil.
    mutating func lenientInt() throws -> Int? {
        skipSpace()
        guard let c = peek else { throw DatacubeBodyScan.Failure.malformed }
        if c == UInt8(ascii: "-") || (c >= 48 && c <= 57) { return try numberAsInt() }
        if c == Self.quote {
            guard let s = try stringValue() else { return nil }
            return Int(s.trimmingCharacters(in: .whitespaces))
        }
        try skipValue(depth: 1)
        return nil
    }

    /// A string, or an integer's text (msgids sent as numbers); else nil.
    mutating func lenientString() throws -> String? {
        skipSpace()
        guard let c = peek else { throw DatacubeBodyScan.Failure.malformed }
        if c == Self.quote { return try stringValue() }
        if c == UInt8(ascii: "-") || (c >= 48 && c <= 57) { return try numberAsInt().map { String($0) } }
        try skipValue(depth: 1)
        return nil
    }

    /// A `YYYY-MM-DD` string as a day; else nil.
    mutating func lenientDay() throws -> Day? {
        skipSpace()
        guard peek == Self.quote else {
            // A number's text is never a date.
            try skipValue(depth: 1)
            return nil
        }
        let start = i
        let escaped = try scanString()
        let raw = UnsafeRawBufferPointer(rebasing: bytes[(start + 1)..<(i - 1)])
        if raw.count == 10, !escaped { return Day.iso(utf8: raw) }
        i = start
        return try stringValue().flatMap { Day(iso: $0) }
    }

    /// A string value; nil when its escapes do not decode (JSONDecoder's
    /// answer for such a field too), which leaves the rest of the body readable.
    mutating func stringValue() throws -> String? {
        let start = i
        let escaped = try scanString()
        let raw = UnsafeRawBufferPointer(rebasing: bytes[start..<i])
        if !escaped {
            return String(decoding: UnsafeRawBufferPointer(rebasing: raw.dropFirst().dropLast()), as: UTF8.self)
        }
        return try? JSONDecoder().decode(String.self, from: Data(raw))
    }

    /// A number as JSONDecoder reads it into an Int, with the Codable models'
    /// fallback: a plain integer that fits; else a whole value that an Int holds exactly.
    private mutating func numberAsInt() throws -> Int? {
        let start = i
        // Fast path: plain digits, no leading zero, no fraction or exponent, no overflow.
        var j = i
        let negative = bytes[j] == UInt8(ascii: "-")
        if negative { j += 1 }
        let firstDigit = j
        var v = 0
        var overflow = false
        while j < bytes.count {
            let c = bytes[j]
            guard c >= 48, c <= 57 else { break }
            let (m, o1) = v.multipliedReportingOverflow(by: 10)
            let (a, o2) = negative ? m.subtractingReportingOverflow(Int(c - 48)) : m.addingReportingOverflow(Int(c - 48))
            overflow = overflow || o1 || o2
            v = a
            j += 1
        }
        let digits = j - firstDigit
        let next = j < bytes.count ? bytes[j] : 0
        if digits > 0, !overflow, !(digits > 1 && bytes[firstDigit] == 48),
            next != UInt8(ascii: "."), next != UInt8(ascii: "e"), next != UInt8(ascii: "E")
        {
            i = j
            return v
        }
        // Rare: validate as the scan does, then read the text.
        _ = try number()
        let text = String(decoding: UnsafeRawBufferPointer(rebasing: bytes[start..<i]), as: UTF8.self)
        if let n = Int(text) { return n }
        guard let d = Double(text), d.isFinite else { return nil }
        if !text.contains(where: { $0 == "." || $0 == "e" || $0 == "E" }) {
            // An integer too long for Int: the models' Double fallback keeps only |d| < 9e15.
            return d.rounded() == d && abs(d) < 9e15 ? Int(d) : nil
        }
        return Int(exactly: d)
    }
}
