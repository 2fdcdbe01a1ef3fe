import Foundation
import XCTest

extension XCTestCase {
    /// Runs `python3 -c script args...` (the real readers: csv, gzip, openpyxl, DuckDB)
    /// and returns its stdout; a non-zero exit fails the test with Python's stderr.
    func python(_ script: String, _ args: String...) throws -> String {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = ["python3", "-c", script] + args
        let pipe = Pipe(), err = Pipe()
        p.standardOutput = pipe
        p.standardError = err
        try p.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        let errData = err.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        XCTAssertEqual(p.terminationStatus, 0, String(decoding: errData, as: UTF8.self))
        return String(decoding: data, as: UTF8.self)
    }
}
