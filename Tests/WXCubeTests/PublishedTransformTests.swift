import Foundation
import WXCubeSandbox
import XCTest

@testable import WXCube

/// Lenient decoding of the published-content answers, and the old/new agreement:
/// one simulated world behind both API families.
final class PublishedTransformTests: XCTestCase {
    typealias P = PublishedSupport

    private func datasets(_ bodies: [String: String], endpoints: [Endpoint] = P.endpoints, from: String, to: String) -> PipelineDatasets {
        let spec = P.spec([SandboxAccount(index: 1)], endpoints: endpoints, store: "/nonexistent.sqlite")
        return PipelineDatasets(spec: spec, range: DateRange(from: P.day(from), to: P.day(to)), store: FixedBodiesStore(bodies: bodies))
    }

    func testDuplicateAndMissingFieldsAreReadLeniently() throws {
        let total = """
            {"list":[
              {"ref_date":"2025-12-01","msgid":"100_1","publish_type":1,"title":"t","detail_list":[
                {"stat_date":"2025-12-01","read_user":5,
                 "read_user_source":[{"user_count":5,"scene_desc":"全部"},{"user_count":3,"scene_desc":"公众号消息"},
                                     {"user_count":9,"scene_desc":"公众号消息"},{"scene_desc":"朋友圈"},{"user_count":4},7,
                                     {"user_count":1,"scene_desc":"小程序"}],
                 "praise_money":"120","read_finish_rate":0.5,
                 "read_jump_position":[{"position":1,"rate":0.1},{"position":1,"rate":0.9},{"position":9,"rate":0.5},{"rate":0.2}]},
                {"stat_date":"2025-12-01","read_user":999},
                {"stat_date":"2025-12-02","read_user":6,"share_user":null,"zaikan_user":"x"},
                {"read_user":7}
              ]},
              {"ref_date":"2025-12-01","msgid":"100_1","detail_list":[{"stat_date":"2025-12-03","read_user":1}]},
              {"ref_date":"2025-12-01","msgid":"100_2"},
              {"ref_date":"2025-12-01","detail_list":[{"stat_date":"2025-12-01","read_user":1}]}
            ],"is_delay":false}
            """
        let read = """
            {"list":[
              {"ref_date":"2025-12-02","msgid":"100_1","detail":{"read_user":2,"read_user_source":[{"user_count":2,"scene_desc":"推荐"}]}},
              {"ref_date":"2025-12-02","msgid":"100_1","detail":{"read_user":50}},
              {"ref_date":"2025-12-02","msgid":"100_2"},
              {"ref_date":"2025-12-02","msgid":"100_3","detail":{"read_user_source":"oops"}}
            ]}
            """
        let biz =
            #"{"list":[{"ref_date":"2025-12-02","detail":{"read_user":8,"like_user":1.0,"send_page_count":"2"}},{"ref_date":"2025-12-02","detail":{"read_user":80}}],"is_delay":true}"#
        let share =
            #"{"list":[{"ref_date":"2025-12-02","msgid":"100_1","detail":{}},{"ref_date":"2025-12-02","msgid":"100_2","detail":{"share_user":3}}],"is_delay":false}"#
        let d = datasets(
            [
                FixedBodiesStore.key(.getarticletotaldetail, "2025-12-01"): total,
                FixedBodiesStore.key(.getarticleread, "2025-12-02"): read,
                FixedBodiesStore.key(.getbizsummary, "2025-12-02"): biz,
                FixedBodiesStore.key(.getarticleshare, "2025-12-02"): share,
            ], from: "2025-12-01", to: "2025-12-02")

        let rows = try P.rows(d, .published_total)
        // The first item of a repeated msgid, the first entry of a repeated stat_date; entries without a date dropped.
        XCTAssertEqual(
            rows.map { "\($0["msgid"]?.stringValue ?? "") \($0["stat_date"]?.dayValue?.iso ?? "")" },
            ["100_1 2025-12-01", "100_1 2025-12-02"])
        let first = rows[0]
        XCTAssertEqual(first["read_user"], .int(5))
        XCTAssertEqual(first["read_user_oa_message"], .int(3), "the first of a repeated scene")
        XCTAssertEqual(first["read_user_moments"], .null, "listed without user_count: null, never 0")
        XCTAssertEqual(first["read_user_chat"], .null, "not listed: null")
        XCTAssertEqual(first["share_user"], .null, "missing: null, never 0")
        XCTAssertEqual(first["praise_money"], .int(120), "a number sent as text is read")
        XCTAssertEqual(first["read_finish_rate"], .float(0.5))
        XCTAssertEqual(first["read_delivery_rate"], .null)
        XCTAssertEqual(first["read_jump_rate_1"], .float(0.1), "the first rate of a repeated position")
        XCTAssertEqual(first["read_jump_rate_2"], .null)
        XCTAssertEqual(first["publish_type"], .int(1))
        XCTAssertEqual(first["publish_type_name"], .string("not_notified"))
        XCTAssertEqual(first["content_url"], .null)
        let second = rows[1]
        XCTAssertEqual(second["read_user_oa_message"], .null, "no read_user_source at all: every scene null")
        XCTAssertEqual(second["share_user"], .null)
        XCTAssertEqual(second["zaikan_user"], .null, "not a number: null")
        XCTAssertEqual(second["read_user_daily"], .int(1))

        let readRows = try P.rows(d, .published_read)
        XCTAssertEqual(readRows.map { $0["msgid"]?.stringValue ?? "" }, ["100_1", "100_2", "100_3"])
        XCTAssertEqual(readRows[0]["read_user"], .int(2))
        XCTAssertEqual(readRows[0]["read_user_recommend"], .int(2))
        XCTAssertEqual(readRows[0]["read_user_search"], .null)
        XCTAssertEqual(readRows[1]["read_user"], .null, "no detail: null")
        XCTAssertEqual(readRows[2]["read_user_oa_message"], .null)
        XCTAssertEqual(readRows[0]["is_delay"], .null, "an answer without is_delay")

        let bizRows = try P.rows(d, .biz_summary)
        XCTAssertEqual(bizRows.count, 1, "one entry per day: the first")
        XCTAssertEqual(bizRows[0]["read_user"], .int(8))
        XCTAssertEqual(bizRows[0]["like_user"], .int(1))
        XCTAssertEqual(bizRows[0]["send_page_count"], .int(2))
        XCTAssertEqual(bizRows[0]["share_user"], .null)
        XCTAssertEqual(bizRows[0]["is_delay"], .bool(true))

        let shareRows = try P.rows(d, .published_share)
        XCTAssertEqual(shareRows.map { $0["share_user"] }, [.null, .int(3)])

        let source = try P.rows(d, .read_source)
        let fromTotal = source.filter { $0["endpoint"] == .string("getarticletotaldetail") }
        XCTAssertEqual(
            fromTotal.map {
                "\($0["scene"]?.stringValue ?? "") \($0["scene_desc"]?.stringValue ?? "") \($0["user_count"]?.intValue.map(String.init) ?? "null")"
            },
            ["all 全部 5", "oa_message 公众号消息 3", "moments 朋友圈 null", "unknown 小程序 1"])
        XCTAssertTrue(fromTotal.allSatisfy { $0["stat_date"] == .date(P.day("2025-12-01")) && $0["msgid"] == .string("100_1") })
        XCTAssertEqual(source.filter { $0["endpoint"] == .string("getarticleread") }.count, 1)
    }

    func testFetchReadsIsDelayFromTheAnswer() {
        let d = P.day("2025-12-01")
        XCTAssertEqual(
            DatacubeAnswerReader.read(Data(#"{"list":[{"ref_date":"2025-12-01"}],"is_delay":true}"#.utf8), begin: d, end: d),
            .rows(rowCounts: [d: 1], dropped: [], isDelay: true))
        XCTAssertEqual(
            DatacubeAnswerReader.read(Data(#"{"is_delay":false,"list":[]}"#.utf8), begin: d, end: d),
            .rows(rowCounts: [d: 0], dropped: [], isDelay: false))
        XCTAssertEqual(
            DatacubeAnswerReader.read(Data(#"{"list":[],"is_delay":"yes"}"#.utf8), begin: d, end: d),
            .rows(rowCounts: [d: 0], dropped: [], isDelay: nil))
        XCTAssertEqual(
            DatacubeAnswerReader.read(Data(#"{"errcode":48004,"errmsg":"api forbidden"}"#.utf8), begin: d, end: d),
            .apiError(code: 48004, message: "api forbidden"))
        XCTAssertEqual(EndpointRegistry.unavailableCodes, [48001, 48004, 47009])
    }

    /// Where both API families measure the same thing, their numbers agree for
    /// every day from 2025-11-01 on (the columns are listed in docs/sandbox.md).
    func testLegacyAndPublishedFiguresAgreeWhereBothMeasureTheSameThing() throws {
        let yesterday = P.yesterday
        let reader = SandboxStoreReader(generator: SandboxDataGenerator(seed: 21), yesterday: yesterday)
        let spec = PipelineSpec(
            name: "both",
            accounts: [1, 2].map { i in
                let a = SandboxAccount(index: i)
                return AccountSpec(name: "acct\(i)", appid: a.appid, credential: .secret(Secret(a.secret)))
            },
            stages: [
                .fetch(FetchStageSpec(endpoints: Endpoint.allCases)),
                .flatten(FlattenStageSpec()),
                P.flattenPublished,
                .annotateThreshold(AnnotateThresholdStageSpec()),
            ],
            outputs: [])
        let d = PipelineDatasets(spec: spec, range: DateRange(from: P.floor, to: yesterday), store: reader)
        func key(_ r: [String: Value], _ cols: String...) -> String { cols.map { "\(r[$0] ?? .null)" }.joined(separator: "|") }

        // published_total vs article_total: per (account, msgid, stat_date) over the legacy 7 days.
        let pairs: [(String, String)] = [
            ("read_user", "int_page_read_user"), ("share_user", "share_user"), ("collection_user", "add_to_fav_user"),
            ("read_user_oa_message", "int_page_from_session_read_user"), ("read_user_chat", "int_page_from_friends_read_user"),
            ("read_user_moments", "int_page_from_feed_read_user"), ("read_user_profile", "int_page_from_hist_msg_read_user"),
            ("read_user_recommend", "int_page_from_kanyikan_read_user"), ("read_user_search", "int_page_from_souyisou_read_user"),
            ("read_user_other", "int_page_from_other_read_user"), ("title", "title"), ("content_url", "url"),
            ("ref_date", "ref_date"), ("day_offset", "day_offset"), ("msg_data_id", "msg_data_id"), ("article_idx", "article_idx"),
        ]
        let published = Dictionary(
            try P.rows(d, .published_total).map { (key($0, "account", "msgid", "stat_date"), $0) },
            uniquingKeysWith: { a, _ in a })
        let legacy = try P.rows(d, .article_total)
        XCTAssertGreaterThan(legacy.count, 300)
        // Items published before 2025-11-01 exist only in the legacy API.
        for old in legacy where (old["ref_date"]?.dayValue ?? P.floor) >= P.floor {
            guard let new = published[key(old, "account", "msgid", "stat_date")] else {
                XCTFail("no published_total row for \(key(old, "account", "msgid", "stat_date"))")
                continue
            }
            for (n, o) in pairs { XCTAssertEqual(new[n], old[o], "\(n) vs \(o) at \(key(old, "account", "msgid", "stat_date"))") }
        }
        // After the legacy 7 days the cumulative figures stay where day 6 left them.
        let lastLegacy = Dictionary(legacy.filter { $0["day_offset"] == .int(6) }.map { (key($0, "account", "msgid"), $0) }, uniquingKeysWith: { a, _ in a })
        var later = 0
        for new in published.values where (new["day_offset"]?.intValue ?? 0) > 6 {
            guard let old = lastLegacy[key(new, "account", "msgid")] else { continue }
            later += 1
            XCTAssertEqual(new["read_user"], old["int_page_read_user"])
        }
        XCTAssertGreaterThan(later, 0)

        // published_read / published_share vs article_summary (the rows WeChat reported).
        let summary = Dictionary(
            try P.rows(d, .article_summary).filter { $0["threshold_status"] == .string("reported") }
                .map { (key($0, "account", "ref_date", "msgid"), $0) }, uniquingKeysWith: { a, _ in a })
        var compared = 0
        for new in try P.rows(d, .published_read) {
            guard let old = summary[key(new, "account", "ref_date", "msgid")] else { continue }
            compared += 1
            XCTAssertEqual(new["read_user"], old["int_page_read_user"])
        }
        XCTAssertGreaterThan(compared, 100)
        let shares = Dictionary(try P.rows(d, .published_share).map { (key($0, "account", "ref_date", "msgid"), $0) }, uniquingKeysWith: { a, _ in a })
        for (k, old) in summary where (old["share_user"]?.intValue ?? 0) > 0 {
            XCTAssertEqual(shares[k]?["share_user"], old["share_user"], k)
        }

        // biz_summary vs user_read's `all` row.
        let all = Dictionary(
            try P.rows(d, .user_read).filter { $0["user_source"] == .int(99999999) }
                .map { (key($0, "account", "ref_date"), $0) }, uniquingKeysWith: { a, _ in a })
        let biz = try P.rows(d, .biz_summary)
        XCTAssertEqual(biz.count, 2 * DateRange(from: P.floor, to: yesterday).dayCount)
        for new in biz {
            guard let old = all[key(new, "account", "ref_date")] else {
                XCTAssertEqual(new["read_user"], .int(0), "no user_read row only on a day without readers")
                continue
            }
            XCTAssertEqual(new["read_user"], old["int_page_read_user"])
            XCTAssertEqual(new["share_user"], old["share_user"])
            XCTAssertEqual(new["collection_user"], old["add_to_fav_user"])
            XCTAssertEqual(new["redirect_ori_page_user"], old["ori_page_read_user"])
        }
    }
}
