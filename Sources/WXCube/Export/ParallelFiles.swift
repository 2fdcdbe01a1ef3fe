import CLibXML2
import Foundation

/// Writes several output files at once, one per core (issue 12). Each file is
/// written by one thread from its own row streams, so its bytes are the same as
/// when written alone; results come back in input order.
enum ParallelFiles {
    /// `body` over `items` on up to `workers` threads, results in input order.
    /// After a failure no further item is started; the first failure in input
    /// order is thrown once the running ones have finished.
    static func map<T, R>(_ items: [T], workers: Int, _ body: (T) throws -> R) throws -> [R] {
        guard workers > 1, items.count > 1 else { return try items.map(body) }
        // libxml2 (the XLSX parts) initialises its globals on first use; do it
        // here, once, before threads could race to it.
        xmlInitParser()
        return try withoutActuallyEscaping(body) { body in
            let shared = Shared(items: items, body: body)
            DispatchQueue.concurrentPerform(iterations: min(workers, items.count)) { _ in shared.work() }
            return try shared.results()
        }
    }

    private final class Shared<T, R>: @unchecked Sendable {
        // @unchecked: `items` and `body` are only read; `state` is behind its lock.
        private let items: [T]
        private let body: (T) throws -> R
        private let state: Locked<(next: Int, failed: Bool, results: [Result<R, any Error>?])>

        init(items: [T], body: @escaping (T) throws -> R) {
            self.items = items
            self.body = body
            self.state = Locked((0, false, [Result<R, any Error>?](repeating: nil, count: items.count)))
        }

        func work() {
            while true {
                let i = state.withLock { s -> Int? in
                    guard !s.failed, s.next < items.count else { return nil }
                    defer { s.next += 1 }
                    return s.next
                }
                guard let i else { return }
                let r = Result { try body(items[i]) }
                state.withLock { s in
                    s.results[i] = r
                    if case .failure = r { s.failed = true }
                }
            }
        }

        func results() throws -> [R] {
            let all = state.withLock { $0.results }
            // A failure first, in input order; then every result is there.
            for r in all { if case .failure(let e)? = r { throw e } }
            return try all.compactMap { try $0?.get() }
        }
    }
}
