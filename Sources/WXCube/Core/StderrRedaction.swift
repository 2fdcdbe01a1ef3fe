import Foundation

/// Every secret and access token this process knows: the pipeline's secrets
/// and ready tokens (registered when the pipeline is loaded) and each token
/// fetched from `stable_token`. `StderrConsole` masks all of them in every
/// line it writes, so no message can print one, whatever its source
/// (an `errmsg` that echoes the token, a URL, an error's description).
public final class KnownSecrets: Sendable {
    public static let shared = KnownSecrets()

    private let values = Locked<Set<String>>([])

    public init() {}

    /// Values shorter than 4 characters are not masked (they would mask ordinary text).
    public func add(_ value: String) {
        guard value.count >= 4 else { return }
        values.withLock { _ = $0.insert(value) }
    }

    /// Registers the secrets and tokens of a pipeline's accounts.
    public func add(_ accounts: [AccountSpec]) {
        for a in accounts {
            switch a.credential {
            case .secret(let s): add(s.value)
            case .accessToken(let t): add(t.value)
            }
        }
    }

    /// `text` with `access_token=` values and every known secret masked as
    /// `***`, and control characters escaped (see `LogText.escaped`).
    public func clean(_ text: String) -> String {
        // Longest first, so a secret containing another is masked whole.
        let known = values.current.sorted { $0.count > $1.count }
        return LogText.escaped(Redactor.redact(text, secrets: known))
    }
}

/// Text that came from the network or from a pipeline file, made safe for one log line.
public enum LogText {
    /// Control characters (newlines, ESC of ANSI sequences, C1 controls, DEL)
    /// become visible escapes such as `\n` or `\u{1B}`, so such text can
    /// neither forge a log line nor drive the terminal.
    public static func escaped(_ text: String) -> String {
        guard text.unicodeScalars.contains(where: isControl) else { return text }
        var out = ""
        out.reserveCapacity(text.utf8.count + 8)
        for u in text.unicodeScalars {
            switch u {
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default:
                if isControl(u) { out += "\\u{" + String(u.value, radix: 16, uppercase: true) + "}" } else { out.unicodeScalars.append(u) }
            }
        }
        return out
    }

    static func isControl(_ u: Unicode.Scalar) -> Bool {
        u.value < 0x20 || (0x7F...0x9F).contains(u.value) || u.value == 0x2028 || u.value == 0x2029
    }

    /// True when `text` holds a character `escaped` would change.
    public static func hasControlCharacters(_ text: String) -> Bool {
        text.unicodeScalars.contains(where: isControl)
    }
}
