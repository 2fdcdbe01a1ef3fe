import Foundation
import Logging

/// One account during a run: its tokens, its rate limit, and whether it was stopped.
public final class AccountSession: Sendable {
    public let account: AccountSpec
    public let tokens: TokenProvider
    public let limiter: RateLimiter
    private let stopped = Locked<AccountFailure?>(nil)

    public init(account: AccountSpec, tokens: TokenProvider, limiter: RateLimiter) {
        self.account = account
        self.tokens = tokens
        self.limiter = limiter
    }

    /// Why the account was stopped, if it was.
    public var failure: AccountFailure? { stopped.current }

    /// Stops the account; returns true for the first failure only.
    @discardableResult
    public func stop(_ failure: AccountFailure) -> Bool {
        stopped.withLock { current in
            guard current == nil else { return false }
            current = failure
            return true
        }
    }
}

/// Fetches datacube windows: tokens, rate limit, retries and response checks.
/// Throws `AccountFailure` (stop the account), `WindowFailure` (this window
/// only) or CancellationError.
public struct DatacubeClient: Sendable {
    public let baseURL: String
    public let transport: any HTTPTransport
    public let policy: RetryPolicy
    public let stats: FetchStats
    public let logger: Logger

    public init(baseURL: String, transport: any HTTPTransport, policy: RetryPolicy, stats: FetchStats, logger: Logger) {
        var base = baseURL
        while base.hasSuffix("/") { base.removeLast() }
        self.baseURL = base
        self.transport = transport
        self.policy = policy
        self.stats = stats
        self.logger = logger
    }

    static func requestBody(begin: Day, end: Day) -> Data {
        Data("{\"begin_date\":\"\(begin.iso)\",\"end_date\":\"\(end.iso)\"}".utf8)
    }

    private static let tokenAllowed: CharacterSet = {
        var set = CharacterSet.urlQueryAllowed
        set.remove(charactersIn: "&=+#")
        return set
    }()

    func url(_ endpoint: Endpoint, token: Secret) -> String {
        let t = token.value.addingPercentEncoding(withAllowedCharacters: DatacubeClient.tokenAllowed) ?? token.value
        return "\(baseURL)\(endpoint.path)?access_token=\(t)"
    }

    /// What one exchange means for the window: classified first, then acted on in `fetch`.
    enum Verdict {
        /// The answer is good: the window to commit.
        case success(FetchedWindow)
        /// Try again after a back-off (45011 also slows the account down).
        case retry(RetryCause)
        /// The token was rejected (40001, 40014, 42001): get a new one and try again at once.
        case newToken(code: Int, message: String)
        /// Stop: an `AccountFailure`, `EndpointUnavailable` or `WindowFailure`.
        case fail(any Error)
    }

    /// Fetches one window and checks the answer; the caller commits it.
    public func fetch(_ call: PlannedCall, session: AccountSession, fetchedAt: @Sendable () -> Date) async throws -> FetchedWindow {
        let body = DatacubeClient.requestBody(begin: call.begin, end: call.end)
        if let f = session.failure { throw f }
        var issued = try await session.tokens.token()
        var attempt = 0
        var tokenErrors = 0
        while true {
            if let f = session.failure { throw f }
            try await session.limiter.acquire()
            let cause: RetryCause
            switch await exchange(call, body: body, token: issued.token, fetchedAt: fetchedAt) {
            case .success(let window):
                return window
            case .fail(let error):
                throw error
            case let .newToken(code, message):
                if await session.tokens.usesReadyToken {
                    throw AccountFailure.accessTokenRejected(account: call.account, code: code, message: message)
                }
                tokenErrors += 1
                issued = try await renewToken(after: issued, errors: tokenErrors, call: call, session: session, code: code, message: message)
                continue
            case .retry(let c):
                cause = c
            }
            if cause == .rateLimited {
                await session.limiter.slowDown(pause: policy.slowDownPause)
                let rate = await session.limiter.requestsPerSecond
                logger.warning("account \(call.account): per-minute quota reached (45011); slowing down to \(rate) calls/s")
            }
            guard attempt < policy.retries else {
                throw WindowFailure.retriesExhausted(call: call.description, attempts: attempt + 1, lastCause: cause.rawValue)
            }
            stats.retried(cause)
            let delay = policy.delay(attempt: attempt)
            logger.debug(
                "\(call): \(cause); retry \(attempt + 1) of \(policy.retries) in \(String(format: "%.2f", delay)) s (POST \(Redactor.redactURL(url(call.endpoint, token: issued.token))))"
            )
            try await sleep(seconds: delay)
            attempt += 1
        }
    }

    /// One POST and what its answer means.
    private func exchange(_ call: PlannedCall, body: Data, token: Secret, fetchedAt: @Sendable () -> Date) async -> Verdict {
        stats.requestSent()
        let reply: HTTPReply
        do {
            reply = try await transport.postJSON(url: url(call.endpoint, token: token), body: body)
        } catch let e as TransportError {
            if case .timeout = e { return .retry(.timeout) }
            return .retry(.connection)
        } catch {
            return .fail(error)
        }
        if reply.status >= 500 { return .retry(.http5xx) }
        if (300..<400).contains(reply.status) {
            return .fail(
                AccountFailure.redirected(
                    account: call.account, call: call.endpoint.rawValue, status: reply.status,
                    host: WindowFailure.redirectHost(reply.location)))
        }
        if reply.status != 200 { return .retry(.malformed) }
        switch DatacubeAnswerReader.read(reply.body, begin: call.begin, end: call.end) {
        case let .rows(counts, dropped, isDelay):
            if !dropped.isEmpty {
                stats.rowsDropped(dropped.count)
                logger.warning(
                    "\(call): dropped \(dropped.count) row(s) whose ref_date (\(Set(dropped).sorted().prefix(3).joined(separator: ", "))) lies outside the requested window"
                )
            }
            return .success(
                FetchedWindow(
                    storeKey: call.storeKey, endpoint: call.endpoint, begin: call.begin, end: call.end,
                    body: reply.body, rowCounts: counts, fetchedAt: fetchedAt(), isDelay: isDelay == true))
        case .malformed:
            return .retry(.malformed)
        case let .apiError(code, message):
            return classify(code: code, message: message, call: call, body: body, token: token)
        }
    }

    /// What a non-zero errcode means.
    private func classify(code: Int, message: String, call: PlannedCall, body: Data, token: Secret) -> Verdict {
        if code == -1 { return .retry(.busy) }
        if AccountFailure.tokenCodes.contains(code) { return .newToken(code: code, message: message) }
        if code == 45011 { return .retry(.rateLimited) }
        if code == 45009 { return .fail(AccountFailure.quotaExhausted(account: call.account, message: message)) }
        if EndpointRegistry.unavailableCodes.contains(code) {
            // The API is gone or not allowed for this account: permanent, no retry.
            return .fail(EndpointUnavailable(account: call.account, endpoint: call.endpoint, code: code, message: message))
        }
        if AccountFailure.fatalCodes.contains(code) {
            return .fail(AccountFailure.fatal(account: call.account, code: code, message: message, hint: AccountFailure.hint(for: code)))
        }
        if code == 61500 || code == 61501 {
            let request = "POST \(Redactor.redactURL(url(call.endpoint, token: token))) \(String(decoding: body, as: UTF8.self))"
            return .fail(WindowFailure.plannerBug(call: call.description, code: code, message: message, request: request))
        }
        return .fail(WindowFailure.unexpectedAnswer(call: call.description, code: code, message: message))
    }

    /// A new token after the `errors`-th rejection: the cached one is dropped first,
    /// then a forced refresh; a third rejection stops the account.
    private func renewToken(
        after issued: IssuedToken, errors: Int, call: PlannedCall, session: AccountSession,
        code: Int, message: String
    ) async throws -> IssuedToken {
        stats.retried(.tokenExpired)
        logger.debug("\(call): token rejected (\(code) \(message)); getting a new one")
        switch errors {
        case 1:
            await session.tokens.invalidate(generation: issued.generation)
            return try await session.tokens.token()
        case 2:
            return try await session.tokens.forceRefresh(after: issued.generation)
        default:
            throw AccountFailure.tokenRejected(account: call.account, code: code, message: message)
        }
    }
}
