import Foundation

/// One stored day of raw API answers for an account and endpoint.
public struct StoredDay: Sendable {
    /// The stored response that covers this day; several days of one multi-day
    /// window share it, so readers can parse it once.
    public let responseID: Int64
    /// The response body exactly as received. A multi-day body also holds other
    /// days' rows: readers keep the rows whose `ref_date` is the day they asked for.
    public let body: Data
    public let fetchedAt: Date

    public init(responseID: Int64, body: Data, fetchedAt: Date) {
        self.responseID = responseID
        self.body = body
        self.fetchedAt = fetchedAt
    }
}

/// What the transform stages need from the raw store.
public protocol RawStoreReading: Sendable {
    /// The stored answer covering `day`, or nil if that day was never fetched.
    /// `storeKey` is `AccountSpec.storeKey` (the appid, or the account name for a ready token).
    func storedDay(storeKey: String, endpoint: Endpoint, day: Day) throws -> StoredDay?
    /// Whether `day` is stored, without reading its body.
    func hasStoredDay(storeKey: String, endpoint: Endpoint, day: Day) throws -> Bool
    /// The id of the stored response covering `day`, without reading its body.
    func storedResponseID(storeKey: String, endpoint: Endpoint, day: Day) throws -> Int64?
}

extension RawStoreReading {
    public func hasStoredDay(storeKey: String, endpoint: Endpoint, day: Day) throws -> Bool {
        try storedDay(storeKey: storeKey, endpoint: endpoint, day: day) != nil
    }

    public func storedResponseID(storeKey: String, endpoint: Endpoint, day: Day) throws -> Int64? {
        try storedDay(storeKey: storeKey, endpoint: endpoint, day: day)?.responseID
    }
}
