import Foundation
import Logging

/// Fetches a plan's pending windows concurrently and commits each to the store:
/// the fetch phase of a run (`PipelineRunner` builds one and reads its outcome).
public struct WindowFetcher: Sendable {
    public let client: DatacubeClient
    public let sessions: [String: AccountSession]
    public let store: RawStore
    public let concurrency: Int
    public let stats: FetchStats
    public let logger: Logger
    /// The `fetched_at` of each stored window.
    public let fetchedAt: @Sendable () -> Date

    public init(
        client: DatacubeClient, sessions: [String: AccountSession], store: RawStore, concurrency: Int,
        stats: FetchStats, logger: Logger, fetchedAt: @escaping @Sendable () -> Date
    ) {
        self.client = client
        self.sessions = sessions
        self.store = store
        self.concurrency = concurrency
        self.stats = stats
        self.logger = logger
        self.fetchedAt = fetchedAt
    }

    /// A window that failed, and why.
    public struct FailedWindow: Sendable {
        public var call: PlannedCall
        public var failure: WindowFailure
    }

    /// How the fetch of a plan's pending windows ended.
    public struct FetchOutcome: Sendable {
        public var failed: [FailedWindow] = []
        /// Windows not stored (failed, skipped, interrupted or never launched): still to do.
        public var remaining: [PlannedCall] = []
        public var interrupted = false
        /// A window could not be committed: the fetch stopped launching calls.
        public var storeFailed = false
        /// Endpoints WeChat refused, by "account|endpoint".
        public var unavailable: [String: EndpointUnavailable] = [:]
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

    /// Fetches the calls with at most `concurrency` in flight, accounts
    /// interleaved so that per-appid rate limits overlap; each window is
    /// committed to the store as soon as it arrives.
    public func fetchAll(_ calls: [PlannedCall]) async -> FetchOutcome {
        let queue = WindowFetcher.interleaved(calls)
        let limit = max(1, concurrency)
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
                    group.addTask { await self.fetchOne(call, session: session) }
                }
            }
            launch()
            while let result = await group.next() {
                inFlight -= 1
                record(result, into: &outcome, storeError: &storeError)
                launch()
            }
        }
        // Calls never launched (Ctrl-C or a store failure) are still to do.
        if next < queue.count {
            if Task.isCancelled { outcome.interrupted = true }
            outcome.remaining += queue[next...]
        }
        return outcome
    }

    /// Fetches one window and commits it.
    private func fetchOne(_ call: PlannedCall, session: AccountSession) async -> WindowResult {
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

    /// Counts, logs and files one window's result.
    private func record(_ result: WindowResult, into outcome: inout FetchOutcome, storeError: inout String?) {
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
    }

    /// Round-robin over accounts, each account's calls in plan order.
    public static func interleaved(_ calls: [PlannedCall]) -> [PlannedCall] {
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
}
