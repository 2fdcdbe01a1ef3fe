/// `manifest.json`: what a run wrote (README "What a reader of `--out` can rely on"). Written last, atomically,
/// so its presence means every file it lists is complete.
public struct Manifest: Codable, Sendable, Equatable {
    public var pipeline: String
    public var range: ManifestRange
    public var accounts: [String]
    public var wxcubeVersion: String
    /// UTC, ISO 8601.
    public var generatedAt: String
    /// The >=3 threshold caveat: article_summary lacks rows under it.
    public var caveat: String
    public var files: [ManifestFile]
    /// Rows of the API answers left out (duplicates of a key, rows without
    /// one); nil only for manifests written outside a pipeline run.
    public var anomalies: Anomalies? = nil
    /// Endpoints WeChat refused for an account under `on_unavailable: skip`
    /// (absent when there were none): their datasets lack that account's rows.
    public var unavailable: [EndpointUnavailable]?

    enum CodingKeys: String, CodingKey {
        case pipeline, range, accounts, caveat, files, anomalies, unavailable
        case wxcubeVersion = "wxcube_version"
        case generatedAt = "generated_at"
    }
}

public struct ManifestRange: Codable, Sendable, Equatable {
    public var from: String
    public var to: String
}

public struct ManifestFile: Codable, Sendable, Equatable {
    /// Relative to the output root (absolute only for a path outside it).
    public var path: String
    public var format: String
    public var datasets: [String]
    /// Set when the path has `{account}`: the file holds only this account's rows.
    public var account: String?
    /// Data rows (headers not counted), all datasets together.
    public var rows: Int
    /// Rows per dataset, in `datasets` order.
    public var datasetRows: [Int]
    public var bytes: Int
    public var sha256: String

    enum CodingKeys: String, CodingKey {
        case path, format, datasets, account, rows, bytes, sha256
        case datasetRows = "dataset_rows"
    }
}
