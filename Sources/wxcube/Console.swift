import Foundation
import Logging
import WXCube

/// stderr shared by log lines and a one-line progress display: a log line
/// first clears the progress line, and the next progress update redraws it.
///
/// Every line goes through `KnownSecrets.clean`: secrets and tokens are
/// masked and control characters escaped, here and only here, so that no
/// caller has to remember to.
public final class StderrConsole: Sendable {
    public static let shared = StderrConsole()

    private let statusShown = Locked(false)

    public init() {}

    /// True when stderr is a terminal.
    public static var isTerminal: Bool { isatty(2) != 0 }

    /// Writes a whole line (a newline is added). A newline inside `text` is
    /// escaped: write several lines with several calls.
    public func writeLine(_ text: String) {
        let text = KnownSecrets.shared.clean(text)
        statusShown.withLock { shown in
            var out = shown ? "\r\u{1B}[2K" : ""
            out += text
            out += "\n"
            shown = false
            FileHandle.standardError.write(Data(out.utf8))
        }
    }

    /// Replaces the progress line (terminals only).
    public func setStatus(_ text: String) {
        let text = KnownSecrets.shared.clean(text)
        statusShown.withLock { shown in
            FileHandle.standardError.write(Data("\r\u{1B}[2K\(text)".utf8))
            shown = true
        }
    }

    /// Removes the progress line.
    public func clearStatus() {
        statusShown.withLock { shown in
            if shown { FileHandle.standardError.write(Data("\r\u{1B}[2K".utf8)) }
            shown = false
        }
    }
}

/// A swift-log handler writing to stderr through `StderrConsole`, with every
/// `access_token=` value masked.
public struct ConsoleLogHandler: LogHandler {
    public var logLevel: Logger.Level
    public var metadata: Logger.Metadata = [:]
    private let label: String
    private let console: StderrConsole

    public init(label: String, level: Logger.Level = .info, console: StderrConsole = .shared) {
        self.label = label
        self.logLevel = level
        self.console = console
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        var text = "\(ConsoleLogHandler.timestamp()) \(event.level) \(label): \(event.message)"
        let all = metadata.merging(event.metadata ?? [:]) { _, new in new }
        if !all.isEmpty {
            text += " " + all.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " ")
        }
        console.writeLine(text)
    }

    private static func timestamp() -> String { ISOTimestamp.utc(Date()) }
}
