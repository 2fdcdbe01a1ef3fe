import Foundation
import XCTest

@testable import WXCube

/// An in-memory raw store: (storeKey, endpoint, day) -> stored answer.
struct FakeRawStore: RawStoreReading {
    private var days: [String: StoredDay] = [:]
    private var nextID: Int64 = 1

    private static func key(_ storeKey: String, _ endpoint: Endpoint, _ day: Day) -> String {
        "\(storeKey)|\(endpoint.rawValue)|\(day.iso)"
    }

    /// Stores one answer covering `from...to` (one response shared by those days).
    mutating func put(_ storeKey: String, _ endpoint: Endpoint, from: Day, to: Day? = nil, body: Data) {
        let stored = StoredDay(responseID: nextID, body: body, fetchedAt: Date(timeIntervalSince1970: 0))
        nextID += 1
        var d = from
        while d <= (to ?? from) {
            days[Self.key(storeKey, endpoint, d)] = stored
            d = d.adding(days: 1)
        }
    }

    mutating func put(_ storeKey: String, _ endpoint: Endpoint, from: Day, to: Day? = nil, json: String) {
        put(storeKey, endpoint, from: from, to: to, body: Data(json.utf8))
    }

    func storedDay(storeKey: String, endpoint: Endpoint, day: Day) throws -> StoredDay? {
        days[Self.key(storeKey, endpoint, day)]
    }
}

func day(_ iso: String) -> Day {
    guard let d = Day(iso: iso) else { fatalError("bad test date \(iso)") }
    return d
}

/// The shipped stages (pipelines/*.yaml) over the given endpoints.
func shippedSpec(
    accounts: [AccountSpec], endpoints: [Endpoint] = legacyEndpoints, annotate: Bool = true,
    minSum: Int = 3
) -> PipelineSpec {
    var stages: [StageSpec] = [
        .fetch(FetchStageSpec(endpoints: endpoints)),
        .flatten(FlattenStageSpec()),
        .derive(
            DeriveStageSpec(
                metrics: [
                    RatioSpec(name: "read_rate", numerator: "int_page_read_user", denominator: "target_user"),
                    RatioSpec(name: "share_rate", numerator: "share_user", denominator: "int_page_read_user"),
                    RatioSpec(name: "fav_rate", numerator: "add_to_fav_user", denominator: "int_page_read_user"),
                    RatioSpec(name: "ori_page_rate", numerator: "ori_page_read_user", denominator: "int_page_read_user"),
                ], daily: Datasets.shippedDaily)),
    ]
    if annotate { stages.append(.annotateThreshold(AnnotateThresholdStageSpec(minSum: minSum))) }
    return PipelineSpec(name: "test", accounts: accounts, stages: stages, outputs: [])
}

func account(_ name: String, _ appid: String) -> AccountSpec {
    AccountSpec(name: name, appid: appid, credential: .accessToken(Secret("unused")))
}
