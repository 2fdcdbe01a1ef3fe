import Foundation
import Logging
import XCTest

@testable import WXCube

/// A dataset source over fixture rows for two accounts, optionally failing midway.
final class FixtureSource: DatasetSource {
    let datasets: [DatasetName] = DatasetName.allCases
    let rowsPerAccount: Int
    /// Called when a stream of this dataset reaches `at` rows, then the stream throws.
    var failure: (dataset: DatasetName, at: Int, check: () -> Void)?

    init(rowsPerAccount: Int) { self.rowsPerAccount = rowsPerAccount }

    struct Boom: Error {}

    func rows(_ dataset: DatasetName, account: String?) -> [Row] {
        let schema = Datasets.fullSchema(dataset)
        let accounts = account.map { [$0] } ?? ExportFixture.context.accounts
        return accounts.enumerated().flatMap { i, name in
            ExportFixture.rows(schema, count: rowsPerAccount, account: name, seed: i * 7 + dataset.rawValue.count)
        }
    }

    func stream(_ dataset: DatasetName, account: String?) throws -> any RowStream {
        let inner = ArrayRowStream(schema: Datasets.fullSchema(dataset), rows: rows(dataset, account: account))
        guard let failure, failure.dataset == dataset else { return inner }
        return FailingStream(inner: inner, at: failure.at, check: failure.check)
    }

    final class FailingStream: RowStream {
        let inner: ArrayRowStream
        let at: Int
        let check: () -> Void
        var count = 0
        init(inner: ArrayRowStream, at: Int, check: @escaping () -> Void) {
            self.inner = inner
            self.at = at
            self.check = check
        }
        var schema: Schema { inner.schema }
        func next() throws -> Row? {
            if count == at {
                check()
                throw Boom()
            }
            count += 1
            return try inner.next()
        }
    }
}
