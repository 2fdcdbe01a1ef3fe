import Foundation
import WXCube
import WXCubeSandbox
import XCTest

/// The sandbox's data over real loopback HTTP: determinism and WeChat's invariants.
final class SandboxDataTests: XCTestCase {
    private let today = Day(year: 2026, month: 3, day: 15) ?? Day.dataStart
    private var yesterday: Day { today.adding(days: -1) }

    private func start(seed: UInt64) async throws -> (SandboxServer, SandboxTestClient) {
        let clock = SandboxTestClock(day: today)
        let server = try await SandboxServer.start(SandboxConfiguration(seed: seed, now: clock.closure))
        return (server, SandboxTestClient(server))
    }

    /// Every endpoint for a few windows and all accounts, as raw bytes.
    private func sample(_ server: SandboxServer) async throws -> [String: [UInt8]] {
        let client = SandboxTestClient(server)
        var bodies: [String: [UInt8]] = [:]
        for account in server.accounts {
            let token = try await client.token(account)
            for endpoint in legacyEndpoints {
                for back in [0, 5, 40, 400] {
                    let end = yesterday.adding(days: -back)
                    let begin = end.adding(days: -(endpoint.maxSpanDays - 1))
                    let reply = try await client.datacube(endpoint, token: token, begin: begin, end: end)
                    XCTAssertEqual(reply.status, 200)
                    XCTAssertNotNil(reply.list, reply.text)
                    bodies["\(account.appid) \(endpoint) \(end)"] = reply.bytes
                }
            }
        }
        return bodies
    }

    func testSameSeedSameBytesAcrossServersOtherSeedOtherData() async throws {
        let (a, _) = try await start(seed: 42)
        let (b, _) = try await start(seed: 42)
        let (c, _) = try await start(seed: 43)
        let first = try await sample(a), second = try await sample(b), other = try await sample(c)
        await a.stop()
        await b.stop()
        await c.stop()
        XCTAssertEqual(first.count, 3 * 6 * 4)
        XCTAssertEqual(first, second, "same seed, same bytes")
        let differing = first.keys.filter { first[$0] != other[$0] }
        XCTAssertGreaterThan(differing.count, first.count * 3 / 4, "another seed gives other data")
        // The generator, used in-process, gives exactly what the server sent.
        let generator = SandboxDataGenerator(seed: 42)
        let appid = a.accounts[0].appid
        XCTAssertEqual(
            first["\(appid) getarticletotal \(yesterday.adding(days: -5))"],
            generator.responseBody(
                endpoint: .getarticletotal, appid: appid, begin: yesterday.adding(days: -5),
                end: yesterday.adding(days: -5), yesterday: yesterday))
    }

    func testMonthOfDataKeepsWeChatsInvariants() async throws {
        let (server, client) = try await start(seed: 7)
        let days = (0..<30).map { yesterday.adding(days: -$0) }.reversed()
        var missingFromSummaries = 0, summaryRows = 0, multiArticleSends = 0, scene5Days = 0
        var titles: [String] = []
        var targetUsers: [Int] = []
        for account in server.accounts {
            let token = try await client.token(account)
            // msgid -> stat_date -> cumulative detail
            var details: [String: [String: [String: Any]]] = [:]
            for day in days {
                let reply1 = try await client.datacube(.getarticletotal, token: token, begin: day, end: day)
                let total = try XCTUnwrap(reply1.list, reply1.text)
                if total.count > 1 { multiArticleSends += 1 }
                var sendTarget: Int?
                for entry in total {
                    let msgid = try XCTUnwrap(entry["msgid"] as? String)
                    XCTAssertNotNil(msgid.range(of: #"^\d+_\d+$"#, options: .regularExpression), msgid)
                    XCTAssertEqual(entry["ref_date"] as? String, day.iso)
                    XCTAssertNotNil(entry["url"] as? String)
                    titles.append(try XCTUnwrap(entry["title"] as? String))
                    let list = try XCTUnwrap(entry["details"] as? [[String: Any]])
                    XCTAssertEqual(list.count, min(7, yesterday.days(since: day) + 1), "details from the send date, never past yesterday")
                    var previous: [String: Any]?
                    for (k, d) in list.enumerated() {
                        XCTAssertEqual(d["stat_date"] as? String, day.adding(days: k).iso)
                        for name in ["target_user"] + Datasets.detailMetrics.map(\.name) {
                            XCTAssertNotNil(d[name] as? Int, "\(name) missing in \(msgid) detail \(k)")
                        }
                        if let previous {
                            for metric in Datasets.detailMetrics.map(\.name) {
                                XCTAssertGreaterThanOrEqual(d[metric] as? Int ?? -1, previous[metric] as? Int ?? 0, "\(metric) decreased in \(msgid)")
                            }
                            XCTAssertEqual(d["target_user"] as? Int, previous["target_user"] as? Int)
                        }
                        details[msgid, default: [:]][day.adding(days: k).iso] = d
                        previous = d
                    }
                    sendTarget = list.first?["target_user"] as? Int
                }
                if let sendTarget { targetUsers.append(sendTarget) }
            }
            // Summaries: rows >= 3 that match the day's increment of the totals; live article-days may be missing.
            for day in days.suffix(23) {
                let reply2 = try await client.datacube(.getarticlesummary, token: token, begin: day, end: day)
                let rows = try XCTUnwrap(reply2.list, reply2.text)
                var listed = Set<String>()
                for row in rows {
                    summaryRows += 1
                    let msgid = try XCTUnwrap(row["msgid"] as? String)
                    listed.insert(msgid)
                    let sum = ["int_page_read_user", "ori_page_read_user", "share_user", "share_count", "add_to_fav_count"]
                        .reduce(0) { $0 + (row[$1] as? Int ?? 0) }
                    XCTAssertGreaterThanOrEqual(sum, 3, "summary row \(msgid) on \(day)")
                    let cumulative = try XCTUnwrap(details[msgid]?[day.iso], "summary lists \(msgid) on \(day) but the totals do not")
                    let before = details[msgid]?[day.adding(days: -1).iso]
                    for metric in Datasets.coreMetrics.map(\.name) {
                        XCTAssertEqual(
                            row[metric] as? Int, (cumulative[metric] as? Int ?? 0) - (before?[metric] as? Int ?? 0), "\(metric) of \(msgid) on \(day)")
                    }
                }
                let live = details.filter { $0.value[day.iso] != nil }.map(\.key)
                missingFromSummaries += live.filter { !listed.contains($0) }.count
            }
            // Hourly rows sum to the day's, per source and per scene.
            for day in days.suffix(10) {
                let reply3 = try await client.datacube(.getuserread, token: token, begin: day, end: day)
                let daily = try XCTUnwrap(reply3.list, reply3.text)
                let reply4 = try await client.datacube(.getuserreadhour, token: token, begin: day, end: day)
                let hourly = try XCTUnwrap(reply4.list, reply4.text)
                XCTAssertTrue(daily.contains { $0["user_source"] as? Int == 99999999 }, "user_read has the all row")
                let hoursHHMM = Set((0..<24).map { $0 * 100 })
                XCTAssertTrue(hourly.allSatisfy { hoursHHMM.contains($0["ref_hour"] as? Int ?? -1) }, "ref_hour is HHMM")
                for row in daily {
                    let source = row["user_source"] as? Int
                    let hours = hourly.filter { $0["user_source"] as? Int == source }
                    for metric in Datasets.coreMetrics.map(\.name) {
                        XCTAssertEqual(hours.reduce(0) { $0 + ($1[metric] as? Int ?? 0) }, row[metric] as? Int, "\(metric) source \(source ?? -1) on \(day)")
                    }
                }
                let reply5 = try await client.datacube(.getusershare, token: token, begin: day, end: day)
                let share = try XCTUnwrap(reply5.list, reply5.text)
                let reply6 = try await client.datacube(.getusersharehour, token: token, begin: day, end: day)
                let shareHour = try XCTUnwrap(reply6.list, reply6.text)
                XCTAssertTrue(Set(share.compactMap { $0["share_scene"] as? Int }).isSubset(of: [1, 2, 5, 255]))
                if share.contains(where: { $0["share_scene"] as? Int == 5 }) { scene5Days += 1 }
                for row in share {
                    let hours = shareHour.filter { $0["share_scene"] as? Int == row["share_scene"] as? Int }
                    XCTAssertEqual(hours.reduce(0) { $0 + ($1["share_count"] as? Int ?? 0) }, row["share_count"] as? Int)
                    XCTAssertEqual(hours.reduce(0) { $0 + ($1["share_user"] as? Int ?? 0) }, row["share_user"] as? Int)
                }
            }
            // A week of getusershare in one call covers seven days; scene 5 turns up on some of them.
            let reply7 = try await client.datacube(.getusershare, token: token, begin: yesterday.adding(days: -6), end: yesterday)
            let week = try XCTUnwrap(reply7.list, reply7.text)
            XCTAssertEqual(Set(week.compactMap { $0["ref_date"] as? String }).count, 7)
            scene5Days += week.filter { $0["share_scene"] as? Int == 5 }.count
        }
        await server.stop()
        XCTAssertGreaterThan(summaryRows, 50)
        XCTAssertGreaterThan(missingFromSummaries, 0, "some live article-days fall under the threshold")
        XCTAssertGreaterThan(multiArticleSends, 5, "several articles in one send")
        XCTAssertGreaterThan(scene5Days, 0, "the undocumented share_scene 5 appears")
        XCTAssertGreaterThan(Set(titles).count, 20, "titles vary")
        let all = titles.joined()
        for needle in [",", "\"", "\n", "\t", "\u{0B}", "🚀", "报告"] {
            XCTAssertTrue(all.contains(needle), "a title contains \(needle.debugDescription)")
        }
        for lead in ["=", "+", "-", "@"] {
            XCTAssertTrue(titles.contains { $0.hasPrefix(lead) }, "a title starts with \(lead)")
        }
        XCTAssertFalse(targetUsers.isEmpty)
    }

    func testFollowersGrowWithSomeUnfollows() {
        let generator = SandboxDataGenerator(seed: 1)
        for account in SandboxAccount.list(3) {
            let counts = (0..<365).map { generator.followers(appid: account.appid, on: yesterday.adding(days: -364 + $0)) }
            XCTAssertGreaterThan(counts.last ?? 0, counts.first ?? 0, "followers grow over a year")
            let drops = zip(counts, counts.dropFirst()).filter { $0 > $1 }.count
            XCTAssertGreaterThan(drops, 0, "some days lose followers")
            XCTAssertLessThan(drops, 250)
        }
        // target_user is the follower count at the send, less a few.
        let appid = SandboxAccount(index: 1).appid
        for back in 0..<30 {
            let day = yesterday.adding(days: -back)
            for article in generator.articles(appid: appid, sentOn: day) {
                XCTAssertLessThanOrEqual(article.targetUser, generator.followers(appid: appid, on: day))
                XCTAssertGreaterThan(article.targetUser, generator.followers(appid: appid, on: day) * 9 / 10)
            }
        }
    }

    func testGeneratorSummaryOmissionsAreTheLowRows() {
        let generator = SandboxDataGenerator(seed: 5)
        var omitted = 0, listed = 0
        for account in SandboxAccount.list(3) {
            for back in 0..<30 {
                let day = yesterday.adding(days: -back)
                let live = generator.liveArticleDays(appid: account.appid, on: day)
                let rows = generator.summaryRows(appid: account.appid, on: day)
                let missing = generator.omittedSummaryArticleDays(appid: account.appid, on: day)
                XCTAssertEqual(rows.count + missing.count, live.count)
                XCTAssertTrue(missing.allSatisfy { $0.total.thresholdSum < 3 })
                XCTAssertTrue(rows.allSatisfy { $0.total.thresholdSum >= 3 })
                omitted += missing.count
                listed += rows.count
            }
        }
        XCTAssertGreaterThan(omitted, listed / 20, "low-traffic article-days are common")
        XCTAssertGreaterThan(listed, omitted, "most article-days are reported")
    }

    func testTotalsAreTheRunningSumOfDailyActivity() throws {
        let generator = SandboxDataGenerator(seed: 9)
        let appid = SandboxAccount(index: 2).appid
        let sendDay = try XCTUnwrap((10..<40).map { yesterday.adding(days: -$0) }.first { !generator.articles(appid: appid, sentOn: $0).isEmpty })
        let entries = generator.totalEntries(appid: appid, refDate: sendDay, yesterday: yesterday)
        XCTAssertEqual(entries.map(\.article), generator.articles(appid: appid, sentOn: sendDay))
        for entry in entries {
            let days = generator.dailyActivity(of: entry.article, appid: appid)
            XCTAssertEqual(days.count, 7)
            XCTAssertEqual(entry.details.count, 7)
            var running = SandboxMetrics()
            for (k, detail) in entry.details.enumerated() {
                running += days[k].total
                XCTAssertEqual(Array(detail.values.prefix(8)), running.values)
                XCTAssertEqual(detail["int_page_read_user"], running.intPageReadUser)
                // Per-source reads add up to the article-page reads.
                let sources = SandboxDataGenerator.readSources.compactMap { detail["int_page_from_\($0)_read_user"] }
                XCTAssertEqual(sources.reduce(0, +), running.intPageReadUser)
            }
        }
    }

    func testOldMsgidsHaveNoIndex() {
        let generator = SandboxDataGenerator(seed: 1)
        let dec2014 = (0..<31).flatMap { generator.articles(appid: SandboxAccount(index: 1).appid, sentOn: Day.dataStart.adding(days: $0)) }
        XCTAssertFalse(dec2014.isEmpty)
        XCTAssertTrue(dec2014.allSatisfy { $0.index == nil && !$0.msgid.contains("_") })
    }
}
