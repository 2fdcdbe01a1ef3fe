import ArgumentParser
import WXCube

struct SchemaCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "schema",
        abstract: "Print dataset columns with their types and descriptions.",
        discussion: """
            Without DATASET, every dataset. Formats: markdown (a table per dataset), json, \
            bigquery (a BigQuery JSON schema: an array for one dataset, an object of arrays for several), \
            sql (CREATE TABLE for PostgreSQL and DuckDB, with COMMENT ON COLUMN). \
            The columns are those the shipped pipelines produce (with derive and annotate_threshold).

            Examples:
              wxcube schema article_total
              wxcube schema article_total --format bigquery > article_total.schema.json
              wxcube schema --format sql | duckdb warehouse.db
            """)

    @Argument(help: "One of: \(DatasetName.allCases.map(\.rawValue).joined(separator: ", ")).")
    var dataset: String?

    @Option(help: "markdown | json | bigquery | sql")
    var format: String = SchemaFormat.markdown.rawValue

    func run() throws {
        guard let fmt = SchemaFormat(rawValue: format) else {
            throw ValidationError("unknown format \(format): use one of \(SchemaFormat.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        var names = DatasetName.allCases
        if let dataset {
            guard let d = DatasetName(rawValue: dataset) else {
                throw ValidationError("unknown dataset \(dataset): use one of \(DatasetName.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            names = [d]
        }
        print(SchemaDocument.render(names, format: fmt), terminator: "")
    }
}
