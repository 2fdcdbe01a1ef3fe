import Foundation

/// `wxcube schema` output formats.
public enum SchemaFormat: String, Sendable, CaseIterable {
    case markdown, json, bigquery, sql
}

/// Renders dataset schemas for people (markdown) and for warehouses (JSON,
/// BigQuery JSON schema, `CREATE TABLE` for PostgreSQL and DuckDB).
public enum SchemaDocument {
    /// `datasets` in the order given; a single dataset renders without a wrapper
    /// in the JSON formats (the BigQuery schema file `bq mk --schema` takes).
    public static func render(_ datasets: [(name: DatasetName, schema: Schema)], format: SchemaFormat) -> String {
        switch format {
        case .markdown: return markdown(datasets)
        case .json: return json(datasets)
        case .bigquery: return bigquery(datasets)
        case .sql: return sql(datasets)
        }
    }

    /// The documented (full) schemas: what the shipped pipelines produce.
    public static func render(_ names: [DatasetName], format: SchemaFormat) -> String {
        render(names.map { ($0, Datasets.fullSchema($0)) }, format: format)
    }

    // MARK: markdown

    private static func markdown(_ datasets: [(name: DatasetName, schema: Schema)]) -> String {
        var out = ""
        for (i, (name, schema)) in datasets.enumerated() {
            if i > 0 { out += "\n" }
            out += "## \(name.rawValue)\n\n"
            out += "Natural key (primary key of a `postgres` output's table): \(name.naturalKey.joined(separator: ", "))\n\n"
            out += "| column | type | nullable | description | 中文 |\n"
            out += "|---|---|---|---|---|\n"
            for c in schema.columns {
                out += "| \(c.name) | \(c.type.rawValue) | \(c.nullable ? "yes" : "no") | \(cell(c.description)) | \(cell(c.label)) |\n"
            }
        }
        return out
    }

    private static func cell(_ s: String) -> String {
        s.replacingOccurrences(of: "|", with: "\\|").replacingOccurrences(of: "\n", with: " ")
    }

    // MARK: JSON

    private static func quoted(_ s: String) -> String { JSONText.quoted(s) }

    private static func json(_ datasets: [(name: DatasetName, schema: Schema)]) -> String {
        func object(_ name: DatasetName, _ schema: Schema, indent: String) -> String {
            let cols = schema.columns.map { c in
                "\(indent)    {\"name\": \(quoted(c.name)), \"type\": \(quoted(c.type.rawValue)), \"nullable\": \(c.nullable), "
                    + "\"description\": \(quoted(c.description)), \"label_zh\": \(quoted(c.label))"
                    + (c.display == .plain ? "" : ", \"display\": \(quoted(c.display.rawValue))") + "}"
            }
            return "\(indent){\n\(indent)  \"dataset\": \(quoted(name.rawValue)),\n"
                + "\(indent)  \"natural_key\": [\(name.naturalKey.map(quoted).joined(separator: ", "))],\n\(indent)  \"columns\": [\n"
                + cols.joined(separator: ",\n") + "\n\(indent)  ]\n\(indent)}"
        }
        if datasets.count == 1, let only = datasets.first {
            return object(only.name, only.schema, indent: "") + "\n"
        }
        return "[\n" + datasets.map { object($0.name, $0.schema, indent: "  ") }.joined(separator: ",\n") + "\n]\n"
    }

    // MARK: BigQuery

    static func bigQueryType(_ t: ColumnType) -> String {
        switch t {
        case .string: return "STRING"
        case .int: return "INTEGER"
        case .float: return "FLOAT"
        case .date: return "DATE"
        case .bool: return "BOOLEAN"
        }
    }

    private static func bigquery(_ datasets: [(name: DatasetName, schema: Schema)]) -> String {
        func fields(_ schema: Schema, indent: String) -> String {
            let rows = schema.columns.map { c in
                "\(indent)  {\"name\": \(quoted(c.name)), \"type\": \"\(bigQueryType(c.type))\", "
                    + "\"mode\": \"\(c.nullable ? "NULLABLE" : "REQUIRED")\", \"description\": \(quoted(c.description))}"
            }
            return "[\n" + rows.joined(separator: ",\n") + "\n\(indent)]"
        }
        if datasets.count == 1, let only = datasets.first {
            return fields(only.schema, indent: "") + "\n"
        }
        // Several datasets: one schema per dataset, keyed by its name.
        return "{\n" + datasets.map { "  \(quoted($0.name.rawValue)): " + fields($0.schema, indent: "  ") }.joined(separator: ",\n") + "\n}\n"
    }

    // MARK: SQL

    static func sqlType(_ t: ColumnType) -> String {
        switch t {
        case .string: return "TEXT"
        case .int: return "BIGINT"
        case .float: return "DOUBLE PRECISION"
        case .date: return "DATE"
        case .bool: return "BOOLEAN"
        }
    }

    private static func sqlLiteral(_ s: String) -> String {
        "'" + s.replacingOccurrences(of: "'", with: "''") + "'"
    }

    /// PostgreSQL and DuckDB both accept this: standard types, and the
    /// descriptions as `COMMENT ON COLUMN`.
    private static func sql(_ datasets: [(name: DatasetName, schema: Schema)]) -> String {
        var out = ""
        for (i, (name, schema)) in datasets.enumerated() {
            if i > 0 { out += "\n" }
            out += "CREATE TABLE \(name.rawValue) (\n"
            // A key with nullable columns (read_source) is UNIQUE, which both
            // engines accept with nulls; PostgreSQL loads use NULLS NOT DISTINCT.
            let primary = !name.naturalKeyAllowsNull
            let key = primary ? Set(name.naturalKey) : []
            out += schema.columns.map { c in
                "    \(c.name) \(sqlType(c.type))\(c.nullable && !key.contains(c.name) ? "" : " NOT NULL")"
            }.joined(separator: ",\n")
            out += ",\n    \(primary ? "PRIMARY KEY" : "UNIQUE") (\(name.naturalKey.joined(separator: ", ")))"
            out += "\n);\n"
            for c in schema.columns {
                out += "COMMENT ON COLUMN \(name.rawValue).\(c.name) IS \(sqlLiteral(c.description));\n"
            }
        }
        return out
    }
}
