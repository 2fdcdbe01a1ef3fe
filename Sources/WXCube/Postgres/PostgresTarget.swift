import Foundation

/// Where a `postgres` output loads: the parsed `url`, `schema` and `mode`
/// (docs/postgres.md). The password is a `Secret` and never printed.
public struct PostgresTarget: Sendable {
    /// How rows already in the table are treated.
    public enum Mode: String, Sendable, CaseIterable {
        /// Delete the run's accounts × date range, then insert: rows WeChat no longer reports disappear.
        case replaceRange = "replace_range"
        /// `INSERT ... ON CONFLICT (natural key) DO UPDATE`: nothing is deleted.
        case upsert
    }

    /// libpq's `sslmode` values.
    public enum SSLMode: String, Sendable, CaseIterable {
        case disable, allow, prefer, require
        case verifyCA = "verify-ca"
        case verifyFull = "verify-full"
    }

    public var host: String
    public var port: Int
    public var user: String
    public var password: Secret?
    public var database: String
    public var sslmode: SSLMode
    public var schema: String
    public var mode: Mode

    public static let defaultSchema = "wxcube"
    public static let defaultPort = 5432

    public init(
        host: String, port: Int = PostgresTarget.defaultPort, user: String, password: Secret?, database: String,
        sslmode: SSLMode = .prefer, schema: String = PostgresTarget.defaultSchema, mode: Mode = .replaceRange
    ) {
        self.host = host
        self.port = port
        self.user = user
        self.password = password
        self.database = database
        self.sslmode = sslmode
        self.schema = schema
        self.mode = mode
    }

    /// The URL with the password replaced by `***`: what messages, the plan and the manifest show.
    public var redactedURL: String {
        let pw = password == nil ? "" : ":***"
        let h = host.contains(":") ? "[\(host)]" : host
        return "postgres://\(user)\(pw)@\(h):\(port)/\(database)?sslmode=\(sslmode.rawValue)"
    }

    /// `host:port/database`, for messages.
    public var endpoint: String { "\(host):\(port)/\(database)" }

    /// Parses `postgres://user[:password]@host[:port]/database[?sslmode=...]`.
    /// Messages never contain the URL itself (it may hold a password).
    public static func parse(url: String, schema: String = defaultSchema, mode: Mode = .replaceRange) throws(PostgresURLError) -> PostgresTarget {
        var rest = Substring(url)
        if rest.hasPrefix("postgres://") {
            rest = rest.dropFirst("postgres://".count)
        } else if rest.hasPrefix("postgresql://") {
            rest = rest.dropFirst("postgresql://".count)
        } else {
            throw PostgresURLError("must start with postgres:// (postgres://user:${PGPASSWORD}@host:port/database)")
        }
        guard let at = rest.lastIndex(of: "@") else {
            throw PostgresURLError("needs a user: postgres://user:${PGPASSWORD}@host:port/database")
        }
        let userInfo = rest[..<at]
        let afterAt = rest[rest.index(after: at)...]
        guard let slash = afterAt.firstIndex(of: "/") else {
            throw PostgresURLError("needs a database name after the host: postgres://user@host:port/database")
        }
        let hostPort = afterAt[..<slash]
        var pathQuery = afterAt[afterAt.index(after: slash)...]
        var query: Substring = ""
        if let q = pathQuery.firstIndex(of: "?") {
            query = pathQuery[pathQuery.index(after: q)...]
            pathQuery = pathQuery[..<q]
        }
        let (user, password) = try parseUser(userInfo)
        let (host, port) = try parseHost(hostPort)
        guard let database = String(pathQuery).removingPercentEncoding, !database.isEmpty, !database.contains("/") else {
            throw PostgresURLError("needs a database name after the host: postgres://user@host:port/database")
        }
        let sslmode = try parseSSLMode(query)
        guard isIdentifier(schema) else {
            throw PostgresURLError("schema '\(schema)' must be a lowercase name of letters, digits and _ (not starting with a digit)")
        }
        return PostgresTarget(
            host: host, port: port, user: user, password: password, database: database,
            sslmode: sslmode, schema: schema, mode: mode)
    }

    /// `user[:password]`, percent-decoded.
    private static func parseUser(_ userInfo: Substring) throws(PostgresURLError) -> (String, Secret?) {
        let userPart: Substring
        var password: Secret?
        if let colon = userInfo.firstIndex(of: ":") {
            userPart = userInfo[..<colon]
            let pw = String(userInfo[userInfo.index(after: colon)...])
            guard let decoded = pw.removingPercentEncoding else { throw PostgresURLError("the password has an invalid %-escape") }
            password = Secret(decoded)
        } else {
            userPart = userInfo
        }
        guard let user = String(userPart).removingPercentEncoding, !user.isEmpty else {
            throw PostgresURLError("needs a user: postgres://user:${PGPASSWORD}@host:port/database")
        }
        return (user, password)
    }

    /// `host[:port]`, with `[v6]` brackets.
    private static func parseHost(_ hostPort: Substring) throws(PostgresURLError) -> (String, Int) {
        var host: String
        var port = defaultPort
        if hostPort.hasPrefix("["), let close = hostPort.firstIndex(of: "]") {
            host = String(hostPort[hostPort.index(after: hostPort.startIndex)..<close])
            let tail = hostPort[hostPort.index(after: close)...]
            if !tail.isEmpty {
                guard tail.hasPrefix(":"), let p = Int(tail.dropFirst()) else { throw PostgresURLError("the port must be a number") }
                port = p
            }
        } else if let colon = hostPort.lastIndex(of: ":") {
            host = String(hostPort[..<colon])
            guard let p = Int(hostPort[hostPort.index(after: colon)...]) else { throw PostgresURLError("the port must be a number") }
            port = p
        } else {
            host = String(hostPort)
        }
        guard !host.isEmpty else { throw PostgresURLError("needs a host: postgres://user@host:port/database") }
        guard (1...65535).contains(port) else { throw PostgresURLError("the port must be 1-65535") }
        return (host, port)
    }

    /// The query: `sslmode` is the one parameter.
    private static func parseSSLMode(_ query: Substring) throws(PostgresURLError) -> SSLMode {
        var sslmode = SSLMode.prefer
        for item in query.split(separator: "&") where !item.isEmpty {
            let kv = item.split(separator: "=", maxSplits: 1)
            let key = String(kv[0])
            let value = kv.count > 1 ? String(kv[1]) : ""
            switch key {
            case "sslmode":
                guard let m = SSLMode(rawValue: value) else {
                    throw PostgresURLError("sslmode '\(value)' is not one of \(SSLMode.allCases.map(\.rawValue).joined(separator: ", "))")
                }
                sslmode = m
            default:
                throw PostgresURLError("unknown URL parameter '\(key)'; only sslmode is supported")
            }
        }
        return sslmode
    }

    /// A lowercase SQL identifier that needs no quoting rules beyond `"..."`.
    public static func isIdentifier(_ s: String) -> Bool {
        guard let first = s.unicodeScalars.first, s.utf8.count <= 63 else { return false }
        guard first == "_" || ("a"..."z").contains(first) else { return false }
        return s.unicodeScalars.allSatisfy { $0 == "_" || ("a"..."z").contains($0) || ("0"..."9").contains($0) }
    }
}

/// A `url` that is not a PostgreSQL URL; the message never repeats the URL.
public struct PostgresURLError: Error, CustomStringConvertible, Sendable {
    public var description: String
    init(_ description: String) { self.description = description }
}
