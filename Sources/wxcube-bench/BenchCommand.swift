import ArgumentParser
import Foundation
import Logging
import WXCube
import WXCubeSandbox

/// `wxcube-bench`: its own executable, so the production binary carries no benchmark harness.
@main
struct BenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "wxcube-bench",
        abstract: "Time the exporters on synthetic article_total rows.",
        discussion: """
            Builds a pool of article_total rows (every column, derived ones included) from the sandbox's \
            data model through the real flatten and derive stages (untimed), then times writing --rows rows, \
            cycling through the pool, with the real exporter for --format. Prints one JSON line: rows, \
            bytes, wall and CPU seconds, rows/s, MB/s and peak RSS. bench/compare.sh runs it beside its anchors.

            Examples:
              wxcube-bench --rows 1000000 --format xlsx --out /tmp/bench.xlsx
              wxcube-bench --rows 1000000 --anchor-csv /tmp/rows.csv   # the same rows as plain CSV (+ .types) for anchors
            """
    )

    @Option(help: "Rows to write.")
    var rows = 1_000_000

    @Option(help: "csv, csv.gz, ndjson, ndjson.gz, xlsx or parquet.")
    var format = "csv.gz"

    @Option(help: ArgumentHelp("Where to write (default: bench.<format> in the current directory).", valueName: "file"))
    var out: String?

    @Option(help: "gzip/deflate level for csv.gz, ndjson.gz and xlsx.")
    var level = SpecDefaults.compressionLevel

    @Option(help: "Parquet compression: zstd, snappy, gzip or none (at the codec's default level).")
    var compression = SpecDefaults.parquetCompression.rawValue

    @Option(help: "Distinct rows generated before timing; the timed run cycles through them.")
    var pool = 5000

    @Option(help: ArgumentHelp("Instead of timing, write the rows as plain CSV here (and the column types to FILE.types).", valueName: "file"))
    var anchorCSV: String?

    func validate() throws {
        guard rows >= 0 else { throw ValidationError("--rows must be at least 0") }
        guard pool >= 1 else { throw ValidationError("--pool must be at least 1") }
        guard let f = OutputFormat(rawValue: format), f.isFile else {
            throw ValidationError(
                "--format: '\(format)' is not one of \(OutputFormat.allCases.filter(\.isFile).map(\.rawValue).joined(separator: ", ")) (bench/load/psql-copy.sh times postgres)"
            )
        }
        guard (1...9).contains(level) else { throw ValidationError("--level must be 1...9") }
        guard ParquetCompression(rawValue: compression) != nil else {
            throw ValidationError("--compression: '\(compression)' is not one of \(ParquetCompression.allCases.map(\.rawValue).joined(separator: ", "))")
        }
    }

    func run() throws {
        let (schema, rowPool) = try BenchRows.pool(size: pool)
        let context = BenchRows.context
        if let anchorCSV {
            let url = URL(fileURLWithPath: anchorCSV)
            let written = try CSVExporter().exportFile(
                [ExportInput(dataset: .article_total, stream: CyclingRowStream(schema: schema, pool: rowPool, count: rows))], to: url)
            try (schema.columns.map(\.type.rawValue).joined(separator: ",") + "\n")
                .write(to: URL(fileURLWithPath: anchorCSV + ".types"), atomically: true, encoding: .utf8)
            print(#"{"anchor_csv":"\#(anchorCSV)","rows":\#(written.rows.first ?? 0),"bytes":\#(written.bytes)}"#)
            return
        }
        guard let outputFormat = OutputFormat(rawValue: format) else { throw ValidationError("bad --format") }
        let target = URL(fileURLWithPath: out ?? "bench.\(format)")
        let exporter: any Exporter
        switch outputFormat {
        case .csv, .csvGz: exporter = CSVExporter()
        case .ndjson, .ndjsonGz: exporter = NDJSONExporter()
        case .xlsx: exporter = XLSXExporter(context: context, compressionLevel: level, logger: Logger(label: "wxcube.bench"))
        case .parquet: exporter = ParquetExporter(compression: ParquetCompression(rawValue: compression) ?? .zstd, context: context)
        case .postgres: throw ValidationError("bench writes files: --format takes csv, csv.gz, ndjson, ndjson.gz, xlsx or parquet")
        }
        let stream = CyclingRowStream(schema: schema, pool: rowPool, count: rows)
        let before = ResourceUsage.now()
        let written = try exporter.exportFile(
            [ExportInput(dataset: .article_total, stream: stream)], to: target,
            gzipLevel: outputFormat.isGzip ? level : nil)
        let after = ResourceUsage.now()
        let wall = after.wallSeconds - before.wallSeconds
        let cpu = after.cpuSeconds - before.cpuSeconds
        let writtenRows = written.rows.reduce(0, +)
        let fields: [(String, String)] = [
            ("format", "\"\(format)\""), ("rows", "\(writtenRows)"), ("bytes", "\(written.bytes)"),
            ("wall_seconds", String(format: "%.4f", wall)), ("cpu_seconds", String(format: "%.4f", cpu)),
            ("rows_per_second", String(format: "%.0f", Double(writtenRows) / max(wall, 1e-9))),
            ("mb_per_second", String(format: "%.2f", Double(written.bytes) / 1_000_000 / max(wall, 1e-9))),
            ("peak_rss_mib", String(format: "%.1f", after.peakRSSMiB)),
            ("pool_rss_mib", String(format: "%.1f", before.peakRSSMiB)),
        ]
        print("{" + fields.map { "\"\($0.0)\":\($0.1)" }.joined(separator: ",") + "}")
    }
}

/// Synthetic article_total rows for benchmarks: the sandbox's model through the
/// shipped flatten and derive stages.
enum BenchRows {
    static let yesterday = Day(year: 2026, month: 10, day: 31) ?? Day.dataStart
    static let range = DateRange(from: yesterday.adding(days: -119), to: yesterday)

    static var spec: PipelineSpec {
        PipelineSpec(
            name: "bench",
            accounts: SandboxAccount.list(5).map { AccountSpec(name: "bench-\($0.index)", appid: $0.appid, credential: .secret(Secret($0.secret))) },
            stages: [
                .fetch(FetchStageSpec(endpoints: [.getarticletotal])),
                .flatten(FlattenStageSpec()),
                .derive(.shipped),
            ],
            outputs: [])
    }

    static var context: ExportContext {
        ExportContext(
            pipelineName: "bench", range: range, accounts: spec.accounts.map(\.name),
            caveat: AnnotateThresholdStage.thresholdCaveat(minSum: 3),
            generatedAt: ChinaClock.startOf(yesterday.adding(days: 1)), version: WXCubeVersion.current)
    }

    static func pool(size: Int) throws -> (Schema, [Row]) {
        let datasets = PipelineDatasets(
            spec: spec, range: range,
            store: SandboxStoreReader(generator: SandboxDataGenerator(seed: 1), yesterday: yesterday))
        let stream = try datasets.stream(.article_total, account: nil)
        var rows: [Row] = []
        rows.reserveCapacity(size)
        while rows.count < size, let row = try stream.next() { rows.append(row) }
        guard !rows.isEmpty else { throw ValidationError("the sandbox produced no article_total rows") }
        return (stream.schema, rows)
    }
}

/// `count` rows, cycling through `pool`.
final class CyclingRowStream: RowStream {
    let schema: Schema
    private let pool: [Row]
    private let count: Int
    private var produced = 0

    init(schema: Schema, pool: [Row], count: Int) {
        self.schema = schema
        self.pool = pool
        self.count = count
    }

    func next() throws -> Row? {
        guard produced < count else { return nil }
        defer { produced += 1 }
        return pool[produced % pool.count]
    }
}

/// Wall clock, CPU time and peak RSS of this process.
struct ResourceUsage {
    var wallSeconds: Double
    var cpuSeconds: Double
    var peakRSSMiB: Double

    static func now() -> ResourceUsage {
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        let cpu =
            Double(usage.ru_utime.tv_sec) + Double(usage.ru_utime.tv_usec) / 1e6
            + Double(usage.ru_stime.tv_sec) + Double(usage.ru_stime.tv_usec) / 1e6
        let wall = Double(DispatchTime.now().uptimeNanoseconds) / 1e9
        return ResourceUsage(wallSeconds: wall, cpuSeconds: cpu, peakRSSMiB: Double(usage.ru_maxrss) / 1024)
    }
}
