import Foundation
import Logging
import WXCube

/// The `postgres` part of `wxcube plan`: per output, its target (password
/// hidden), mode, and per dataset whether the table would be created or gain
/// columns. Connects read-only when the server answers; otherwise says so.
enum PostgresPlan {
    static func lines(spec: PipelineSpec, range: DateRange) async -> [String] {
        let outputs = spec.outputs.filter { $0.format == .postgres }
        guard !outputs.isEmpty else { return [] }
        let datasets = PipelineDatasets(spec: spec, range: range, store: EmptyStore())
        var lines: [String] = []
        for output in outputs {
            guard let target = output.postgres else { continue }
            lines.append("")
            lines.append(
                "postgres \(target.redactedURL) schema \(target.schema), mode \(target.mode.rawValue)"
                    + (target.mode == .replaceRange
                        ? ": deletes \(spec.accounts.count) account(s) × \(range.from.iso)..\(range.to.iso), then inserts, in one transaction"
                        : ": inserts, updating rows with the same natural key, in one transaction"))
            var schemas: [(DatasetName, Schema)] = []
            for d in output.datasets {
                do { schemas.append((d, try datasets.schema(d))) } catch { lines.append("  \(d.rawValue): \(error)") }
            }
            var logger = Logger(label: "wxcube.plan")
            logger.logLevel = .critical
            do {
                let tables = try await PostgresLoader(target: target, logger: logger).inspect(schemas)
                for t in tables {
                    let key = t.dataset.naturalKey.joined(separator: ", ")
                    if t.create {
                        lines.append("  \(t.dataset.rawValue): create table \(target.schema).\(t.dataset.rawValue) (primary key \(key))")
                    } else if t.addColumns.isEmpty {
                        lines.append("  \(t.dataset.rawValue): table exists, columns up to date")
                    } else {
                        lines.append("  \(t.dataset.rawValue): table exists, add column(s) \(t.addColumns.joined(separator: ", "))")
                    }
                }
            } catch {
                lines.append("  not inspected: \(error.description.replacingOccurrences(of: "; nothing was changed in the database", with: ""))")
                for (d, _) in schemas {
                    lines.append(
                        "  \(d.rawValue): create table \(target.schema).\(d.rawValue) if missing (primary key \(d.naturalKey.joined(separator: ", "))), add columns the catalogue gained"
                    )
                }
            }
        }
        return lines
    }
}

/// Schemas only: plan never reads rows.
private struct EmptyStore: RawStoreReading {
    func storedDay(storeKey: String, endpoint: Endpoint, day: Day) throws -> StoredDay? { nil }
}
