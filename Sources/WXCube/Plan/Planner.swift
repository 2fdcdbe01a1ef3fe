import Foundation

/// What the planner needs from the store: which days it already holds.
public protocol CoverageReading {
    /// Days stored complete for this account key and endpoint within `range`,
    /// with the time each was fetched.
    func storedDays(storeKey: String, endpoint: Endpoint, in range: DateRange) throws -> [Day: Date]
    /// Stored days whose answer said `is_delay: true`: not settled, fetched again on every run.
    func unsettledDays(storeKey: String, endpoint: Endpoint, in range: DateRange) throws -> Set<Day>
}

extension CoverageReading {
    public func unsettledDays(storeKey: String, endpoint: Endpoint, in range: DateRange) throws -> Set<Day> { [] }
}

/// Why a window is fetched (`plan` shows it).
public enum PendingReason: String, Sendable, Codable {
    /// Some day of the window is not in the store.
    case notStored = "not_stored"
    /// Stored, but within `refetch_days` of `to`: its numbers may still change.
    case refetchDays = "refetch_days"
    /// Stored, but WeChat answered `is_delay: true`: fetched until it answers false.
    case isDelay = "is_delay"
    /// `--refresh`.
    case refresh
    /// Stored, but the item's cumulative figures are still tracked and the stored
    /// answer ends before the range's last stat_date (getarticletotaldetail).
    case tracking
}

/// One API call: an account, an endpoint and a window no longer than its span.
public struct PlannedCall: Sendable, Hashable, Decodable, CustomStringConvertible {
    public var account: String
    public var storeKey: String
    public var endpoint: Endpoint
    public var begin: Day
    public var end: Day
    /// True when every day of the window is already stored and needs no call.
    public var cached: Bool
    /// Why a window that is not cached is fetched (nil for cached windows).
    public var reason: PendingReason?

    public init(
        account: String, storeKey: String, endpoint: Endpoint, begin: Day, end: Day, cached: Bool,
        reason: PendingReason? = nil
    ) {
        self.account = account
        self.storeKey = storeKey
        self.endpoint = endpoint
        self.begin = begin
        self.end = end
        self.cached = cached
        self.reason = reason
    }

    public var days: DateRange { DateRange(from: begin, to: end) }

    public var description: String { "\(account) \(endpoint.rawValue) \(begin.iso)..\(end.iso)" }

    /// Reads one object of `plan --json` (which `PlanCommand` writes).
    enum CodingKeys: String, CodingKey { case account, endpoint, begin_date, end_date, cached }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        account = try c.decode(String.self, forKey: .account)
        storeKey = account
        let e = try c.decode(String.self, forKey: .endpoint)
        guard let endpoint = Endpoint(rawValue: e) else {
            throw DecodingError.dataCorruptedError(forKey: .endpoint, in: c, debugDescription: "unknown endpoint \(e)")
        }
        self.endpoint = endpoint
        guard let b = Day(iso: try c.decode(String.self, forKey: .begin_date)),
            let en = Day(iso: try c.decode(String.self, forKey: .end_date))
        else {
            throw DecodingError.dataCorruptedError(forKey: .begin_date, in: c, debugDescription: "bad date")
        }
        begin = b
        end = en
        cached = try c.decode(Bool.self, forKey: .cached)
        reason = nil
    }
}

public struct Plan: Sendable {
    /// The run's range (what the datasets hold), after clamping.
    public var range: DateRange
    /// Every window, cached or not, in deterministic order: account (pipeline
    /// order), endpoint, begin_date.
    public var calls: [PlannedCall]
    public var warnings: [String]

    /// The windows that need a call.
    public var pending: [PlannedCall] { calls.filter { !$0.cached } }
}

public enum PlanError: Error, CustomStringConvertible, Equatable {
    case fromAfterTo(from: Day, to: Day)
    case toAfterYesterday(to: Day, yesterday: Day)
    case beforeDataStart(to: Day)
    /// Every fetched endpoint starts later than `to` (the published-content ones start 2025-11-01).
    case beforeEndpointData(to: Day, floor: Day, endpoints: [Endpoint])

    public var description: String {
        switch self {
        case let .fromAfterTo(from, to):
            return "range: from \(from.iso) is after to \(to.iso)"
        case let .toAfterYesterday(to, yesterday):
            return "range: to \(to.iso) is after yesterday in China (\(yesterday.iso)); WeChat serves complete days only"
        case let .beforeDataStart(to):
            return "range: to \(to.iso) is before \(Day.dataStart.iso), the first day WeChat keeps data for"
        case let .beforeEndpointData(to, floor, endpoints):
            return
                "range: to \(to.iso) is before \(floor.iso), the first day WeChat serves \(endpoints.map(\.rawValue).joined(separator: ", ")) for; pick a later range, or fetch the legacy endpoints for older days"
        }
    }
}

/// Turns a spec and a range into API calls (each endpoint's span, look-back and first day; docs/architecture.md).
public struct Planner {
    public var spec: PipelineSpec
    /// Refetch every stored day (`--refresh`).
    public var refresh: Bool

    public init(spec: PipelineSpec, refresh: Bool = false) {
        self.spec = spec
        self.refresh = refresh
    }

    /// Checks a concrete range against WeChat's rules and clamps it to the first
    /// day any of `endpoints` has data for (2014-12-01 for the legacy family,
    /// 2025-11-01 for the published-content one). With both families, the range
    /// stays and the published endpoints alone start later (one warning).
    public static func checkedRange(_ range: DateRange, now: Date, endpoints: [Endpoint] = []) throws -> (range: DateRange, warnings: [String]) {
        let yesterday = ChinaClock.yesterday(at: now)
        guard range.from <= range.to else { throw PlanError.fromAfterTo(from: range.from, to: range.to) }
        guard range.to <= yesterday else { throw PlanError.toAfterYesterday(to: range.to, yesterday: yesterday) }
        guard range.to >= Day.dataStart else { throw PlanError.beforeDataStart(to: range.to) }
        let floor = endpoints.map(\.dataFrom).min() ?? Day.dataStart
        guard range.to >= floor else { throw PlanError.beforeEndpointData(to: range.to, floor: floor, endpoints: endpoints) }
        var warnings: [String] = []
        var clamped = range
        if range.from < floor {
            clamped.from = floor
            let whose = floor == Day.dataStart ? "WeChat's data" : "WeChat's data for \(endpoints.map(\.rawValue).joined(separator: ", "))"
            warnings.append("range: from \(range.from.iso) is before \(floor.iso), when \(whose) starts; using \(floor.iso)")
        }
        let later = endpoints.filter { $0.dataFrom > clamped.from }
        if let first = later.first {
            warnings.append(
                "range: \(later.map(\.rawValue).joined(separator: ", ")) \(later.count == 1 ? "has" : "have") no data before \(first.dataFrom.iso); \(later.count == 1 ? "its" : "their") datasets start on \(first.dataFrom.iso)"
            )
        }
        if range.to == yesterday && ChinaClock.hour(at: now) < 8 {
            warnings.append(
                "it is before 08:00 in China: WeChat may not have finished yesterday's (\(yesterday.iso)) figures; run again after 08:00 China time for complete data"
            )
        }
        return (clamped, warnings)
    }

    /// The days an endpoint is fetched for: the range, plus the lookback, never
    /// before the endpoint's first day (empty when that is after `to`).
    public static func fetchDays(for endpoint: Endpoint, range: DateRange) -> DateRange {
        let from = max(endpoint.dataFrom, range.from.adding(days: -endpoint.lookbackDays))
        return DateRange(from: from, to: range.to)
    }

    /// Greedy windows over ascending days: consecutive days are grouped from the
    /// first one into windows as long as `span` allows; a gap starts a new window.
    public static func windows(over days: [Day], span: Int) -> [(begin: Day, end: Day)] {
        var out: [(Day, Day)] = []
        var start: Day?
        var last: Day?
        for d in days {
            if let s = start, let l = last, d == l.adding(days: 1), d.days(since: s) < span {
                last = d
            } else {
                if let s = start, let l = last { out.append((s, l)) }
                start = d
                last = d
            }
        }
        if let s = start, let l = last { out.append((s, l)) }
        return out
    }

    /// Plans every fetched endpoint of every account over `range`.
    /// - Parameters:
    ///   - coverage: the store, or nil to plan as if nothing were stored.
    ///   - now: the current instant; "yesterday" and the refetch window are China dates.
    public func plan(range requested: DateRange, now: Date, coverage: (any CoverageReading)? = nil) throws -> Plan {
        let (range, warnings) = try Planner.checkedRange(requested, now: now, endpoints: spec.fetchedEndpoints)
        var calls: [PlannedCall] = []
        for account in spec.accounts {
            for endpoint in spec.fetchedEndpoints {
                calls += try self.calls(account: account, endpoint: endpoint, range: range, coverage: coverage)
            }
        }
        let accountOrder = Dictionary(spec.accounts.enumerated().map { ($1.name, $0) }, uniquingKeysWith: { a, _ in a })
        calls.sort { a, b in
            let (ia, ib) = (accountOrder[a.account] ?? 0, accountOrder[b.account] ?? 0)
            if ia != ib { return ia < ib }
            if a.endpoint != b.endpoint { return a.endpoint < b.endpoint }
            return a.begin < b.begin
        }
        return Plan(range: range, calls: calls, warnings: warnings)
    }
    /// One account's windows of one endpoint: the stored days that need
    /// nothing more as cached windows, the others as windows to fetch, each
    /// with the strongest reason among its days.
    private func calls(account: AccountSpec, endpoint: Endpoint, range: DateRange, coverage: (any CoverageReading)?) throws -> [PlannedCall] {
        let days = Planner.fetchDays(for: endpoint, range: range)
        guard days.dayCount > 0 else { return [] }
        let stored = try coverage?.storedDays(storeKey: account.storeKey, endpoint: endpoint, in: days) ?? [:]
        let unsettled = try coverage?.unsettledDays(storeKey: account.storeKey, endpoint: endpoint, in: days) ?? []
        var missing: [Day] = []
        var reasons: [Day: PendingReason] = [:]
        var cached: [Day] = []
        for d in days.days {
            if let reason = pendingReason(d, fetchedAt: stored[d], unsettled: unsettled.contains(d), endpoint: endpoint, range: range) {
                missing.append(d)
                reasons[d] = reason
            } else {
                cached.append(d)
            }
        }
        var calls: [PlannedCall] = []
        for (b, e) in Planner.windows(over: missing, span: endpoint.maxSpanDays) {
            let window = DateRange(from: b, to: e).days.compactMap { reasons[$0] }
            let reason = [PendingReason.isDelay, .notStored, .refresh, .tracking, .refetchDays].first { window.contains($0) } ?? .notStored
            calls.append(
                PlannedCall(
                    account: account.name, storeKey: account.storeKey, endpoint: endpoint, begin: b, end: e,
                    cached: false, reason: reason))
        }
        for (b, e) in Planner.windows(over: cached, span: endpoint.maxSpanDays) {
            calls.append(PlannedCall(account: account.name, storeKey: account.storeKey, endpoint: endpoint, begin: b, end: e, cached: true))
        }
        return calls
    }

    /// Why day `d` must be fetched (again), or nil when its stored answer is final.
    private func pendingReason(_ d: Day, fetchedAt: Date?, unsettled: Bool, endpoint: Endpoint, range: DateRange) -> PendingReason? {
        guard let fetchedAt else { return .notStored }
        if refresh { return .refresh }
        // WeChat said it had not finished this day: fetch until it says so.
        if unsettled { return .isDelay }
        // An answer fetched on China day F holds figures up to F - 1; this
        // publish day needs them up to min(d + tracked - 1, to).
        let tracked = endpoint.info.trackedDays
        if tracked > 0, ChinaClock.today(at: fetchedAt) <= min(d.adding(days: tracked - 1), range.to) { return .tracking }
        // A stored day near `to` still changes, unless it was fetched
        // once it had settled (refetch_days after the day itself).
        let refetchFrom = range.to.adding(days: -(spec.refetchDays - 1))
        let settled = ChinaClock.today(at: fetchedAt).days(since: d) > spec.refetchDays
        if d >= refetchFrom && !settled && spec.refetchDays > 0 { return .refetchDays }
        return nil
    }
}
