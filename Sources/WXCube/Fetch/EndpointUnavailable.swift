import Foundation

/// WeChat answered that an endpoint is gone or not allowed for this account
/// (48001, 48004, 47009). Permanent for that (account, endpoint) in this run:
/// no retry, no further call. The fetch stage's `on_unavailable` decides what follows.
public struct EndpointUnavailable: Error, Sendable, Hashable, Codable, CustomStringConvertible {
    public var account: String
    public var endpoint: Endpoint
    public var code: Int
    public var message: String

    public init(account: String, endpoint: Endpoint, code: Int, message: String) {
        self.account = account
        self.endpoint = endpoint
        self.code = code
        self.message = message
    }

    public var replacement: String { endpoint.info.replacementText }

    public var description: String {
        "account \(account): WeChat refused \(endpoint.rawValue) (\(code) \(message)): the endpoint is withdrawn or not allowed for this account, so wxcube does not retry it. Replacement: \(replacement). Switch the fetch stage to the replacement, or set `on_unavailable: skip` to export everything else"
    }

    /// One line for the run summary.
    public var summaryLine: String {
        "unavailable: account \(account) \(endpoint.rawValue) (\(code) \(message)); replacement: \(replacement)"
    }

    /// The warning of a run that went on without it (`on_unavailable: skip`).
    public var skippedWarning: String {
        "warning: \(summaryLine); \(endpoint.info.datasets.map(\.rawValue).joined(separator: ", ")) lack this account's rows (on_unavailable: skip; manifest.json lists it)"
    }

    /// "account|endpoint".
    var key: String { "\(account)|\(endpoint.rawValue)" }

    enum CodingKeys: String, CodingKey { case account, endpoint, errcode, errmsg, replacement }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(account, forKey: .account)
        try c.encode(endpoint.rawValue, forKey: .endpoint)
        try c.encode(code, forKey: .errcode)
        try c.encode(message, forKey: .errmsg)
        try c.encode(replacement, forKey: .replacement)
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        account = try c.decode(String.self, forKey: .account)
        let name = try c.decode(String.self, forKey: .endpoint)
        guard let e = Endpoint(rawValue: name) else {
            throw DecodingError.dataCorruptedError(forKey: .endpoint, in: c, debugDescription: "unknown endpoint \(name)")
        }
        endpoint = e
        code = try c.decode(Int.self, forKey: .errcode)
        message = try c.decode(String.self, forKey: .errmsg)
    }

    /// Sorted by account, then endpoint.
    public static func sorted(_ list: [EndpointUnavailable]) -> [EndpointUnavailable] {
        list.sorted { ($0.account, $0.endpoint.rawValue) < ($1.account, $1.endpoint.rawValue) }
    }
}

/// The fetch stage's `on_unavailable`.
public enum OnUnavailable: String, Sendable, CaseIterable {
    /// Exit 1, export nothing, name the replacement.
    case fail
    /// Go on without that (account, endpoint), list it in the manifest and summary, exit 0 with a warning.
    case skip
}

/// A store view without some endpoints of one account: datasets fed by an
/// unavailable endpoint lack that account's rows (`on_unavailable: skip`).
struct ExcludingStore: RawStoreReading {
    let base: any RawStoreReading
    let storeKey: String
    let excluded: Set<Endpoint>

    func storedDay(storeKey: String, endpoint: Endpoint, day: Day) throws -> StoredDay? {
        if storeKey == self.storeKey && excluded.contains(endpoint) { return nil }
        return try base.storedDay(storeKey: storeKey, endpoint: endpoint, day: day)
    }

    func hasStoredDay(storeKey: String, endpoint: Endpoint, day: Day) throws -> Bool {
        if storeKey == self.storeKey && excluded.contains(endpoint) { return false }
        return try base.hasStoredDay(storeKey: storeKey, endpoint: endpoint, day: day)
    }

    func storedResponseID(storeKey: String, endpoint: Endpoint, day: Day) throws -> Int64? {
        if storeKey == self.storeKey && excluded.contains(endpoint) { return nil }
        return try base.storedResponseID(storeKey: storeKey, endpoint: endpoint, day: day)
    }
}
