import Foundation

/// What the planner needs from the store: which days it already holds.
public protocol CoverageReading {
    /// Days stored complete for this account key and endpoint within `range`,
    /// with the time each was fetched.
    func storedDays(storeKey: String, endpoint: Endpoint, in range: DateRange) throws -> [Day: Date]
}

/// One API call: an account, an endpoint and a window no longer than its span.
public struct PlannedCall: Sendable, Hashable, Codable, CustomStringConvertible {
    public var account: String
    public var storeKey: String
    public var endpoint: Endpoint
    public var begin: Day
    public var end: Day
    /// True when every day of the window is already stored and needs no call.
    public var cached: Bool

    public init(account: String, storeKey: String, endpoint: Endpoint, begin: Day, end: Day, cached: Bool) {
        self.account = account
        self.storeKey = storeKey
        self.endpoint = endpoint
        self.begin = begin
        self.end = end
        self.cached = cached
    }

    public var days: DateRange { DateRange(from: begin, to: end) }

    public var description: String { "\(account) \(endpoint.rawValue) \(begin.iso)..\(end.iso)" }

    enum CodingKeys: String, CodingKey { case account, endpoint, begin_date, end_date, cached }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(account, forKey: .account)
        try c.encode(endpoint.rawValue, forKey: .endpoint)
        try c.encode(begin.iso, forKey: .begin_date)
        try c.encode(end.iso, forKey: .end_date)
        try c.encode(cached, forKey: .cached)
    }

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
              let en = Day(iso: try c.decode(String.self, forKey: .end_date)) else {
            throw DecodingError.dataCorruptedError(forKey: .begin_date, in: c, debugDescription: "bad date")
        }
        begin = b
        end = en
        cached = try c.decode(Bool.self, forKey: .cached)
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

    public var description: String {
        switch self {
        case let .fromAfterTo(from, to):
            return "range: from \(from.iso) is after to \(to.iso)"
        case let .toAfterYesterday(to, yesterday):
            return "range: to \(to.iso) is after yesterday in China (\(yesterday.iso)); WeChat serves complete days only"
        case let .beforeDataStart(to):
            return "range: to \(to.iso) is before \(Day.dataStart.iso), the first day WeChat keeps data for"
        }
    }
}

/// Turns a spec and a range into API calls (DESIGN §2 spans, lookback, clamp).
public struct Planner {
    public var spec: PipelineSpec
    /// Refetch every stored day (`--refresh`).
    public var refresh: Bool

    public init(spec: PipelineSpec, refresh: Bool = false) {
        self.spec = spec
        self.refresh = refresh
    }

    /// Checks a concrete range against WeChat's rules and clamps it to 2014-12-01.
    public static func checkedRange(_ range: DateRange, now: Date) throws -> (range: DateRange, warnings: [String]) {
        let yesterday = ChinaClock.yesterday(at: now)
        guard range.from <= range.to else { throw PlanError.fromAfterTo(from: range.from, to: range.to) }
        guard range.to <= yesterday else { throw PlanError.toAfterYesterday(to: range.to, yesterday: yesterday) }
        guard range.to >= Day.dataStart else { throw PlanError.beforeDataStart(to: range.to) }
        var warnings: [String] = []
        var clamped = range
        if range.from < Day.dataStart {
            clamped.from = Day.dataStart
            warnings.append("range: from \(range.from.iso) is before \(Day.dataStart.iso), when WeChat's data starts; using \(Day.dataStart.iso)")
        }
        if range.to == yesterday && ChinaClock.hour(at: now) < 8 {
            warnings.append("it is before 08:00 in China: WeChat may not have finished yesterday's (\(yesterday.iso)) figures; run again after 08:00 China time for complete data")
        }
        return (clamped, warnings)
    }

    /// The days an endpoint is fetched for: the range, plus the lookback, never before 2014-12-01.
    public static func fetchDays(for endpoint: Endpoint, range: DateRange) -> DateRange {
        let from = max(Day.dataStart, range.from.adding(days: -endpoint.lookbackDays))
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
        let (range, warnings) = try Planner.checkedRange(requested, now: now)
        let refetchFrom = range.to.adding(days: -(spec.refetchDays - 1))
        var calls: [PlannedCall] = []
        for account in spec.accounts {
            for endpoint in spec.fetchedEndpoints {
                let days = Planner.fetchDays(for: endpoint, range: range)
                let stored = try coverage?.storedDays(storeKey: account.storeKey, endpoint: endpoint, in: days) ?? [:]
                var missing: [Day] = []
                var cached: [Day] = []
                for d in days.days {
                    guard let fetchedAt = stored[d], !refresh else { missing.append(d); continue }
                    // A stored day near `to` still changes, unless it was fetched
                    // once it had settled (refetch_days after the day itself).
                    let settled = ChinaClock.today(at: fetchedAt).days(since: d) > spec.refetchDays
                    if d >= refetchFrom && !settled && spec.refetchDays > 0 {
                        missing.append(d)
                    } else {
                        cached.append(d)
                    }
                }
                for (b, e) in Planner.windows(over: missing, span: endpoint.maxSpanDays) {
                    calls.append(PlannedCall(account: account.name, storeKey: account.storeKey, endpoint: endpoint, begin: b, end: e, cached: false))
                }
                for (b, e) in Planner.windows(over: cached, span: endpoint.maxSpanDays) {
                    calls.append(PlannedCall(account: account.name, storeKey: account.storeKey, endpoint: endpoint, begin: b, end: e, cached: true))
                }
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
}
