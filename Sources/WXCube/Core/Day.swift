import Foundation

/// A calendar date with no time and no zone, stored as days since 1970-01-01.
///
/// WeChat's datacube API speaks in China dates (Asia/Shanghai, UTC+8, no DST),
/// so "today" and "yesterday" are computed from a fixed +8h offset rather than
/// the machine's `TZ`.
public struct Day: Hashable, Comparable, Sendable, CustomStringConvertible {
    public let daysSinceEpoch: Int

    public init(daysSinceEpoch: Int) { self.daysSinceEpoch = daysSinceEpoch }

    /// A valid proleptic Gregorian date, or nil (e.g. 2023-02-29).
    public init?(year: Int, month: Int, day: Int) {
        guard (1...12).contains(month), day >= 1, day <= Day.daysIn(month: month, year: year) else { return nil }
        // Howard Hinnant's days_from_civil.
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let mp = (month + 9) % 12
        let doy = (153 * mp + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        self.daysSinceEpoch = era * 146097 + doe - 719468
    }

    /// Parses exactly `YYYY-MM-DD`; anything else is nil.
    public init?(iso text: some StringProtocol) {
        guard let day = Day.iso(utf8: Array(text.utf8)) else { return nil }
        self = day
    }

    /// `YYYY-MM-DD` in UTF-8 bytes (a string's, or a stored answer's without copying).
    static func iso<Bytes: RandomAccessCollection<UInt8>>(utf8 u: Bytes) -> Day? where Bytes.Index == Int {
        guard u.count == 10, u[u.startIndex + 4] == UInt8(ascii: "-"), u[u.startIndex + 7] == UInt8(ascii: "-") else { return nil }
        func num(_ r: Range<Int>) -> Int? {
            var v = 0
            for i in r {
                let c = u[u.startIndex + i]
                guard c >= 48, c <= 57 else { return nil }
                v = v * 10 + Int(c - 48)
            }
            return v
        }
        guard let y = num(0..<4), let m = num(5..<7), let d = num(8..<10) else { return nil }
        return Day(year: y, month: m, day: d)
    }

    public var components: (year: Int, month: Int, day: Int) {
        // Howard Hinnant's civil_from_days.
        let z = daysSinceEpoch + 719468
        let era = (z >= 0 ? z : z - 146096) / 146097
        let doe = z - era * 146097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        return (yoe + era * 400 + (m <= 2 ? 1 : 0), m, d)
    }

    /// `YYYY-MM-DD`.
    public var iso: String {
        let (y, m, d) = components
        var bytes = [UInt8](repeating: 48, count: 10)
        bytes[0] = UInt8(48 + (y / 1000) % 10)
        bytes[1] = UInt8(48 + (y / 100) % 10)
        bytes[2] = UInt8(48 + (y / 10) % 10)
        bytes[3] = UInt8(48 + y % 10)
        bytes[4] = 45
        bytes[5] = UInt8(48 + m / 10)
        bytes[6] = UInt8(48 + m % 10)
        bytes[7] = 45
        bytes[8] = UInt8(48 + d / 10)
        bytes[9] = UInt8(48 + d % 10)
        return String(decoding: bytes, as: UTF8.self)
    }

    public var description: String { iso }

    public func adding(days n: Int) -> Day { Day(daysSinceEpoch: daysSinceEpoch + n) }

    /// Whole days from `other` to `self`.
    public func days(since other: Day) -> Int { daysSinceEpoch - other.daysSinceEpoch }

    public static func < (a: Day, b: Day) -> Bool { a.daysSinceEpoch < b.daysSinceEpoch }

    public static func daysIn(month: Int, year: Int) -> Int {
        switch month {
        case 2: return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }

    /// Excel's serial number for this date (1900 date system, 1899-12-30 = 0).
    public var excelSerial: Int { daysSinceEpoch + 25569 }

    /// The first day WeChat keeps data for.
    public static let dataStart = Day(daysSinceEpoch: 16405) // 2014-12-01
}

/// China's civil clock (UTC+8 all year), independent of the machine's zone.
public enum ChinaClock {
    public static let utcOffsetSeconds = 8 * 3600

    public static func today(at now: Date) -> Day {
        let seconds = Int(now.timeIntervalSince1970.rounded(.down)) + utcOffsetSeconds
        return Day(daysSinceEpoch: Int((Double(seconds) / 86400).rounded(.down)))
    }

    public static func yesterday(at now: Date) -> Day { today(at: now).adding(days: -1) }

    /// Hour of day (0-23) in China.
    public static func hour(at now: Date) -> Int {
        let seconds = Int(now.timeIntervalSince1970.rounded(.down)) + utcOffsetSeconds
        let secondOfDay = ((seconds % 86400) + 86400) % 86400
        return secondOfDay / 3600
    }

    /// The instant a China date begins.
    public static func startOf(_ day: Day) -> Date {
        Date(timeIntervalSince1970: TimeInterval(day.daysSinceEpoch * 86400 - utcOffsetSeconds))
    }
}
