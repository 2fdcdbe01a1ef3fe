import ArgumentParser
import Foundation
import WXCube

/// Writes `text` to stderr, one console line per line of `text`, through the
/// one redactor (`StderrConsole`: known secrets masked, control characters escaped).
func printError(_ text: String) {
    for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
        StderrConsole.shared.writeLine(String(line))
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
