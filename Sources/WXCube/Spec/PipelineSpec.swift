import Foundation

/// A validated pipeline file (README "The pipeline file"). Defaults live in `SpecDefaults`.
public struct PipelineSpec: Sendable {
    public var version: Int
    public var name: String
    public var accounts: [AccountSpec]
    public var api: APISpec
    /// The store path as written (relative paths resolve against the working directory).
    public var store: String
    public var range: RangeSpec
    public var stages: [StageSpec]
    public var outputs: [OutputSpec]
    /// Things that are allowed but worth a word (`validate` prints them): legacy endpoints.
    public var warnings: [SpecDiagnostic] = []

    public init(
        version: Int = 1, name: String, accounts: [AccountSpec], api: APISpec = APISpec(),
        store: String = SpecDefaults.store, range: RangeSpec = RangeSpec(), stages: [StageSpec], outputs: [OutputSpec]
    ) {
        self.version = version
        self.name = name
        self.accounts = accounts
        self.api = api
        self.store = store
        self.range = range
        self.stages = stages
        self.outputs = outputs
    }

    /// Every endpoint named by a fetch stage, in `Endpoint.allCases` order.
    public var fetchedEndpoints: [Endpoint] {
        var set = Set<Endpoint>()
        for case .fetch(let f) in stages { set.formUnion(f.endpoints) }
        return Endpoint.allCases.filter(set.contains)
    }

    /// What happens when WeChat refuses an endpoint (any fetch stage saying `skip` wins).
    public var onUnavailable: OnUnavailable {
        for case .fetch(let f) in stages where f.onUnavailable == .skip { return .skip }
        return .fail
    }

    /// The refetch window of the (first) fetch stage.
    public var refetchDays: Int {
        for case .fetch(let f) in stages { return f.refetchDays }
        return SpecDefaults.refetchDays
    }
}

/// All defaults, in one place (the README's pipeline reference lists them).
public enum SpecDefaults {
    public static let version = 1
    public static let store = ".wxcube/store.sqlite"
    public static let baseURL = "https://api.weixin.qq.com"
    public static let concurrency = 4
    public static let requestsPerSecond = 20.0
    public static let retries = 5
    public static let connectTimeoutSeconds = 10.0
    public static let readTimeoutSeconds = 30.0
    /// The overall deadline of one HTTP exchange, body included.
    public static let requestTimeoutSeconds = 60.0
    public static let rangeFrom = DateExpr.relative(days: 7)
    public static let rangeTo = DateExpr.yesterday
    public static let refetchDays = 7
    public static let minThresholdSum = 3
    public static let compressionLevel = 6
    public static let headers = HeaderLanguage.en
    /// Parquet outputs (docs/parquet.md).
    public static let parquetCompression = ParquetCompression.zstd
    public static let rowGroupRows = 131_072
}

/// A value that must never be printed: `description` is always `***`.
public struct Secret: Sendable, Hashable, CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    public let value: String
    public init(_ value: String) { self.value = value }
    public var description: String { "***" }
    public var debugDescription: String { "***" }
    /// `dump()` and mirrors show `***` too.
    public var customMirror: Mirror { Mirror(self, children: [], displayStyle: .struct) }
}

public struct AccountSpec: Sendable {
    /// The `account` column.
    public var name: String
    public var appid: String?
    public var credential: Credential

    public init(name: String, appid: String?, credential: Credential) {
        self.name = name
        self.appid = appid
        self.credential = credential
    }

    /// The key raw responses are stored under: the appid, or the account name
    /// when only a ready token is given.
    public var storeKey: String { appid ?? name }
}

public enum Credential: Sendable {
    /// appid + secret: tokens come from `/cgi-bin/stable_token`.
    case secret(Secret)
    /// A ready access token from a central token service.
    case accessToken(Secret)
}

public enum APIBase: Sendable, Equatable {
    /// The in-process simulator (`WXCubeSandbox`), started for the run.
    case sandbox
    case url(String)
}

public struct APISpec: Sendable {
    public var base: APIBase
    public var concurrency: Int
    /// 0 means no limit.
    public var requestsPerSecond: Double
    public var retries: Int
    public var connectTimeoutSeconds: Double
    public var readTimeoutSeconds: Double
    /// Connect, headers and the whole body of one call must fit in it; then
    /// the call is retried like any timeout.
    public var requestTimeoutSeconds: Double

    public init(
        base: APIBase = .url(SpecDefaults.baseURL), concurrency: Int = SpecDefaults.concurrency,
        requestsPerSecond: Double = SpecDefaults.requestsPerSecond, retries: Int = SpecDefaults.retries,
        connectTimeoutSeconds: Double = SpecDefaults.connectTimeoutSeconds,
        readTimeoutSeconds: Double = SpecDefaults.readTimeoutSeconds,
        requestTimeoutSeconds: Double = SpecDefaults.requestTimeoutSeconds
    ) {
        self.base = base
        self.concurrency = concurrency
        self.requestsPerSecond = requestsPerSecond
        self.retries = retries
        self.connectTimeoutSeconds = connectTimeoutSeconds
        self.readTimeoutSeconds = readTimeoutSeconds
        self.requestTimeoutSeconds = requestTimeoutSeconds
    }
}

/// A date in the pipeline file or on the command line.
public enum DateExpr: Sendable, Equatable, CustomStringConvertible {
    case date(Day)
    /// Yesterday in China.
    case yesterday
    /// `-Nd`: N days before `to` (for `from`) or before today (for `to`).
    case relative(days: Int)

    public init?(parsing text: String) {
        let t = text.trimmingCharacters(in: .whitespaces)
        if t == "yesterday" {
            self = .yesterday
            return
        }
        if t.hasPrefix("-"), t.hasSuffix("d") {
            // Beyond this no day exists in WeChat's data (or in the calendar arithmetic).
            guard let n = Int(t.dropFirst().dropLast()), (0...DateExpr.maxRelativeDays).contains(n) else { return nil }
            self = .relative(days: n)
            return
        }
        guard let d = Day(iso: t) else { return nil }
        self = .date(d)
    }

    /// The largest N of `-Nd` (about 100 years; WeChat keeps data from 2015).
    public static let maxRelativeDays = 36_500

    public var description: String {
        switch self {
        case .date(let d): return d.iso
        case .yesterday: return "yesterday"
        case .relative(let n): return "-\(n)d"
        }
    }
}

public struct RangeSpec: Sendable, Equatable {
    public var from: DateExpr
    public var to: DateExpr

    public init(from: DateExpr = SpecDefaults.rangeFrom, to: DateExpr = SpecDefaults.rangeTo) {
        self.from = from
        self.to = to
    }

    /// The concrete range for a given China "today". `to: -Nd` is N days before
    /// today; `from: -Nd` is N days before `to`.
    public func resolve(today: Day) -> DateRange {
        let yesterday = today.adding(days: -1)
        let to: Day
        switch self.to {
        case .date(let d): to = d
        case .yesterday: to = yesterday
        case .relative(let n): to = today.adding(days: -n)
        }
        let from: Day
        switch self.from {
        case .date(let d): from = d
        case .yesterday: from = yesterday
        case .relative(let n): from = to.adding(days: -n)
        }
        return DateRange(from: from, to: to)
    }
}

/// An inclusive range of China dates.
public struct DateRange: Sendable, Hashable, CustomStringConvertible {
    public var from: Day
    public var to: Day
    public init(from: Day, to: Day) {
        self.from = from
        self.to = to
    }
    public func contains(_ d: Day) -> Bool { d >= from && d <= to }
    public var dayCount: Int { max(0, to.days(since: from) + 1) }
    public var days: [Day] { dayCount == 0 ? [] : (0..<dayCount).map { from.adding(days: $0) } }
    public var description: String { "\(from.iso)..\(to.iso)" }
}

public enum OutputFormat: String, Sendable, CaseIterable {
    case csv, csvGz = "csv.gz", ndjson, ndjsonGz = "ndjson.gz", xlsx, parquet
    /// Tables in a PostgreSQL database, not a file (docs/postgres.md).
    case postgres

    public var isGzip: Bool { self == .csvGz || self == .ndjsonGz }
    /// Whether the output is written as files under `--out`.
    public var isFile: Bool { self != .postgres }
}

public enum HeaderLanguage: String, Sendable, CaseIterable {
    case en, zh
}

public struct OutputSpec: Sendable {
    public var datasets: [DatasetName]
    public var format: OutputFormat
    /// A template with `{dataset}`, `{from}`, `{to}`, `{account}`; relative to `--out`.
    public var path: String
    public var headers: HeaderLanguage
    /// UTF-8 byte-order mark (CSV only; for Excel).
    public var bom: Bool
    /// Prefix `'` to text cells starting with = + - @ tab CR (CSV only; for Excel).
    public var excelSafe: Bool
    /// gzip level 1-9 for `.gz` formats.
    public var compressionLevel: Int
    /// Parquet only: the page codec, its level when `level` is given, and rows per row group.
    public var parquetCompression = SpecDefaults.parquetCompression
    public var parquetLevel: Int?
    public var rowGroupRows = SpecDefaults.rowGroupRows
    /// Where and how a `postgres` output loads (nil for files).
    public var postgres: PostgresTarget?

    public init(
        datasets: [DatasetName], format: OutputFormat, path: String, headers: HeaderLanguage = SpecDefaults.headers,
        bom: Bool = false, excelSafe: Bool = false, compressionLevel: Int = SpecDefaults.compressionLevel
    ) {
        self.datasets = datasets
        self.format = format
        self.path = path
        self.headers = headers
        self.bom = bom
        self.excelSafe = excelSafe
        self.compressionLevel = compressionLevel
    }
}
