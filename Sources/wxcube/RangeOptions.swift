import ArgumentParser
import Foundation
import WXCube

/// Flags shared by `run` and `plan` that choose the range and the store.
struct RangeOptions: ParsableArguments {
    // `.unconditional`: values such as -7d start with a dash.
    @Option(parsing: .unconditional, help: ArgumentHelp("First day (YYYY-MM-DD or -Nd: N days before --to). Overrides range.from.", valueName: "date"))
    var from: String?

    @Option(
        parsing: .unconditional,
        help: ArgumentHelp("Last day (YYYY-MM-DD, yesterday, or -Nd: N days before today, China time). Overrides range.to.", valueName: "date"))
    var to: String?

    /// The pipeline's range with the overrides applied.
    func rangeSpec(_ spec: PipelineSpec) throws -> RangeSpec {
        var range = spec.range
        if let from {
            guard let d = DateExpr(parsing: from) else {
                throw ValidationError("--from: '\(from)' is not YYYY-MM-DD or -Nd (N at most \(DateExpr.maxRelativeDays))")
            }
            range.from = d
        }
        if let to {
            guard let d = DateExpr(parsing: to) else {
                throw ValidationError("--to: '\(to)' is not YYYY-MM-DD, yesterday or -Nd (N at most \(DateExpr.maxRelativeDays))")
            }
            range.to = d
        }
        return range
    }
}
