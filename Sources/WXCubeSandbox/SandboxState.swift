import Foundation
import WXCube

/// How the sandbox answered one datacube request.
public enum SandboxOutcome: Sendable, Equatable {
    /// The data, at once.
    case data
    /// The data, after the slow-fault delay.
    case slowData
    /// The data cut in half.
    case truncated
    /// An HTML error page with this HTTP status.
    case httpError(Int)
    /// HTTP 200 with this errcode.
    case errcode(Int)

    /// Answered with (complete) data: no errcode.
    public var isSuccess: Bool { self == .data || self == .slowData }
}

public struct SandboxRequestRecord: Sendable, Equatable {
    /// nil when the token was missing or unknown.
    public let appid: String?
    /// The endpoint's raw name as requested (`getarticlesummary`, ...).
    public let endpoint: String
    /// begin_date / end_date as sent (nil when the body had none).
    public let begin: String?
    public let end: String?
    /// The China date of the call by the sandbox's clock (the quota day).
    public let day: Day
    public let outcome: SandboxOutcome
}

public struct SandboxStats: Sendable {
    /// Every datacube request received, whatever the answer.
    public var datacubeCalls = 0
    /// Endpoint raw name -> requests.
    public var callsByEndpoint: [String: Int] = [:]
    /// Answered with data (errcode absent, body complete).
    public var successfulCalls = 0
    /// The most datacube requests being handled at once.
    public var maxInFlight = 0
    public var tokensIssued = 0
    /// "busy", "expire", "http500", "truncate", "slow", "quota" -> times injected.
    public var faultsInjected: [String: Int] = [:]
    public var requestLog: [SandboxRequestRecord] = []

    public init() {}
}

/// A token's life: it expires at `expiresAt`; a newer token for its appid retires it at `retiredAt`
/// (a grace period later); the expire fault kills it at once.
struct TokenRecord {
    let appid: String
    let expiresAt: Date
    var retiredAt: Date?
    var killed = false
}

enum TokenCheck: Equatable { case valid(appid: String), missing, expired(appid: String) }

/// Everything mutable in the sandbox, behind one lock.
final class SandboxState: @unchecked Sendable {
    private let lock = NSLock()
    private var tokens: [String: TokenRecord] = [:]
    private var tokenOrder: [String: [String]] = [:]
    private var tokenCounter: [String: UInt64] = [:]
    private var quotaUse: [String: (day: Day, calls: Int)] = [:]
    private var faultCounters: [String: UInt64] = [:]
    private var inFlight = 0
    private var stopping = false
    private var stats = SandboxStats()

    /// How long a replaced token keeps working.
    static let retireGraceSeconds: TimeInterval = 300
    /// Tokens remembered per appid (older ones answer 40001, as unknown).
    static let rememberedTokens = 64
    /// Requests kept in the log (the oldest are dropped past this).
    static let logLimit = 1_000_000

    private func locked<T>(_ body: () throws -> T) rethrows -> T {
        lock.lock()
        defer { lock.unlock() }
        return try body()
    }

    var isStopping: Bool { locked { stopping } }
    func markStopping() { locked { stopping = true } }

    // MARK: tokens

    /// Issues a token; with `reuse`, returns the appid's current live token instead when there is one.
    func token(for appid: String, seed: UInt64, lifetime: Int, now: Date, reuse: Bool) -> (token: String, expiresIn: Int) {
        locked {
            if reuse, let current = tokenOrder[appid]?.last, let r = tokens[current], !r.killed, r.retiredAt == nil, r.expiresAt > now {
                return (current, max(1, Int(r.expiresAt.timeIntervalSince(now).rounded(.down))))
            }
            let n = tokenCounter[appid, default: 0]
            tokenCounter[appid] = n + 1
            var g = SplitMix64(keys: seed, 77, SplitMix64.key(appid), n)
            var text = "sbx_"
            for _ in 0..<4 { text += String(g.next(), radix: 36) }
            for old in tokenOrder[appid] ?? [] where tokens[old]?.retiredAt == nil {
                tokens[old]?.retiredAt = now.addingTimeInterval(Self.retireGraceSeconds)
            }
            tokens[text] = TokenRecord(appid: appid, expiresAt: now.addingTimeInterval(TimeInterval(lifetime)))
            var order = tokenOrder[appid, default: []]
            order.append(text)
            if order.count > Self.rememberedTokens { tokens[order.removeFirst()] = nil }
            tokenOrder[appid] = order
            stats.tokensIssued += 1
            return (text, lifetime)
        }
    }

    func check(token: String?, now: Date) -> TokenCheck {
        locked {
            guard let token, let r = tokens[token] else { return .missing }
            if r.killed || r.expiresAt <= now { return .expired(appid: r.appid) }
            if let retired = r.retiredAt, retired <= now { return .missing }
            return .valid(appid: r.appid)
        }
    }

    func kill(token: String) { locked { tokens[token]?.killed = true } }

    // MARK: calls

    func beginCall(endpoint: String) {
        locked {
            stats.datacubeCalls += 1
            stats.callsByEndpoint[endpoint, default: 0] += 1
            inFlight += 1
            stats.maxInFlight = max(stats.maxInFlight, inFlight)
        }
    }

    func endCall(_ record: SandboxRequestRecord) {
        locked {
            inFlight -= 1
            if record.outcome.isSuccess { stats.successfulCalls += 1 }
            if stats.requestLog.count >= Self.logLimit { stats.requestLog.removeFirst(stats.requestLog.count / 2) }
            stats.requestLog.append(record)
        }
    }

    /// Counts a call against the appid's quota for `day`; false once the quota is used up.
    func takeQuota(appid: String, day: Day, quota: Int?) -> Bool {
        guard let quota else { return true }
        return locked {
            var use = quotaUse[appid] ?? (day, 0)
            if use.day != day { use = (day, 0) }
            guard use.calls < quota else { return false }
            use.calls += 1
            quotaUse[appid] = use
            return true
        }
    }

    /// The n-th call for this (appid, endpoint, window): draws differ per attempt but repeat across runs.
    func nextAttempt(_ key: String) -> UInt64 {
        locked {
            let n = faultCounters[key, default: 0]
            faultCounters[key] = n + 1
            return n
        }
    }

    /// The attempt number `nextAttempt` last handed out for this key.
    func currentAttempt(_ key: String) -> UInt64 { locked { max(1, faultCounters[key, default: 0]) - 1 } }

    func countFault(_ name: String) { locked { stats.faultsInjected[name, default: 0] += 1 } }

    func snapshot() -> SandboxStats { locked { stats } }

    func resetStats() { locked { stats = SandboxStats() } }
}
