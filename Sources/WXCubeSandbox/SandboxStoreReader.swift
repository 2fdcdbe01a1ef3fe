import Foundation
import WXCube

/// Serves the sandbox's answers as if they had been fetched and stored: each
/// day is the body the server would return for a one-day window. Lets the
/// transform run over sandbox data without HTTP or SQLite (property tests,
/// `wxcube-bench`).
public struct SandboxStoreReader: RawStoreReading {
    public let generator: SandboxDataGenerator
    /// China "yesterday" at the simulated fetch time (bounds getarticletotal's details).
    public let yesterday: Day
    private let fetchedAt: Date

    public init(generator: SandboxDataGenerator, yesterday: Day) {
        self.generator = generator
        self.yesterday = yesterday
        self.fetchedAt = ChinaClock.startOf(yesterday.adding(days: 1))
    }

    public func storedDay(storeKey: String, endpoint: Endpoint, day: Day) throws -> StoredDay? {
        guard day >= endpoint.dataFrom, day <= yesterday else { return nil }
        let body = generator.responseData(endpoint: endpoint, appid: storeKey, begin: day, end: day, yesterday: yesterday)
        return StoredDay(responseID: Self.responseID(endpoint, day), body: body, fetchedAt: fetchedAt)
    }

    public func storedResponseID(storeKey: String, endpoint: Endpoint, day: Day) throws -> Int64? {
        guard day >= endpoint.dataFrom, day <= yesterday else { return nil }
        return Self.responseID(endpoint, day)
    }

    /// Distinct per (day, endpoint) so readers never share a parse across days.
    private static func responseID(_ endpoint: Endpoint, _ day: Day) -> Int64 {
        Int64(day.daysSinceEpoch) * 16 + Int64(Endpoint.allCases.firstIndex(of: endpoint) ?? 0)
    }
}
