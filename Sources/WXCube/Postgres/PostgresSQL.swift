import Foundation

/// The SQL a `postgres` output runs, built from the dataset catalogue
/// (docs/postgres.md). Identifiers are catalogue names and a checked schema
/// name, always double-quoted; text goes in as escaped literals.
public enum PostgresSQL {
    /// The column type in PostgreSQL, as `information_schema.columns.data_type` spells it.
    public static func type(_ t: ColumnType) -> String {
        switch t {
        case .string: return "text"
        case .int: return "bigint"
        case .float: return "double precision"
        case .date: return "date"
        case .bool: return "boolean"
        }
    }

    public static func ident(_ s: String) -> String { "\"" + s.replacingOccurrences(of: "\"", with: "\"\"") + "\"" }

    public static func table(_ schema: String, _ name: String) -> String { "\(ident(schema)).\(ident(name))" }

    /// An escape-string literal: correct whatever standard_conforming_strings says.
    public static func literal(_ s: String) -> String {
        "E'" + s.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "'", with: "''") + "'"
    }

    /// What `COMMENT ON COLUMN` says: the description, then the Chinese label.
    public static func comment(_ c: Column) -> String { "\(c.description) (\(c.label))" }

    /// What `COMMENT ON TABLE` says.
    public static func tableComment(_ d: DatasetName) -> String {
        "wxcube dataset \(d.rawValue) (from \(d.endpoint.rawValue)); one row per \(d.naturalKey.joined(separator: ", ")); "
            + "loaded by wxcube, see its docs/datasets.md"
    }

    /// The columns a table needs: primary-key columns are NOT NULL whatever the catalogue says.
    static func columnDefinition(_ c: Column, key: Bool) -> String {
        "\(ident(c.name)) \(type(c.type))\(c.nullable && !key ? "" : " NOT NULL")"
    }

    /// The table's key: a primary key, or for a key with nullable columns
    /// (read_source) a unique constraint under which nulls are equal, so that
    /// `ON CONFLICT` still finds the row.
    static func keyConstraint(_ dataset: DatasetName, table: String) -> String {
        let columns = dataset.naturalKey.map(ident).joined(separator: ", ")
        guard dataset.naturalKeyAllowsNull else { return "PRIMARY KEY (\(columns))" }
        return "CONSTRAINT \(ident(table + "_key")) UNIQUE NULLS NOT DISTINCT (\(columns))"
    }

    public static func createTable(schema: String, dataset: DatasetName, columns: Schema) -> [String] {
        let t = table(schema, dataset.rawValue)
        let key = Set(dataset.naturalKey)
        let primary = !dataset.naturalKeyAllowsNull
        var defs = columns.columns.map { columnDefinition($0, key: primary && key.contains($0.name)) }
        defs.append(keyConstraint(dataset, table: dataset.rawValue))
        var out = ["CREATE TABLE \(t) (\n    " + defs.joined(separator: ",\n    ") + "\n)"]
        out.append("COMMENT ON TABLE \(t) IS \(literal(tableComment(dataset)))")
        for c in columns.columns { out.append(commentColumn(t, c)) }
        return out
    }

    /// A column the catalogue gained: added nullable (rows already there have no value for it).
    public static func addColumn(schema: String, dataset: DatasetName, column c: Column) -> [String] {
        let t = table(schema, dataset.rawValue)
        return ["ALTER TABLE \(t) ADD COLUMN \(ident(c.name)) \(type(c.type))", commentColumn(t, c)]
    }

    static func commentColumn(_ t: String, _ c: Column) -> String {
        "COMMENT ON COLUMN \(t).\(ident(c.name)) IS \(literal(comment(c)))"
    }

    public static func createLoads(schema: String) -> [String] {
        let t = table(schema, "wxcube_loads")
        return [
            """
            CREATE TABLE IF NOT EXISTS \(t) (
                id bigserial PRIMARY KEY,
                pipeline text NOT NULL,
                range_from date NOT NULL,
                range_to date NOT NULL,
                accounts text[] NOT NULL,
                dataset text NOT NULL,
                mode text NOT NULL,
                rows bigint NOT NULL,
                started_at timestamptz NOT NULL,
                finished_at timestamptz NOT NULL,
                wxcube_version text NOT NULL
            )
            """,
            "COMMENT ON TABLE \(t) IS \(literal("One row per dataset per wxcube load (committed loads only; a failed load is in the run's manifest.json)"))",
        ]
    }

    /// The staging table COPY writes into; dropped at commit.
    public static func stageName(_ d: DatasetName) -> String { "wxcube_stage_\(d.rawValue)" }

    public static func createStage(dataset: DatasetName, columns: Schema) -> String {
        let defs = columns.columns.map { "\(ident($0.name)) \(type($0.type))" }
        return "CREATE TEMP TABLE \(ident(stageName(dataset))) (" + defs.joined(separator: ", ") + ") ON COMMIT DROP"
    }

    /// replace_range's delete: the run's accounts × its range, by the dataset's range column.
    public static func deleteRange(schema: String, dataset: DatasetName, accounts: [String], range: DateRange) -> String {
        "DELETE FROM \(table(schema, dataset.rawValue)) WHERE \(ident("account")) IN (\(accounts.map(literal).joined(separator: ", "))) "
            + "AND \(rangeExpression(dataset)) BETWEEN DATE '\(range.from.iso)' AND DATE '\(range.to.iso)'"
    }

    private static func rangeExpression(_ dataset: DatasetName) -> String {
        let columns = dataset.rangeColumns.map(ident)
        return columns.count == 1 ? columns[0] : "COALESCE(\(columns.joined(separator: ", ")))"
    }

    public static func insert(schema: String, dataset: DatasetName, columns: Schema, mode: PostgresTarget.Mode) -> String {
        let names = columns.names.map(ident).joined(separator: ", ")
        var sql = "INSERT INTO \(table(schema, dataset.rawValue)) (\(names)) SELECT \(names) FROM \(ident(stageName(dataset)))"
        if mode == .upsert {
            let key = Set(dataset.naturalKey)
            let updates = columns.names.filter { !key.contains($0) }.map { "\(ident($0)) = EXCLUDED.\(ident($0))" }
            sql +=
                " ON CONFLICT (\(dataset.naturalKey.map(ident).joined(separator: ", "))) "
                + (updates.isEmpty ? "DO NOTHING" : "DO UPDATE SET " + updates.joined(separator: ", "))
        }
        return sql
    }
}

/// Rows as COPY's text format: tab between fields, `\N` for null (and for
/// NaN and infinities, as the files write them), backslash escapes for `\`,
/// tab, newline and carriage return; numbers and dates as in CSV.
enum CopyText {
    static func writeRows(_ stream: any RowStream, to out: ByteOutput) throws -> Int {
        var rows = 0
        while let row = try stream.next() {
            try write(row, to: out)
            rows += 1
        }
        return rows
    }

    static func write(_ row: Row, to out: ByteOutput) throws {
        for (i, v) in row.enumerated() {
            if i > 0 { try out.append(0x09) }
            switch v {
            case .null:
                try out.append(Self.null)
            case .int(let n):
                try out.append(int: n)
            case .float(let d):
                guard d.isFinite else {
                    try out.append(Self.null)
                    continue
                }
                try out.reserve(32)
                out.appendUnchecked(double: d)
            case .string(let s):
                try writeText(s, to: out)
            case .date(let day):
                try out.reserve(10)
                out.appendUnchecked(day: day)
            case .bool(let b):
                try out.append(b ? 0x74 : 0x66)
            }
        }
        try out.append(0x0A)
    }

    private static let null: [UInt8] = [0x5C, 0x4E]

    private static func writeText(_ s: String, to out: ByteOutput) throws {
        var s = s
        try s.withUTF8 { utf8 in
            try out.reserve(utf8.count * 2)
            for b in utf8 {
                switch b {
                case 0x5C:
                    out.appendUnchecked(0x5C)
                    out.appendUnchecked(0x5C)
                case 0x09:
                    out.appendUnchecked(0x5C)
                    out.appendUnchecked(0x74)
                case 0x0A:
                    out.appendUnchecked(0x5C)
                    out.appendUnchecked(0x6E)
                case 0x0D:
                    out.appendUnchecked(0x5C)
                    out.appendUnchecked(0x72)
                case 0x00: break // PostgreSQL text cannot hold NUL; it is dropped
                default: out.appendUnchecked(b)
                }
            }
        }
    }
}
