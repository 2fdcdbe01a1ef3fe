import Foundation
import Logging
import WXCubeSandbox
import XCTest

@testable import WXCube

/// Shared helpers for the published-content endpoint tests.
enum PublishedSupport {
    static let today = Day(year: 2026, month: 1, day: 15) ?? Day.dataStart
    static var yesterday: Day { today.adding(days: -1) }
    static let floor = Day(year: 2025, month: 11, day: 1) ?? Day.dataStart
    static let endpoints: [Endpoint] = [.getarticletotaldetail, .getarticleread, .getarticleshare, .getbizsummary]

    static func day(_ s: String) -> Day { Day(iso: s) ?? Day(daysSinceEpoch: 0) }

    /// China time on `today` at `hour`.
    static func at(hour: Double, on day: Day = today) -> Date {
        ChinaClock.startOf(day).addingTimeInterval(hour * 3600)
    }

    static let flattenPublished = StageSpec.flatten(FlattenStageSpec(endpoint: .getarticletotaldetail, field: "detail_list", into: .published_total))
    static let derivePublished = StageSpec.derive(
        DeriveStageSpec(
            dataset: .published_total,
            metrics: [RatioSpec(name: "share_rate", numerator: "share_user", denominator: "read_user")],
            daily: Datasets.shippedPublishedDaily))

    static func spec(
        _ accounts: [SandboxAccount], endpoints: [Endpoint] = endpoints, store: String, refetchDays: Int = 0,
        onUnavailable: OnUnavailable = .fail, stages: [StageSpec] = [flattenPublished, derivePublished],
        outputs: [OutputSpec] = []
    ) -> PipelineSpec {
        PipelineSpec(
            name: "published-test",
            accounts: accounts.map { a in AccountSpec(name: "acct\(a.index)", appid: a.appid, credential: .secret(Secret(a.secret))) },
            api: APISpec(base: .sandbox, concurrency: 4, requestsPerSecond: 0, retries: 3, connectTimeoutSeconds: 5, readTimeoutSeconds: 10),
            store: store,
            stages: [.fetch(FetchStageSpec(endpoints: endpoints, refetchDays: refetchDays, onUnavailable: onUnavailable))] + stages,
            outputs: outputs)
    }

    static func run(_ spec: PipelineSpec, sandbox: SandboxServer, from: Day, to: Day, now: Date, out: String = ".") async -> RunResult {
        var logger = Logger(label: "test")
        logger.logLevel = .critical
        let options = RunOptions(
            from: .date(from), to: .date(to), apiBase: sandbox.baseURL, outDirectory: out,
            now: now, retryBaseDelay: 0.005)
        return await PipelineRunner(spec: spec, options: options, logger: logger).run()
    }

    /// Rows of a dataset as dictionaries by column name.
    static func rows(_ datasets: PipelineDatasets, _ dataset: DatasetName) throws -> [[String: Value]] {
        let stream = try datasets.stream(dataset, account: nil)
        let names = stream.schema.names
        return try stream.collect().map { row in
            var d: [String: Value] = [:]
            for (n, v) in zip(names, row) { d[n] = v }
            return d
        }
    }
}

/// A store serving fixed bodies: one per (endpoint, day).
struct FixedBodiesStore: RawStoreReading {
    var bodies: [String: String]

    static func key(_ endpoint: Endpoint, _ day: String) -> String { "\(endpoint.rawValue) \(day)" }

    func storedDay(storeKey: String, endpoint: Endpoint, day: Day) throws -> StoredDay? {
        guard let body = bodies[Self.key(endpoint, day.iso)] else { return nil }
        let id = Int64(day.daysSinceEpoch) * 16 + Int64(Endpoint.allCases.firstIndex(of: endpoint) ?? 0)
        return StoredDay(responseID: id, body: Data(body.utf8), fetchedAt: Date(timeIntervalSince1970: 0))
    }
}

extension Value {
    /// For comparisons against sandbox truth.
    var testInt: Int? { intValue }
}

/// The six legacy endpoints and their datasets (tests written for that family).
let legacyEndpoints: [Endpoint] = Endpoint.allCases.filter { $0.info.family == .legacy }
let legacyDatasets: [DatasetName] = [.article_summary, .article_total, .user_read, .user_read_hour, .user_share, .user_share_hour]
