import ArgumentParser
import Dispatch
import Foundation
import Logging
import WXCube
import WXCubeSandbox

struct RunCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Fetch what the store lacks, then transform and export.",
        discussion: """
            Windows already in the store are not fetched again, except those within `refetch_days` \
            of --to (their numbers still change). Outputs are written only when every window of every \
            account is stored; otherwise the run exits 3, keeps its progress, and says how to continue. \
            Ctrl-C or SIGTERM stops cleanly: windows in flight are discarded, stored ones kept, exit 3. \
            One run per store: a second run on a store in use exits 3 at once (docs/operations.md).

            With `api.base_url: sandbox` (and no --api-base) a simulated API is started in-process.

            Exit codes: 0 done, 1 failed, 2 bad usage or pipeline file, 3 incomplete (run again to continue).

            Examples:
              wxcube run pipelines/demo.yaml --out out
              wxcube run pipelines/nightly.yaml --from 2026-11-01 --to 2026-11-07 --log-level debug
              wxcube run pipelines/nightly.yaml --offline --out out    # re-export from the store
            """
    )

    @Argument(help: "The pipeline file (YAML).")
    var pipeline: String

    @OptionGroup var range: RangeOptions

    @Option(name: .customLong("api-base"), help: ArgumentHelp("Base URL of the API instead of api.base_url (e.g. a sandbox).", valueName: "url"))
    var apiBase: String?

    @Option(help: ArgumentHelp("Folder relative output paths resolve against.", valueName: "dir"))
    var out: String = "."

    @Option(help: ArgumentHelp("The SQLite store instead of the pipeline's `store`.", valueName: "path"))
    var store: String?

    @Flag(help: "Fetch nothing: export from the store, failing if a day is missing.")
    var offline = false

    @Flag(help: "Fetch every window in range again, even stored ones.")
    var refresh = false

    @Option(name: .customLong("log-level"), help: ArgumentHelp("trace, debug, info, notice, warning, error or critical.", valueName: "level"))
    var logLevel: String = "info"

    func validate() throws {
        guard Logger.Level(rawValue: logLevel) != nil else {
            throw ValidationError("--log-level: '\(logLevel)' is not one of trace, debug, info, notice, warning, error, critical")
        }
        if offline && refresh { throw ValidationError("--offline and --refresh contradict each other: pick one") }
        if let apiBase, APIBase(parsing: apiBase) == nil {
            throw ValidationError("--api-base: '\(apiBase)' is not \(APIBase.expected)")
        }
    }

    func run() async throws {
        let level = Logger.Level(rawValue: logLevel) ?? .info
        let logger = Logger(label: "wxcube") { ConsoleLogHandler(label: $0, level: level) }
        let now = Date()
        let spec = try loadPipeline(pipeline, now: now)
        let rangeSpec = try range.rangeSpec(spec)

        var sandbox: SandboxServer?
        // --api-base means what `api.base_url` means, `sandbox` included.
        let chosen = apiBase.flatMap { APIBase(parsing: $0) } ?? spec.api.base
        var base: String?
        if case .url(let u) = chosen { base = u }
        if chosen == .sandbox, !offline {
            do {
                let server = try await SandboxServer.start(SandboxConfiguration())
                sandbox = server
                base = server.baseURL
                logger.info("sandbox: simulated datacube API listening on \(server.baseURL)")
            } catch {
                printError("error: cannot start the sandbox: \(error)")
                throw WXExit.failed
            }
        }

        let options = RunOptions(
            from: rangeSpec.from, to: rangeSpec.to, apiBase: base, outDirectory: out,
            storePath: store, offline: offline, refresh: refresh, now: nil, pipelinePath: pipeline)
        let runner = PipelineRunner(
            spec: spec, options: options, logger: logger,
            progress: ProgressReporter(logger: logger))
        let task = Task { await runner.run() }
        // A signal cancels the run: windows in flight are discarded, stored ones kept,
        // temporary files removed, the summary printed, exit 3. A second signal
        // exits at once (130 after SIGINT, 143 after SIGTERM).
        let interrupts = SignalHandler { sig, count in
            guard count == 1 else { Foundation.exit(128 + sig) }
            let name = sig == SIGTERM ? "SIGTERM" : "Ctrl-C"
            StderrConsole.shared.writeLine("interrupted (\(name)): stopping; windows in flight are discarded, stored ones kept (send it again to quit at once)")
            task.cancel()
        }
        let result = await task.value
        interrupts.remove()
        if let sandbox { await sandbox.stop() }

        let console = StderrConsole.shared
        for line in result.summary.lines { console.writeLine("summary: \(line)") }
        for m in result.messages { console.writeLine(m) }
        try WXExit.check(result.status)
    }
}
