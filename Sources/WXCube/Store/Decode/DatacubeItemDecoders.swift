import Foundation

// Single-pass decoders of the six datacube endpoints' stored list items (see
// `StoredBodyDecoding.swift`). Field indexes follow each table's order.

extension ArticleSummaryItem: SinglePassListItem {
    private static let keys = StoredKeyTable(["ref_date", "msgid", "title", "user_source"] + coreMetricNames)

    static func decodeElement(_ s: inout DatacubeBodyScan.Scanner) throws -> ArticleSummaryItem {
        var item = ArticleSummaryItem(
            refDate: nil, msgid: nil, title: nil, userSource: nil,
            metrics: [Int?](repeating: nil, count: coreMetricNames.count))
        try s.fields(keys, depth: 2) { k, s in
            switch k {
            case 0: item.refDate = try s.lenientDay()
            case 1: item.msgid = try s.lenientString()
            case 2: item.title = try s.lenientString()
            case 3: item.userSource = try s.lenientInt()
            default: item.metrics[k - 4] = try s.lenientInt()
            }
        }
        return item
    }
}

extension ArticleTotalItem: SinglePassListItem {
    private static let keys = StoredKeyTable(["ref_date", "msgid", "title", "url", "user_source", "details"])

    static func decodeElement(_ s: inout DatacubeBodyScan.Scanner) throws -> ArticleTotalItem {
        var item = ArticleTotalItem(refDate: nil, msgid: nil, title: nil, url: nil, userSource: nil, details: [])
        try s.fields(keys, depth: 2) { k, s in
            switch k {
            case 0: item.refDate = try s.lenientDay()
            case 1: item.msgid = try s.lenientString()
            case 2: item.title = try s.lenientString()
            case 3: item.url = try s.lenientString()
            case 4: item.userSource = try s.lenientInt()
            default: item.details = try s.objectList(depth: 3, ArticleTotalDetail.decodeElement) ?? []
            }
        }
        return item
    }
}

extension ArticleTotalDetail {
    private static let keys = StoredKeyTable(["stat_date", "target_user"] + detailMetricNames)

    /// The hottest loop of an export (one call per row): the metrics are
    /// written through one buffer pointer rather than the array, which would
    /// check uniqueness and bounds on every field.
    static func decodeElement(_ s: inout DatacubeBodyScan.Scanner) throws -> ArticleTotalDetail {
        var statDate: Day?
        var targetUser: Int?
        var metrics = [Int?](repeating: nil, count: detailMetricNames.count)
        try metrics.withUnsafeMutableBufferPointer { m in
            try s.fields(keys, depth: 4) { k, s in
                switch k {
                case 0: statDate = try s.lenientDay()
                case 1: targetUser = try s.lenientInt()
                default: m[k - 2] = try s.lenientInt()
                }
            }
        }
        return ArticleTotalDetail(statDate: statDate, targetUser: targetUser, metrics: metrics)
    }
}

extension UserReadItem: SinglePassListItem {
    private static let keys = StoredKeyTable(["ref_date", "ref_hour", "user_source"] + coreMetricNames)

    static func decodeElement(_ s: inout DatacubeBodyScan.Scanner) throws -> UserReadItem {
        var item = UserReadItem(
            refDate: nil, refHour: nil, userSource: nil,
            metrics: [Int?](repeating: nil, count: coreMetricNames.count))
        try s.fields(keys, depth: 2) { k, s in
            switch k {
            case 0: item.refDate = try s.lenientDay()
            case 1: item.refHour = try s.lenientInt()
            case 2: item.userSource = try s.lenientInt()
            default: item.metrics[k - 3] = try s.lenientInt()
            }
        }
        return item
    }
}

extension UserShareItem: SinglePassListItem {
    private static let keys = StoredKeyTable(["ref_date", "ref_hour", "share_scene", "share_count", "share_user"])

    static func decodeElement(_ s: inout DatacubeBodyScan.Scanner) throws -> UserShareItem {
        var item = UserShareItem(refDate: nil, refHour: nil, shareScene: nil, shareCount: nil, shareUser: nil)
        try s.fields(keys, depth: 2) { k, s in
            switch k {
            case 0: item.refDate = try s.lenientDay()
            case 1: item.refHour = try s.lenientInt()
            case 2: item.shareScene = try s.lenientInt()
            case 3: item.shareCount = try s.lenientInt()
            default: item.shareUser = try s.lenientInt()
            }
        }
        return item
    }
}
