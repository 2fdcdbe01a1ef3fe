import ArgumentParser
import Foundation
import WXCube

/// The exit codes (README "Exit codes", docs/operations.md).
/// The numbers come from `RunStatus.exitCode`, the one mapping.
enum WXExit {
    static let failed = ExitCode(RunStatus.failed.exitCode)
    static let badInput = ExitCode(RunStatus.badUsage.exitCode)
    static let incomplete = ExitCode(RunStatus.incomplete.exitCode)

    /// Returns for a complete run; throws the status's exit code otherwise.
    static func check(_ status: RunStatus) throws {
        guard status != .complete else { return }
        throw ExitCode(status.exitCode)
    }
}
