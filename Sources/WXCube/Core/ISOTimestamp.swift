import Foundation

/// UTC civil time of an instant, computed without Foundation's formatters
/// (whose output varies by platform). The one place wxcube turns a `Date`
/// into a timestamp: log lines, the manifest, the XLSX About sheet and doc
/// props, ZIP entry times and the store lock.
public enum ISOTimestamp {
    /// The UTC day of `date` and the second within it (0..<86400).
    public static func civil(_ date: Date) -> (day: Day, secondOfDay: Int) {
        let seconds = Int(date.timeIntervalSince1970.rounded(.down))
        let day = Day(daysSinceEpoch: Int((Double(seconds) / 86400).rounded(.down)))
        return (day, seconds - day.daysSinceEpoch * 86400)
    }

    /// `2024-05-01T08:30:00Z`.
    public static func utc(_ date: Date) -> String {
        let (day, s) = civil(date)
        func two(_ v: Int) -> String { v < 10 ? "0\(v)" : "\(v)" }
        return "\(day.iso)T\(two(s / 3600)):\(two((s / 60) % 60)):\(two(s % 60))Z"
    }
}
