import Foundation
import WXCube

/// The sandbox's data model: a pure function of (seed, appid, date).
///
/// Each article's activity is drawn per day from a generator keyed by
/// (seed, appid, send date, article, day offset), so any day can be produced
/// without walking history; cumulative figures are sums of those days, and
/// every endpoint is derived from the same article-days (user_read is the sum
/// of the live articles' reads by source, user_share splits the same shares).
public struct SandboxDataGenerator: Sendable {
    public let seed: UInt64

    public init(seed: UInt64) { self.seed = seed }

    /// Where article-page readers came from, as getarticletotal names them.
    public static let readSources = ["session", "hist_msg", "feed", "friends", "other", "kanyikan", "souyisou"]
    /// The getuserread `user_source` code of each read source.
    public static let readSourceCodes = [0, 4, 2, 1, 5, 6, 7]
    /// getuserread/-hour row order: all first, then the codes ascending.
    static let userReadCodes = [99999999, 0, 1, 2, 4, 5, 6, 7]
    private static let sourceShare: [Double] = [0.50, 0.08, 0.15, 0.12, 0.05, 0.06, 0.04]
    private static let decay: [Double] = [1.0, 0.45, 0.2, 0.1, 0.06, 0.04, 0.03]
    /// Days after the send an article keeps getting (and reporting) activity.
    public static let liveDays = 7
    private static let indexedMsgidsFrom = Day(year: 2015, month: 1, day: 1) ?? Day.dataStart

    // Purpose tags keep the generators for different draws independent.
    private enum Tag: UInt64 {
        case profile = 1, followers, send, article, activity, hours, shareSplit, title
        // The published-content endpoints' extra figures: drawn apart, so the legacy numbers stay as they were.
        case engagement, publish, readStyle
    }

    private func rng(_ tag: Tag, _ appid: String) -> SplitMix64 {
        SplitMix64(keys: seed, tag.rawValue, SplitMix64.key(appid))
    }

    private func rng(_ tag: Tag, _ appid: String, _ k1: UInt64) -> SplitMix64 {
        var g = rng(tag, appid)
        return SplitMix64(keys: g.next(), k1)
    }

    private func rng(_ tag: Tag, _ appid: String, _ k1: UInt64, _ k2: UInt64) -> SplitMix64 {
        var g = rng(tag, appid, k1)
        return SplitMix64(keys: g.next(), k2)
    }

    private func rng(_ tag: Tag, _ appid: String, _ k1: UInt64, _ k2: UInt64, _ k3: UInt64) -> SplitMix64 {
        var g = rng(tag, appid, k1, k2)
        return SplitMix64(keys: g.next(), k3)
    }

    static func dayKey(_ day: Day) -> UInt64 { UInt64(bitPattern: Int64(day.daysSinceEpoch)) }

    /// The published-content figures' generators (SandboxPublished.swift).
    func engagementRNG(_ appid: String, _ sendDate: Day, _ ordinal: Int, _ k: Int) -> SplitMix64 {
        rng(.engagement, appid, Self.dayKey(sendDate), UInt64(ordinal), UInt64(k))
    }

    func readStyleRNG(_ appid: String, _ sendDate: Day, _ ordinal: Int) -> SplitMix64 {
        rng(.readStyle, appid, Self.dayKey(sendDate), UInt64(ordinal))
    }

    func publishRNG(_ appid: String, _ day: Day) -> SplitMix64 {
        rng(.publish, appid, Self.dayKey(day))
    }

    // MARK: accounts

    struct Profile {
        let followersBase: Double
        let growthPerDay: Double
        let sendProbability: Double
        let biz: String
    }

    func profile(_ appid: String) -> Profile {
        var g = rng(.profile, appid)
        // Tiny accounts to large ones, so low-traffic articles are common.
        let tiers: [ClosedRange<Double>] = [60...400, 400...4000, 4000...40000, 40000...300000]
        let tier = tiers[g.below(tiers.count)]
        let base = tier.lowerBound * pow(tier.upperBound / tier.lowerBound, g.unit())
        let digits = String(3_000_000_000 + g.below(900_000_000))
        return Profile(
            followersBase: base, growthPerDay: base * 0.0006 + 0.4,
            sendProbability: 0.75 + 0.2 * g.unit(),
            biz: Data(digits.utf8).base64EncodedString())
    }

    /// The account's follower count on `day`: it grows, with unfollows making it dip on some days.
    public func followers(appid: String, on day: Day) -> Int {
        followers(profile(appid), appid: appid, on: day)
    }

    private func followers(_ p: Profile, appid: String, on day: Day) -> Int {
        let t = Double(max(0, day.days(since: Day.dataStart)))
        var g = rng(.followers, appid, Self.dayKey(day))
        // A wobble of a few days' growth: net growth, with some days lower than the day before.
        let wobble = (g.unit() - 0.5) * 4 * p.growthPerDay
        return max(1, Int((p.followersBase + p.growthPerDay * t + wobble).rounded()))
    }

    // MARK: articles

    /// The articles `appid` mass-sent on `day` (most days one send of one to eight articles; some days none).
    public func articles(appid: String, sentOn day: Day) -> [SandboxArticle] {
        articles(appid: appid, sentOn: day, profile: profile(appid), withText: true)
    }

    /// Without text, titles and URLs are left empty: the numbers are the same, and cheaper to make.
    private func articles(appid: String, sentOn day: Day, profile p: Profile, withText: Bool) -> [SandboxArticle] {
        guard day >= Day.dataStart else { return [] }
        var g = rng(.send, appid, Self.dayKey(day))
        guard g.chance(p.sendProbability) else { return [] }
        let indexed = day >= Self.indexedMsgidsFrom
        let sizes = [1, 1, 1, 1, 2, 2, 3, 3, 3, 4, 4, 5, 6, 7, 8]
        let count = indexed ? sizes[g.below(sizes.count)] : 1
        let t = day.days(since: Day.dataStart)
        let msgDataId = indexed ? String(2_247_400_000 + t * 7 + g.below(7)) : String(200_000_000 + t * 7 + g.below(7))
        let followers = followers(p, appid: appid, on: day)
        let targetUser = max(1, followers - g.count(mean: Double(followers) * 0.002))
        var result: [SandboxArticle] = []
        result.reserveCapacity(count)
        for i in 1...count {
            var a = rng(.article, appid, Self.dayKey(day), UInt64(i))
            // Log-uniform appeal: the lead article reaches more readers; the tail is often tiny.
            let appeal = i == 1 ? 0.02 * pow(10, a.unit()) : 0.0015 * pow(60, a.unit())
            var sn = ""
            for _ in 0..<2 {
                let v = a.next()
                if withText { sn += String(v, radix: 16).leftPadded(to: 16) }
            }
            let title = withText ? SandboxTitles.title(seed: seed, appid: appid, day: day, index: i) : ""
            let msgid = indexed ? "\(msgDataId)_\(i)" : msgDataId
            let url = withText ? "https://mp.weixin.qq.com/s?__biz=\(p.biz)&mid=\(msgDataId)&idx=\(i)&sn=\(sn)#rd" : ""
            result.append(
                SandboxArticle(
                    msgid: msgid, msgDataId: msgDataId, index: indexed ? i : nil, title: title, url: url,
                    userSource: 0, sendDate: day, targetUser: targetUser,
                    appeal: appeal, hasOriginalLink: a.chance(0.6),
                    shareAffinity: 0.01 + 0.07 * a.unit(), favAffinity: 0.005 + 0.03 * a.unit(), ordinal: i))
        }
        return result
    }

    /// The article's activity on `day` (nil outside its 7 live days).
    public func activity(of article: SandboxArticle, appid: String, on day: Day) -> SandboxArticleDay? {
        let k = day.days(since: article.sendDate)
        guard k >= 0, k < Self.liveDays else { return nil }
        var g = rng(.activity, appid, Self.dayKey(article.sendDate), UInt64(article.ordinal), UInt64(k))
        let expected = Double(article.targetUser) * article.appeal * Self.decay[k] * (0.7 + 0.6 * g.unit())
        var bySource: [SandboxMetrics] = []
        bySource.reserveCapacity(Self.readSources.count)
        var feedUser = [0, 0, 0], feedCount = [0, 0, 0]
        for (s, share) in Self.sourceShare.enumerated() {
            var m = SandboxMetrics()
            m.intPageReadUser = g.count(mean: expected * share)
            m.intPageReadCount = m.intPageReadUser + g.count(mean: Double(m.intPageReadUser) * 0.25)
            if article.hasOriginalLink {
                m.oriPageReadUser = g.count(mean: Double(m.intPageReadUser) * 0.05)
                m.oriPageReadCount = m.oriPageReadUser + g.count(mean: Double(m.oriPageReadUser) * 0.2)
            }
            m.shareUser = g.count(mean: Double(m.intPageReadUser) * article.shareAffinity)
            m.shareCount = m.shareUser + g.count(mean: Double(m.shareUser) * 0.3)
            m.addToFavUser = g.count(mean: Double(m.intPageReadUser) * article.favAffinity)
            m.addToFavCount = m.addToFavUser + g.count(mean: Double(m.addToFavUser) * 0.1)
            // Shares to moments, by where the sharer read it: session, feed (moments) or other.
            let bucket = s == 0 ? 0 : (s == 2 ? 1 : 2)
            let fu = min(m.shareUser, g.count(mean: Double(m.shareUser) * 0.35))
            feedUser[bucket] += fu
            feedCount[bucket] += min(m.shareCount, fu + g.count(mean: Double(fu) * 0.2))
            bySource.append(m)
        }
        return SandboxArticleDay(article: article, day: day, bySource: bySource, feedShareUser: feedUser, feedShareCount: feedCount)
    }

    /// The article's activity on each of its 7 live days (send day first), whatever today is.
    public func dailyActivity(of article: SandboxArticle, appid: String) -> [SandboxArticleDay] {
        (0..<Self.liveDays).compactMap { activity(of: article, appid: appid, on: article.sendDate.adding(days: $0)) }
    }

    /// Every article live on `day` (sent in the 7 days up to it) with that day's activity,
    /// in send order. This includes article-days that getarticlesummary omits.
    public func liveArticleDays(appid: String, on day: Day) -> [SandboxArticleDay] {
        liveArticleDays(appid: appid, on: day, withText: true)
    }

    func liveArticleDays(appid: String, on day: Day, withText: Bool) -> [SandboxArticleDay] {
        let p = profile(appid)
        var result: [SandboxArticleDay] = []
        for back in stride(from: Self.liveDays - 1, through: 0, by: -1) {
            for article in articles(appid: appid, sentOn: day.adding(days: -back), profile: p, withText: withText) {
                if let a = activity(of: article, appid: appid, on: day) { result.append(a) }
            }
        }
        return result
    }

    // MARK: endpoint rows

    /// getarticlesummary for `day`: the live article-days whose threshold sum is at least 3.
    public func summaryRows(appid: String, on day: Day) -> [SandboxArticleDay] {
        liveArticleDays(appid: appid, on: day).filter { $0.total.thresholdSum >= 3 }
    }

    /// The live article-days getarticlesummary leaves out for `day` (threshold sum < 3).
    public func omittedSummaryArticleDays(appid: String, on day: Day) -> [SandboxArticleDay] {
        liveArticleDays(appid: appid, on: day).filter { $0.total.thresholdSum < 3 }
    }

    /// getarticletotal for ref_date `day`: details from the send date up to 6 days later, never past `yesterday`.
    public func totalEntries(appid: String, refDate day: Day, yesterday: Day) -> [SandboxTotalEntry] {
        let lastOffset = min(Self.liveDays - 1, yesterday.days(since: day))
        guard lastOffset >= 0 else { return [] }
        return articles(appid: appid, sentOn: day).map { article in
            var running = [Int](repeating: 0, count: SandboxDetail.metricNames.count)
            var details: [SandboxDetail] = []
            for k in 0...lastOffset {
                let stat = day.adding(days: k)
                if let a = activity(of: article, appid: appid, on: stat) {
                    for (i, v) in a.detailValues.enumerated() { running[i] += v }
                }
                details.append(SandboxDetail(statDate: stat, targetUser: article.targetUser, values: running))
            }
            return SandboxTotalEntry(article: article, details: details)
        }
    }

    /// The day's reads by user_source code (99999999 is the sum), zero sources left out.
    private func readsBySource(appid: String, on day: Day) -> [Int: SandboxMetrics] {
        var byCode: [Int: SandboxMetrics] = [:]
        for a in liveArticleDays(appid: appid, on: day, withText: false) {
            for (s, m) in a.bySource.enumerated() {
                byCode[Self.readSourceCodes[s], default: SandboxMetrics()] += m
                byCode[99999999, default: SandboxMetrics()] += m
            }
        }
        return byCode
    }

    /// getuserread rows for one day: 99999999 (all) then each source with any activity.
    public func userReadRows(appid: String, on day: Day) -> [SandboxUserReadRow] {
        let byCode = readsBySource(appid: appid, on: day)
        return Self.userReadCodes.compactMap { code in
            guard let m = byCode[code], !m.isZero else { return nil }
            return SandboxUserReadRow(refDate: day, refHour: nil, userSource: code, metrics: m)
        }
    }

    /// getuserreadhour rows for one day, by hour then source; each metric's hourly values sum to the day's.
    public func userReadHourRows(appid: String, on day: Day) -> [SandboxUserReadRow] {
        let byCode = readsBySource(appid: appid, on: day)
        var hourly: [Int: [SandboxMetrics]] = [:]
        var all = [SandboxMetrics](repeating: SandboxMetrics(), count: 24)
        for (s, code) in Self.readSourceCodes.enumerated() {
            guard let m = byCode[code], !m.isZero else { continue }
            let w = hourWeights(appid: appid, day: day, stream: UInt64(s))
            let parts = splitPairs(m.values, weights: w)
            var rows: [SandboxMetrics] = []
            rows.reserveCapacity(24)
            for h in 0..<24 {
                var r = SandboxMetrics()
                r.intPageReadUser = parts[0][h]
                r.intPageReadCount = parts[1][h]
                r.oriPageReadUser = parts[2][h]
                r.oriPageReadCount = parts[3][h]
                r.shareUser = parts[4][h]
                r.shareCount = parts[5][h]
                r.addToFavUser = parts[6][h]
                r.addToFavCount = parts[7][h]
                all[h] += r
                rows.append(r)
            }
            hourly[code] = rows
        }
        hourly[99999999] = all
        var result: [SandboxUserReadRow] = []
        for h in 0..<24 {
            for code in Self.userReadCodes {
                guard let m = hourly[code]?[h], !m.isZero else { continue }
                result.append(SandboxUserReadRow(refDate: day, refHour: h * 100, userSource: code, metrics: m))
            }
        }
        return result
    }

    /// getusershare rows for one day: scenes 1 (friends), 2 (moments: the feed shares), 255 (other)
    /// and on some days the undocumented 5; zero scenes left out.
    public func userShareRows(appid: String, on day: Day) -> [SandboxShareRow] {
        var total = SandboxMetrics()
        var moments = (count: 0, user: 0)
        for a in liveArticleDays(appid: appid, on: day, withText: false) {
            total += a.total
            moments.count += a.feedShareCount.reduce(0, +)
            moments.user += a.feedShareUser.reduce(0, +)
        }
        var g = rng(.shareSplit, appid, Self.dayKey(day))
        var restCount = total.shareCount - moments.count
        var restUser = max(0, total.shareUser - moments.user)
        var scene5 = (count: 0, user: 0)
        if g.chance(0.3) {
            scene5.count = min(restCount, g.count(mean: Double(restCount) * 0.05 + 0.6))
            scene5.user = min(restUser, scene5.count)
            restCount -= scene5.count
            restUser -= scene5.user
        }
        let otherCount = min(restCount, g.count(mean: Double(restCount) * 0.12))
        let otherUser = min(restUser, otherCount)
        let rows = [
            SandboxShareRow(
                refDate: day, refHour: nil, shareScene: 1, shareCount: restCount - otherCount,
                shareUser: min(restUser - otherUser, restCount - otherCount)),
            SandboxShareRow(refDate: day, refHour: nil, shareScene: 2, shareCount: moments.count, shareUser: moments.user),
            SandboxShareRow(refDate: day, refHour: nil, shareScene: 5, shareCount: scene5.count, shareUser: scene5.user),
            SandboxShareRow(refDate: day, refHour: nil, shareScene: 255, shareCount: otherCount, shareUser: otherUser),
        ]
        return rows.filter { $0.shareCount > 0 || $0.shareUser > 0 }
    }

    /// getusersharehour rows for one day, by hour then scene; they sum to `userShareRows`.
    public func userShareHourRows(appid: String, on day: Day) -> [SandboxShareRow] {
        let daily = userShareRows(appid: appid, on: day)
        let parts = daily.map { row -> (count: [Int], user: [Int]) in
            let w = hourWeights(appid: appid, day: day, stream: 100 + UInt64(row.shareScene))
            let p = splitPairs([row.shareUser, row.shareCount], weights: w)
            return (p[1], p[0])
        }
        var result: [SandboxShareRow] = []
        for h in 0..<24 {
            for (i, row) in daily.enumerated() where parts[i].count[h] > 0 || parts[i].user[h] > 0 {
                result.append(
                    SandboxShareRow(
                        refDate: day, refHour: h * 100, shareScene: row.shareScene,
                        shareCount: parts[i].count[h], shareUser: parts[i].user[h]))
            }
        }
        return result
    }

    // MARK: hours

    private static let hourProfile: [Double] = [
        0.6, 0.3, 0.15, 0.1, 0.1, 0.2, 0.6, 1.6, 2.2, 1.6, 1.2, 1.3,
        2.0, 1.8, 1.2, 1.1, 1.1, 1.3, 1.8, 2.2, 3.0, 3.4, 2.6, 1.4,
    ]

    private func hourWeights(appid: String, day: Day, stream: UInt64) -> [Double] {
        var g = rng(.hours, appid, Self.dayKey(day), stream)
        var cumulative = [Double](repeating: 0, count: 24)
        var sum = 0.0
        for h in 0..<24 {
            sum += Self.hourProfile[h] * (0.5 + g.unit())
            cumulative[h] = sum
        }
        return cumulative
    }

    /// Splits (user, count) pairs over the hours: each count by the day's hour weights, then each user
    /// figure in proportion to its count, so no hour has more users than counts and both sum to the day's.
    private func splitPairs(_ values: [Int], weights: [Double]) -> [[Int]] {
        var parts = [[Int]](repeating: [], count: values.count)
        var cumulative = [Double](repeating: 0, count: 24)
        for i in stride(from: 0, to: values.count - 1, by: 2) {
            let counts = split(values[i + 1], weights: weights)
            var sum = 0
            for h in 0..<24 {
                sum += counts[h]
                cumulative[h] = Double(sum)
            }
            parts[i] = split(min(values[i], values[i + 1]), weights: cumulative)
            parts[i + 1] = counts
        }
        return parts
    }

    /// Splits `value` over 24 hours by cumulative weights; the parts always sum to `value`.
    private func split(_ value: Int, weights cumulative: [Double]) -> [Int] {
        var parts = [Int](repeating: 0, count: 24)
        guard value > 0, let total = cumulative.last, total > 0 else { return parts }
        var previous = 0
        for h in 0..<23 {
            let upTo = Int((Double(value) * cumulative[h] / total).rounded(.down))
            parts[h] = upTo - previous
            previous = upTo
        }
        parts[23] = value - previous
        return parts
    }
}

extension String {
    fileprivate func leftPadded(to width: Int) -> String {
        count >= width ? self : String(repeating: "0", count: width - count) + self
    }
}
