import Foundation
import WXCube

/// Fault injection for datacube calls (`--faults`). Probabilities are per call and exclusive:
/// one draw per call decides which (if any) fault it gets.
public struct SandboxFaults: Sendable, Equatable {
    /// errcode -1 "system error".
    public var busy = 0.0
    /// The call's token is invalidated before the call: errcode 42001, and the token stays dead.
    public var expire = 0.0
    /// An HTML 500 or 502 page instead of JSON.
    public var http500 = 0.0
    /// The JSON body cut in half (HTTP 200).
    public var truncate = 0.0
    /// The normal answer, sent after `slowDelaySeconds`.
    public var slow = 0.0
    /// Datacube calls per appid per China day before errcode 45009.
    public var quota: Int? = nil
    /// How long a "slow" response is delayed.
    public var slowDelaySeconds = 40.0
    /// Endpoints answered as WeChat answers a withdrawn API (errcode 47009) on every call.
    public var withdrawn: Set<Endpoint> = []

    public static let none = SandboxFaults()

    public init() {}

    public init(
        busy: Double = 0, expire: Double = 0, http500: Double = 0, truncate: Double = 0, slow: Double = 0,
        quota: Int? = nil, slowDelaySeconds: Double = 40
    ) {
        self.busy = busy
        self.expire = expire
        self.http500 = http500
        self.truncate = truncate
        self.slow = slow
        self.quota = quota
        self.slowDelaySeconds = slowDelaySeconds
    }

    public static let probabilityKeys = ["busy", "expire", "http500", "truncate", "slow"]

    /// Parses `busy=0.05,expire=0.02,http500=0.02,truncate=0.01,slow=0.01,quota=500` (any subset, any order;
    /// also `slow_delay=SECONDS` and `withdraw:ENDPOINT`, once per endpoint). An empty string or `none` means no faults.
    public init(parsing spec: String) throws {
        self.init()
        let trimmed = spec.trimmingCharacters(in: .whitespaces)
        if trimmed.isEmpty || trimmed == "none" { return }
        var seen: Set<String> = []
        for item in trimmed.split(separator: ",", omittingEmptySubsequences: false) {
            let text = item.trimmingCharacters(in: .whitespaces)
            if text.hasPrefix("withdraw:") {
                let name = String(text.dropFirst("withdraw:".count))
                guard let e = Endpoint(rawValue: name) else {
                    throw SandboxFaultsError(spec: spec, problem: "withdraw: '\(name)' is not an endpoint; use e.g. withdraw:getarticletotal")
                }
                withdrawn.insert(e)
                continue
            }
            let parts = item.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let key = parts[0].trimmingCharacters(in: .whitespaces)
            guard parts.count == 2 else { throw SandboxFaultsError(spec: spec, problem: "'\(item)' is not KEY=VALUE") }
            let value = parts[1].trimmingCharacters(in: .whitespaces)
            guard seen.insert(key).inserted else { throw SandboxFaultsError(spec: spec, problem: "'\(key)' is given twice") }
            switch key {
            case "busy", "expire", "http500", "truncate", "slow":
                guard let p = Double(value), p.isFinite, p >= 0, p <= 1 else {
                    throw SandboxFaultsError(spec: spec, problem: "\(key) must be a probability between 0 and 1, not '\(value)'")
                }
                switch key {
                case "busy": busy = p
                case "expire": expire = p
                case "http500": http500 = p
                case "truncate": truncate = p
                default: slow = p
                }
            case "quota":
                guard let q = Int(value), q >= 0 else {
                    throw SandboxFaultsError(spec: spec, problem: "quota must be a whole number of calls per appid per day, not '\(value)'")
                }
                quota = q
            case "slow_delay":
                guard let s = Double(value), s.isFinite, s >= 0 else {
                    throw SandboxFaultsError(spec: spec, problem: "slow_delay must be a number of seconds, not '\(value)'")
                }
                slowDelaySeconds = s
            default:
                throw SandboxFaultsError(
                    spec: spec, problem: "unknown fault '\(key)'; use busy, expire, http500, truncate, slow, quota, slow_delay or withdraw:ENDPOINT")
            }
        }
        guard totalProbability <= 1 + 1e-9 else {
            throw SandboxFaultsError(spec: spec, problem: "the probabilities add up to \(totalProbability); they must add up to at most 1")
        }
    }

    var totalProbability: Double { busy + expire + http500 + truncate + slow }

    /// `busy=0.05,quota=500` style; `none` when nothing is on.
    public var specDescription: String {
        var parts: [String] = []
        for (k, v) in [("busy", busy), ("expire", expire), ("http500", http500), ("truncate", truncate), ("slow", slow)] where v > 0 {
            parts.append("\(k)=\(v)")
        }
        if let quota { parts.append("quota=\(quota)") }
        if slow > 0 { parts.append("slow_delay=\(slowDelaySeconds)") }
        for e in withdrawn.sorted() { parts.append("withdraw:\(e.rawValue)") }
        return parts.isEmpty ? "none" : parts.joined(separator: ",")
    }
}

public struct SandboxFaultsError: Error, CustomStringConvertible, Equatable {
    public let spec: String
    public let problem: String
    public var description: String {
        "invalid --faults '\(spec)': \(problem). Example: busy=0.05,expire=0.02,http500=0.02,truncate=0.01,slow=0.01,quota=500"
    }
}

public struct SandboxConfiguration: Sendable {
    public var seed: UInt64 = 1
    public var accounts: Int = 3
    public var tokenLifetimeSeconds: Int = 7200
    public var faults: SandboxFaults = .none
    public var host = "127.0.0.1"
    /// 0 picks any free port.
    public var port = 0
    /// The sandbox's clock: decides "yesterday", the quota day and token expiry. Tests inject their own.
    public var now: @Sendable () -> Date = { Date() }
    /// Until this hour (China time, 0-24) the published-content endpoints answer `is_delay: true`
    /// for answers holding yesterday's figures; 0 never does.
    public var delayUntilHour: Int = 10

    public init(
        seed: UInt64 = 1, accounts: Int = 3, tokenLifetimeSeconds: Int = 7200, faults: SandboxFaults = .none,
        host: String = "127.0.0.1", port: Int = 0, delayUntilHour: Int = 10, now: @escaping @Sendable () -> Date = { Date() }
    ) {
        self.seed = seed
        self.accounts = accounts
        self.tokenLifetimeSeconds = tokenLifetimeSeconds
        self.faults = faults
        self.host = host
        self.port = port
        self.now = now
        self.delayUntilHour = delayUntilHour
    }
}

/// A sandbox account. Its credentials are public: they only open the sandbox.
public struct SandboxAccount: Sendable, Equatable {
    public let index: Int
    public let appid: String
    public let secret: String

    /// Account k (1-based): appid `wx` + k as 16 zero-padded digits, secret `sandbox-secret-k`.
    public init(index: Int) {
        self.index = index
        let digits = String(index)
        appid = "wx" + String(repeating: "0", count: max(0, 16 - digits.count)) + digits
        secret = "sandbox-secret-\(index)"
    }

    public static func list(_ count: Int) -> [SandboxAccount] { count < 1 ? [] : (1...count).map(SandboxAccount.init(index:)) }
}
