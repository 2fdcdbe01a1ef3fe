/// The datasets of the output contract (README, `wxcube schema`): six from the legacy
/// endpoints, five from the published-content ones.
public enum DatasetName: String, Sendable, CaseIterable, Codable, Comparable {
    case article_summary, article_total, user_read, user_read_hour, user_share, user_share_hour
    case published_total, published_read, published_share, biz_summary, read_source

    /// The endpoints whose responses feed this dataset (read_source has three).
    public var endpoints: [Endpoint] {
        self == .read_source ? ReadSourceColumns.endpoints : Endpoint.allCases.filter { $0.dataset == self }
    }

    /// The (first) endpoint whose responses feed this dataset.
    public var endpoint: Endpoint { endpoints.first ?? .getarticlesummary }

    /// Built only by `flatten` from a nested answer (article_total, published_total).
    public var isNested: Bool { self == .article_total || self == .published_total }

    public static func < (a: DatasetName, b: DatasetName) -> Bool { a.rawValue < b.rawValue }

    /// The columns that identify a row: the primary key of a `postgres` output's
    /// table and what `mode: upsert` matches on (docs/datasets.md explains each).
    public var naturalKey: [String] {
        switch self {
        case .article_summary: return ["account", "ref_date", "msgid"]
        case .article_total: return ["account", "msgid", "stat_date"]
        case .user_read: return ["account", "ref_date", "user_source"]
        case .user_read_hour: return ["account", "ref_date", "ref_hour", "user_source"]
        case .user_share: return ["account", "ref_date", "share_scene"]
        case .user_share_hour: return ["account", "ref_date", "ref_hour", "share_scene"]
        case .published_total: return ["account", "msgid", "stat_date"]
        case .published_read, .published_share: return ["account", "ref_date", "msgid"]
        case .biz_summary: return ["account", "ref_date"]
        // stat_date and msgid are null for some endpoints, so this key is a
        // unique constraint whose nulls compare equal, not a primary key.
        case .read_source: return ["account", "endpoint", "ref_date", "msgid", "stat_date", "scene_desc"]
        }
    }

    /// Whether a natural-key column is null by design (read_source's msgid and
    /// stat_date): such a key is declared `UNIQUE NULLS NOT DISTINCT` rather
    /// than `PRIMARY KEY`. Other key columns are NOT NULL in tables even where
    /// the catalogue allows null (a lenient answer could lack them).
    public var naturalKeyAllowsNull: Bool { self == .read_source }

    /// The date column a run's range selects rows by (what `replace_range` deletes).
    public var rangeColumn: String { rangeColumns[0] }

    /// The date columns a run's range selects rows by, the first non-null one
    /// counting: read_source's getarticletotaldetail rows are in a run by their
    /// stat_date, the others (stat_date null) by their ref_date.
    public var rangeColumns: [String] {
        switch self {
        case .article_total, .published_total: return ["stat_date"]
        case .read_source: return ["stat_date", "ref_date"]
        default: return ["ref_date"]
        }
    }
}

/// Column definitions shared by every dataset, and each dataset's schemas.
///
/// `baseSchema` is what the fetch (and, for article_total, flatten) produces;
/// `fullSchema` adds what the shipped stages derive, and is what `wxcube schema`
/// documents. Stages take their added columns' definitions from here so every
/// column has one English description and one Chinese label.
public enum Datasets {
    // MARK: shared columns

    public static let account = Column("account", .string, nullable: false, "Account name from the pipeline file", zh: "账号")
    public static let refDate = Column("ref_date", .date, nullable: false, "Date of the data (China time)", zh: "数据日期")
    public static let msgid = Column("msgid", .string, nullable: false, "Article id: <msg_data_id>_<index>", zh: "图文消息ID")
    public static let msgDataId = Column("msg_data_id", .string, nullable: false, "Mass-send message id (msgid before its last _)", zh: "群发消息ID")
    public static let articleIdx = Column("article_idx", .int, "Position of the article in the mass send (1-based)", zh: "图文位置")
    public static let title = Column("title", .string, "Article title", zh: "图文消息标题")
    public static let url = Column("url", .string, "Article URL", zh: "文章链接")
    public static let userSource = Column("user_source", .int, "Where readers came from (code)", zh: "用户来源")
    public static let userSourceName = Column(
        "user_source_name", .string, "user_source as a label: all, session, friends, moments, weibo, history, other, kanyikan, souyisou, unknown", zh: "用户来源名称")
    public static let statDate = Column("stat_date", .date, nullable: false, "Date the cumulative figures run up to", zh: "统计日期")
    public static let dayOffset = Column("day_offset", .int, nullable: false, "stat_date minus ref_date, in days (0-6)", zh: "发文后天数")
    public static let targetUser = Column("target_user", .int, "Users the article was delivered to (about the follower count)", zh: "送达人数")
    public static let refHour = Column("ref_hour", .int, nullable: false, "Hour as sent by the API, HHMM (0, 100, ..., 2300)", zh: "数据小时")
    public static let hour = Column("hour", .int, nullable: false, "Hour of day, 0-23 (ref_hour / 100)", zh: "小时")
    public static let shareScene = Column("share_scene", .int, "Where the article was shared to (code)", zh: "分享场景")
    public static let shareSceneName = Column("share_scene_name", .string, "share_scene as a label: friends, moments, weibo, other, unknown", zh: "分享场景名称")

    /// The eight read/share/favourite metrics common to summaries, totals and user_read.
    public static let coreMetrics: [Column] = [
        Column("int_page_read_user", .int, "Readers of the article page", zh: "图文页阅读人数"),
        Column("int_page_read_count", .int, "Reads of the article page", zh: "图文页阅读次数"),
        Column("ori_page_read_user", .int, "Readers of the original-link page (0 when there is none)", zh: "原文页阅读人数"),
        Column("ori_page_read_count", .int, "Reads of the original-link page", zh: "原文页阅读次数"),
        Column("share_user", .int, "Users who shared", zh: "分享人数"),
        Column("share_count", .int, "Shares", zh: "分享次数"),
        Column("add_to_fav_user", .int, "Users who added it to favourites", zh: "收藏人数"),
        Column("add_to_fav_count", .int, "Adds to favourites", zh: "收藏次数"),
    ]

    /// The per-source read and feed-share metrics of getarticletotal's details.
    public static let sourceMetrics: [Column] = {
        let sources: [(String, String)] = [
            ("session", "公众号会话"), ("hist_msg", "历史消息页"), ("feed", "朋友圈"), ("friends", "好友转发"),
            ("other", "其他场景"), ("kanyikan", "看一看"), ("souyisou", "搜一搜"),
        ]
        var cols: [Column] = []
        for (key, zh) in sources {
            cols.append(
                Column("int_page_from_\(key)_read_user", .int, "Readers arriving from \(key.replacingOccurrences(of: "_", with: " "))", zh: "\(zh)阅读人数"))
            cols.append(Column("int_page_from_\(key)_read_count", .int, "Reads arriving from \(key.replacingOccurrences(of: "_", with: " "))", zh: "\(zh)阅读次数"))
        }
        let feeds: [(String, String)] = [("session", "公众号会话"), ("feed", "朋友圈"), ("other", "其他场景")]
        for (key, zh) in feeds {
            cols.append(Column("feed_share_from_\(key)_user", .int, "Users sharing to moments from \(key)", zh: "\(zh)转发朋友圈人数"))
        }
        for (key, zh) in feeds {
            cols.append(Column("feed_share_from_\(key)_cnt", .int, "Shares to moments from \(key)", zh: "\(zh)转发朋友圈次数"))
        }
        return cols
    }()

    /// Every cumulative metric of a getarticletotal detail except target_user.
    public static let detailMetrics: [Column] = coreMetrics + sourceMetrics

    // MARK: stage-added columns

    public static let thresholdSum = Column(
        "threshold_sum", .int,
        "int_page_read_user + ori_page_read_user + share_user + share_count + add_to_fav_count; WeChat reports a row only when this is >= 3", zh: "统计门槛合计")
    public static let thresholdStatus = Column(
        "threshold_status", .string, nullable: false,
        "reported (API row, sum >= 3), inconsistent (API row, sum < 3) or below_threshold (article live that day but no API row: metrics unknown)", zh: "门槛状态")

    /// Known ratio columns with their descriptions; a pipeline may define others.
    public static let knownRates: [Column] = [
        Column("read_rate", .float, "int_page_read_user / target_user (fraction)", zh: "阅读率", display: .percent),
        Column("share_rate", .float, "share_user / int_page_read_user (fraction)", zh: "分享率", display: .percent),
        Column("fav_rate", .float, "add_to_fav_user / int_page_read_user (fraction)", zh: "收藏率", display: .percent),
        Column("ori_page_rate", .float, "ori_page_read_user / int_page_read_user (fraction)", zh: "原文页转化率", display: .percent),
    ]

    /// The column a `derive` ratio adds, from the known list or described from its expression.
    public static func rateColumn(name: String, numerator: String, denominator: String) -> Column {
        if let known = knownRates.first(where: { $0.name == name && $0.description.hasPrefix("\(numerator) / \(denominator) ") }) {
            return known
        }
        return Column(name, .float, "\(numerator) / \(denominator) (fraction)", zh: "\(name)", display: .percent)
    }

    /// The `<metric>_daily` column `derive` adds for a cumulative metric.
    public static func dailyColumn(for metric: String) -> Column {
        let base = (detailMetrics + PublishedTotalColumns.cumulative).first { $0.name == metric }
        return Column(
            "\(metric)_daily", .int, "Increase of \(metric) over the previous stat_date (day_offset 0: the value itself)",
            zh: "当日\(base?.label ?? metric)")
    }

    public static let qualityFlags = Column(
        "quality_flags", .string, nullable: false, "Empty, or non_monotonic when a cumulative metric is lower than on the previous stat_date", zh: "数据质量标记")

    /// The columns `derive` adds in the shipped pipelines.
    public static let shippedDaily = ["int_page_read_user", "int_page_read_count", "share_count", "add_to_fav_count"]
    /// The `daily` metrics of published_total in the shipped pipelines.
    public static let shippedPublishedDaily = ["read_user", "share_user", "zaikan_user", "like_user", "comment_count", "collection_user"]

    /// The cumulative columns of a per-item cumulative dataset (`daily`, `quality_flags`).
    public static func cumulativeColumns(_ dataset: DatasetName) -> [Column] {
        dataset == .published_total ? PublishedTotalColumns.cumulative : detailMetrics
    }

    // MARK: schemas

    public static func baseSchema(_ dataset: DatasetName) -> Schema {
        switch dataset {
        case .article_summary:
            return Schema([account, refDate, msgid, msgDataId, articleIdx, title, userSource] + coreMetrics)
        case .article_total:
            return Schema(
                [account, refDate, statDate, dayOffset, msgid, msgDataId, articleIdx, title, url, userSource, targetUser]
                    + detailMetrics)
        case .user_read:
            return Schema([account, refDate, userSource, userSourceName] + coreMetrics)
        case .user_read_hour:
            return Schema([account, refDate, refHour, hour, userSource, userSourceName] + coreMetrics)
        case .user_share:
            return Schema([account, refDate, shareScene, shareSceneName, coreMetrics[5], coreMetrics[4]])
        case .user_share_hour:
            return Schema([account, refDate, refHour, hour, shareScene, shareSceneName, coreMetrics[5], coreMetrics[4]])
        case .published_total: return PublishedTotalColumns.schema
        case .published_read: return PublishedReadColumns.schema
        case .published_share: return PublishedShareColumns.schema
        case .biz_summary: return BizSummaryColumns.schema
        case .read_source: return ReadSourceColumns.schema
        }
    }

    /// The schema with the columns the shipped pipelines' stages add.
    public static func fullSchema(_ dataset: DatasetName) -> Schema {
        let base = baseSchema(dataset)
        switch dataset {
        case .article_summary:
            return base.appending([thresholdSum, thresholdStatus])
        case .article_total:
            return base.appending(knownRates + shippedDaily.map(dailyColumn(for:)) + [qualityFlags])
        case .published_total:
            return base.appending(
                [rateColumn(name: "share_rate", numerator: "share_user", denominator: "read_user")]
                    + shippedPublishedDaily.map(dailyColumn(for:)) + [qualityFlags])
        default:
            return base
        }
    }
}
