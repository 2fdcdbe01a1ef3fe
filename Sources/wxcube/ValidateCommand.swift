import ArgumentParser
import Foundation
import WXCube

struct ValidateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "validate",
        abstract: "Check a pipeline file and report every mistake.",
        discussion: """
            Each mistake is printed on stderr as FILE:LINE:COLUMN: message, all of them in one run; \
            the exit code is then 2. ${VAR} references must be set in the environment.

            Example:
              WECHAT_APPID=wx123 WECHAT_SECRET=... wxcube validate pipelines/nightly.yaml
            """
    )

    @Argument(help: "The pipeline file (YAML).")
    var pipeline: String

    func run() throws {
        let spec = try loadPipeline(pipeline)
        // Warnings do not change the exit code.
        for w in spec.warnings { printError("\(pipeline):\(w.line):\(w.column): warning: \(w.message)") }
        let endpoints = spec.fetchedEndpoints.map(\.rawValue).joined(separator: ", ")
        print(
            "\(pipeline): ok: pipeline '\(spec.name)', \(spec.accounts.count) account(s), endpoints [\(endpoints)], \(spec.stages.count) stage(s), \(spec.outputs.count) output(s)"
        )
    }
}
