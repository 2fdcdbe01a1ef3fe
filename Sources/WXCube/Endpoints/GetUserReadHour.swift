import Foundation

extension EndpointInfo {
    /// getuserreadhour (legacy family).
    public static let getuserreadhour = EndpointInfo(
        endpoint: .getuserreadhour, family: .legacy, maxSpanDays: 1, dataFrom: Day.dataStart,
        datasets: [.user_read_hour], replacements: [],
        summary: "Account-wide reads by user source per hour")
}

// Rows decode as `UserReadItem` (GetUserRead.swift), with `ref_hour`.
