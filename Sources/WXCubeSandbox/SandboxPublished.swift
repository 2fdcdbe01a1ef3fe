import Foundation
import WXCube

// The published-content (2025) endpoints over the SAME simulated world as the
// legacy ones: the same articles, titles and per-day reads by source. What
// both APIs measure agrees exactly (docs/sandbox.md lists the columns); the
// figures only the new API has (在看, likes, comments, 赞赏, follows after
// reading, rates) are drawn from generators of their own.

/// The new API's `scene_desc` for each legacy read source (`SandboxDataGenerator.readSources` order:
/// session, hist_msg, feed, friends, other, kanyikan, souyisou).
let sceneTextBySource = ["公众号消息", "公众号主页", "朋友圈", "聊天会话", "其他", "推荐", "搜一搜"]
/// `read_user_source` order in answers: 全部, then the scenes.
let sceneOrder = [0, 3, 2, 1, 5, 6, 4]

/// Figures of one article-day that only the published-content API reports (not cumulative).
public struct SandboxEngagement: Sendable, Equatable {
    public var zaikanUser = 0
    public var likeUser = 0
    public var commentCount = 0
    /// Fen.
    public var praiseMoney = 0
    public var readSubscribeUser = 0

    static func + (a: SandboxEngagement, b: SandboxEngagement) -> SandboxEngagement {
        SandboxEngagement(
            zaikanUser: a.zaikanUser + b.zaikanUser, likeUser: a.likeUser + b.likeUser,
            commentCount: a.commentCount + b.commentCount, praiseMoney: a.praiseMoney + b.praiseMoney,
            readSubscribeUser: a.readSubscribeUser + b.readSubscribeUser)
    }
}

/// How an article is read: constant over its life (as sent by getarticletotaldetail).
public struct SandboxReadStyle: Sendable, Equatable {
    public var finishRate: Double
    public var avgActivetime: Double
    /// Positions 1...5.
    public var jumpRates: [Double]
}

/// One `detail_list` entry: cumulative from the publish date up to `statDate`.
public struct SandboxPublishedDetail: Sendable, Equatable {
    public let statDate: Day
    public let reads: SandboxMetrics
    /// Cumulative int_page_read_user by legacy read source.
    public let readBySource: [Int]
    public let engagement: SandboxEngagement
    public let deliveryRate: Double
}

/// A getarticletotaldetail item.
public struct SandboxPublishedItem: Sendable, Equatable {
    public let article: SandboxArticle
    public let publishType: Int
    public let style: SandboxReadStyle
    public let details: [SandboxPublishedDetail]
}

/// A getbizsummary day.
public struct SandboxBizDay: Sendable, Equatable {
    public let day: Day
    public let reads: SandboxMetrics
    public let readBySource: [Int]
    public let engagement: SandboxEngagement
    public let sendPageCount: Int
}

extension SandboxDataGenerator {
    /// Days an item is tracked by getarticletotaldetail (stat_date <= publish day + 29).
    public static let publishedTrackedDays = 30
    /// A scene text the sandbox sends that wxcube does not know (read_source keeps it as `unknown`).
    public static let unlistedSceneText = "视频号"

    public func engagement(_ a: SandboxArticleDay, appid: String) -> SandboxEngagement {
        var g = engagementRNG(appid, a.article.sendDate, a.article.ordinal, a.dayOffset)
        let readers = Double(a.total.intPageReadUser)
        var e = SandboxEngagement()
        e.zaikanUser = g.count(mean: readers * 0.02)
        e.likeUser = g.count(mean: readers * 0.035)
        e.commentCount = g.count(mean: readers * 0.004)
        e.praiseMoney = g.chance(min(0.5, readers * 0.002)) ? 100 * (1 + g.below(50)) : 0
        e.readSubscribeUser = g.count(mean: readers * 0.008)
        return e
    }

    public func readStyle(of article: SandboxArticle, appid: String) -> SandboxReadStyle {
        var g = readStyleRNG(appid, article.sendDate, article.ordinal)
        let finish = ((0.15 + 0.6 * g.unit()) * 10_000).rounded() / 10_000
        let avg = ((0.4 + 5 * g.unit()) * 100).rounded() / 100
        var remaining = 1 - finish
        var jumps: [Double] = []
        for _ in 0..<5 {
            let r = (remaining * (0.1 + 0.3 * g.unit()) * 10_000).rounded() / 10_000
            jumps.append(r)
            remaining -= r
        }
        return SandboxReadStyle(finishRate: finish, avgActivetime: avg, jumpRates: jumps)
    }

    /// 0 (notified) for most sends, 1 (published without a notification) on some days.
    public func publishType(appid: String, on day: Day) -> Int {
        var g = publishRNG(appid, day)
        return g.chance(0.2) ? 1 : 0
    }

    /// getarticletotaldetail for publish day `day`: each article sent that day, with
    /// cumulative details from `day` up to 29 days later, never past `yesterday`.
    public func publishedItems(appid: String, publishDay day: Day, yesterday: Day) -> [SandboxPublishedItem] {
        let lastOffset = min(Self.publishedTrackedDays - 1, yesterday.days(since: day))
        guard lastOffset >= 0 else { return [] }
        let type = publishType(appid: appid, on: day)
        return articles(appid: appid, sentOn: day).map { article in
            var reads = SandboxMetrics()
            var bySource = [Int](repeating: 0, count: Self.readSources.count)
            var engaged = SandboxEngagement()
            var details: [SandboxPublishedDetail] = []
            for k in 0...lastOffset {
                let stat = day.adding(days: k)
                if let a = activity(of: article, appid: appid, on: stat) {
                    reads += a.total
                    for (s, m) in a.bySource.enumerated() { bySource[s] += m.intPageReadUser }
                    engaged = engaged + engagement(a, appid: appid)
                }
                let delivery = min(1, Double(reads.intPageReadUser) / Double(max(1, article.targetUser)))
                details.append(
                    SandboxPublishedDetail(
                        statDate: stat, reads: reads, readBySource: bySource, engagement: engaged,
                        deliveryRate: (delivery * 10_000).rounded() / 10_000))
            }
            return SandboxPublishedItem(article: article, publishType: type, style: readStyle(of: article, appid: appid), details: details)
        }
    }

    /// getarticleread for `day`: the live article-days with readers that day.
    public func publishedReadDays(appid: String, on day: Day) -> [SandboxArticleDay] {
        liveArticleDays(appid: appid, on: day).filter { $0.total.intPageReadUser > 0 }
    }

    /// getarticleshare for `day`: the live article-days with sharers that day.
    public func publishedShareDays(appid: String, on day: Day) -> [SandboxArticleDay] {
        liveArticleDays(appid: appid, on: day).filter { $0.total.shareUser > 0 }
    }

    /// getbizsummary for one day: the sums over every live article-day (as getuserread's `all` row).
    public func bizDay(appid: String, on day: Day) -> SandboxBizDay {
        var reads = SandboxMetrics()
        var bySource = [Int](repeating: 0, count: Self.readSources.count)
        var engaged = SandboxEngagement()
        for a in liveArticleDays(appid: appid, on: day, withText: false) {
            reads += a.total
            for (s, m) in a.bySource.enumerated() { bySource[s] += m.intPageReadUser }
            engaged = engaged + engagement(a, appid: appid)
        }
        let sent = articles(appid: appid, sentOn: day).count
        return SandboxBizDay(day: day, reads: reads, readBySource: bySource, engagement: engaged, sendPageCount: sent)
    }
}

// MARK: answers

extension SandboxDataGenerator {
    static func writeSources(total: Int, bySource: [Int], extraUnlisted: Bool, into w: inout JSONWriter) {
        w.key("read_user_source")
        w.beginArray()
        func entry(_ text: String, _ n: Int) {
            w.beginObject()
            w.field("user_count", n)
            w.field("scene_desc", text)
            w.endObject()
        }
        entry("全部", total)
        for s in sceneOrder { entry(sceneTextBySource[s], bySource[s]) }
        if extraUnlisted { entry(unlistedSceneText, 0) }
        w.endArray()
    }

    static func write(published item: SandboxPublishedItem, into w: inout JSONWriter) {
        w.beginObject()
        w.field("ref_date", item.article.sendDate.iso)
        w.field("msgid", item.article.msgid)
        w.field("publish_type", item.publishType)
        w.field("title", item.article.title)
        w.field("content_url", item.article.url)
        w.key("detail_list")
        w.beginArray()
        for d in item.details {
            w.beginObject()
            w.field("stat_date", d.statDate.iso)
            w.field("read_user", d.reads.intPageReadUser)
            writeSources(total: d.reads.intPageReadUser, bySource: d.readBySource, extraUnlisted: false, into: &w)
            w.field("share_user", d.reads.shareUser)
            w.field("zaikan_user", d.engagement.zaikanUser)
            w.field("like_user", d.engagement.likeUser)
            w.field("comment_count", d.engagement.commentCount)
            w.field("collection_user", d.reads.addToFavUser)
            w.field("praise_money", d.engagement.praiseMoney)
            w.field("read_subscribe_user", d.engagement.readSubscribeUser)
            w.key("read_delivery_rate")
            w.double(d.deliveryRate)
            w.key("read_finish_rate")
            w.double(item.style.finishRate)
            w.key("read_avg_activetime")
            w.double(item.style.avgActivetime, decimals: 2)
            w.key("read_jump_position")
            w.beginArray()
            for (i, r) in item.style.jumpRates.enumerated() {
                w.beginObject()
                w.field("position", i + 1)
                w.key("rate")
                w.double(r)
                w.endObject()
            }
            w.endArray()
            w.endObject()
        }
        w.endArray()
        w.endObject()
    }

    static func write(read a: SandboxArticleDay, iso: String, into w: inout JSONWriter) {
        w.beginObject()
        w.field("ref_date", iso)
        w.field("msgid", a.article.msgid)
        w.key("detail")
        w.beginObject()
        w.field("read_user", a.total.intPageReadUser)
        writeSources(total: a.total.intPageReadUser, bySource: a.bySource.map(\.intPageReadUser), extraUnlisted: false, into: &w)
        w.endObject()
        w.endObject()
    }

    static func write(share a: SandboxArticleDay, iso: String, into w: inout JSONWriter) {
        w.beginObject()
        w.field("ref_date", iso)
        w.field("msgid", a.article.msgid)
        w.key("detail")
        w.beginObject()
        w.field("share_user", a.total.shareUser)
        w.endObject()
        w.endObject()
    }

    static func write(biz b: SandboxBizDay, into w: inout JSONWriter) {
        w.beginObject()
        w.field("ref_date", b.day.iso)
        w.key("detail")
        w.beginObject()
        w.field("read_user", b.reads.intPageReadUser)
        // Every fifth day also lists a scene wxcube does not know (kept in read_source as `unknown`).
        writeSources(total: b.reads.intPageReadUser, bySource: b.readBySource, extraUnlisted: b.day.daysSinceEpoch % 5 == 0, into: &w)
        w.field("share_user", b.reads.shareUser)
        w.field("zaikan_user", b.engagement.zaikanUser)
        w.field("like_user", b.engagement.likeUser)
        w.field("comment_count", b.engagement.commentCount)
        w.field("collection_user", b.reads.addToFavUser)
        w.field("redirect_ori_page_user", b.reads.oriPageReadUser)
        w.field("send_page_count", b.sendPageCount)
        w.endObject()
        w.endObject()
    }

    /// Whether an answer for begin...end holds figures of `yesterday` (getarticletotaldetail:
    /// an item published then still has a detail dated yesterday).
    public static func coversYesterday(endpoint: Endpoint, begin: Day, end: Day, yesterday: Day) -> Bool {
        if endpoint == .getarticletotaldetail {
            return end >= yesterday.adding(days: -(publishedTrackedDays - 1)) && begin <= yesterday
        }
        return end >= yesterday && begin <= yesterday
    }
}
