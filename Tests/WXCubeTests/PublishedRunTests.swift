import Foundation
import WXCubeSandbox
import XCTest

@testable import WXCube

/// The published-content endpoints end to end through the sandbox over loopback
/// HTTP and a real SQLite store: fetch, the five datasets against sandbox truth,
/// is_delay refetching, and on_unavailable.
final class PublishedRunTests: XCTestCase {
    typealias P = PublishedSupport
    private var dir: URL!

    override func setUpWithError() throws { dir = try RunTestSupport.tempDir() }
    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: dir) }
    private func path(_ name: String) -> String { dir.appendingPathComponent(name).path }

    func testRunFetchesEachEndpointWithinItsRulesAndEveryDatasetMatchesSandboxTruth() async throws {
        let server = try await SandboxServer.start(SandboxConfiguration(seed: 11, accounts: 1, delayUntilHour: 0, now: { P.at(hour: 12) }))
        let from = P.day("2026-01-05"), to = P.yesterday
        let spec = P.spec(server.accounts, store: path("s.sqlite"))
        let result = await P.run(spec, sandbox: server, from: from, to: to, now: P.at(hour: 12))
        let log = server.stats().requestLog
        await server.stop()
        XCTAssertEqual(result.status, .complete, result.messages.joined(separator: "\n"))

        // Every call within its span and floor; getarticletotaldetail from 29 days before `from`.
        XCTAssertTrue(log.allSatisfy(\.outcome.isSuccess), "\(log.filter { !$0.outcome.isSuccess })")
        for e in P.endpoints {
            let calls = log.filter { $0.endpoint == e.rawValue }
            XCTAssertFalse(calls.isEmpty, e.rawValue)
            for c in calls {
                let b = P.day(c.begin ?? ""), en = P.day(c.end ?? "")
                XCTAssertLessThan(en.days(since: b), e.maxSpanDays, "\(e) \(b.iso)..\(en.iso)")
                XCTAssertGreaterThanOrEqual(b, P.floor)
            }
            let first = calls.map { P.day($0.begin ?? "") }.min()
            XCTAssertEqual(first, e == .getarticletotaldetail ? from.adding(days: -29) : from, e.rawValue)
        }
        XCTAssertEqual(log.filter { $0.endpoint == "getarticletotaldetail" }.count, 39)
        XCTAssertEqual(log.filter { $0.endpoint == "getbizsummary" }.count, 1)

        guard let store = try RawStore.openReadOnly(path: path("s.sqlite")) else { return XCTFail("no store") }
        let datasets = PipelineDatasets(spec: spec, range: DateRange(from: from, to: to), store: store)
        let g = SandboxDataGenerator(seed: 11)
        let appid = server.accounts[0].appid
        let scenes = PublishedScene.columnScenes.map { "read_user_\($0.rawValue)" }
        // The legacy read source behind each scene column.
        let sourceOfScene = [0, 3, 2, 1, 5, 6, 4]

        // published_total: one row per (msgid, stat_date in range), every column as the sandbox made it.
        let total = try P.rows(datasets, .published_total)
        var expected = 0
        var checked = 0
        for publish in DateRange(from: from.adding(days: -29), to: to).days {
            for item in g.publishedItems(appid: appid, publishDay: publish, yesterday: to) {
                var previous: SandboxPublishedDetail?
                for d in item.details {
                    defer { previous = d }
                    guard d.statDate >= from else { continue }
                    expected += 1
                    guard let row = total.first(where: { $0["msgid"] == .string(item.article.msgid) && $0["stat_date"] == .date(d.statDate) }) else {
                        XCTFail("no published_total row \(item.article.msgid) \(d.statDate.iso)")
                        continue
                    }
                    checked += 1
                    XCTAssertEqual(row["account"], .string("acct1"))
                    XCTAssertEqual(row["ref_date"], .date(publish))
                    XCTAssertEqual(row["day_offset"], .int(d.statDate.days(since: publish)))
                    XCTAssertEqual(row["msg_data_id"], .string(item.article.msgDataId))
                    XCTAssertEqual(row["article_idx"], Value(item.article.index))
                    XCTAssertEqual(row["title"], .string(item.article.title))
                    XCTAssertEqual(row["content_url"], .string(item.article.url))
                    XCTAssertEqual(row["publish_type"], .int(item.publishType))
                    XCTAssertEqual(row["publish_type_name"], .string(item.publishType == 0 ? "notified" : "not_notified"))
                    XCTAssertEqual(row["read_user"], .int(d.reads.intPageReadUser))
                    for (i, s) in scenes.enumerated() { XCTAssertEqual(row[s], .int(d.readBySource[sourceOfScene[i]]), s) }
                    XCTAssertEqual(row["share_user"], .int(d.reads.shareUser))
                    XCTAssertEqual(row["zaikan_user"], .int(d.engagement.zaikanUser))
                    XCTAssertEqual(row["like_user"], .int(d.engagement.likeUser))
                    XCTAssertEqual(row["comment_count"], .int(d.engagement.commentCount))
                    XCTAssertEqual(row["collection_user"], .int(d.reads.addToFavUser))
                    XCTAssertEqual(row["praise_money"], .int(d.engagement.praiseMoney))
                    XCTAssertEqual(row["read_subscribe_user"], .int(d.engagement.readSubscribeUser))
                    XCTAssertEqual(row["read_delivery_rate"]?.doubleValue ?? -1, d.deliveryRate, accuracy: 1e-9)
                    XCTAssertEqual(row["read_finish_rate"]?.doubleValue ?? -1, item.style.finishRate, accuracy: 1e-9)
                    XCTAssertEqual(row["read_avg_activetime"]?.doubleValue ?? -1, item.style.avgActivetime, accuracy: 1e-9)
                    for p in 1...5 {
                        XCTAssertEqual(row["read_jump_rate_\(p)"]?.doubleValue ?? -1, item.style.jumpRates[p - 1], accuracy: 1e-9)
                    }
                    // derive: increments over the previous stat_date, share_rate, quality_flags.
                    let daily = previous.map { d.reads.intPageReadUser - $0.reads.intPageReadUser } ?? d.reads.intPageReadUser
                    XCTAssertEqual(row["read_user_daily"], .int(daily))
                    let likes = previous.map { d.engagement.likeUser - $0.engagement.likeUser } ?? d.engagement.likeUser
                    XCTAssertEqual(row["like_user_daily"], .int(likes))
                    if d.reads.intPageReadUser > 0 {
                        XCTAssertEqual(row["share_rate"]?.doubleValue ?? -1, Double(d.reads.shareUser) / Double(d.reads.intPageReadUser), accuracy: 1e-12)
                    } else {
                        XCTAssertEqual(row["share_rate"], .null)
                    }
                    XCTAssertEqual(row["quality_flags"], .string(""))
                }
            }
        }
        XCTAssertEqual(total.count, expected)
        XCTAssertEqual(checked, expected)
        XCTAssertGreaterThan(total.filter { ($0["day_offset"]?.intValue ?? 0) > 6 }.count, 0, "30-day tracking reaches past the legacy 7 days")

        // published_read, published_share, biz_summary: per day as the sandbox made them.
        let read = try P.rows(datasets, .published_read)
        let share = try P.rows(datasets, .published_share)
        let biz = try P.rows(datasets, .biz_summary)
        var readCount = 0, shareCount = 0
        for day in DateRange(from: from, to: to).days {
            let reads = g.publishedReadDays(appid: appid, on: day)
            readCount += reads.count
            for a in reads {
                guard let row = read.first(where: { $0["ref_date"] == .date(day) && $0["msgid"] == .string(a.article.msgid) }) else {
                    XCTFail("no published_read row \(day.iso) \(a.article.msgid)")
                    continue
                }
                XCTAssertEqual(row["read_user"], .int(a.total.intPageReadUser))
                for (i, s) in scenes.enumerated() { XCTAssertEqual(row[s], .int(a.bySource[sourceOfScene[i]].intPageReadUser), s) }
                XCTAssertEqual(row["is_delay"], .bool(false))
            }
            let shares = g.publishedShareDays(appid: appid, on: day)
            shareCount += shares.count
            for a in shares {
                let row = share.first { $0["ref_date"] == .date(day) && $0["msgid"] == .string(a.article.msgid) }
                XCTAssertEqual(row?["share_user"], .int(a.total.shareUser), "\(day.iso) \(a.article.msgid)")
                XCTAssertEqual(row?["is_delay"], .bool(false))
            }
            let b = g.bizDay(appid: appid, on: day)
            guard let row = biz.first(where: { $0["ref_date"] == .date(day) }) else {
                XCTFail("no biz_summary \(day.iso)")
                continue
            }
            XCTAssertEqual(row["read_user"], .int(b.reads.intPageReadUser))
            for (i, s) in scenes.enumerated() { XCTAssertEqual(row[s], .int(b.readBySource[sourceOfScene[i]]), s) }
            XCTAssertEqual(row["share_user"], .int(b.reads.shareUser))
            XCTAssertEqual(row["zaikan_user"], .int(b.engagement.zaikanUser))
            XCTAssertEqual(row["like_user"], .int(b.engagement.likeUser))
            XCTAssertEqual(row["comment_count"], .int(b.engagement.commentCount))
            XCTAssertEqual(row["collection_user"], .int(b.reads.addToFavUser))
            XCTAssertEqual(row["redirect_ori_page_user"], .int(b.reads.oriPageReadUser))
            XCTAssertEqual(row["send_page_count"], .int(b.sendPageCount))
            XCTAssertEqual(row["is_delay"], .bool(false))
        }
        XCTAssertEqual(read.count, readCount)
        XCTAssertEqual(share.count, shareCount)
        XCTAssertEqual(biz.count, 10)
        XCTAssertEqual(
            read.map { $0["msgid"]?.stringValue ?? "" },
            read.sorted {
                ($0["ref_date"]?.dayValue ?? P.floor, $0["msgid"]?.stringValue ?? "") < ($1["ref_date"]?.dayValue ?? P.floor, $1["msgid"]?.stringValue ?? "")
            }.map { $0["msgid"]?.stringValue ?? "" }, "published_read ordered by ref_date, msgid")

        // read_source: every list in long form, `all` included; a scene text nobody listed is `unknown`, kept as sent.
        let source = try P.rows(datasets, .read_source)
        let byEndpoint = Dictionary(grouping: source) { $0["endpoint"]?.stringValue ?? "" }
        XCTAssertEqual(byEndpoint["getarticletotaldetail"]?.count, total.count * 8)
        XCTAssertEqual(byEndpoint["getarticleread"]?.count, read.count * 8)
        let unknownDays = DateRange(from: from, to: to).days.filter { $0.daysSinceEpoch % 5 == 0 }.count
        XCTAssertEqual(byEndpoint["getbizsummary"]?.count, biz.count * 8 + unknownDays)
        let unknown = source.filter { $0["scene"] == .string("unknown") }
        XCTAssertEqual(unknown.count, unknownDays)
        XCTAssertTrue(unknown.allSatisfy { $0["scene_desc"] == .string("视频号") && $0["msgid"] == .null && $0["stat_date"] == .null })
        for row in total {
            let all = source.first {
                $0["endpoint"] == .string("getarticletotaldetail") && $0["msgid"] == row["msgid"]
                    && $0["stat_date"] == row["stat_date"] && $0["scene"] == .string("all")
            }
            XCTAssertEqual(all?["user_count"], row["read_user"])
            XCTAssertEqual(all?["scene_desc"], .string("全部"))
        }
        XCTAssertEqual(
            source.map { $0["endpoint"]?.stringValue ?? "" }.reduce(into: [String]()) { if $0.last != $1 { $0.append($1) } },
            ["getarticletotaldetail", "getarticleread", "getbizsummary"])
    }

    func testIsDelayDaysAreRefetchedUntilWeChatSettlesThem() async throws {
        let clock = SandboxTestClock(day: P.today, hour: 9)
        let server = try await SandboxServer.start(SandboxConfiguration(seed: 4, accounts: 1, now: clock.closure))
        let endpoints: [Endpoint] = [.getarticleread, .getbizsummary, .getarticletotaldetail]
        let spec = P.spec(server.accounts, endpoints: endpoints, store: path("d.sqlite"), refetchDays: 0)
        let from = P.day("2026-01-12"), to = P.yesterday
        let first = await P.run(spec, sandbox: server, from: from, to: to, now: clock.now)
        XCTAssertEqual(first.status, .complete, first.messages.joined(separator: "\n"))

        func unsettled(_ e: Endpoint) throws -> [Day] {
            guard let store = try RawStore.openReadOnly(path: path("d.sqlite")) else { return [] }
            return try store.unsettledDays(
                storeKey: server.accounts[0].appid, endpoint: e,
                in: DateRange(from: P.floor, to: to)
            ).sorted()
        }
        XCTAssertEqual(try unsettled(.getarticleread), [to])
        XCTAssertEqual(try unsettled(.getbizsummary), DateRange(from: from, to: to).days, "the whole window's answer was delayed")
        // Publish days whose items still have a detail dated yesterday.
        XCTAssertEqual(try unsettled(.getarticletotaldetail), DateRange(from: to.adding(days: -29), to: to).days)
        guard let store1 = try RawStore.openReadOnly(path: path("d.sqlite")) else { return XCTFail("no store") }
        let rows = try P.rows(PipelineDatasets(spec: spec, range: DateRange(from: from, to: to), store: store1), .published_read)
        XCTAssertTrue(rows.filter { $0["ref_date"] == .date(to) }.allSatisfy { $0["is_delay"] == .bool(true) })
        XCTAssertTrue(rows.filter { $0["ref_date"] == .date(from) }.allSatisfy { $0["is_delay"] == .bool(false) })

        // plan: the delayed windows are pending with their reason, although refetch_days is 0.
        clock.advance(seconds: 1800)
        let plan = try Planner(spec: spec).plan(range: DateRange(from: from, to: to), now: clock.now, coverage: store1)
        let pending = plan.pending
        XCTAssertEqual(pending.count, 1 + 1 + 30, "\(pending)")
        XCTAssertTrue(pending.allSatisfy { $0.reason == .isDelay }, "\(pending)")
        XCTAssertEqual(pending.filter { $0.endpoint == .getarticletotaldetail }.map(\.begin).min(), to.adding(days: -29))

        // Still before 10:00: fetched again, still delayed.
        let before = server.stats().requestLog.count
        let second = await P.run(spec, sandbox: server, from: from, to: to, now: clock.now)
        XCTAssertEqual(second.status, .complete)
        XCTAssertEqual(server.stats().requestLog.count - before, 32)
        XCTAssertEqual(try unsettled(.getarticleread), [to])

        // After 10:00 WeChat answers false: settled, and the next run fetches nothing.
        clock.advance(seconds: 2 * 3600)
        let third = await P.run(spec, sandbox: server, from: from, to: to, now: clock.now)
        XCTAssertEqual(third.status, .complete)
        XCTAssertEqual(try unsettled(.getarticleread), [])
        XCTAssertEqual(try unsettled(.getbizsummary), [])
        XCTAssertEqual(try unsettled(.getarticletotaldetail), [])
        guard let store3 = try RawStore.openReadOnly(path: path("d.sqlite")) else { return XCTFail("no store") }
        let settledRows = try P.rows(PipelineDatasets(spec: spec, range: DateRange(from: from, to: to), store: store3), .published_read)
        XCTAssertTrue(settledRows.allSatisfy { $0["is_delay"] == .bool(false) })
        let afterThird = server.stats().requestLog.count
        clock.advance(seconds: 1800)
        let fourth = await P.run(spec, sandbox: server, from: from, to: to, now: clock.now)
        XCTAssertEqual(fourth.status, .complete)
        XCTAssertEqual(server.stats().requestLog.count, afterThird, "settled days are not fetched again")
        await server.stop()
    }

    func testTrackedPublishDaysAreFetchedAgainUntilTheirAnswerReachesTheRangesEnd() async throws {
        let clock = SandboxTestClock(day: P.today.adding(days: -1), hour: 12)
        let server = try await SandboxServer.start(SandboxConfiguration(seed: 8, accounts: 1, delayUntilHour: 0, now: clock.closure))
        let spec = P.spec(server.accounts, endpoints: [.getarticletotaldetail], store: path("t.sqlite"), refetchDays: 0)
        let from = P.day("2026-01-10")
        let first = await P.run(spec, sandbox: server, from: from, to: P.day("2026-01-13"), now: clock.now)
        XCTAssertEqual(first.status, .complete, first.messages.joined(separator: "\n"))

        // The next day: publish days whose items still grow on the new `to` are due again.
        clock.advance(seconds: 24 * 3600)
        let to = P.yesterday
        guard let store = try RawStore.openReadOnly(path: path("t.sqlite")) else { return XCTFail("no store") }
        let plan = try Planner(spec: spec).plan(range: DateRange(from: from, to: to), now: clock.now, coverage: store)
        XCTAssertEqual(plan.pending.filter { $0.reason == .tracking }.map(\.begin), DateRange(from: to.adding(days: -29), to: to.adding(days: -1)).days)
        XCTAssertEqual(plan.pending.filter { $0.reason == .notStored }.map(\.begin), [to])
        XCTAssertTrue(plan.calls.filter(\.cached).allSatisfy { $0.end < to.adding(days: -29) }, "days whose 30 days ended before are cached")

        let second = await P.run(spec, sandbox: server, from: from, to: to, now: clock.now)
        XCTAssertEqual(second.status, .complete)
        guard let store2 = try RawStore.openReadOnly(path: path("t.sqlite")) else { return XCTFail("no store") }
        let rows = try P.rows(PipelineDatasets(spec: spec, range: DateRange(from: from, to: to), store: store2), .published_total)
        let g = SandboxDataGenerator(seed: 8)
        var expected = 0
        for publish in DateRange(from: from.adding(days: -29), to: to).days {
            for item in g.publishedItems(appid: server.accounts[0].appid, publishDay: publish, yesterday: to) {
                expected += item.details.filter { $0.statDate >= from }.count
            }
        }
        XCTAssertEqual(rows.count, expected, "every item has its row for the new last day")
        XCTAssertGreaterThan(rows.filter { $0["stat_date"] == .date(to) && ($0["day_offset"]?.intValue ?? 0) > 0 }.count, 0)
        // A third run the same day fetches nothing.
        let before = server.stats().requestLog.count
        let third = await P.run(spec, sandbox: server, from: from, to: to, now: clock.now)
        XCTAssertEqual(third.status, .complete)
        XCTAssertEqual(server.stats().requestLog.count, before)
        await server.stop()
    }

    private func withdrawnRun(_ mode: OnUnavailable, out: String) async throws -> (RunResult, [SandboxRequestRecord]) {
        let faults = try SandboxFaults(parsing: "withdraw:getarticletotal")
        let server = try await SandboxServer.start(
            SandboxConfiguration(
                seed: 6, accounts: 1, faults: faults, delayUntilHour: 0,
                now: { P.at(hour: 12) }))
        let spec = P.spec(
            server.accounts, endpoints: [.getarticletotal, .getarticleread], store: path("\(mode).sqlite"),
            onUnavailable: mode,
            stages: [.flatten(FlattenStageSpec())],
            outputs: [OutputSpec(datasets: [.article_total, .published_read], format: .csv, path: "{dataset}.csv")])
        let result = await P.run(spec, sandbox: server, from: P.day("2026-01-10"), to: P.yesterday, now: P.at(hour: 12), out: out)
        let log = server.stats().requestLog
        await server.stop()
        return (result, log)
    }

    /// 11 getarticletotal windows planned (5 days + 6 look-back): only those already in
    /// flight (concurrency 4) when the first refusal came back were sent, each once.
    private func assertRefusedWithoutRetry(_ log: [SandboxRequestRecord], file: StaticString = #filePath, line: UInt = #line) {
        let refused = log.filter { $0.endpoint == "getarticletotal" }
        XCTAssertGreaterThanOrEqual(refused.count, 1, file: file, line: line)
        XCTAssertLessThanOrEqual(refused.count, 4, "no further call after the refusal", file: file, line: line)
        XCTAssertEqual(Set(refused.map { $0.begin ?? "" }).count, refused.count, "no retry", file: file, line: line)
    }

    func testOnUnavailableFailExitsOneAndNamesTheReplacement() async throws {
        let out = path("fail-out")
        let (result, log) = try await withdrawnRun(.fail, out: out)
        XCTAssertEqual(result.status, .failed)
        XCTAssertEqual(result.exitCode, 1)
        let text = result.messages.joined(separator: "\n")
        XCTAssertTrue(text.contains("47009") && text.contains("getarticletotaldetail"), text)
        XCTAssertTrue(text.contains("nothing was exported"), text)
        XCTAssertFalse(FileManager.default.fileExists(atPath: out + "/manifest.json"))
        assertRefusedWithoutRetry(log)
        XCTAssertEqual(log.filter { $0.endpoint == "getarticleread" }.count, 5, "the rest is still fetched and kept")
        XCTAssertTrue(result.summary.lines.contains { $0.hasPrefix("unavailable: account acct1 getarticletotal (47009") }, "\(result.summary.lines)")
    }

    func testOnUnavailableSkipExportsTheRestAndListsItInManifestAndSummary() async throws {
        let out = path("skip-out")
        let (result, log) = try await withdrawnRun(.skip, out: out)
        XCTAssertEqual(result.status, .complete, result.messages.joined(separator: "\n"))
        XCTAssertEqual(result.exitCode, 0)
        assertRefusedWithoutRetry(log)
        XCTAssertTrue(
            result.messages.contains { $0.hasPrefix("warning: unavailable: account acct1 getarticletotal (47009") }, result.messages.joined(separator: "\n"))
        XCTAssertTrue(
            result.summary.lines.contains {
                $0.contains("unavailable: account acct1 getarticletotal (47009") && $0.contains("replacement: getarticletotaldetail")
            },
            "\(result.summary.lines)")
        let manifest = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: out + "/manifest.json"))) as? [String: Any]
        let unavailable = manifest?["unavailable"] as? [[String: Any]]
        XCTAssertEqual(unavailable?.count, 1)
        XCTAssertEqual(unavailable?.first?["account"] as? String, "acct1")
        XCTAssertEqual(unavailable?.first?["endpoint"] as? String, "getarticletotal")
        XCTAssertEqual(unavailable?.first?["errcode"] as? Int, 47009)
        XCTAssertEqual(unavailable?.first?["replacement"] as? String, "getarticletotaldetail")
        XCTAssertFalse((unavailable?.first?["errmsg"] as? String ?? "").isEmpty)
        let files = manifest?["files"] as? [[String: Any]] ?? []
        let rows = Dictionary(uniqueKeysWithValues: files.map { (($0["datasets"] as? [String])?.first ?? "", $0["rows"] as? Int ?? -1) })
        XCTAssertEqual(rows["article_total"], 0, "the refused endpoint's dataset lacks this account's rows")
        XCTAssertGreaterThan(rows["published_read"] ?? 0, 0)
        let header = try String(contentsOfFile: out + "/article_total.csv", encoding: .utf8)
        XCTAssertTrue(header.hasPrefix("account,ref_date,stat_date"))
    }
}
