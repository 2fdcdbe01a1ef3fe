import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import WXCube
import WXCubeSandbox
import XCTest

/// Test support for the Sandbox*Tests: a real loopback HTTP client and an injectable clock.
final class SandboxTestClock: @unchecked Sendable {
    private let lock = NSLock()
    private var current: Date

    /// China time `day` at `hour`:00.
    init(day: Day, hour: Int = 10) {
        current = ChinaClock.startOf(day).addingTimeInterval(TimeInterval(hour * 3600))
    }

    var now: Date {
        lock.lock()
        defer { lock.unlock() }
        return current
    }

    func advance(seconds: TimeInterval) {
        lock.lock()
        current.addTimeInterval(seconds)
        lock.unlock()
    }

    var closure: @Sendable () -> Date { { [self] in self.now } }
}

struct SandboxReply {
    let status: Int
    let bytes: [UInt8]
    let seconds: Double

    var json: [String: Any]? { (try? JSONSerialization.jsonObject(with: Data(bytes))) as? [String: Any] }
    var errcode: Int? { json?["errcode"] as? Int }
    var list: [[String: Any]]? { json?["list"] as? [[String: Any]] }
    var text: String { String(decoding: bytes, as: UTF8.self) }
}

struct SandboxTestClient {
    let baseURL: String

    init(_ server: SandboxServer) { baseURL = server.baseURL }

    func send(_ method: HTTPMethod, _ path: String, body: String? = nil, timeoutSeconds: Int64 = 30) async throws -> SandboxReply {
        var request = HTTPClientRequest(url: baseURL + path)
        request.method = method
        if let body {
            request.headers.add(name: "Content-Type", value: "application/json")
            request.body = .bytes(ByteBuffer(string: body))
        }
        let started = Date()
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(timeoutSeconds))
        let buffer = try await response.body.collect(upTo: 64 << 20)
        return SandboxReply(
            status: Int(response.status.code), bytes: Array(buffer.readableBytesView),
            seconds: Date().timeIntervalSince(started))
    }

    func token(_ account: SandboxAccount) async throws -> String {
        let reply = try await send(.GET, "/cgi-bin/token?grant_type=client_credential&appid=\(account.appid)&secret=\(account.secret)")
        guard let token = reply.json?["access_token"] as? String else {
            throw SandboxTestError(message: "no token: \(reply.text)")
        }
        return token
    }

    func stableToken(_ account: SandboxAccount, forceRefresh: Bool = false) async throws -> SandboxReply {
        try await send(
            .POST, "/cgi-bin/stable_token",
            body: #"{"grant_type":"client_credential","appid":"\#(account.appid)","secret":"\#(account.secret)","force_refresh":\#(forceRefresh)}"#)
    }

    func datacube(_ endpoint: Endpoint, token: String?, begin: Day, end: Day) async throws -> SandboxReply {
        try await datacube(endpoint.rawValue, token: token, body: #"{"begin_date":"\#(begin.iso)","end_date":"\#(end.iso)"}"#)
    }

    func datacube(_ endpoint: String, token: String?, body: String) async throws -> SandboxReply {
        let query = token.map { "?access_token=\($0)" } ?? ""
        return try await send(.POST, "/datacube/\(endpoint)\(query)", body: body)
    }
}

struct SandboxTestError: Error, CustomStringConvertible {
    let message: String
    var description: String { message }
}
