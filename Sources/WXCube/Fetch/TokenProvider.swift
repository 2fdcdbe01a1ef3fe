import Foundation

/// An access token, numbered so that a caller whose call was rejected can say
/// which token was bad (a newer one may already be in use).
public struct IssuedToken: Sendable {
    public let token: Secret
    public let generation: Int
}

/// Hands out one account's access token. With appid + secret it uses
/// `/cgi-bin/stable_token`, caches the token until `expires_in - 300 s`, and
/// makes concurrent callers share a single refresh.
public actor TokenProvider {
    public let account: String
    private let appid: String?
    private let credential: Credential
    private let baseURL: String
    private let transport: any HTTPTransport
    private let policy: RetryPolicy
    private let clock: @Sendable () -> Date
    private let onRetry: @Sendable (RetryCause) -> Void

    private var current: (issued: IssuedToken, expiresAt: Date)?
    private var refreshing: Task<IssuedToken, any Error>?
    private var generation = 0
    private var forcedAfter: Int?
    /// How many tokens this provider fetched (for tests and the summary).
    public private(set) var fetches = 0

    public init(
        account: AccountSpec, baseURL: String, transport: any HTTPTransport, policy: RetryPolicy,
        clock: @escaping @Sendable () -> Date = Date.init,
        onRetry: @escaping @Sendable (RetryCause) -> Void = { _ in }
    ) {
        self.account = account.name
        self.appid = account.appid
        self.credential = account.credential
        self.baseURL = baseURL
        self.transport = transport
        self.policy = policy
        self.clock = clock
        self.onRetry = onRetry
    }

    public var usesReadyToken: Bool {
        if case .accessToken = credential { return true }
        return false
    }

    /// The current token, fetching one if none is cached or it is about to expire.
    public func token() async throws -> IssuedToken {
        switch credential {
        case .accessToken(let t):
            return IssuedToken(token: t, generation: 0)
        case .secret:
            if let c = current, c.expiresAt > clock() { return c.issued }
            return try await refresh(force: false)
        }
    }

    /// Forgets `generation` after WeChat rejected it; a later token() fetches a new one.
    public func invalidate(generation g: Int) {
        if current?.issued.generation == g { current = nil }
    }

    /// A forced refresh (force_refresh true), unless a token newer than
    /// `generation` already exists or a forced one was already fetched after it.
    public func forceRefresh(after g: Int) async throws -> IssuedToken {
        if let c = current, c.issued.generation > g { return c.issued }
        if let f = forcedAfter, f >= g, let c = current { return c.issued }
        forcedAfter = g
        return try await refresh(force: true)
    }

    private func refresh(force: Bool) async throws -> IssuedToken {
        if let running = refreshing { return try await running.value }
        let task = Task { try await self.fetchStableToken(force: force) }
        refreshing = task
        defer { refreshing = nil }
        return try await task.value
    }

    private func fetchStableToken(force: Bool) async throws -> IssuedToken {
        guard case .secret(let secret) = credential else {
            throw AccountFailure.accessTokenRejected(account: account, code: 0, message: "no secret to refresh with")
        }
        guard let appid, !appid.isEmpty else {
            throw AccountFailure.fatal(account: account, code: 41002, message: "appid missing", hint: AccountFailure.hint(for: 41002))
        }
        let payload: [String: Any] = ["grant_type": "client_credential", "appid": appid, "secret": secret.value, "force_refresh": force]
        let body = try JSONSerialization.data(withJSONObject: payload, options: [.sortedKeys])
        var attempt = 0
        while true {
            let cause: RetryCause
            do {
                let reply = try await transport.postJSON(url: baseURL + "/cgi-bin/stable_token", body: body)
                if reply.status >= 500 {
                    cause = .http5xx
                } else if (300..<400).contains(reply.status) {
                    throw AccountFailure.redirected(
                        account: account, call: "stable_token", status: reply.status,
                        host: WindowFailure.redirectHost(reply.location))
                } else if let grant = try? JSONDecoder().decode(TokenAnswer.self, from: reply.body) {
                    if let token = grant.access_token, !token.isEmpty {
                        return store(token: token, expiresIn: grant.expires_in ?? 7200)
                    }
                    let code = grant.errcode ?? -2
                    if code == -1 {
                        cause = .busy
                    } else if code == 45009 {
                        throw AccountFailure.quotaExhausted(account: account, message: grant.errmsg ?? "")
                    } else {
                        throw AccountFailure.fatal(
                            account: account, code: code, message: grant.errmsg ?? "",
                            hint: "getting an access token failed: " + AccountFailure.hint(for: code))
                    }
                } else {
                    cause = .malformed
                }
            } catch let e as TransportError {
                if case .timeout = e { cause = .timeout } else { cause = .connection }
            }
            guard attempt < policy.retries else {
                throw AccountFailure.tokenUnreachable(account: account, attempts: attempt + 1, lastCause: cause.rawValue)
            }
            onRetry(cause)
            try await sleep(seconds: policy.delay(attempt: attempt))
            attempt += 1
        }
    }

    private func store(token: String, expiresIn: Int) -> IssuedToken {
        generation += 1
        fetches += 1
        let issued = IssuedToken(token: Secret(token), generation: generation)
        KnownSecrets.shared.add(token)
        // Renew 300 s early; a very short lifetime (test servers) keeps half of it.
        let lifetime = Double(expiresIn)
        let usable = lifetime > 600 ? lifetime - 300 : lifetime / 2
        current = (issued, clock().addingTimeInterval(usable))
        return issued
    }

    private struct TokenAnswer: Decodable {
        var access_token: String?
        var expires_in: Int?
        var errcode: Int?
        var errmsg: String?
    }
}
