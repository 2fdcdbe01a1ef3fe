import Foundation

/// Opens the store for `plan`'s cached column without creating it.
public enum StoreCoverage {
    /// nil when no store exists yet (everything is to be fetched).
    public static func openIfPresent(path: String) throws -> (any CoverageReading)? {
        guard FileManager.default.fileExists(atPath: path) else { return nil }
        // Wired to the SQLite store once it lands (issue 4).
        return nil
    }
}
