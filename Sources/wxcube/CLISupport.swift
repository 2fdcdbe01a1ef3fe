import ArgumentParser
import Foundation
import WXCube

/// The exit codes (README "Exit codes", docs/operations.md).
enum WXExit {
    static let failed = ExitCode(1)
    static let badInput = ExitCode(2)
    static let incomplete = ExitCode(3)
}

/// Writes `text` to stderr, one console line per line of `text`, through the
/// one redactor (`StderrConsole`: known secrets masked, control characters escaped).
func printError(_ text: String) {
    for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
        StderrConsole.shared.writeLine(String(line))
    }
}

/// Flags shared by `run` and `plan` that choose the range and the store.
struct RangeOptions: ParsableArguments {
    // `.unconditional`: values such as -7d start with a dash.
    @Option(parsing: .unconditional, help: ArgumentHelp("First day (YYYY-MM-DD or -Nd: N days before --to). Overrides range.from.", valueName: "date"))
    var from: String?

    @Option(parsing: .unconditional, help: ArgumentHelp("Last day (YYYY-MM-DD, yesterday, or -Nd: N days before today, China time). Overrides range.to.", valueName: "date"))
    var to: String?

    /// The pipeline's range with the overrides applied.
    func rangeSpec(_ spec: PipelineSpec) throws -> RangeSpec {
        var range = spec.range
        if let from {
            guard let d = DateExpr(parsing: from) else { throw ValidationError("--from: '\(from)' is not YYYY-MM-DD or -Nd (N at most \(DateExpr.maxRelativeDays))") }
            range.from = d
        }
        if let to {
            guard let d = DateExpr(parsing: to) else { throw ValidationError("--to: '\(to)' is not YYYY-MM-DD, yesterday or -Nd (N at most \(DateExpr.maxRelativeDays))") }
            range.to = d
        }
        return range
    }
}

/// Loads a pipeline file, printing every mistake as FILE:LINE:COLUMN and exiting 2.
func loadPipeline(_ path: String, now: Date = Date()) throws -> PipelineSpec {
    do {
        let spec = try SpecLoader.load(path: path, now: now)
        KnownSecrets.shared.add(spec.accounts)
        return spec
    } catch let error as SpecError {
        printError(error.description)
        printError("\(path): \(error.diagnostics.count) problem\(error.diagnostics.count == 1 ? "" : "s") found")
        throw WXExit.badInput
    }
}
