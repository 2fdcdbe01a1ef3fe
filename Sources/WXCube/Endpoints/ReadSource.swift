import Foundation

/// read_source: the long form of every `read_user_source` list (getarticletotaldetail,
/// getarticleread, getbizsummary), for pivots.
public enum ReadSourceColumns {
    public static let endpoint = Column(
        "endpoint", .string, nullable: false, "The endpoint the list came from: getarticletotaldetail, getarticleread or getbizsummary", zh: "接口")
    public static let refDate = Column("ref_date", .date, nullable: false, "Publish date (getarticletotaldetail) or date of the data", zh: "数据日期")
    public static let statDate = Column("stat_date", .date, "Date the cumulative figure runs up to (getarticletotaldetail only, else null)", zh: "统计日期")
    public static let msgid = Column("msgid", .string, "Item id (null for getbizsummary, which is account-wide)", zh: "内容ID")
    public static let scene = Column(
        "scene", .string, nullable: false,
        "all, oa_message, chat, moments, profile, recommend, search, other, or unknown for a scene text wxcube does not know", zh: "场景")
    public static let sceneDesc = Column("scene_desc", .string, nullable: false, "WeChat's scene text, as sent", zh: "场景描述")
    public static let userCount = Column("user_count", .int, "Readers from this scene (cumulative for getarticletotaldetail)", zh: "人数")

    public static let schema = Schema([Datasets.account, endpoint, refDate, statDate, msgid, scene, sceneDesc, userCount])

    /// The endpoints that feed read_source, in output order.
    public static let endpoints: [Endpoint] = [.getarticletotaldetail, .getarticleread, .getbizsummary]

    /// One row per entry (the first of a repeated scene text), ordered all, the seven scenes, unknown (by text).
    static func rows(
        account: Value, endpoint: Endpoint, refDate: Day, statDate: Day?, msgid: String?,
        sources: [ReadUserSourceEntry]
    ) -> [Row] {
        sources.deduplicated
            .sorted { a, b in
                let (ra, rb) = (a.scene.rank, b.scene.rank)
                return ra != rb ? ra < rb : (a.sceneDesc ?? "") < (b.sceneDesc ?? "")
            }
            .map { e in
                [
                    account, .string(endpoint.rawValue), .date(refDate), Value(statDate), Value(msgid),
                    .string(e.scene.rawValue), Value(e.sceneDesc), Value(e.userCount),
                ]
            }
    }
}
