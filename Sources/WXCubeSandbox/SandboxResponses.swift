import Foundation
import WXCube

extension SandboxDataGenerator {
    /// The exact JSON body the sandbox answers a valid datacube request with.
    /// `yesterday` (China) bounds getarticletotal's details; dates must already be valid.
    /// The published-content endpoints also answer `is_delay` (`isDelay`).
    public func responseBody(endpoint: Endpoint, appid: String, begin: Day, end: Day, yesterday: Day, isDelay: Bool = false) -> [UInt8] {
        var w = JSONWriter(capacity: endpoint == .getuserreadhour ? 16384 : 4096)
        w.beginObject()
        w.key("list")
        w.beginArray()
        var day = begin
        while day <= end {
            let iso = day.iso
            switch endpoint {
            case .getarticlesummary:
                for a in summaryRows(appid: appid, on: day) { Self.write(summary: a, iso: iso, into: &w) }
            case .getarticletotal:
                for e in totalEntries(appid: appid, refDate: day, yesterday: yesterday) { Self.write(total: e, into: &w) }
            case .getuserread:
                for r in userReadRows(appid: appid, on: day) { Self.write(userRead: r, iso: iso, into: &w) }
            case .getuserreadhour:
                for r in userReadHourRows(appid: appid, on: day) { Self.write(userRead: r, iso: iso, into: &w) }
            case .getusershare:
                for r in userShareRows(appid: appid, on: day) { Self.write(share: r, iso: iso, into: &w) }
            case .getusersharehour:
                for r in userShareHourRows(appid: appid, on: day) { Self.write(share: r, iso: iso, into: &w) }
            case .getarticletotaldetail:
                for item in publishedItems(appid: appid, publishDay: day, yesterday: yesterday) { Self.write(published: item, into: &w) }
            case .getarticleread:
                for a in publishedReadDays(appid: appid, on: day) { Self.write(read: a, iso: iso, into: &w) }
            case .getarticleshare:
                for a in publishedShareDays(appid: appid, on: day) { Self.write(share: a, iso: iso, into: &w) }
            case .getbizsummary:
                Self.write(biz: bizDay(appid: appid, on: day), into: &w)
            }
            day = day.adding(days: 1)
        }
        w.endArray()
        if endpoint.info.family == .published {
            w.key("is_delay")
            w.bool(isDelay)
        }
        w.endObject()
        return w.bytes
    }

    /// `responseBody` as `Data`.
    public func responseData(endpoint: Endpoint, appid: String, begin: Day, end: Day, yesterday: Day, isDelay: Bool = false) -> Data {
        Data(responseBody(endpoint: endpoint, appid: appid, begin: begin, end: end, yesterday: yesterday, isDelay: isDelay))
    }

    private static func write(metrics m: SandboxMetrics, into w: inout JSONWriter) {
        w.field("int_page_read_user", m.intPageReadUser)
        w.field("int_page_read_count", m.intPageReadCount)
        w.field("ori_page_read_user", m.oriPageReadUser)
        w.field("ori_page_read_count", m.oriPageReadCount)
        w.field("share_user", m.shareUser)
        w.field("share_count", m.shareCount)
        w.field("add_to_fav_user", m.addToFavUser)
        w.field("add_to_fav_count", m.addToFavCount)
    }

    private static func write(summary a: SandboxArticleDay, iso: String, into w: inout JSONWriter) {
        w.beginObject()
        w.field("ref_date", iso)
        w.field("user_source", a.article.userSource)
        w.field("msgid", a.article.msgid)
        w.field("title", a.article.title)
        write(metrics: a.total, into: &w)
        w.endObject()
    }

    private static func write(total e: SandboxTotalEntry, into w: inout JSONWriter) {
        w.beginObject()
        w.field("ref_date", e.article.sendDate.iso)
        w.field("msgid", e.article.msgid)
        w.field("title", e.article.title)
        w.field("user_source", e.article.userSource)
        w.key("details")
        w.beginArray()
        for d in e.details {
            w.beginObject()
            w.field("stat_date", d.statDate.iso)
            w.field("target_user", d.targetUser)
            for (name, value) in zip(SandboxDetail.metricNames, d.values) {
                w.key(dynamic: name)
                w.int(value)
            }
            w.endObject()
        }
        w.endArray()
        w.field("url", e.article.url)
        w.endObject()
    }

    private static func write(userRead r: SandboxUserReadRow, iso: String, into w: inout JSONWriter) {
        w.beginObject()
        w.field("ref_date", iso)
        if let h = r.refHour { w.field("ref_hour", h) }
        w.field("user_source", r.userSource)
        write(metrics: r.metrics, into: &w)
        w.endObject()
    }

    private static func write(share r: SandboxShareRow, iso: String, into w: inout JSONWriter) {
        w.beginObject()
        w.field("ref_date", iso)
        if let h = r.refHour { w.field("ref_hour", h) }
        w.field("share_scene", r.shareScene)
        w.field("share_count", r.shareCount)
        w.field("share_user", r.shareUser)
        w.endObject()
    }
}
