import AsyncHTTPClient
import Foundation

/// An HTTP status and body.
public struct HTTPReply: Sendable {
    public var status: Int
    public var body: Data
    public init(status: Int, body: Data) {
        self.status = status
        self.body = body
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
    private let requestTimeout: Double
    /// Bodies larger than this are refused (datacube answers are kilobytes).
    private let maxBodyBytes = 64 << 20

    public init(api: APISpec) {
        var config = HTTPClient.Configuration(
            timeout: .init(connect: .milliseconds(Int64(api.connectTimeoutSeconds * 1000)),
                           read: .milliseconds(Int64(api.readTimeoutSeconds * 1000))),
            connectionPool: .init(idleTimeout: .seconds(60),
                                  concurrentHTTP1ConnectionsPerHostSoftLimit: max(1, api.concurrency)))
        config.httpVersion = .automatic
        client = HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: config)
        // A whole exchange may take a connect plus a few reads; the read
        // timeout bounds each wait for bytes.
        requestTimeout = api.connectTimeoutSeconds + api.readTimeoutSeconds * 4
    }

    public func postJSON(url: String, body: Data) async throws -> HTTPReply {
        var request = HTTPClientRequest(url: url)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json")
        request.headers.add(name: "User-Agent", value: "wxcube/\(WXCubeVersion.current)")
        request.body = .bytes(body)
        do {
            let response = try await client.execute(request, timeout: .milliseconds(Int64(requestTimeout * 1000)))
            let buffer = try await response.body.collect(upTo: maxBodyBytes)
            return HTTPReply(status: Int(response.status.code), body: Data(buffer.readableBytesView))
        } catch {
            try Task.checkCancellation()
            throw AsyncHTTPTransport.classify(error)
        }
    }

    static func classify(_ error: any Error) -> TransportError {
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
