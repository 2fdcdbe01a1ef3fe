import Foundation

extension EndpointInfo {
    /// getusershare (legacy family).
    public static let getusershare = EndpointInfo(
        endpoint: .getusershare, family: .legacy, maxSpanDays: 7, dataFrom: Day.dataStart,
        datasets: [.user_share], replacements: [.getbizsummary],
        summary: "Account-wide shares by scene per day")
}

/// One getusershare / getusersharehour row (`refHour` only in the hourly answer).
public struct UserShareItem: Decodable, Sendable, Equatable {
    public var refDate: Day?
    public var refHour: Int?
    public var shareScene: Int?
    public var shareCount: Int?
    public var shareUser: Int?

    public init(refDate: Day?, refHour: Int?, shareScene: Int?, shareCount: Int?, shareUser: Int?) {
        self.refDate = refDate
        self.refHour = refHour
        self.shareScene = shareScene
        self.shareCount = shareCount
        self.shareUser = shareUser
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: AnyCodingKey.self)
        refDate = c.lenientDay(AnyCodingKey("ref_date"))
        refHour = c.lenientInt(AnyCodingKey("ref_hour"))
        shareScene = c.lenientInt(AnyCodingKey("share_scene"))
        shareCount = c.lenientInt(AnyCodingKey("share_count"))
        shareUser = c.lenientInt(AnyCodingKey("share_user"))
    }
}
