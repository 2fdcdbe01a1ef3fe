import Foundation

/// Why a call was tried again (the summary counts retries by cause).
public enum RetryCause: String, Sendable, CaseIterable, CustomStringConvertible {
    case busy = "busy (-1)"
    case http5xx = "HTTP 5xx"
    case connection = "connection error"
    case timeout = "timeout"
    case malformed = "malformed body"
    case tokenExpired = "token expired"
    case rateLimited = "per-minute quota (45011)"

    public var description: String { rawValue }
}

/// A failure that stops every further call of one account for this run.
public enum AccountFailure: Error, Sendable, Equatable, CustomStringConvertible {
    /// 45009: the daily quota is used up; running again tomorrow continues.
    case quotaExhausted(account: String, message: String)
    /// 40013, 40125, 41002, 41004, 40164, 48001 and other fatal answers.
    case fatal(account: String, code: Int, message: String, hint: String)
    /// Tokens from stable_token keep being rejected, even after a forced refresh.
    case tokenRejected(account: String, code: Int, message: String)
    /// The ready access token from the environment was rejected or expired.
    case accessTokenRejected(account: String, code: Int, message: String)
    /// The server answered a 3xx; redirects are never followed (they would
    /// carry the secret or the token to another host).
    case redirected(account: String, call: String, status: Int, host: String)
    /// No access token after every retry: timeouts or connection errors, not an answer from WeChat.
    case tokenUnreachable(account: String, attempts: Int, lastCause: String)

    public var account: String {
        switch self {
        case let .quotaExhausted(a, _), let .fatal(a, _, _, _), let .tokenRejected(a, _, _), let .accessTokenRejected(a, _, _),
            let .redirected(a, _, _, _), let .tokenUnreachable(a, _, _):
            return a
        }
    }

    public var description: String {
        switch self {
        case let .quotaExhausted(a, m):
            return
                "account \(a): daily API quota reached (45009 \(m)); stopped this account for this run. Run again after the quota resets (midnight China time); stored days are kept"
        case let .fatal(a, code, m, hint):
            return "account \(a): WeChat refused the call (\(code) \(m)); \(hint)"
        case let .tokenRejected(a, code, m):
            return
                "account \(a): WeChat keeps rejecting new access tokens (\(code) \(m)) even after a forced refresh; check that no other service resets this app's secret, then run again"
        case let .accessTokenRejected(a, code, m):
            return
                "account \(a): the access token from the environment was rejected (\(code) \(m)); it has expired or was revoked: renew it upstream in your token service and run again"
        case let .redirected(a, call, status, host):
            return
                "account \(a): \(call) answered HTTP \(status), a redirect to \(host); WeChat never redirects, so it was not followed and nothing was stored: check `api.base_url` (or --api-base) and any proxy in between, then run again"
        case let .tokenUnreachable(a, attempts, cause):
            return
                "account \(a): no access token after \(attempts) attempts (last: \(cause)); the token endpoint is unreachable or failing: check the network and `api.base_url`, then run again"
        }
    }

    /// What to do about a fatal errcode.
    static func hint(for code: Int) -> String {
        switch code {
        case 40013: return "the appid is invalid: check the account's `appid` in the pipeline file"
        case 40125: return "the app secret is invalid: check the account's `secret` (or reset it in the WeChat admin console)"
        case 41002: return "the appid is missing: set the account's `appid` in the pipeline file"
        case 41004: return "the app secret is missing: set the account's `secret` in the pipeline file"
        case 40164:
            return
                "this machine's IP is not whitelisted: add this machine's IP to the account's IP whitelist in the WeChat admin console (Settings > Basic configuration)"
        case 48001: return "the account is not authorised for the datacube API: check the account type and its API permissions"
        default: return "check the account's settings in the WeChat admin console"
        }
    }

    /// 48001 is not here: it refuses one endpoint, not the account (`EndpointUnavailable`).
    static let fatalCodes: Set<Int> = [40013, 40125, 41002, 41004, 40164]
    static let tokenCodes: Set<Int> = [40001, 40014, 42001]
}

/// A failure of one window; the account goes on with its other windows.
public enum WindowFailure: Error, Sendable, Equatable, CustomStringConvertible {
    case retriesExhausted(call: String, attempts: Int, lastCause: String)
    /// 61500/61501: the planner sent a request WeChat rejects.
    case plannerBug(call: String, code: Int, message: String, request: String)
    case unexpectedAnswer(call: String, code: Int, message: String)
    /// The answer arrived but the store could not keep it.
    case storeWriteFailed(call: String, message: String)

    public var description: String {
        switch self {
        case let .retriesExhausted(call, attempts, cause):
            return "\(call): gave up after \(attempts) attempts (last: \(cause)); run again to continue, or raise `api.retries`"
        case let .plannerBug(call, code, m, request):
            return
                "\(call): WeChat rejected the dates (\(code) \(m)) for request \(request); this is a bug in wxcube's planner: please report it with this line"
        case let .unexpectedAnswer(call, code, m):
            return "\(call): WeChat answered errcode \(code) (\(m)); run again later, or check the account in the WeChat admin console"
        case let .storeWriteFailed(call, m):
            return "\(call): the answer could not be stored (\(m)); check the store's disk space and permissions, then run again"
        }
    }

    /// The host a redirect's `Location` names, never its path or query (which
    /// may hold a token); "the same host" for a relative location.
    static func redirectHost(_ location: String?) -> String {
        guard let location, !location.isEmpty else { return "nowhere (no Location header)" }
        if let url = URL(string: location), let host = url.host, !host.isEmpty {
            let port = url.port.map { ":\($0)" } ?? ""
            return "\(url.scheme.map { "\($0)://" } ?? "")\(host)\(port)"
        }
        return "the same host (a relative Location)"
    }

    public var isPlannerBug: Bool {
        if case .plannerBug = self { return true }
        return false
    }
}

/// A failure of the HTTP exchange itself (no answer to read).
public enum TransportError: Error, Sendable, CustomStringConvertible {
    case timeout(String)
    case connection(String)

    public var description: String {
        switch self {
        case .timeout(let s): return "timeout: \(s)"
        case .connection(let s): return "connection error: \(s)"
        }
    }
}
