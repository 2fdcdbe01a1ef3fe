import Foundation

extension EndpointInfo {
    /// getusersharehour (legacy family).
    public static let getusersharehour = EndpointInfo(
        endpoint: .getusersharehour, family: .legacy, maxSpanDays: 1, dataFrom: Day.dataStart,
        datasets: [.user_share_hour], replacements: [],
        summary: "Account-wide shares by scene per hour")
}

// Rows decode as `UserShareItem` (GetUserShare.swift), with `ref_hour`.
