import Foundation
import XCTest

@testable import WXCube

/// The generated documentation in `docs/` matches what the code says today.
final class DocsTests: XCTestCase {
    /// Below its marker line, `docs/datasets.md` is `wxcube schema --format markdown`;
    /// regenerate that part when a column changes (the prose above it stays).
    func testDatasetsDocIsCurrent() throws {
        let doc = CLIProcess.packageRoot.appendingPathComponent("docs/datasets.md")
        let stored = try String(contentsOf: doc, encoding: .utf8)
        let marker = "<!-- Everything below is generated: swift run wxcube schema --format markdown -->\n"
        let parts = stored.components(separatedBy: marker)
        XCTAssertEqual(parts.count, 2, "docs/datasets.md needs exactly one marker line: \(marker)")
        let result = try CLIProcess.run(["schema", "--format", "markdown"])
        XCTAssertEqual(result.status, 0, result.stderr)
        XCTAssertFalse(result.stdout.isEmpty)
        XCTAssertEqual(
            parts.last, result.stdout,
            "docs/datasets.md is stale: replace everything below its marker line with `swift run wxcube schema --format markdown`")
    }

    /// Source comments point into this repository, not to a document it does not hold.
    func testNoCommentCitesTheExternalDesignDocument() throws {
        let root = CLIProcess.packageRoot
        var offenders: [String] = []
        for folder in ["Sources", "Tests"] {
            let enumerator = FileManager.default.enumerator(at: root.appendingPathComponent(folder), includingPropertiesForKeys: nil)
            while let url = enumerator?.nextObject() as? URL {
                guard url.pathExtension == "swift", url.lastPathComponent != "DocsTests.swift" else { continue }
                let text = try String(contentsOf: url, encoding: .utf8)
                if text.contains("DESIGN " + "§") { offenders.append(url.lastPathComponent) }
            }
        }
        XCTAssertEqual(offenders, [], "cite docs/ (architecture.md, datasets.md, operations.md) instead")
    }
}
