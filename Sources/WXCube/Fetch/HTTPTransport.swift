import AsyncHTTPClient
import Foundation

/// An HTTP status and body.
public struct HTTPReply: Sendable {
    public var status: Int
    public var body: Data
    /// The `Location` header of a 3xx answer (redirects are never followed).
    public var location: String?
    public init(status: Int, body: Data, location: String? = nil) {
        self.status = status
        self.body = body
        self.location = location
    }
}

/// POSTs a JSON body. Throws `TransportError` for timeouts and connection
/// failures, and CancellationError when the task is cancelled.
public protocol HTTPTransport: Sendable {
    func postJSON(url: String, body: Data) async throws -> HTTPReply
}

/// The one shared AsyncHTTPClient of a run.
public final class AsyncHTTPTransport: HTTPTransport {
    private let client: HTTPClient
    /// The whole exchange (connect, headers, every byte of the body) must end
    /// within this many seconds; `read_timeout` alone is reset by each byte.
    private let requestTimeout: Double
    /// Bodies larger than this are refused (datacube answers are kilobytes).
    private let maxBodyBytes = 64 << 20

    public init(api: APISpec) {
        var config = HTTPClient.Configuration(
            timeout: .init(
                connect: .milliseconds(Int64(api.connectTimeoutSeconds * 1000)),
                read: .milliseconds(Int64(api.readTimeoutSeconds * 1000))),
            connectionPool: .init(
                idleTimeout: .seconds(60),
                concurrentHTTP1ConnectionsPerHostSoftLimit: max(1, api.concurrency)))
        config.httpVersion = .automatic
        // WeChat never redirects these calls: a redirect would carry the
        // secret or the token to another host (docs/operations.md).
        config.redirectConfiguration = .disallow
        client = HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: config)
        requestTimeout = api.requestTimeoutSeconds
    }

    public func postJSON(url: String, body: Data) async throws -> HTTPReply {
        var request = HTTPClientRequest(url: url)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json")
        request.headers.add(name: "User-Agent", value: "wxcube/\(WXCubeVersion.current)")
        request.body = .bytes(body)
        let client = self.client
        let prepared = request
        let limit = maxBodyBytes
        let seconds = requestTimeout
        let exchange: @Sendable () async throws -> HTTPReply = {
            let response = try await client.execute(prepared, timeout: .milliseconds(Int64(seconds * 1000)))
            let location = response.headers.first(name: "Location")
            let buffer = try await response.body.collect(upTo: limit)
            return HTTPReply(status: Int(response.status.code), body: Data(buffer.readableBytesView), location: location)
        }
        do {
            return try await AsyncHTTPTransport.withDeadline(seconds: seconds, exchange)
        } catch {
            try Task.checkCancellation()
            throw AsyncHTTPTransport.classify(error)
        }
    }

    /// Runs `operation`, throwing `TransportError.timeout` if it has not ended
    /// after `seconds` (it is cancelled then, which closes the connection).
    static func withDeadline<T: Sendable>(seconds: Double, _ operation: @escaping @Sendable () async throws -> T) async throws -> T {
        try await withThrowingTaskGroup(of: T?.self) { group in
            group.addTask { try await operation() }
            group.addTask {
                try await Task.sleep(nanoseconds: UInt64(max(0, seconds) * 1_000_000_000))
                return nil
            }
            defer { group.cancelAll() }
            guard let first = try await group.next() else { throw TransportError.timeout("no answer") }
            guard let value = first else {
                throw TransportError.timeout("no complete answer within request_timeout (\(seconds) s)")
            }
            return value
        }
    }

    static func classify(_ error: any Error) -> TransportError {
        if let e = error as? TransportError { return e }
        if let e = error as? HTTPClientError {
            if e == .readTimeout || e == .connectTimeout || e == .deadlineExceeded {
                return .timeout(String(describing: e))
            }
            return .connection(String(describing: e))
        }
        return .connection(String(describing: error))
    }

    /// Closes the client; call once after the run.
    public func shutdown() async throws {
        try await client.shutdown()
    }
}

/// Hides access tokens and known secrets in text that may reach a log line.
public enum Redactor {
    /// `access_token=...` becomes `access_token=***`.
    public static func redactURL(_ text: String) -> String {
        guard text.contains("access_token=") else { return text }
        var out = ""
        var rest = Substring(text)
        while let r = rest.range(of: "access_token=") {
            out += rest[..<r.upperBound]
            out += "***"
            rest = rest[r.upperBound...]
            let stop = rest.firstIndex { $0 == "&" || $0 == " " || $0 == "\"" || $0 == "'" || $0 == "\n" || $0 == "#" || $0 == ")" } ?? rest.endIndex
            rest = rest[stop...]
        }
        out += rest
        return out
    }

    /// Redacts URLs and every occurrence of the given secret values.
    public static func redact(_ text: String, secrets: [String]) -> String {
        var out = redactURL(text)
        for s in secrets where s.count >= 4 {
            out = out.replacingOccurrences(of: s, with: "***")
        }
        return out
    }
}
