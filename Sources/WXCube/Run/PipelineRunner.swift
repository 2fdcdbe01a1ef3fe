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

    public init(spec: PipelineSpec, options: RunOptions, logger: Logger, progress: any RunProgress = NoProgress(),
                transport: (any HTTPTransport)? = nil) {
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

    /// Runs; never throws. Cancelling the task (Ctrl-C) stops cleanly: windows
    /// in flight are discarded, stored ones kept, and the result is incomplete.
    public func run() async -> RunResult {
        let stats = FetchStats()
        let now = options.now ?? Date()
        var summary = RunSummary(range: nil, stats: stats.snapshot, accounts: [], durationSeconds: 0, interrupted: false)
        func finish(_ status: RunStatus, plan: Plan?, remaining: [PlannedCall] = [], messages: [String]) -> RunResult {
            summary.stats = stats.snapshot
            summary.durationSeconds = stats.elapsedSeconds
            summary.range = plan?.range
            return RunResult(status: status, plan: plan, summary: summary, remaining: remaining, messages: messages)
        }

        // An --out that is a file would fail only after every call was made.
        var isDir: ObjCBool = false
        if !spec.outputs.isEmpty, FileManager.default.fileExists(atPath: options.outDirectory, isDirectory: &isDir), !isDir.boolValue {
            return finish(.badUsage, plan: nil, messages: ["--out: \(ExportError.notAFolder(path: options.outDirectory))"])
        }

        // One run per store: a run that fetches holds the store's lock until it
        // returns (--offline only reads and takes none).
        var lock: StoreLock?
        if !options.offline {
            do {
                lock = try StoreLock.acquire(store: storePath, now: Date())
            } catch let e as StoreLock.Failure {
                if case .held = e { return finish(.incomplete, plan: nil, messages: ["\(e)"]) }
                return finish(.failed, plan: nil, messages: ["\(e)"])
            } catch {
                return finish(.failed, plan: nil, messages: ["\(error)"])
            }
        }
        defer { withExtendedLifetime(lock) {} }

        // Store.
        let store: RawStore
        do {
            if options.offline {
                guard let s = try RawStore.openReadOnly(path: storePath) else {
                    return finish(.incomplete, plan: nil, messages: [
                        "--offline: there is no store at \(storePath); run without --offline first to fetch the data"])
                }
                store = s
            } else {
                store = try RawStore(path: storePath)
            }
        } catch {
            return finish(.failed, plan: nil, messages: ["\(error)"])
        }

        // Accounts: the store keys data by appid; a name seen before with
        // another appid is an error (docs/operations.md).
        do {
            let legacy = try store.checkAccountKeys(spec.accounts.map { ($0.name, $0.storeKey) })
            for name in legacy {
                logger.warning("store: \(storePath) holds days of account '\(name)' keyed by its name (stored before wxcube keyed ready-token accounts by appid); they are no longer read, and the days are fetched again under the appid")
            }
        } catch let e as AccountKeyConflict {
            return finish(.badUsage, plan: nil, messages: e.description.split(separator: "\n").map(String.init))
        } catch {
            return finish(.failed, plan: nil, messages: ["store: cannot read the accounts table: \(error)"])
        }

        // Plan.
        let plan: Plan
        do {
            plan = try Planner(spec: spec, refresh: options.refresh && !options.offline)
                .plan(range: requestedRange(now: now), now: now, coverage: store)
        } catch let e as PlanError {
            return finish(.badUsage, plan: nil, messages: ["\(e)"])
        } catch {
            return finish(.failed, plan: nil, messages: ["store: cannot read which days are stored: \(error)"])
        }
        for w in plan.warnings { logger.warning("\(w)") }
        let cachedCalls = plan.calls.filter(\.cached)
        stats.planned(total: plan.pending.count, cachedWindows: cachedCalls.count,
                      cachedDays: cachedCalls.reduce(0) { $0 + $1.days.dayCount })
        logger.info("plan: \(plan.range.from.iso)..\(plan.range.to.iso), \(plan.calls.count) windows, \(plan.pending.count) to fetch, \(cachedCalls.count) cached")

        if options.offline {
            let missing: [(account: String, endpoint: Endpoint, day: Day)]
            do {
                missing = try missingDays(plan: plan, store: store)
            } catch {
                return finish(.failed, plan: plan, messages: ["store: cannot read which days are stored: \(error)"])
            }
            if !missing.isEmpty {
                summary.accounts = spec.accounts.map { ($0.name, .incomplete(failedWindows: 0)) }
                var msgs = ["--offline: \(missing.count) day(s) are not in the store \(storePath), so nothing was exported:"]
                msgs += missing.prefix(10).map { "  \($0.account) \($0.endpoint.rawValue) \($0.day.iso)" }
                if missing.count > 10 { msgs.append("  ... and \(missing.count - 10) more") }
                msgs.append("run without --offline to fetch them")
                return finish(.incomplete, plan: plan, messages: msgs)
            }
            summary.accounts = spec.accounts.map { ($0.name, .complete) }
            return exportOrFail(plan: plan, store: store, finish: finish)
        }

        // Fetch.
        if let given = options.apiBase, APIBase(parsing: given) == nil {
            return finish(.badUsage, plan: plan, messages: ["--api-base: '\(given)' is not \(APIBase.expected)"])
        }
        guard let baseURL = resolvedBaseURL() else {
            return finish(.badUsage, plan: plan, messages: [
                "api.base_url is `sandbox`, but no sandbox is running: use `wxcube run` (it starts one) or pass --api-base URL"])
        }
        let ownTransport = transport == nil ? AsyncHTTPTransport(api: spec.api) : nil
        let http: any HTTPTransport = transport ?? ownTransport ?? AsyncHTTPTransport(api: spec.api)
        let policy = RetryPolicy(retries: spec.api.retries, baseDelay: options.retryBaseDelay)
        let client = DatacubeClient(baseURL: baseURL, transport: http, policy: policy, stats: stats, logger: logger)
        let sessions = makeSessions(baseURL: client.baseURL, transport: http, policy: policy, stats: stats)

        progress.start(stats: stats)
        let outcome = await fetchAll(plan.pending, client: client, sessions: sessions, store: store, stats: stats)
        progress.stop()
        if let ownTransport {
            do { try await ownTransport.shutdown() } catch { logger.debug("closing the HTTP client: \(error)") }
        }

        // Outcome.
        let interrupted = Task.isCancelled || outcome.interrupted
        summary.interrupted = interrupted
        let unavailable = EndpointUnavailable.sorted(Array(outcome.unavailable.values))
        summary.unavailable = unavailable
        summary.accounts = spec.accounts.map { a in
            let s = sessions[a.name]
            if let f = s?.failure { return (a.name, .stopped(f)) }
            let failed = outcome.failed.filter { $0.call.account == a.name }.count
            if failed > 0 { return (a.name, .incomplete(failedWindows: failed)) }
            if outcome.remaining.contains(where: { $0.account == a.name }) { return (a.name, .interrupted) }
            return (a.name, .complete)
        }
        if !unavailable.isEmpty && spec.onUnavailable == .fail {
            var messages = unavailable.map { "error: \($0)" }
            messages.append("nothing was exported (on_unavailable: fail); everything else fetched is kept in \(storePath)")
            return finish(.failed, plan: plan, remaining: outcome.remaining, messages: messages)
        }
        if outcome.remaining.isEmpty && !interrupted {
            let result = exportOrFail(plan: plan, store: store, unavailable: unavailable, finish: finish)
            guard result.status == .complete, !unavailable.isEmpty else { return result }
            var done = result
            done.messages = unavailable.map(\.skippedWarning)
            for m in done.messages { logger.warning("\(m)") }
            return done
        }
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
        return finish(failed ? .failed : .incomplete, plan: plan, remaining: outcome.remaining, messages: messages)
    }

    /// Transform and export: runs only when every window of every account is
    /// stored. Rows stream from the store through the stages into each output
    /// file; `manifest.json` is written last.
    @discardableResult
    public func exportPhase(plan: Plan, store: RawStore, unavailable: [EndpointUnavailable] = []) throws -> Anomalies? {
        guard !spec.outputs.isEmpty else {
            logger.info("export: the pipeline has no outputs; the store is up to date")
            return nil
        }
        let datasets = PipelineDatasets(spec: spec, range: plan.range, store: store)
        datasets.unavailable = unavailable
        try datasets.validate()
        var context = ExportContext(pipelineName: spec.name, range: plan.range, accounts: spec.accounts.map(\.name),
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
        logger.info("export: \(manifest.files.count) file(s), \(rows) rows, manifest \(OutputWriter.manifestName) in \(options.outDirectory)")
        return anomalies
    }

    // MARK: - Pieces

    private func exportOrFail(plan: Plan, store: RawStore, unavailable: [EndpointUnavailable] = [],
                              finish: (RunStatus, Plan?, [PlannedCall], [String]) -> RunResult) -> RunResult {
        do {
            let anomalies = try exportPhase(plan: plan, store: store, unavailable: unavailable)
            var result = finish(.complete, plan, [], [])
            result.summary.anomalies = anomalies
            return result
        } catch {
            return finish(.failed, plan, [], ["export: \(error)"])
        }
    }

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
            let tokens = TokenProvider(account: a, baseURL: baseURL, transport: transport, policy: policy,
                                       onRetry: { stats.retried($0) })
            sessions[a.name] = AccountSession(account: a, tokens: tokens, limiter: limiter)
        }
        return sessions
    }

    struct FailedWindow: Sendable {
        var call: PlannedCall
        var failure: WindowFailure
    }

    struct FetchOutcome: Sendable {
        var failed: [FailedWindow] = []
        var remaining: [PlannedCall] = []
        var interrupted = false
        var storeFailed = false
        /// Endpoints WeChat refused, by "account|endpoint".
        var unavailable: [String: EndpointUnavailable] = [:]
    }

    private enum WindowResult: Sendable {
        case stored(PlannedCall)
        case windowFailed(PlannedCall, WindowFailure)
        case accountStopped(PlannedCall, AccountFailure)
        case skipped(PlannedCall)
        case cancelled(PlannedCall)
        case storeFailed(PlannedCall, String)
        case unavailable(PlannedCall, EndpointUnavailable)
    }

    /// Fetches the calls with at most `api.concurrency` in flight, accounts
    /// interleaved so that per-appid rate limits overlap.
    private func fetchAll(_ calls: [PlannedCall], client: DatacubeClient, sessions: [String: AccountSession],
                          store: RawStore, stats: FetchStats) async -> FetchOutcome {
        let queue = PipelineRunner.interleaved(calls)
        let limit = max(1, spec.api.concurrency)
        let fixedNow = options.now
        let fetchedAt: @Sendable () -> Date = { fixedNow ?? Date() }
        let logger = self.logger
        var outcome = FetchOutcome()
        var storeError: String?
        var next = 0

        await withTaskGroup(of: WindowResult.self) { group in
            var inFlight = 0
            func launch() {
                while inFlight < limit && next < queue.count && storeError == nil && !Task.isCancelled {
                    let call = queue[next]
                    next += 1
                    guard let session = sessions[call.account] else { continue }
                    if session.failure != nil {
                        stats.windowSkipped()
                        outcome.remaining.append(call)
                        continue
                    }
                    if outcome.unavailable["\(call.account)|\(call.endpoint.rawValue)"] != nil {
                        // Refused before: no further call of this endpoint for this account.
                        stats.windowSkipped()
                        continue
                    }
                    inFlight += 1
                    group.addTask {
                        do {
                            let window = try await client.fetch(call, session: session, fetchedAt: fetchedAt)
                            try Task.checkCancellation()
                            do {
                                try await store.commit(window)
                            } catch is CancellationError {
                                return .cancelled(call)
                            } catch {
                                return .storeFailed(call, "\(error)")
                            }
                            return .stored(call)
                        } catch let u as EndpointUnavailable {
                            return .unavailable(call, u)
                        } catch let f as AccountFailure {
                            return .accountStopped(call, f)
                        } catch let f as WindowFailure {
                            return .windowFailed(call, f)
                        } catch {
                            if Task.isCancelled || error is CancellationError { return .cancelled(call) }
                            if session.failure != nil { return .skipped(call) }
                            return .windowFailed(call, .retriesExhausted(call: call.description, attempts: 1, lastCause: "\(error)"))
                        }
                    }
                }
            }
            launch()
            while let result = await group.next() {
                inFlight -= 1
                switch result {
                case .stored:
                    stats.windowStored()
                case let .windowFailed(call, f):
                    stats.windowFailed()
                    logger.error("\(f)")
                    outcome.failed.append(FailedWindow(call: call, failure: f))
                    outcome.remaining.append(call)
                case let .accountStopped(call, f):
                    outcome.remaining.append(call)
                    if let s = sessions[call.account], s.stop(f) {
                        logger.error("\(f)")
                    }
                    stats.windowSkipped()
                case let .skipped(call):
                    stats.windowSkipped()
                    outcome.remaining.append(call)
                case let .unavailable(_, u):
                    stats.windowSkipped()
                    if outcome.unavailable[u.key] == nil {
                        outcome.unavailable[u.key] = u
                        logger.error("\(u)")
                    }
                case let .cancelled(call):
                    outcome.interrupted = true
                    outcome.remaining.append(call)
                case let .storeFailed(call, message):
                    storeError = message
                    outcome.storeFailed = true
                    logger.critical("store: cannot write \(call): \(message)")
                    outcome.failed.append(FailedWindow(call: call, failure: .storeWriteFailed(call: call.description, message: message)))
                    outcome.remaining.append(call)
                }
                launch()
            }
        }
        let unlaunched = next
        // Calls never launched (Ctrl-C or a store failure) are still to do.
        if unlaunched < queue.count {
            if Task.isCancelled { outcome.interrupted = true }
            outcome.remaining += queue[unlaunched...]
        }
        return outcome
    }

    /// Round-robin over accounts, each account's calls in plan order.
    static func interleaved(_ calls: [PlannedCall]) -> [PlannedCall] {
        var byAccount: [String: [PlannedCall]] = [:]
        var order: [String] = []
        for c in calls {
            if byAccount[c.account] == nil { order.append(c.account) }
            byAccount[c.account, default: []].append(c)
        }
        var out: [PlannedCall] = []
        out.reserveCapacity(calls.count)
        var i = 0
        while out.count < calls.count {
            for a in order {
                if let list = byAccount[a], i < list.count { out.append(list[i]) }
            }
            i += 1
        }
        return out
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
        lines.append("nothing was exported; progress is kept in \(storePath). Run `wxcube run \(pipeline)` again with the same range to continue (after midnight China time if the daily quota was reached)")
        return lines
    }
}
