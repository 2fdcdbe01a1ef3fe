import Foundation
import XCTest

@testable import WXCube

/// Hand-made answers for the edge cases of the datasets (missing days, nulls, duplicates), through the shipped stages.
final class TransformStageTests: XCTestCase {
    /// A detail with the eight core metrics only (the per-source ones are missing: null).
    private func detail(_ stat: String, target: Int?, _ m: [Int]) -> String {
        let names = Datasets.coreMetrics.map(\.name)
        var fields = ["\"stat_date\": \"\(stat)\""]
        if let target { fields.append("\"target_user\": \(target)") }
        for (n, v) in zip(names, m) { fields.append("\"\(n)\": \(v)") }
        return "{" + fields.joined(separator: ", ") + "}"
    }

    private func article(_ ref: String, _ msgid: String, _ title: String, details: [String]) -> String {
        """
        {"ref_date": "\(ref)", "msgid": "\(msgid)", "title": "\(title)", "user_source": 0, "url": "u/\(msgid)",
         "some_new_field": {"x": 1}, "details": [\(details.joined(separator: ","))]}
        """
    }

    private func summaryRow(_ ref: String, _ msgid: String, _ title: String, _ m: [Int]) -> String {
        let names = Datasets.coreMetrics.map(\.name)
        let metrics = zip(names, m).map { "\"\($0)\": \($1)" }.joined(separator: ", ")
        return "{\"ref_date\": \"\(ref)\", \"user_source\": 0, \"msgid\": \"\(msgid)\", \"title\": \"\(title)\", \(metrics)}"
    }

    private let from = day("2024-03-10"), to = day("2024-03-11")

    /// 100_1 sent 6 days before `from`; 200 (no `_index`) sent on `from` with a missing target_user,
    /// then target_user 0 and a cumulative drop; 300_2 sent on `to` with 0 readers.
    private func store() -> FakeRawStore {
        var s = FakeRawStore()
        let early = (4...10).map { d -> String in
            let v = d - 3 // cumulative 1, 2, ..., 7
            return detail(String(format: "2024-03-%02d", d), target: 50, [v, v * 2, 0, 0, 0, 0, 0, 0])
        }
        s.put(
            "wxA", .getarticletotal, from: day("2024-03-04"),
            json: "{\"list\": [\(article("2024-03-04", "100_1", "Early, \\\"quoted\\\"", details: early))]}")
        for d in 5...9 { s.put("wxA", .getarticletotal, from: day(String(format: "2024-03-%02d", d)), json: "{\"list\": []}") }
        let noIndex = article(
            "2024-03-10", "200", "No index",
            details: [
                detail("2024-03-11", target: 0, [4, 5, 1, 1, 0, 0, 0, 0]),
                detail("2024-03-10", target: nil, [1, 9, 1, 1, 0, 0, 0, 0]),
            ])
        s.put("wxA", .getarticletotal, from: day("2024-03-10"), json: "{\"list\": [\(noIndex)]}")
        s.put(
            "wxA", .getarticletotal, from: day("2024-03-11"),
            json: """
                {"list": [\(article("2024-03-11", "300_2", "Zero", details: [detail("2024-03-11", target: 80, [0, 0, 0, 0, 2, 2, 0, 0])]))]}
                """)
        // 03-10: 200 with sum 1 + 0 + 0 + 0 + 0 = 1 (inconsistent); 999_1 not in article_total;
        // 100_1 (live on 03-10) omitted.
        s.put(
            "wxA", .getarticlesummary, from: day("2024-03-10"),
            json: """
                {"list": [\(summaryRow("2024-03-10", "999_1", "Elsewhere", [2, 3, 0, 0, 1, 2, 0, 0])),
                          \(summaryRow("2024-03-10", "200", "No index", [1, 9, 0, 0, 0, 0, 0, 0]))]}
                """)
        // 03-11: 300_2 reported; 200 omitted. 100_1 is no longer live (its details end on 03-10).
        s.put(
            "wxA", .getarticlesummary, from: day("2024-03-11"),
            json: """
                {"list": [\(summaryRow("2024-03-11", "300_2", "Zero", [0, 0, 0, 0, 2, 2, 0, 0]))]}
                """)
        return s
    }

    private func datasets(_ spec: PipelineSpec? = nil) -> PipelineDatasets {
        PipelineDatasets(spec: spec ?? shippedSpec(accounts: [account("main", "wxA")]), range: DateRange(from: from, to: to), store: store())
    }

    func testArticleSummaryAnnotation() throws {
        let rows = try datasets().stream(.article_summary, account: nil).collect()
        let a = Value.string("main"), d10 = Value.date(from), d11 = Value.date(to)
        let nulls8 = Row(repeating: .null, count: 8)
        XCTAssertEqual(
            rows,
            [
                // Live since 6 days before `from`, no summary row on 03-10.
                [a, d10, .string("100_1"), .string("100"), .int(1), .string("Early, \"quoted\""), .int(0)] + nulls8 + [.null, .string("below_threshold")],
                [
                    a, d10, .string("200"), .string("200"), .null, .string("No index"), .int(0),
                    .int(1), .int(9), .int(0), .int(0), .int(0), .int(0), .int(0), .int(0), .int(1), .string("inconsistent"),
                ],
                [
                    a, d10, .string("999_1"), .string("999"), .int(1), .string("Elsewhere"), .int(0),
                    .int(2), .int(3), .int(0), .int(0), .int(1), .int(2), .int(0), .int(0), .int(5), .string("reported"),
                ],
                [a, d11, .string("200"), .string("200"), .null, .string("No index"), .int(0)] + nulls8 + [.null, .string("below_threshold")],
                [
                    a, d11, .string("300_2"), .string("300"), .int(2), .string("Zero"), .int(0),
                    .int(0), .int(0), .int(0), .int(0), .int(2), .int(2), .int(0), .int(0), .int(4), .string("reported"),
                ],
            ])
    }

    func testMinSumIsConfigurableAndCaveatSaysSo() throws {
        let ds = datasets(shippedSpec(accounts: [account("main", "wxA")], minSum: 5))
        let status = try ds.stream(.article_summary, account: nil).collect().map { $0[16] }
        XCTAssertEqual(status, ["below_threshold", "inconsistent", "reported", "below_threshold", "inconsistent"].map(Value.string))
        XCTAssertTrue(ds.thresholdCaveat.contains("threshold_sum >= 5"))
        XCTAssertTrue(ds.thresholdCaveat.contains(">= 3"))
        XCTAssertEqual(AnnotateThresholdStage.thresholdCaveat(minSum: 3), datasets().thresholdCaveat)
    }

    func testArticleTotalEdgeCases() throws {
        let rows = try datasets().stream(.article_total, account: nil).collect()
        let a = Value.string("main")
        let nulls20 = Row(repeating: .null, count: 20)
        func ints(_ v: [Int]) -> Row { v.map(Value.int) }
        XCTAssertEqual(
            rows,
            [
                // Sent 6 days before `from`: only its 03-10 detail is in range; the increment uses 03-09.
                [
                    a, .date(day("2024-03-04")), .date(from), .int(6), .string("100_1"), .string("100"), .int(1), .string("Early, \"quoted\""),
                    .string("u/100_1"), .int(0), .int(50),
                ] + ints([7, 14, 0, 0, 0, 0, 0, 0]) + nulls20
                    + [.float(7.0 / 50.0), .float(0), .float(0), .float(0)] + ints([1, 2, 0, 0]) + [.string("")],
                // No `_index`; target_user missing: read_rate null. Details arrive unordered.
                [
                    a, .date(from), .date(from), .int(0), .string("200"), .string("200"), .null, .string("No index"),
                    .string("u/200"), .int(0), .null,
                ] + ints([1, 9, 1, 1, 0, 0, 0, 0]) + nulls20
                    + [.null, .float(0), .float(0), .float(1)] + ints([1, 9, 0, 0]) + [.string("")],
                // target_user 0: read_rate null. int_page_read_count drops 9 -> 5: negative increment, non_monotonic.
                [
                    a, .date(from), .date(to), .int(1), .string("200"), .string("200"), .null, .string("No index"),
                    .string("u/200"), .int(0), .int(0),
                ] + ints([4, 5, 1, 1, 0, 0, 0, 0]) + nulls20
                    + [.null, .float(0), .float(0), .float(0.25)] + ints([3, -4, 0, 0]) + [.string("non_monotonic")],
                // int_page_read_user 0: every rate over it is null.
                [
                    a, .date(to), .date(to), .int(0), .string("300_2"), .string("300"), .int(2), .string("Zero"),
                    .string("u/300_2"), .int(0), .int(80),
                ] + ints([0, 0, 0, 0, 2, 2, 0, 0]) + nulls20
                    + [.float(0), .null, .null, .null] + ints([0, 0, 2, 0]) + [.string("")],
            ])
    }

    func testWithoutAnnotateSummaryHasNoThresholdColumns() throws {
        let ds = datasets(shippedSpec(accounts: [account("main", "wxA")], annotate: false))
        let stream = try ds.stream(.article_summary, account: nil)
        XCTAssertEqual(stream.schema.names, Datasets.baseSchema(.article_summary).names)
        XCTAssertEqual(try stream.collect().map { $0[2] }, ["200", "999_1", "300_2"].map(Value.string))
    }

    func testArticleTotalNeedsFlatten() throws {
        var spec = shippedSpec(accounts: [account("main", "wxA")])
        spec.stages = [.fetch(FetchStageSpec(endpoints: [.getarticlesummary, .getarticletotal]))]
        let ds = datasets(spec)
        XCTAssertEqual(ds.datasets, [.article_summary])
        XCTAssertThrowsError(try ds.stream(.article_total, account: nil)) { error in
            XCTAssertEqual(error as? TransformError, .datasetNotFetched(.article_total))
        }
        spec.stages.append(.annotateThreshold(AnnotateThresholdStageSpec()))
        spec.stages[0] = .fetch(FetchStageSpec(endpoints: [.getarticlesummary]))
        XCTAssertThrowsError(try datasets(spec).stream(.article_summary, account: nil)) { error in
            XCTAssertEqual(error as? TransformError, .stageNeedsEndpoint(stage: "annotate_threshold", endpoint: .getarticletotal))
        }
    }

    func testDeriveRejectsUnknownColumn() throws {
        var spec = shippedSpec(accounts: [account("main", "wxA")])
        spec.stages.append(.derive(DeriveStageSpec(metrics: [RatioSpec(name: "x", numerator: "nope", denominator: "target_user")], daily: [])))
        XCTAssertThrowsError(try datasets(spec).validate()) { error in
            XCTAssertEqual(error as? TransformError, .missingColumn(stage: "derive", dataset: .article_total, column: "nope"))
        }
    }

    func testAccountsAreOrderedByNameAndFiltered() throws {
        var s = FakeRawStore()
        let body =
            #"{"list": [{"ref_date": "2024-03-10", "share_scene": 5, "share_count": 2, "share_user": 1},"#
            + #" {"ref_date": "2024-03-10", "share_scene": 1, "share_count": 3}]}"#
        s.put("wxB", .getusershare, from: from, json: body)
        s.put("wxA", .getusershare, from: from, json: body)
        let spec = shippedSpec(accounts: [account("zeta", "wxA"), account("alpha", "wxB")], endpoints: [.getusershare])
        let ds = PipelineDatasets(spec: spec, range: DateRange(from: from, to: to), store: s)
        XCTAssertEqual(ds.datasets, [.user_share])
        let rows = try ds.stream(.user_share, account: nil).collect()
        let d = Value.date(from)
        XCTAssertEqual(
            rows,
            [
                [.string("alpha"), d, .int(1), .string("friends"), .int(3), .null],
                [.string("alpha"), d, .int(5), .string("unknown"), .int(2), .int(1)],
                [.string("zeta"), d, .int(1), .string("friends"), .int(3), .null],
                [.string("zeta"), d, .int(5), .string("unknown"), .int(2), .int(1)],
            ])
        XCTAssertEqual(try ds.stream(.user_share, account: "zeta").collect().count, 2)
        XCTAssertThrowsError(try ds.stream(.user_share, account: "nobody"))
    }

    func testLenientParsing() throws {
        let body = Data(
            #"{"list": [{"msgid": 12003, "ref_date": "2024-03-10", "int_page_read_user": "7", "share_user": 2.0, "share_count": null, "x": [1]}, 5]}"#.utf8)
        let parsed = try DatacubeList<ArticleSummaryItem>.decode(body)
        XCTAssertEqual(parsed.list?.count, 1)
        let item = try XCTUnwrap(parsed.list?.first)
        XCTAssertEqual(item.msgid, "12003")
        XCTAssertEqual(item.metrics, [7, nil, nil, nil, 2, nil, nil, nil])
        let error = try DatacubeList<UserReadItem>.decode(Data(#"{"errcode": 61501, "errmsg": "date range error"}"#.utf8))
        XCTAssertNil(error.list)
        XCTAssertEqual(error.errcode, 61501)
        XCTAssertEqual(try DatacubeList<UserShareItem>.decode(Data(#"{"list": []}"#.utf8)).list, [])
    }

    func testHourlyRowsAreOrderedByHourThenSource() throws {
        var s = FakeRawStore()
        s.put(
            "wxA", .getuserreadhour, from: from,
            json: """
                {"list": [{"ref_date": "2024-03-10", "ref_hour": 1300, "user_source": 99999999, "int_page_read_user": 1},
                          {"ref_date": "2024-03-10", "ref_hour": 0, "user_source": 12, "int_page_read_user": 2},
                          {"ref_date": "2024-03-10", "ref_hour": 1300, "user_source": 0, "int_page_read_user": 3}]}
                """)
        let ds = PipelineDatasets(
            spec: shippedSpec(accounts: [account("main", "wxA")], endpoints: [.getuserreadhour]),
            range: DateRange(from: from, to: to), store: s)
        let rows = try ds.stream(.user_read_hour, account: nil).collect()
        XCTAssertEqual(
            rows.map { Array($0[2...6]) },
            [
                [.int(0), .int(0), .int(12), .string("unknown"), .int(2)],
                [.int(1300), .int(13), .int(0), .string("session"), .int(3)],
                [.int(1300), .int(13), .int(99999999), .string("all"), .int(1)],
            ])
        XCTAssertEqual(rows[0][7], .null) // missing metric: null, never 0
    }
}
