import WXCube

/// A minimal JSON writer into a byte buffer. Keys come out in the order they are written,
/// so responses are byte-stable.
struct JSONWriter {
    private(set) var bytes: [UInt8] = []
    private var needsComma: [Bool] = []

    init(capacity: Int = 1024) { bytes.reserveCapacity(capacity) }

    mutating func beginObject() { begin(UInt8(ascii: "{")) }
    mutating func endObject() { end(UInt8(ascii: "}")) }
    mutating func beginArray() { begin(UInt8(ascii: "[")) }
    mutating func endArray() { end(UInt8(ascii: "]")) }

    private mutating func begin(_ bracket: UInt8) {
        separator()
        bytes.append(bracket)
        needsComma.append(false)
    }
    private mutating func end(_ bracket: UInt8) {
        needsComma.removeLast()
        bytes.append(bracket)
    }

    mutating func key(_ name: StaticString) {
        separator()
        bytes.append(UInt8(ascii: "\""))
        name.withUTF8Buffer { bytes.append(contentsOf: $0) }
        bytes.append(UInt8(ascii: "\""))
        bytes.append(UInt8(ascii: ":"))
        if !needsComma.isEmpty { needsComma[needsComma.count - 1] = false }
    }

    /// A key known only at run time (plain ASCII field names).
    mutating func key(dynamic name: String) {
        separator()
        bytes.append(UInt8(ascii: "\""))
        bytes.append(contentsOf: name.utf8)
        bytes.append(UInt8(ascii: "\""))
        bytes.append(UInt8(ascii: ":"))
        if !needsComma.isEmpty { needsComma[needsComma.count - 1] = false }
    }

    mutating func int(_ value: Int) {
        separator()
        if value < 0 { bytes.append(UInt8(ascii: "-")) }
        var v = value.magnitude
        var n = 0
        var t = v
        repeat {
            n += 1
            t /= 10
        } while t > 0
        let start = bytes.count
        bytes.append(contentsOf: repeatElement(UInt8(ascii: "0"), count: n))
        var i = start + n - 1
        repeat {
            bytes[i] = UInt8(48 + v % 10)
            v /= 10
            i -= 1
        } while v > 0
    }

    /// Escaped by `JSONText`, the one JSON string escaping (UTF-8 kept, controls escaped).
    mutating func string(_ value: String) {
        separator()
        bytes.append(contentsOf: JSONText.escaped(value))
    }

    /// A number with up to `decimals` decimals, as WeChat sends rates (no exponent).
    mutating func double(_ value: Double, decimals: Int = 4) {
        separator()
        var text = String(format: "%.\(decimals)f", value)
        while text.contains("."), text.hasSuffix("0") { text.removeLast() }
        if text.hasSuffix(".") { text.removeLast() }
        bytes.append(contentsOf: text.utf8)
    }

    mutating func bool(_ value: Bool) {
        separator()
        bytes.append(contentsOf: (value ? "true" : "false").utf8)
    }

    mutating func field(_ name: StaticString, _ value: Int) {
        key(name)
        int(value)
    }
    mutating func field(_ name: StaticString, _ value: String) {
        key(name)
        string(value)
    }

    private mutating func separator() {
        guard let last = needsComma.last else { return }
        if last { bytes.append(UInt8(ascii: ",")) } else { needsComma[needsComma.count - 1] = true }
    }
}
