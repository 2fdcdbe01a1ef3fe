import Foundation
import XCTest
@testable import WXCube

/// The generated documentation in `docs/` matches what the code says today.
final class DocsTests: XCTestCase {
    /// `docs/datasets.md` is `wxcube schema --format markdown`; regenerate it when a column changes.
    func testDatasetsDocIsCurrent() throws {
        let doc = CLIProcess.packageRoot.appendingPathComponent("docs/datasets.md")
        let stored = try String(contentsOf: doc, encoding: .utf8)
        let result = try CLIProcess.run(["schema", "--format", "markdown"])
        XCTAssertEqual(result.status, 0, result.stderr)
        XCTAssertFalse(result.stdout.isEmpty)
        XCTAssertEqual(stored, result.stdout,
                       "docs/datasets.md is stale: run `swift run wxcube schema --format markdown > docs/datasets.md`")
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
                if text.contains("DESIGN §") { offenders.append(url.lastPathComponent) }
            }
        }
        XCTAssertEqual(offenders, [], "cite docs/ (architecture.md, datasets.md, operations.md) instead")
    }
}
