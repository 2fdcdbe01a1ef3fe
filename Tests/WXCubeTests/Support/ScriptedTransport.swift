import Foundation
import Logging
import XCTest

@testable import WXCube

/// A scripted transport: answers come from a closure, requests are recorded.
final class ScriptedTransport: HTTPTransport, @unchecked Sendable {
    // @unchecked: state is guarded by `lock`.
    private let lock = NSLock()
    private var log: [(url: String, body: String)] = []
    private let answer: @Sendable (String, String, Int) throws -> HTTPReply

    /// `answer(url, body, n)` where n counts requests to that URL path so far.
    init(_ answer: @escaping @Sendable (String, String, Int) throws -> HTTPReply) { self.answer = answer }

    var requests: [(url: String, body: String)] {
        lock.lock()
        defer { lock.unlock() }
        return log
    }

    func postJSON(url: String, body: Data) async throws -> HTTPReply {
        let text = String(decoding: body, as: UTF8.self)
        let path = String(url.split(separator: "?").first ?? "")
        let n: Int = {
            lock.lock()
            defer { lock.unlock() }
            log.append((url, text))
            return log.filter { $0.url.hasPrefix(path) }.count
        }()
        try await Task.sleep(nanoseconds: 1_000_000)
        return try answer(url, text, n)
    }

    static func json(_ s: String, status: Int = 200) -> HTTPReply { HTTPReply(status: status, body: Data(s.utf8)) }
}
