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
    /// `postgres` outputs: one entry per output, loaded or failed (absent when there are none).
    public var loads: [ManifestLoad]?

    enum CodingKeys: String, CodingKey {
        case pipeline, range, accounts, caveat, files, anomalies, unavailable, loads
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

/// One `postgres` output of the run (docs/postgres.md). The URL is shown without its password.
public struct ManifestLoad: Codable, Sendable, Equatable {
    public var format: String
    public var url: String
    public var schema: String
    public var mode: String
    public var datasets: [String]
    /// `loaded` (committed) or `failed` (rolled back: the tables are as before).
    public var status: String
    /// Rows loaded per dataset, in `datasets` order (loaded only).
    public var datasetRows: [Int]?
    /// What went wrong and what to check (failed only).
    public var error: String?

    public init(
        url: String, schema: String, mode: String, datasets: [String], status: String,
        datasetRows: [Int]? = nil, error: String? = nil
    ) {
        self.format = "postgres"
        self.url = url
        self.schema = schema
        self.mode = mode
        self.datasets = datasets
        self.status = status
        self.datasetRows = datasetRows
        self.error = error
    }

    enum CodingKeys: String, CodingKey {
        case format, url, schema, mode, datasets, status, error
        case datasetRows = "dataset_rows"
    }
}
