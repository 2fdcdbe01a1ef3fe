import Foundation
import WXCubeSandbox
import XCTest

@testable import WXCube

/// The fetch path's single-pass JSON check against Foundation's parser.
final class FetchBodyScanTests: XCTestCase {
    private func reference(_ body: Data) -> (errcode: Int?, errmsg: String?, refDates: [String?]?)? {
        guard let object = (try? JSONSerialization.jsonObject(with: body, options: [])) as? [String: Any] else { return nil }
        let list = object["list"]
        if let list, !(list is NSNull), !(list is [Any]) { return nil }
        let dates = (list as? [Any])?.map { ($0 as? [String: Any])?["ref_date"] as? String }
        let code = (object["errcode"] as? NSNumber).flatMap { n -> Int? in
            let d = n.doubleValue
            return d == d.rounded() && !"\(n)".contains(".") && !"\(n)".contains("e") ? n.intValue : nil
        }
        return (code, object["errmsg"] as? String, dates)
    }

    private func assertAgrees(_ text: String, file: StaticString = #filePath, line: UInt = #line) {
        let body = Data(text.utf8)
        let ours = DatacubeBodyScan.scan(body)
        let theirs = reference(body)
        XCTAssertEqual(ours == nil, theirs == nil, "validity of \(text.prefix(120))", file: file, line: line)
        guard let ours, let theirs else { return }
        XCTAssertEqual(ours.errcode, theirs.errcode, text, file: file, line: line)
        XCTAssertEqual(ours.errmsg, theirs.errmsg, text, file: file, line: line)
        XCTAssertEqual(ours.refDates, theirs.refDates, text, file: file, line: line)
    }

    func testHandWrittenBodies() {
        for text in [
            #"{"list":[]}"#, #" { "list" : [ ] } "#, #"{"errcode":45009,"errmsg":"reach max api daily quota limit"}"#,
            #"{"errcode":-1,"errmsg":"system error \"busy\" \u00e9\n"}"#, #"{"errcode":"40001"}"#, #"{"errcode":1.5}"#,
            #"{"list":[{"ref_date":"2024-03-01","n":[1,2,{"a":null}],"t":true,"f":false,"x":-0.5e+3}]}"#,
            #"{"list":[7,"s",null,[],{"ref_date":3},{"REF_DATE":"2024-03-01"}]}"#, #"{"list":null}"#,
            #"{"list":{"ref_date":"2024-03-01"}}"#, #"{"list":[{"ref_date":"2024-03-01"}"#,
            #"{"list":[01]}"#, #"{"list":[1.]}"#, #"{"list":[-]}"#, #"{"list":[tru]}"#, #"{"list":[] } x"#,
            #"[{"list":[]}]"#, "", "<html><body>502 Bad Gateway</body></html>", #"{"a":"\x"}"#, #"{"a":"\u12"}"#,
            "{\"a\":\"tab\there\"}", #"{"list":[{"ref_date":"2024-03-01","title":"引号 \"q\", 逗号 🚀"}]}"#,
        ] {
            assertAgrees(text)
        }
    }

    func testSandboxBodiesAndEveryTruncation() {
        let generator = SandboxDataGenerator(seed: 7)
        let yesterday = Day(year: 2026, month: 6, day: 30) ?? Day.dataStart
        for endpoint in legacyEndpoints {
            for offset in [1, 9] {
                let begin = yesterday.adding(days: -offset - endpoint.maxSpanDays + 1)
                let end = yesterday.adding(days: -offset)
                let body = generator.responseData(endpoint: endpoint, appid: "wx0000000000000002", begin: begin, end: end, yesterday: yesterday)
                let text = String(decoding: body, as: UTF8.self)
                assertAgrees(text)
                guard let scan = DatacubeBodyScan.scan(body) else { return XCTFail("\(endpoint) body rejected") }
                XCTAssertFalse(scan.refDates?.isEmpty ?? true, "\(endpoint) has rows")
                // A body cut anywhere is malformed (the sandbox's truncate fault, a dropped connection).
                for cut in stride(from: 0, to: body.count, by: max(1, body.count / 40)) {
                    XCTAssertNil(DatacubeBodyScan.scan(body.prefix(cut)), "\(endpoint) cut at \(cut) of \(body.count)")
                }
            }
        }
    }

    /// The eight-bytes-at-a-time test in `scanString` never misses a quote, a
    /// backslash or a control character, wherever it sits in the word.
    func testSpecialByteWordTestMissesNothing() {
        var generator = SystemRandomNumberGenerator()
        let interesting: [UInt8] = [0x00, 0x01, 0x1F, 0x20, 0x21, 0x22, 0x23, 0x5B, 0x5C, 0x5D, 0x7F, 0x80, 0xA2, 0xDC, 0xE4, 0xFF]
        for _ in 0..<200_000 {
            var bytes = (0..<8).map { _ in interesting[Int(generator.next() % UInt64(interesting.count))] }
            if generator.next() % 2 == 0 { bytes = bytes.map { (b: UInt8) -> UInt8 in b | 0x40 } } // words without specials too
            let word = bytes.withUnsafeBytes { $0.loadUnaligned(as: UInt64.self) }
            let special = bytes.contains { (b: UInt8) -> Bool in
                let quote: Bool = b == 0x22
                let backslash: Bool = b == 0x5C
                return quote || backslash || b < 0x20
            }
            if special {
                XCTAssertTrue(DatacubeBodyScan.Scanner.hasSpecialByte(word), "\(bytes)")
            }
        }
        let plain = Array("abcdefgh".utf8).withUnsafeBytes { $0.loadUnaligned(as: UInt64.self) }
        XCTAssertFalse(DatacubeBodyScan.Scanner.hasSpecialByte(plain))
        let chinese = Array("科技日".utf8.prefix(8)).withUnsafeBytes { $0.loadUnaligned(as: UInt64.self) }
        XCTAssertFalse(DatacubeBodyScan.Scanner.hasSpecialByte(chinese))
    }
}
