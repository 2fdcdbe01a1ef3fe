import Foundation
import Logging
import NIOCore
import NIOSSL
import PostgresNIO

/// Loads a run's datasets into PostgreSQL tables (docs/postgres.md).
///
/// One connection, one transaction for every dataset of the output: tables are
/// created or gain columns; `replace_range` deletes the run's accounts × range
/// and COPYs into the table, `upsert` COPYs into a temporary table and inserts
/// with `ON CONFLICT DO UPDATE`; a row per dataset goes to
/// `wxcube_loads`; then COMMIT. Any failure (or a lost connection) before the
/// commit leaves the tables as they were.
public struct PostgresLoader: Sendable {
    public let target: PostgresTarget
    public let logger: Logger

    public init(target: PostgresTarget, logger: Logger) {
        self.target = target
        self.logger = logger
    }

    /// Bytes per COPY data message (at most; parts send theirs as they come).
    static let copyBatchBytes = 1 << 20

    /// What one dataset's table needs before loading.
    public struct TablePlan: Sendable {
        public var dataset: DatasetName
        public var create: Bool
        public var addColumns: [String]
    }

    // MARK: connecting

    func configuration() throws(PostgresLoadError) -> PostgresConnection.Configuration {
        let tls: PostgresConnection.Configuration.TLS
        do {
            switch target.sslmode {
            case .disable:
                tls = .disable
            case .allow, .prefer:
                var c = TLSConfiguration.makeClientConfiguration()
                c.certificateVerification = .none
                tls = .prefer(try NIOSSLContext(configuration: c))
            case .require:
                var c = TLSConfiguration.makeClientConfiguration()
                c.certificateVerification = .none
                tls = .require(try NIOSSLContext(configuration: c))
            case .verifyCA:
                var c = TLSConfiguration.makeClientConfiguration()
                c.certificateVerification = .noHostnameVerification
                tls = .require(try NIOSSLContext(configuration: c))
            case .verifyFull:
                tls = .require(try NIOSSLContext(configuration: .makeClientConfiguration()))
            }
        } catch {
            throw PostgresLoadError(target: target, what: "cannot set up TLS for sslmode=\(target.sslmode.rawValue): \(error)")
        }
        var config = PostgresConnection.Configuration(
            host: target.host, port: target.port, username: target.user,
            password: target.password?.value, database: target.database, tls: tls)
        config.options.connectTimeout = .seconds(10)
        return config
    }

    func connect() async throws(PostgresLoadError) -> PostgresConnection {
        let config = try configuration()
        do {
            return try await PostgresConnection.connect(configuration: config, id: 1, logger: quietLogger)
        } catch {
            throw PostgresLoadError.describing(error, target: target, phase: .connecting)
        }
    }

    /// postgres-nio logs at debug with queries; keep it at warning so a password
    /// or data never reaches our log through it.
    private var quietLogger: Logger {
        var l = logger
        l.logLevel = max(logger.logLevel, .warning)
        return l
    }

    // MARK: plan

    /// What loading `schemas` would do, read from the catalogue tables without writing.
    public func inspect(_ schemas: [(DatasetName, Schema)]) async throws(PostgresLoadError) -> [TablePlan] {
        let conn = try await connect()
        do {
            var out: [TablePlan] = []
            for (d, schema) in schemas {
                let existing = try await existingColumns(conn, d)
                if existing.isEmpty {
                    out.append(TablePlan(dataset: d, create: true, addColumns: []))
                } else {
                    try checkTypes(d, schema, existing)
                    out.append(TablePlan(dataset: d, create: false, addColumns: schema.names.filter { existing[$0] == nil }))
                }
            }
            try? await conn.close()
            return out
        } catch let e as PostgresLoadError {
            try? await conn.close()
            throw e
        } catch {
            try? await conn.close()
            throw PostgresLoadError.describing(error, target: target, phase: .loading)
        }
    }

    // MARK: load

    /// Loads every dataset in one transaction. Returns the rows loaded per dataset.
    public func load(_ datasets: [DatasetName], from source: any DatasetSource, context: ExportContext) async throws(PostgresLoadError) -> [Int] {
        let conn = try await connect()
        do {
            let rows = try await loadAll(conn, datasets, source: source, context: context)
            try? await conn.close()
            return rows
        } catch {
            // Closing without COMMIT: the server rolls the transaction back.
            try? await conn.close()
            if let e = error as? PostgresLoadError { throw e }
            throw PostgresLoadError.describing(error, target: target, phase: .loading)
        }
    }

    private func run(_ conn: PostgresConnection, _ sql: String) async throws {
        try await conn.query(PostgresQuery(unsafeSQL: sql), logger: quietLogger)
    }

    private func loadAll(
        _ conn: PostgresConnection, _ datasets: [DatasetName], source: any DatasetSource,
        context: ExportContext
    ) async throws -> [Int] {
        let schema = target.schema
        try await run(conn, "BEGIN")
        // Loads into one schema wait for each other instead of racing on CREATE TABLE.
        try await run(conn, "SELECT pg_advisory_xact_lock(hashtext(\(PostgresSQL.literal("wxcube:" + schema))))")
        try await run(conn, "CREATE SCHEMA IF NOT EXISTS \(PostgresSQL.ident(schema))")
        for sql in PostgresSQL.createLoads(schema: schema) { try await run(conn, sql) }
        var counts: [Int] = []
        for d in datasets {
            let started = Date()
            let stream = try source.stream(d, account: nil)
            let columns = stream.schema
            for key in d.naturalKey where !columns.contains(key) {
                throw PostgresLoadError(
                    target: target, what: "dataset \(d.rawValue) has no column \(key) of its natural key; the pipeline's stages must keep it")
            }
            // Table: create, or add what the catalogue gained; never drop or retype.
            let existing = try await existingColumns(conn, d)
            if existing.isEmpty {
                for sql in PostgresSQL.createTable(schema: schema, dataset: d, columns: columns) { try await run(conn, sql) }
                logger.info("postgres: created table \(schema).\(d.rawValue)")
            } else {
                try checkTypes(d, columns, existing)
                for c in columns.columns where existing[c.name] == nil {
                    for sql in PostgresSQL.addColumn(schema: schema, dataset: d, column: c) { try await run(conn, sql) }
                    logger.notice("postgres: added column \(c.name) to \(schema).\(d.rawValue)")
                }
            }
            let rows = try await copyRows(conn, d, stream, context: context)
            let accounts = "ARRAY[" + context.accounts.map(PostgresSQL.literal).joined(separator: ", ") + "]::text[]"
            try await run(
                conn,
                """
                INSERT INTO \(PostgresSQL.table(schema, "wxcube_loads"))
                    (pipeline, range_from, range_to, accounts, dataset, mode, rows, started_at, finished_at, wxcube_version)
                VALUES (\(PostgresSQL.literal(context.pipelineName)), DATE '\(context.range.from.iso)', DATE '\(context.range.to.iso)',
                    \(accounts), \(PostgresSQL.literal(d.rawValue)), \(PostgresSQL.literal(target.mode.rawValue)), \(rows),
                    to_timestamp(\(started.timeIntervalSince1970)), clock_timestamp(), \(PostgresSQL.literal(context.version)))
                """)
            logger.info("postgres: loaded \(rows) rows into \(schema).\(d.rawValue) (\(target.mode.rawValue))")
            counts.append(rows)
        }
        try await run(conn, "COMMIT")
        return counts
    }

    /// Moves the dataset's rows into its table. `replace_range` deletes the
    /// run's accounts × range, then COPYs straight into the table: one pass
    /// over the rows, as fast as `psql \copy` (bench/load/psql-copy.sh).
    /// `upsert` COPYs into a temporary table, then `INSERT ... ON CONFLICT`.
    private func copyRows(_ conn: PostgresConnection, _ d: DatasetName, _ stream: any RowStream, context: ExportContext) async throws -> Int {
        let schema = target.schema
        let columns = stream.schema
        let into: String
        switch target.mode {
        case .replaceRange:
            try await run(conn, PostgresSQL.deleteRange(schema: schema, dataset: d, accounts: context.accounts, range: context.range))
            // postgres-nio quotes COPY's table name as one identifier, so the
            // schema comes from the transaction's search_path.
            try await run(conn, "SET LOCAL search_path TO \(PostgresSQL.ident(schema))")
            into = d.rawValue
        case .upsert:
            try await run(conn, PostgresSQL.createStage(dataset: d, columns: columns))
            into = PostgresSQL.stageName(d)
        }
        // The COPY text is encoded on other threads (`ParallelRows`: one
        // account per core) while this task sends it.
        let rowsIn = ConcatRowStream.Part(make: { stream })
        let pipe = ChunkPipe { sink in
            let out = ByteOutput(sink: sink, capacity: Self.copyBatchBytes)
            let rows = try ParallelRows.encode(try rowsIn.make(), into: out) { part, out in try CopyText.writeRows(part, to: out) }
            try out.flush()
            return rows
        }
        defer { pipe.cancel() }
        try await conn.copyFrom(table: into, columns: columns.names, logger: quietLogger) { writer in
            while let chunk = try pipe.take() { try await writer.write(ByteBuffer(bytes: chunk)) }
        }
        let rows = try pipe.rows()
        if target.mode == .upsert {
            try await run(conn, PostgresSQL.insert(schema: schema, dataset: d, columns: columns, mode: target.mode))
            try await run(conn, "DROP TABLE \(PostgresSQL.ident(PostgresSQL.stageName(d)))")
        }
        return rows
    }

    /// The table's columns and their `data_type`; empty when there is no table.
    private func existingColumns(_ conn: PostgresConnection, _ d: DatasetName) async throws -> [String: String] {
        let rows = try await conn.query(
            "SELECT column_name::text, data_type::text FROM information_schema.columns WHERE table_schema = \(target.schema) AND table_name = \(d.rawValue)",
            logger: quietLogger)
        var out: [String: String] = [:]
        for try await (name, type) in rows.decode((String, String).self) { out[name] = type }
        return out
    }

    private func checkTypes(_ d: DatasetName, _ columns: Schema, _ existing: [String: String]) throws(PostgresLoadError) {
        for c in columns.columns {
            guard let have = existing[c.name] else { continue }
            let want = PostgresSQL.type(c.type)
            if have != want {
                throw PostgresLoadError(
                    target: target,
                    what: """
                        column \(target.schema).\(d.rawValue).\(c.name) is \(have) in the database but \(want) in wxcube's catalogue; \
                        wxcube never changes or drops columns: convert it yourself (ALTER TABLE \(target.schema).\(d.rawValue) \
                        ALTER COLUMN \(c.name) TYPE \(want) USING ...), rename the table, or load into another schema
                        """)
            }
        }
    }
}

/// A load that did not commit: the tables are as before. The message says what
/// to check and never contains the password.
public struct PostgresLoadError: Error, CustomStringConvertible, Sendable {
    public var description: String

    init(target: PostgresTarget, what: String) {
        description = "postgres \(target.redactedURL) (schema \(target.schema)): \(what); nothing was changed in the database"
    }

    enum Phase { case connecting, loading }

    static func describing(_ error: any Error, target: PostgresTarget, phase: Phase) -> PostgresLoadError {
        if let e = error as? PostgresLoadError { return e }
        if error is CancellationError {
            return PostgresLoadError(target: target, what: "the load was interrupted and rolled back")
        }
        guard let psql = error as? PSQLError else {
            return PostgresLoadError(target: target, what: "\(phase == .connecting ? "cannot connect" : "the load failed"): \(type(of: error))")
        }
        let state = psql.serverInfo?[.sqlState] ?? ""
        let message = psql.serverInfo?[.message] ?? ""
        let what: String
        switch (psql.code, state) {
        case (.server, "28P01"), (.server, "28000"):
            what =
                "authentication failed for user \(target.user): check the password in the url (e.g. that PGPASSWORD is the right one) and the server's pg_hba.conf"
        case (.server, "3D000"):
            what = "database \(target.database) does not exist: create it (createdb \(target.database)) or fix the database name in the url"
        case (.server, "42501"):
            what =
                "permission denied (\(message)): user \(target.user) needs CREATE on database \(target.database) (for schema \(target.schema)), or CREATE and USAGE on that schema and ownership of its tables"
        case (.server, "23505"):
            what = "two rows with the same natural key (\(message)); please report this as a wxcube bug"
        case (.server, let s) where s.hasPrefix("08") || s.hasPrefix("57"):
            what = "the server ended the connection (\(s): \(message)); the transaction was rolled back"
        case (.server, _):
            what = "PostgreSQL error \(state): \(message)"
        case (.serverClosedConnection, _), (.uncleanShutdown, _):
            what = "the connection was lost during the load; the server rolled the transaction back"
        case (.sslUnsupported, _):
            what = "the server does not offer TLS but sslmode=\(target.sslmode.rawValue) requires it: enable ssl on the server or use sslmode=prefer/disable"
        case (.connectionError, _), (.failedToAddSSLHandler, _):
            let cause = psql.underlying.map { "\($0)" } ?? "unknown cause"
            what =
                "cannot connect to \(target.host):\(target.port) (\(cause)): check that the server is running and accepts TCP connections there, the url's host and port, and sslmode"
        case (.unsupportedAuthMechanism, _), (.authMechanismRequiresPassword, _), (.saslError, _):
            what = "authentication failed for user \(target.user) (\(psql.code)): check the password in the url and the server's pg_hba.conf"
        default:
            what = "\(phase == .connecting ? "cannot connect" : "the load failed"): \(psql.code)"
        }
        return PostgresLoadError(target: target, what: what)
    }
}
