import Dispatch
import Foundation
import WXCube

/// SIGINT (Ctrl-C) and SIGTERM (what cron, systemd and Kubernetes send),
/// caught instead of killing the process. The one place wxcube installs
/// signal handlers: `run` cancels its task, `sandbox` stops its server.
final class SignalHandler: @unchecked Sendable {
    // @unchecked: `sources` is set once in init and never mutated; DispatchSource is thread-safe.
    static let signals: [Int32] = [SIGINT, SIGTERM]
    private let sources: [any DispatchSourceSignal]

    /// `handler` gets the signal and how many signals have arrived so far (1 for the first).
    init(_ handler: @escaping @Sendable (_ signal: Int32, _ count: Int) -> Void) {
        let count = Locked(0)
        sources = Self.signals.map { sig in
            signal(sig, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: sig, queue: .global())
            source.setEventHandler {
                let n = count.withLock { n -> Int in
                    n += 1
                    return n
                }
                handler(sig, n)
            }
            source.resume()
            return source
        }
    }

    /// Stops handling; with `restoreDefault` the next signal kills the process again,
    /// without it the signals stay ignored.
    func remove(restoreDefault: Bool = true) {
        for source in sources { source.cancel() }
        if restoreDefault {
            for sig in Self.signals { signal(sig, SIG_DFL) }
        }
    }

    /// "SIGINT" or "SIGTERM".
    static func name(_ sig: Int32) -> String { sig == SIGINT ? "SIGINT" : "SIGTERM" }
}
