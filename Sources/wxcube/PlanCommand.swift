import ArgumentParser
import Foundation
import WXCube

struct PlanCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "plan",
        abstract: "Show the API calls a run would make, cached or not.",
        discussion: """
            Windows respect each endpoint's span (getarticlesummary 1 day, getuserread 3, getusershare 7, ...); \
            getarticletotal starts 6 days before --from. With a store, windows it already holds are marked cached.

            Examples:
              wxcube plan pipelines/nightly.yaml --from 2026-11-01 --to 2026-11-07
              wxcube plan pipelines/demo.yaml --json | jq '.[] | select(.cached == false)'
            """
    )

    @Argument(help: "The pipeline file (YAML).")
    var pipeline: String

    @OptionGroup var range: RangeOptions

    @Option(help: ArgumentHelp("Store to read cached days from (default: the pipeline's `store`).", valueName: "path"))
    var store: String?

    @Flag(help: "Plan as if nothing were stored (what --refresh would fetch).")
    var refresh = false

    @Flag(help: "Say what `run --offline` would lack: windows not in the store.")
    var offline = false

    // Accepted so that a `run` command line can be turned into a `plan` one; plan makes no calls and writes nothing.
    @Option(name: .customLong("api-base"), help: ArgumentHelp("Accepted as in `run`; plan makes no calls.", valueName: "url"))
    var apiBase: String?

    @Option(help: ArgumentHelp("Accepted as in `run`; plan writes nothing.", valueName: "dir"))
    var out: String?

    @Flag(help: "Print a JSON array of {account, endpoint, begin_date, end_date, cached}.")
    var json = false

    func validate() throws {
        if let apiBase, APIBase(parsing: apiBase) == nil {
            throw ValidationError("--api-base: '\(apiBase)' is not \(APIBase.expected)")
        }
    }

    func run() async throws {
        let now = Date()
        let spec = try loadPipeline(pipeline, now: now)
        let requested = try range.rangeSpec(spec).resolve(today: ChinaClock.today(at: now))
        let plan: Plan
        do {
            let coverage = try RawStore.openReadOnly(path: store ?? spec.store)
            plan = try Planner(spec: spec, refresh: refresh).plan(range: requested, now: now, coverage: coverage)
        } catch let error as PlanError {
            printError("error: \(error)")
            throw WXExit.badInput
        }
        for w in plan.warnings { printError("warning: \(w)") }
        if json {
            print(PlanTable.json(plan))
        } else {
            print(PlanTable.render(plan))
        }
        if !json {
            for line in await PostgresPlan.lines(spec: spec, range: plan.range) { print(line) }
        }
        if offline, !plan.pending.isEmpty {
            printError(
                "offline: \(plan.pending.count) window(s) are not in the store (or fall in the refetch window); `run --offline` exports what is stored only when every day is there"
            )
        }
    }
}

/// The human-readable plan: one line per window, then call counts per endpoint.
enum PlanTable {
    /// The `--json` array of the README's `plan` row, one call per line, keys in that order.
    static func json(_ plan: Plan) -> String {
        let objects = plan.calls.map { (c: PlannedCall) -> String in
            let reason: String = c.reason.map { ", \"reason\": \"\($0.rawValue)\"" } ?? ""
            let head = "  {\"account\": \(quoted(c.account)), \"endpoint\": \"\(c.endpoint.rawValue)\", "
            return head + "\"begin_date\": \"\(c.begin.iso)\", \"end_date\": \"\(c.end.iso)\", \"cached\": \(c.cached)" + reason + "}"
        }
        return objects.isEmpty ? "[]" : "[\n" + objects.joined(separator: ",\n") + "\n]"
    }

    /// A JSON string literal, escaped as the NDJSON exporter does.
    static func quoted(_ s: String) -> String { JSONText.quoted(s) }

    static func render(_ plan: Plan) -> String {
        var lines: [String] = []
        let accountWidth = max(7, plan.calls.map(\.account.count).max() ?? 0)
        func pad(_ s: String, _ n: Int) -> String { s.count >= n ? s : s + String(repeating: " ", count: n - s.count) }
        lines.append("range \(plan.range.from.iso) .. \(plan.range.to.iso)")
        lines.append("\(pad("ACCOUNT", accountWidth))  \(pad("ENDPOINT", 21))  BEGIN       END         CACHED  REASON")
        for c in plan.calls {
            let reason = c.reason.map { $0 == .isDelay ? "is_delay (WeChat has not finished these figures)" : $0.rawValue } ?? ""
            lines.append(
                "\(pad(c.account, accountWidth))  \(pad(c.endpoint.rawValue, 21))  \(c.begin.iso)  \(c.end.iso)  \(pad(c.cached ? "yes" : "no", 6))  \(reason)")
        }
        lines.append("")
        lines.append("\(pad("ENDPOINT", 21))  CALLS  CACHED")
        for e in Endpoint.allCases {
            let calls = plan.calls.filter { $0.endpoint == e }
            guard !calls.isEmpty else { continue }
            let cached = calls.filter(\.cached).count
            lines.append("\(pad(e.rawValue, 21))  \(pad(String(calls.count - cached), 5))  \(cached)")
        }
        let pending = plan.pending.count
        lines.append("total: \(pending) call\(pending == 1 ? "" : "s") to make, \(plan.calls.count - pending) window(s) cached")
        return lines.joined(separator: "\n")
    }
}
