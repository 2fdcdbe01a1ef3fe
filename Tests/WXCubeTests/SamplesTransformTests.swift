import Foundation
import XCTest

@testable import WXCube

/// The documentation's three example responses (samples/) through the stages.
final class SamplesTransformTests: XCTestCase {
    private func sample(_ name: String) throws -> Data {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("Fixtures/samples/\(name).json")
        return try Data(contentsOf: url)
    }

    private func store() throws -> FakeRawStore {
        var s = FakeRawStore()
        s.put("wxA", .getarticlesummary, from: day("2019-12-13"), body: try sample("getarticlesummary"))
        s.put("wxA", .getarticletotal, from: day("2019-12-13"), body: try sample("getarticletotal"))
        s.put("wxA", .getuserread, from: day("2019-12-12"), to: day("2019-12-14"), body: try sample("getuserread"))
        return s
    }

    func testSamplesAreStrictJSONAndMatchTheRepositoryCopies() throws {
        let repo = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        for name in ["getarticlesummary", "getarticletotal", "getuserread"] {
            let data = try sample(name)
            XCTAssertNoThrow(try JSONSerialization.jsonObject(with: data), name)
            XCTAssertEqual(data, try Data(contentsOf: repo.appendingPathComponent("samples/\(name).json")), name)
        }
    }

    func testSummarySampleIsAnnotated() throws {
        let ds = PipelineDatasets(
            spec: shippedSpec(accounts: [account("main", "wxA")]),
            range: DateRange(from: day("2019-12-13"), to: day("2019-12-13")), store: try store())
        let stream = try ds.stream(.article_summary, account: nil)
        XCTAssertEqual(stream.schema.names, Datasets.fullSchema(.article_summary).names)
        let d = Value.date(day("2019-12-13"))
        let zeros6: Row = [.int(0), .int(0), .int(0), .int(0), .int(0), .int(0)]
        XCTAssertEqual(
            try stream.collect(),
            [
                [
                    .string("main"), d, .string("2247492953_1"), .string("2247492953"), .int(1), .string("宝宝树孕育、育学园及亲宝宝用户粘性行业领先"),
                    .int(0), .int(3), .int(4),
                ] + zeros6 + [.int(3), .string("reported")],
                // sum 2 < 3: WeChat should not have listed it.
                [
                    .string("main"), d, .string("2247492956_1"), .string("2247492956"), .int(1), .string("智能穿戴市场，小天才电话手表用户规模稳居榜首"),
                    .int(0), .int(2), .int(2),
                ] + zeros6 + [.int(2), .string("inconsistent")],
                // Live in article_total and reported: no below_threshold row.
                [
                    .string("main"), d, .string("2247492959_1"), .string("2247492959"), .int(1), .string("高德地图高居地图导航市场首位"),
                    .int(0), .int(3), .int(3),
                ] + zeros6 + [.int(3), .string("reported")],
            ])
    }

    func testTotalSampleIsFlattenedAndDerived() throws {
        // The sample's details jump from 12-13 to 12-19 (the documentation's `//...`).
        let ds = PipelineDatasets(
            spec: shippedSpec(accounts: [account("main", "wxA")]),
            range: DateRange(from: day("2019-12-13"), to: day("2019-12-19")), store: try store())
        let stream = try ds.stream(.article_total, account: nil)
        XCTAssertEqual(stream.schema.names, Datasets.fullSchema(.article_total).names)
        let head: Row = [
            .string("2247492959_1"), .string("2247492959"), .int(1), .string("高德地图高居地图导航市场首位"),
            .string("https://mp.weixin.qq.com/s?__biz=Mzg4MjE2MjM5Ng==&mid=2247492959&idx=1&sn=a404969ce0387803efdc0d325ac2a494#rd"),
            .int(0), .int(11),
        ]
        // The documentation's details predate the kanyikan and souyisou sources: those four are missing, so null.
        let zeros: Row = Row(repeating: .int(0), count: 16) + Row(repeating: .null, count: 4) + Row(repeating: .int(0), count: 6)
        XCTAssertEqual(
            try stream.collect(),
            [
                [.string("main"), .date(day("2019-12-13")), .date(day("2019-12-13")), .int(0)] + head
                    + [.int(3), .int(3)] + zeros
                    + [.float(3.0 / 11.0), .float(0), .float(0), .float(0), .int(3), .int(3), .int(0), .int(0), .string("")],
                // The previous stat_date (12-18) is missing: no increments.
                [.string("main"), .date(day("2019-12-13")), .date(day("2019-12-19")), .int(6)] + head
                    + [.int(13), .int(13)] + zeros
                    + [.float(13.0 / 11.0), .float(0), .float(0), .float(0), .null, .null, .null, .null, .string("")],
            ])
    }

    func testUserReadSampleSplitsAMultiDayAnswerByDay() throws {
        let ds = PipelineDatasets(
            spec: shippedSpec(accounts: [account("main", "wxA")]),
            range: DateRange(from: day("2019-12-13"), to: day("2019-12-14")), store: try store())
        let zeros6: Row = [.int(0), .int(0), .int(0), .int(0), .int(0), .int(0)]
        XCTAssertEqual(
            try ds.stream(.user_read, account: "main").collect(),
            [
                [.string("main"), .date(day("2019-12-13")), .int(7), .string("souyisou"), .int(9), .int(10)] + zeros6,
                [.string("main"), .date(day("2019-12-14")), .int(7), .string("souyisou"), .int(3), .int(3)] + zeros6,
            ])
        // Datasets not fetched here are empty, not missing.
        XCTAssertEqual(try ds.stream(.user_share_hour, account: nil).collect(), [])
    }
}
