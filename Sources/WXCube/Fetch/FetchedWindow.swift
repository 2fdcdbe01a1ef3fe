import Foundation

/// One fetched window, ready to be committed: the body as received, and the
/// number of rows it holds for each day of the window (0 for a complete,
/// empty day).
public struct FetchedWindow: Sendable {
    public var storeKey: String
    public var endpoint: Endpoint
    public var begin: Day
    public var end: Day
    public var body: Data
    public var rowCounts: [Day: Int]
    public var fetchedAt: Date
    /// The answer said `is_delay: true`: its days are stored but not settled.
    public var isDelay: Bool

    public init(
        storeKey: String, endpoint: Endpoint, begin: Day, end: Day, body: Data, rowCounts: [Day: Int], fetchedAt: Date,
        isDelay: Bool = false
    ) {
        self.isDelay = isDelay
        self.storeKey = storeKey
        self.endpoint = endpoint
        self.begin = begin
        self.end = end
        self.body = body
        self.rowCounts = rowCounts
        self.fetchedAt = fetchedAt
    }
}
