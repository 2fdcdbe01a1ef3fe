import ArgumentParser
import Foundation
import WXCube

@main
struct WXCubeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "wxcube",
        abstract: "WeChat Official Account article analytics (datacube) to gzip CSV, NDJSON and XLSX.",
        discussion: """
            wxcube runs a declarative pipeline file: it fetches the datacube endpoints for a date range, \
            keeps every raw response in a SQLite store, reshapes them into stable datasets and writes \
            the files analysts and warehouses load.

            Examples:
              wxcube run pipelines/demo.yaml --out out        # the demo, on the built-in sandbox
              wxcube plan pipelines/nightly.yaml --from 2026-11-01 --to 2026-11-07
              wxcube validate pipelines/nightly.yaml
              wxcube sandbox --port 8080 --faults busy=0.05,quota=500
              wxcube schema article_total --format bigquery

            Exit codes: 0 done, 1 failed, 2 bad usage or bad pipeline file, \
            3 incomplete (quota reached or an account failed; run again to continue).
            """,
        version: WXCubeVersion.current,
        subcommands: [RunCommand.self, PlanCommand.self, ValidateCommand.self, SandboxCommand.self, SchemaCommand.self]
    )

    /// ArgumentParser exits 64 on usage errors; wxcube's bad-usage code is 2 (README "Exit codes").
    static func main() async {
        do {
            var command = try parseAsRoot()
            if var asyncCommand = command as? AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch {
            let code = exitCode(for: error)
            if code == .validationFailure {
                printError(fullMessage(for: error))
                Foundation.exit(2)
            }
            // Help, --version and our exit codes print nothing of their own;
            // any other error's text goes through the one redactor too.
            if error is ExitCode || code == .success {
                exit(withError: error)
            }
            printError(fullMessage(for: error))
            Foundation.exit(code.rawValue)
        }
    }
}
