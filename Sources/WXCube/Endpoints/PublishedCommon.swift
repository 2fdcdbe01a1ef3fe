import Foundation

/// `scene_desc` of the published-content endpoints' `read_user_source` lists,
/// as stable ASCII codes. Any other text is `unknown` (kept as sent in read_source).
public enum PublishedScene: String, Sendable, CaseIterable {
    case all, oa_message, chat, moments, profile, recommend, search, other, unknown

    /// WeChat's Chinese text for each scene (the column label too).
    public var chinese: String {
        switch self {
        case .all: return "全部"
        case .oa_message: return "公众号消息"
        case .chat: return "聊天会话"
        case .moments: return "朋友圈"
        case .profile: return "公众号主页"
        case .recommend: return "推荐"
        case .search: return "搜一搜"
        case .other: return "其他"
        case .unknown: return "未知"
        }
    }

    public var english: String {
        switch self {
        case .all: return "all scenes"
        case .oa_message: return "official-account messages (公众号消息)"
        case .chat: return "chats (聊天会话)"
        case .moments: return "moments (朋友圈)"
        case .profile: return "the account's profile page (公众号主页)"
        case .recommend: return "recommendations (推荐)"
        case .search: return "search (搜一搜)"
        case .other: return "other scenes (其他)"
        case .unknown: return "a scene WeChat added later"
        }
    }

    private static let byText: [String: PublishedScene] = {
        var m: [String: PublishedScene] = [:]
        for s in allCases where s != .unknown { m[s.chinese] = s }
        return m
    }()

    /// The scene for a `scene_desc` (surrounding spaces ignored).
    public static func scene(for text: String?) -> PublishedScene {
        guard let t = text?.trimmingCharacters(in: .whitespacesAndNewlines) else { return .unknown }
        return byText[t] ?? .unknown
    }

    /// The seven scenes that get a `read_user_<scene>` column, in column order.
    public static let columnScenes: [PublishedScene] = [.oa_message, .chat, .moments, .profile, .recommend, .search, .other]

    /// Sort rank in read_source: all, the seven, unknown.
    public var rank: Int { PublishedScene.allCases.firstIndex(of: self) ?? 0 }
}

/// One `read_user_source` entry.
public struct ReadUserSourceEntry: Decodable, Sendable, Equatable {
    public var sceneDesc: String?
    public var userCount: Int?

    public init(sceneDesc: String?, userCount: Int?) {
        self.sceneDesc = sceneDesc
        self.userCount = userCount
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: AnyCodingKey.self)
        sceneDesc = c.lenientString(AnyCodingKey("scene_desc"))
        userCount = c.lenientInt(AnyCodingKey("user_count"))
    }

    public var scene: PublishedScene { PublishedScene.scene(for: sceneDesc) }
}

extension Array where Element == ReadUserSourceEntry {
    /// The entries with a scene_desc, the first of each scene text kept (a
    /// repeated scene is WeChat sending the same figure twice, not more readers).
    public var deduplicated: [ReadUserSourceEntry] {
        var seen: Set<String> = []
        return filter { e in
            guard let d = e.sceneDesc else { return false }
            return seen.insert(d).inserted
        }
    }

    /// `read_user_<scene>` values in `PublishedScene.columnScenes` order: the
    /// first entry of each scene; null when the list has none (never 0).
    public var sceneColumnValues: [Value] {
        var byScene: [PublishedScene: Int?] = [:]
        for e in self where e.sceneDesc != nil {
            let s = e.scene
            if byScene[s] == nil { byScene[s] = .some(e.userCount) }
        }
        return PublishedScene.columnScenes.map { s in Value(byScene[s] ?? nil) }
    }
}

/// Columns shared by the published-content datasets.
public enum PublishedColumns {
    public static let readUser = Column("read_user", .int, "Readers (users who opened the item)", zh: "阅读人数")
    /// `read_user_oa_message` ... `read_user_other`.
    public static let sceneReaders: [Column] = PublishedScene.columnScenes.map { s in
        Column(
            "read_user_\(s.rawValue)", .int, "Readers arriving from \(s.english); null when WeChat listed no figure for it",
            zh: "\(s.chinese)阅读人数")
    }
    public static let shareUser = Column("share_user", .int, "Users who shared", zh: "分享人数")
    public static let zaikanUser = Column("zaikan_user", .int, "Users who tapped 在看 (wow)", zh: "在看人数")
    public static let likeUser = Column("like_user", .int, "Users who liked (点赞)", zh: "点赞人数")
    public static let commentCount = Column("comment_count", .int, "Comments (留言)", zh: "留言数")
    public static let collectionUser = Column("collection_user", .int, "Users who added it to favourites (收藏)", zh: "收藏人数")
    public static let isDelay = Column(
        "is_delay", .bool,
        "true when WeChat had not finished this answer's figures (is_delay); wxcube fetches such days again on every run until WeChat answers false",
        zh: "数据是否延迟")
    public static let msgid = Column("msgid", .string, nullable: false, "Item id: <msg_data_id>_<index>", zh: "内容ID")
}
