import Foundation
import Logging
import XCTest

@testable import WXCube

/// Log lines captured for assertions.
final class CapturedLog: @unchecked Sendable {
    private let lock = NSLock()
    private var lines: [(Logger.Level, String)] = []
    func append(_ level: Logger.Level, _ message: String) { lock.withLock { lines.append((level, message)) } }
    var all: [(Logger.Level, String)] { lock.withLock { lines } }

    var logger: Logger {
        Logger(label: "wxcube.test.captured") { _ in CapturingHandler(log: self) }
    }

    struct CapturingHandler: LogHandler {
        let log: CapturedLog
        var metadata: Logger.Metadata = [:]
        var logLevel: Logger.Level = .trace
        subscript(metadataKey key: String) -> Logger.Metadata.Value? {
            get { metadata[key] }
            set { metadata[key] = newValue }
        }
        func log(event: LogEvent) {
            let meta = (event.metadata ?? [:]).map { "\($0.key)=\($0.value)" }.sorted().joined(separator: " ")
            log.append(event.level, "\(event.message) \(meta)")
        }
    }
}
