import Foundation
import Logging

/// Runs a pipeline: plan against the store, fetch what is missing, and export
/// once every window of every account is stored (docs/architecture.md, "The data flow").
public struct PipelineRunner: Sendable {
    public var spec: PipelineSpec
    public var options: RunOptions
    public var logger: Logger
    public var progress: any RunProgress
    /// A transport to use instead of a new AsyncHTTPClient (tests).
    public var transport: (any HTTPTransport)?

    public init(
        spec: PipelineSpec, options: RunOptions, logger: Logger, progress: any RunProgress = NoProgress(),
        transport: (any HTTPTransport)? = nil
    ) {
        self.spec = spec
        self.options = options
        self.logger = logger
        self.progress = progress
        self.transport = transport
    }

    /// The store path after `--store`.
    public var storePath: String { options.storePath ?? spec.store }

    /// The run's range after `--from`/`--to`, before clamping.
    public func requestedRange(now: Date) -> DateRange {
        RangeSpec(from: options.from ?? spec.range.from, to: options.to ?? spec.range.to)
            .resolve(today: ChinaClock.today(at: now))
    }

    /// A run that ends before (or instead of) exporting: its status and what to tell the user.
    struct RunEnd: Error {
        var status: RunStatus
        var messages: [String]
        var remaining: [PlannedCall] = []
    }

    /// Runs; never throws. Cancelling the task (Ctrl-C) stops cleanly: windows
    /// in flight are discarded, stored ones kept, and the result is incomplete.
    /// The phases: check `--out`, lock and open the store, plan, then fetch (or
    /// check the store offline), then export.
    public func run() async -> RunResult {
        let stats = FetchStats()
        var summary = RunSummary(range: nil, stats: stats.snapshot, accounts: [], durationSeconds: 0, interrupted: false)
        var plan: Plan?
        func finish(_ status: RunStatus, remaining: [PlannedCall] = [], messages: [String]) -> RunResult {
            summary.stats = stats.snapshot
            summary.durationSeconds = stats.elapsedSeconds
            summary.range = plan?.range
            return RunResult(status: status, plan: plan, summary: summary, remaining: remaining, messages: messages)
        }
        do {
            try checkOutDirectory()
            let lock = try lockStore()
            defer { withExtendedLifetime(lock) {} }
            let store = try openStore()
            let planned = try makePlan(store: store, stats: stats)
            plan = planned
            let unavailable: [EndpointUnavailable]
            if options.offline {
                try checkOffline(plan: planned, store: store, summary: &summary)
                unavailable = []
            } else {
                unavailable = try await fetchPhase(plan: planned, store: store, stats: stats, summary: &summary)
            }
            let manifest = try export(plan: planned, store: store, unavailable: unavailable)
            summary.anomalies = manifest?.anomalies
            try await load(plan: planned, store: store, manifest: manifest, unavailable: unavailable)
            let result = finish(.complete, messages: unavailable.map(\.skippedWarning))
            for m in result.messages { logger.warning("\(m)") }
            return result
        } catch let end as RunEnd {
            return finish(end.status, remaining: end.remaining, messages: end.messages)
        } catch {
            return finish(.failed, messages: ["\(error)"])
        }
    }

    // MARK: - Phases

    /// An --out that is a file would fail only after every call was made.
    private func checkOutDirectory() throws {
        var isDir: ObjCBool = false
        if !spec.outputs.isEmpty, FileManager.default.fileExists(atPath: options.outDirectory, isDirectory: &isDir), !isDir.boolValue {
            throw RunEnd(status: .badUsage, messages: ["--out: \(ExportError.notAFolder(path: options.outDirectory))"])
        }
    }

    /// One run per store: a run that fetches holds the store's lock until it
    /// returns (--offline only reads and takes none).
    private func lockStore() throws -> StoreLock? {
        guard !options.offline else { return nil }
        do {
            return try StoreLock.acquire(store: storePath, now: Date())
        } catch let e as StoreLock.Failure {
            if case .held = e { throw RunEnd(status: .incomplete, messages: ["\(e)"]) }
            throw RunEnd(status: .failed, messages: ["\(e)"])
        }
    }

    /// Opens the store (read-only offline) and checks its account keys: the store
    /// keys data by appid; a name seen before with another appid is an error
    /// (docs/operations.md).
    private func openStore() throws -> RawStore {
        let store: RawStore
        if options.offline {
            guard let s = try RawStore.openReadOnly(path: storePath) else {
                throw RunEnd(
                    status: .incomplete,
                    messages: [
                        "--offline: there is no store at \(storePath); run without --offline first to fetch the data"
                    ])
            }
            store = s
        } else {
            store = try RawStore(path: storePath)
        }
        do {
            let legacy = try store.checkAccountKeys(spec.accounts.map { ($0.name, $0.storeKey) })
            for name in legacy {
                logger.warning(
                    "store: \(storePath) holds days of account '\(name)' keyed by its name (stored before wxcube keyed ready-token accounts by appid); they are no longer read, and the days are fetched again under the appid"
                )
            }
        } catch let e as AccountKeyConflict {
            throw RunEnd(status: .badUsage, messages: e.description.split(separator: "\n").map(String.init))
        } catch {
            throw RunEnd(status: .failed, messages: ["store: cannot read the accounts table: \(error)"])
        }
        return store
    }

    /// The windows of the run's range, cached or to fetch.
    private func makePlan(store: RawStore, stats: FetchStats) throws -> Plan {
        let now = options.now ?? Date()
        let plan: Plan
        do {
            plan = try Planner(spec: spec, refresh: options.refresh && !options.offline)
                .plan(range: requestedRange(now: now), now: now, coverage: store)
        } catch let e as PlanError {
            throw RunEnd(status: .badUsage, messages: ["\(e)"])
        } catch {
            throw RunEnd(status: .failed, messages: ["store: cannot read which days are stored: \(error)"])
        }
        for w in plan.warnings { logger.warning("\(w)") }
        let cachedCalls = plan.calls.filter(\.cached)
        stats.planned(
            total: plan.pending.count, cachedWindows: cachedCalls.count,
            cachedDays: cachedCalls.reduce(0) { $0 + $1.days.dayCount })
        logger.info(
            "plan: \(plan.range.from.iso)..\(plan.range.to.iso), \(plan.calls.count) windows, \(plan.pending.count) to fetch, \(cachedCalls.count) cached")
        return plan
    }

    /// --offline: every day the plan needs must be stored.
    private func checkOffline(plan: Plan, store: RawStore, summary: inout RunSummary) throws {
        let missing: [(account: String, endpoint: Endpoint, day: Day)]
        do {
            missing = try missingDays(plan: plan, store: store)
        } catch {
            throw RunEnd(status: .failed, messages: ["store: cannot read which days are stored: \(error)"])
        }
        guard missing.isEmpty else {
            summary.accounts = spec.accounts.map { ($0.name, .incomplete(failedWindows: 0)) }
            var msgs = ["--offline: \(missing.count) day(s) are not in the store \(storePath), so nothing was exported:"]
            msgs += missing.prefix(10).map { "  \($0.account) \($0.endpoint.rawValue) \($0.day.iso)" }
            if missing.count > 10 { msgs.append("  ... and \(missing.count - 10) more") }
            msgs.append("run without --offline to fetch them")
            throw RunEnd(status: .incomplete, messages: msgs)
        }
        summary.accounts = spec.accounts.map { ($0.name, .complete) }
    }

    /// Fetches the pending windows; returns the endpoints skipped under
    /// `on_unavailable: skip`, or ends the run when anything is left to fetch.
    private func fetchPhase(plan: Plan, store: RawStore, stats: FetchStats, summary: inout RunSummary) async throws -> [EndpointUnavailable] {
        let (fetcher, ownTransport) = try makeFetcher(store: store, stats: stats)
        progress.start(stats: stats)
        let outcome = await fetcher.fetchAll(plan.pending)
        progress.stop()
        if let ownTransport {
            do { try await ownTransport.shutdown() } catch { logger.debug("closing the HTTP client: \(error)") }
        }
        return try judge(outcome, sessions: fetcher.sessions, summary: &summary)
    }

    /// The HTTP client, one session per account, and the window fetcher over them.
    private func makeFetcher(store: RawStore, stats: FetchStats) throws -> (WindowFetcher, AsyncHTTPTransport?) {
        if let given = options.apiBase, APIBase(parsing: given) == nil {
            throw RunEnd(status: .badUsage, messages: ["--api-base: '\(given)' is not \(APIBase.expected)"])
        }
        guard let baseURL = resolvedBaseURL() else {
            throw RunEnd(
                status: .badUsage,
                messages: [
                    "api.base_url is `sandbox`, but no sandbox is running: use `wxcube run` (it starts one) or pass --api-base URL"
                ])
        }
        let ownTransport = transport == nil ? AsyncHTTPTransport(api: spec.api) : nil
        let http: any HTTPTransport = transport ?? ownTransport ?? AsyncHTTPTransport(api: spec.api)
        let policy = RetryPolicy(retries: spec.api.retries, baseDelay: options.retryBaseDelay)
        let client = DatacubeClient(baseURL: baseURL, transport: http, policy: policy, stats: stats, logger: logger)
        let sessions = makeSessions(baseURL: client.baseURL, transport: http, policy: policy, stats: stats)
        let fixedNow = options.now
        let fetcher = WindowFetcher(
            client: client, sessions: sessions, store: store, concurrency: spec.api.concurrency,
            stats: stats, logger: logger, fetchedAt: { fixedNow ?? Date() })
        return (fetcher, ownTransport)
    }

    /// Records each account's end in the summary; throws unless every window is stored.
    private func judge(
        _ outcome: WindowFetcher.FetchOutcome, sessions: [String: AccountSession],
        summary: inout RunSummary
    ) throws -> [EndpointUnavailable] {
        let interrupted = Task.isCancelled || outcome.interrupted
        summary.interrupted = interrupted
        let unavailable = EndpointUnavailable.sorted(Array(outcome.unavailable.values))
        summary.unavailable = unavailable
        summary.accounts = spec.accounts.map { a in
            if let f = sessions[a.name]?.failure { return (a.name, .stopped(f)) }
            let failed = outcome.failed.filter { $0.call.account == a.name }.count
            if failed > 0 { return (a.name, .incomplete(failedWindows: failed)) }
            if outcome.remaining.contains(where: { $0.account == a.name }) { return (a.name, .interrupted) }
            return (a.name, .complete)
        }
        if !unavailable.isEmpty && spec.onUnavailable == .fail {
            var messages = unavailable.map { "error: \($0)" }
            messages.append("nothing was exported (on_unavailable: fail); everything else fetched is kept in \(storePath)")
            throw RunEnd(status: .failed, messages: messages, remaining: outcome.remaining)
        }
        if outcome.remaining.isEmpty && !interrupted { return unavailable }
        var messages: [String] = []
        if interrupted { messages.append("interrupted: windows in flight were discarded; stored windows are kept") }
        for s in sessions.values.sorted(by: { $0.account.name < $1.account.name }) {
            if let f = s.failure { messages.append("\(f)") }
        }
        for f in outcome.failed { messages.append("\(f.failure)") }
        messages += remainingLines(outcome.remaining)
        // A planner bug or a store that cannot be written will not get better by
        // running again: that is a failure, not an incomplete run.
        let failed = outcome.failed.contains { $0.failure.isPlannerBug } || outcome.storeFailed
        throw RunEnd(status: failed ? .failed : .incomplete, messages: messages, remaining: outcome.remaining)
    }

    /// `exportPhase`, its error reported as the run's failure.
    private func export(plan: Plan, store: RawStore, unavailable: [EndpointUnavailable]) throws -> Manifest? {
        do {
            return try exportPhase(plan: plan, store: store, unavailable: unavailable)
        } catch {
            throw RunEnd(status: .failed, messages: ["export: \(error)"])
        }
    }

    /// The `postgres` outputs, after the files are published: a failed load
    /// fails the run; the files and the store are kept (docs/postgres.md).
    private func load(plan: Plan, store: RawStore, manifest: Manifest?, unavailable: [EndpointUnavailable]) async throws {
        guard let manifest,
            let failure = await loadPhase(plan: plan, store: store, manifest: manifest, unavailable: unavailable)
        else { return }
        throw RunEnd(status: .failed, messages: [failure])
    }

    /// Transform and export: runs only when every window of every account is
    /// stored. Rows stream from the store through the stages into each output
    /// file; `manifest.json` is written last.
    @discardableResult
    public func exportPhase(plan: Plan, store: RawStore, unavailable: [EndpointUnavailable] = []) throws -> Manifest? {
        guard !spec.outputs.isEmpty else {
            logger.info("export: the pipeline has no outputs; the store is up to date")
            return nil
        }
        let datasets = PipelineDatasets(spec: spec, range: plan.range, store: store)
        datasets.unavailable = unavailable
        try datasets.validate()
        var context = ExportContext(
            pipelineName: spec.name, range: plan.range, accounts: spec.accounts.map(\.name),
            caveat: datasets.thresholdCaveat, generatedAt: options.now ?? Date(),
            version: WXCubeVersion.current)
        context.unavailable = unavailable
        var writer = OutputWriter(outDirectory: URL(fileURLWithPath: options.outDirectory), context: context, logger: logger)
        writer.anomalyLog = datasets.anomalies
        let manifest = try writer.writeAll(spec.outputs, from: datasets)
        let rows = manifest.files.reduce(0) { $0 + $1.rows }
        let anomalies = manifest.anomalies ?? datasets.anomalies.snapshot
        for line in anomalies.lines {
            logger.warning("bad rows in the API answers: \(line); \(Anomalies.rule)")
        }
        let decoded = DecodeStats.shared.snapshot
        logger.info("export: decoded \(decoded.bytes) bytes of stored JSON (\(decoded.bodies) bodies) in \(String(format: "%.3f", decoded.seconds)) s")
        logger.info("export: \(manifest.files.count) file(s), \(rows) rows, manifest \(OutputWriter.manifestName) in \(options.outDirectory)")
        var published = manifest
        published.anomalies = anomalies
        return published
    }

    // MARK: - Pieces

    private func resolvedBaseURL() -> String? {
        if let b = options.apiBase {
            if case .url(let u)? = APIBase(parsing: b) { return u }
            return nil
        }
        switch spec.api.base {
        case .url(let u): return u
        case .sandbox: return nil
        }
    }

    private func makeSessions(baseURL: String, transport: any HTTPTransport, policy: RetryPolicy, stats: FetchStats) -> [String: AccountSession] {
        // One rate limiter per appid, shared by accounts with the same appid.
        var limiters: [String: RateLimiter] = [:]
        var sessions: [String: AccountSession] = [:]
        for a in spec.accounts {
            let key = a.storeKey
            let limiter = limiters[key] ?? RateLimiter(requestsPerSecond: spec.api.requestsPerSecond)
            limiters[key] = limiter
            let tokens = TokenProvider(
                account: a, baseURL: baseURL, transport: transport, policy: policy,
                onRetry: { stats.retried($0) })
            sessions[a.name] = AccountSession(account: a, tokens: tokens, limiter: limiter)
        }
        return sessions
    }

    /// Days the plan needs that are not stored (for --offline).
    private func missingDays(plan: Plan, store: RawStore) throws -> [(account: String, endpoint: Endpoint, day: Day)] {
        var out: [(String, Endpoint, Day)] = []
        for a in spec.accounts {
            for e in spec.fetchedEndpoints {
                let days = Planner.fetchDays(for: e, range: plan.range)
                let stored = try store.storedDays(storeKey: a.storeKey, endpoint: e, in: days)
                for d in days.days where stored[d] == nil { out.append((a.name, e, d)) }
            }
        }
        return out
    }

    /// "What is left and how to continue", grouped per account and endpoint.
    private func remainingLines(_ remaining: [PlannedCall]) -> [String] {
        guard !remaining.isEmpty else { return [] }
        var groups: [String: (count: Int, first: Day, last: Day)] = [:]
        var keys: [String] = []
        for c in remaining {
            let k = "\(c.account) \(c.endpoint.rawValue)"
            if let g = groups[k] {
                groups[k] = (g.count + 1, min(g.first, c.begin), max(g.last, c.end))
            } else {
                groups[k] = (1, c.begin, c.end)
                keys.append(k)
            }
        }
        var lines = ["left to fetch: \(remaining.count) window(s):"]
        for k in keys.sorted() {
            if let g = groups[k] { lines.append("  \(k): \(g.count) window(s) between \(g.first.iso) and \(g.last.iso)") }
        }
        let pipeline = options.pipelinePath ?? "PIPELINE.yaml"
        lines.append(
            "nothing was exported; progress is kept in \(storePath). Run `wxcube run \(pipeline)` again with the same range to continue (after midnight China time if the daily quota was reached)"
        )
        return lines
    }
}
