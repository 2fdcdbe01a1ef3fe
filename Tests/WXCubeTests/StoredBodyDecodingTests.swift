import Foundation
import WXCubeSandbox
import XCTest

@testable import WXCube

/// The transform's single-pass decoders of stored bodies against the Codable
/// models (`DatacubeList<Item>.decode`, JSONDecoder), which stay as the oracle.
final class StoredBodyDecodingTests: XCTestCase {
    /// Both throw, or both give the same items.
    private func assertAgrees<Item: SinglePassListItem & Decodable & Equatable>(
        _ type: Item.Type, _ body: Data, _ label: @autoclosure () -> String, file: StaticString = #filePath, line: UInt = #line
    ) {
        let theirs = try? DatacubeList<Item>.decode(body)
        let ours = try? Item.decodeStoredList(body)
        XCTAssertEqual(ours == nil, theirs == nil, "readability of \(label())", file: file, line: line)
        guard let ours, let theirs else { return }
        XCTAssertEqual(ours, theirs.list ?? [], label(), file: file, line: line)
    }

    private func assertAllAgree(_ body: Data, _ label: @autoclosure () -> String, file: StaticString = #filePath, line: UInt = #line) {
        assertAgrees(ArticleSummaryItem.self, body, label(), file: file, line: line)
        assertAgrees(ArticleTotalItem.self, body, label(), file: file, line: line)
        assertAgrees(UserReadItem.self, body, label(), file: file, line: line)
        assertAgrees(UserShareItem.self, body, label(), file: file, line: line)
    }

    func testSandboxBodiesOfEveryEndpointDecodeAsCodableDoes() throws {
        let generator = SandboxDataGenerator(seed: 5)
        let yesterday = Day(iso: "2026-06-14") ?? Day.dataStart
        var items = 0
        for k in 1...3 {
            let appid = SandboxAccount(index: k).appid
            for offset in stride(from: 0, to: 120, by: 7) {
                let begin = yesterday.adding(days: -offset - 6)
                for endpoint in Endpoint.allCases {
                    let end = begin.adding(days: endpoint.maxSpanDays - 1)
                    let body = generator.responseData(endpoint: endpoint, appid: appid, begin: begin, end: end, yesterday: yesterday)
                    assertAllAgree(body, "\(appid) \(endpoint.rawValue) \(begin.iso)")
                    switch endpoint {
                    case .getarticlesummary: items += try ArticleSummaryItem.decodeStoredList(body).count
                    case .getarticletotal: items += try ArticleTotalItem.decodeStoredList(body).reduce(0) { $0 + $1.details.count }
                    case .getuserread, .getuserreadhour: items += try UserReadItem.decodeStoredList(body).count
                    case .getusershare, .getusersharehour: items += try UserShareItem.decodeStoredList(body).count
                    // The published-content endpoints keep their Codable decoders (checked in PublishedTransformTests).
                    case .getarticletotaldetail, .getarticleread, .getarticleshare, .getbizsummary: break
                    }
                }
            }
        }
        XCTAssertGreaterThan(items, 10_000, "the sandbox bodies hold rows")
    }

    func testTheSampleFixturesDecodeAsCodableDoes() throws {
        let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/samples")
        let names = try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { $0.hasSuffix(".json") }
        XCTAssertEqual(names.count, 3)
        for name in names {
            let body = try Data(contentsOf: folder.appendingPathComponent(name))
            assertAllAgree(body, name)
        }
        let total = try Data(contentsOf: folder.appendingPathComponent("getarticletotal.json"))
        XCTAssertFalse(try ArticleTotalItem.decodeStoredList(total).flatMap(\.details).isEmpty)
    }

    func testEveryTruncationOfABodyIsRejectedOrReadAsCodableDoes() {
        let generator = SandboxDataGenerator(seed: 9)
        let day = Day(iso: "2026-06-01") ?? Day.dataStart
        let bodies: [(Endpoint, Data)] = [
            (
                .getarticletotal,
                generator.responseData(
                    endpoint: .getarticletotal, appid: SandboxAccount(index: 1).appid,
                    begin: day, end: day, yesterday: day.adding(days: 10))
            ),
            (
                .getusershare,
                generator.responseData(
                    endpoint: .getusershare, appid: SandboxAccount(index: 2).appid,
                    begin: day, end: day.adding(days: 2), yesterday: day.adding(days: 10))
            ),
            (
                .getarticlesummary,
                Data(#"{"list":[{"ref_date":"2026-06-01","msgid":"1_1","title":"a \"b\" \u00e9","int_page_read_user":12.0,"x":[1,{"y":null}]}, 7]} "#.utf8)
            ),
        ]
        for (endpoint, body) in bodies {
            XCTAssertGreaterThan(body.count, 40, endpoint.rawValue)
            // A prefix is never a whole object: both must reject every one.
            for n in 0..<body.count {
                let prefix = body.prefix(n)
                switch endpoint {
                case .getarticletotal: assertAgrees(ArticleTotalItem.self, prefix, "\(endpoint.rawValue) prefix \(n)")
                case .getusershare: assertAgrees(UserShareItem.self, prefix, "\(endpoint.rawValue) prefix \(n)")
                default: assertAgrees(ArticleSummaryItem.self, prefix, "\(endpoint.rawValue) prefix \(n)")
                }
            }
        }
    }

    func testLenientFieldsAsCodable() {
        let values = [
            "12", "-7", "0", "-0", "12.0", "1e3", "1E3", "0.1e1", "12.5", "-0.0", "1e17", "1.5e1", "2.5e-1",
            "9223372036854775807", "9223372036854775808", "-9223372036854775808", "-9223372036854775809",
            "100000000000000000000000", "1e400", "\"12\"", "\" 12 \"", "\"+5\"", "\"1.5\"", "\"\"", "\"abc\"",
            "\"2026-06-01\"", "\"2026-6-1\"", "\"2026-02-30\"", "\"2026\\u002d06-01\"", "\"\\ud800\"", "\"a\\nb\"",
            "true", "false", "null", "[]", "[1,2]", "{}", "{\"a\":[1]}",
        ]
        let fields = [
            "ref_date", "msgid", "title", "url", "user_source", "ref_hour", "share_scene", "share_count",
            "share_user", "int_page_read_user", "target_user", "stat_date", "details", "list",
        ]
        for v in values {
            for f in fields {
                let element = #"{"ref_date":"2026-06-01","msgid":"9_1","\#(f)":\#(v),"share_user":3}"#
                assertAllAgree(Data(#"{"list":[\#(element)]}"#.utf8), "\(f): \(v)")
                let detail = #"{"list":[{"ref_date":"2026-06-01","msgid":"9_1","details":[{"stat_date":"2026-06-02","\#(f)":\#(v)},5,null,{"\#(f)":\#(v)}]}]}"#
                assertAllAgree(Data(detail.utf8), "detail \(f): \(v)")
            }
        }
    }

    func testListShapesAndKeysAsCodable() {
        for text in [
            #"{"list":[]}"#, #" { "list" : [ ] } "#, #"{"errcode":45009,"errmsg":"quota"}"#, #"{"list":null}"#, #"{}"#,
            #"{"list":{"ref_date":"2026-06-01"}}"#, #"{"list":"x"}"#, #"{"list":7}"#,
            #"{"list":[7,"s",null,[],{"ref_date":"2026-06-01","msgid":"1_1"},true,{"ref_date":3}]}"#,
            #"{"list":[{"ref_date":"2026-06-01","ref_date":"2026-06-02","msgid":"1","msgid":"2","user_source":1,"user_source":2}]}"#,
            #"{"list":[{"ref_date":null,"ref_date":"2026-06-02"}]}"#,
            #"{"list":[{"ref_date":"2026-06-01"}],"list":[{"ref_date":"2026-06-02"}]}"#,
            #"{"list":null,"list":[{"ref_date":"2026-06-02"}]}"#,
            #"{"list":[{"ms\u0067id":"1_1","ref_\u0064ate":"2026-06-01","\u0074itle":"t"}]}"#,
            #"{"list":[{"REF_DATE":"2026-06-01","Msgid":"1"}]}"#,
            #"{"errcode":0,"list":[{"ref_date":"2026-06-01","details":[{"stat_date":"2026-06-01","target_user":5,"int_page_read_user":1}],"details":[]}]}"#,
            #"{"list":[{"ref_date":"2026-06-01","details":null}]}"#, #"{"list":[{"ref_date":"2026-06-01","details":{"a":1}}]}"#,
            #"{"list":[{"ref_date":"2026-06-01","title":"引号 \"q\", 逗号 🚀 \u00e9\t"}]}"#,
            #"[{"list":[]}]"#, "", "null", "7", "\"x\"", "<html>502</html>", #"{"list":[]} x"#, #"{"list":[]}{}"#,
        ] {
            assertAllAgree(Data(text.utf8), text)
        }
    }
}
