import Foundation

/// The one place the transform reads: stored raw answers of one account become
/// base rows. Each stored response is parsed once (multi-day bodies are shared
/// by several days) and split by ref_date, in the run's `StoredResponseCache`.
final class StoreRowSource: Sendable {
    let account: String
    let storeKey: String
    private let store: any RawStoreReading
    private let cache: StoredResponseCache
    private let anomalies: AnomalyLog
    /// The published endpoints' item types, named as `items(_:_:_:)` and `answer(_:_:_:)` take them.
    var publishedTotals: PublishedTotalItem.Type { PublishedTotalItem.self }
    var publishedReads: PublishedReadItem.Type { PublishedReadItem.self }
    var publishedShares: PublishedShareItem.Type { PublishedShareItem.self }
    var bizSummaries: BizSummaryItem.Type { BizSummaryItem.self }
    /// The endpoints of the dataset being built that the pipeline fetches (read_source reads only those).
    let fetched: [Endpoint]
    /// Cells to reserve in each row made here: the dataset's final width
    /// (`StageInputs.rowCapacity`), so later stages append in place.
    let rowCapacity: Int

    /// `cache` is shared by every source of a run, so a body read for one
    /// dataset (or output file) is not read again for the next. Rows dropped
    /// while a body is split by day (duplicates, missing keys) go to `anomalies`.
    init(
        account: String, storeKey: String, store: any RawStoreReading, fetched: [Endpoint] = [],
        anomalies: AnomalyLog = AnomalyLog(), cache: StoredResponseCache = StoredResponseCache(), rowCapacity: Int = 0
    ) {
        self.account = account
        self.storeKey = storeKey
        self.store = store
        self.fetched = fetched
        self.anomalies = anomalies
        self.cache = cache
        self.rowCapacity = rowCapacity
    }

    /// Whether `endpoint` has a stored answer covering `day`.
    func isStored(_ endpoint: Endpoint, _ day: Day) throws -> Bool {
        try store.hasStoredDay(storeKey: storeKey, endpoint: endpoint, day: day)
    }

    /// The items of `endpoint` whose ref_date is `day`.
    func items<Item: StoredListItem & RefDated>(_ type: Item.Type, _ endpoint: Endpoint, _ day: Day) throws -> [Item] {
        try answer(type, endpoint, day).items
    }

    private func items<Item: StoredListItem & RefDated>(_ endpoint: Endpoint, _ day: Day) throws -> [Item] {
        try answer(Item.self, endpoint, day).items
    }

    /// The day's items and the `is_delay` of the answer that covers it (nil when
    /// not stored or not sent). The stored response covering `day` is read and
    /// decoded once and split by ref_date; the other days of a multi-day window
    /// come from the cache.
    func answer<Item: StoredListItem & RefDated>(_ type: Item.Type, _ endpoint: Endpoint, _ day: Day) throws -> (items: [Item], isDelay: Bool?) {
        guard let id = try store.storedResponseID(storeKey: storeKey, endpoint: endpoint, day: day) else { return ([], nil) }
        let (account, anomalies) = (self.account, self.anomalies)
        let decoded: SplitAnswer<Item> = try cache.items(storeKey: storeKey, endpoint: endpoint, responseID: id) {
            guard let stored = try store.storedDay(storeKey: storeKey, endpoint: endpoint, day: day) else {
                return (SplitAnswer(byDay: [:], isDelay: nil), 0)
            }
            return (try Self.split(stored.body, endpoint: endpoint, day: day, account: account, anomalies: anomalies), stored.body.count)
        }
        return (decoded.byDay[day] ?? [], decoded.isDelay)
    }

    /// A stored body's items by ref_date, one per key (the others are counted in
    /// `anomalies`), each day's in output order.
    private static func split<Item: StoredListItem & RefDated>(
        _ body: Data, endpoint: Endpoint, day: Day,
        account: String, anomalies: AnomalyLog
    ) throws -> SplitAnswer<Item> {
        let started = DecodeStats.threadCPUNanoseconds()
        let answer: (list: [Item], isDelay: Bool?)
        do {
            answer = try Item.decodeStoredAnswer(body)
        } catch {
            throw TransformReadError.unreadableResponse(endpoint: endpoint, day: day, detail: String(describing: error))
        }
        var byDay: [Day: [Item]] = [:]
        if let first = answer.list.first?.refDate, answer.list.allSatisfy({ $0.refDate == first }) {
            byDay[first] = answer.list // a one-day answer, the usual case: no regrouping
        } else {
            for item in answer.list {
                // A row without a readable ref_date cannot be placed on a day: it is dropped.
                guard let d = item.refDate else { continue }
                byDay[d, default: []].append(item)
            }
        }
        for (d, list) in byDay {
            let kept = Item.onePerKey(list) { kind, key, n in
                anomalies.record(endpoint: endpoint, account: account, day: d, kind: kind, key: key, occurrence: n)
            }
            byDay[d] = Item.sortedForOutput(kept)
        }
        DecodeStats.shared.add(bytes: body.count, nanoseconds: DecodeStats.threadCPUNanoseconds() &- started)
        return SplitAnswer(byDay: byDay, isDelay: answer.isDelay)
    }

    /// user_read(_hour) and user_share(_hour): per day (and hour), one row per
    /// source or scene code with its label, then the metrics.
    private func breakdownStream<Item: BreakdownItem>(
        _ type: Item.Type, _ dataset: DatasetName,
        schema: Schema, days: [Day]
    ) -> any RowStream {
        let hourly = dataset == .user_read_hour || dataset == .user_share_hour
        let account = Value.string(self.account)
        let width = max(schema.count, rowCapacity)
        return DayBatchRowStream(schema: schema, days: days) { day in
            var rows: [Row] = []
            for item in try self.items(dataset.endpoint, day) as [Item] {
                var row: Row = [account, .date(day)]
                row.reserveCapacity(width)
                if hourly {
                    guard let h = item.refHour else { continue }
                    row.append(.int(h))
                    row.append(.int(h / 100))
                }
                row.append(Value(item.code))
                row.append(Value(item.code.map(Item.label)))
                for m in item.metricValues { row.append(Value(m)) }
                rows.append(row)
            }
            return rows.sorted { ValueOrder.less($0, $1, by: hourly ? [2, 4] : [2]) }
        }
    }

    // MARK: base datasets

    /// The base rows of a dataset fed directly by its endpoint (not article_total), in the dataset's key order (docs/datasets.md).
    func baseStream(_ dataset: DatasetName, range: DateRange) -> any RowStream {
        let schema = Datasets.baseSchema(dataset)
        let account = Value.string(self.account)
        let width = max(schema.count, rowCapacity)
        let days = range.days
        switch dataset {
        case .article_summary:
            return DayBatchRowStream(schema: schema, days: days) { day in
                var rows: [Row] = []
                for item in try self.items(.getarticlesummary, day) as [ArticleSummaryItem] {
                    guard let msgid = item.msgid else { continue }
                    let (dataId, idx) = MsgID.split(msgid)
                    var row: Row = [
                        account, .date(day), .string(msgid), .string(dataId), Value(idx),
                        Value(item.title), Value(item.userSource),
                    ]
                    row.reserveCapacity(width)
                    for m in item.metrics { row.append(Value(m)) }
                    rows.append(row)
                }
                return rows.sorted { ValueOrder.less($0, $1, by: [2, 6]) }
            }
        case .user_read, .user_read_hour:
            return breakdownStream(UserReadItem.self, dataset, schema: schema, days: days)
        case .user_share, .user_share_hour:
            return breakdownStream(UserShareItem.self, dataset, schema: schema, days: days)
        case .article_total, .published_total:
            // Nested: only `flatten` turns it into rows.
            return ArrayRowStream(schema: schema, rows: [])
        case .published_read, .published_share, .biz_summary, .read_source:
            return publishedStream(dataset, range: range)
        }
    }

    // MARK: getarticletotal

    /// The articles mass-sent on `refDate`, ordered by msgid, details by stat_date.
    func articles(refDate: Day) throws -> [ArticleTotalItem] {
        try items(.getarticletotal, refDate)
    }

    /// getarticletotal's ref_dates that can have stat_dates in `range`: from 6 days before `from`.
    func articleBatches(range: DateRange) -> any ArticleBatchStream {
        let first = max(range.from.adding(days: -Endpoint.getarticletotal.lookbackDays), Day.dataStart)
        return StoredArticleBatches(source: self, days: DateRange(from: first, to: range.to).days)
    }

    /// For each day S of `range` whose summary is stored: the articles with a detail dated S.
    /// Each getarticletotal day is read once: a sliding window keeps the 7 ref_dates' live days.
    func liveArticles(range: DateRange) -> any RowStream {
        let account = Value.string(self.account)
        let lookback = Endpoint.getarticletotal.lookbackDays
        var window: [Day: [(row: Row, live: Set<Day>)]] = [:]
        return DayBatchRowStream(schema: LiveArticles.schema, days: range.days) { day in
            let first = max(day.adding(days: -lookback), Day.dataStart)
            window = window.filter { $0.key >= first }
            guard try self.isStored(.getarticlesummary, day) else { return [] }
            var byMsgid: [String: Row] = [:]
            for refDate in DateRange(from: first, to: day).days {
                if window[refDate] == nil {
                    window[refDate] = try self.articles(refDate: refDate).compactMap { item in
                        guard let msgid = item.msgid else { return nil }
                        return (
                            [account, .null, .string(msgid), Value(item.title), Value(item.userSource)],
                            Set(item.details.compactMap(\.statDate))
                        )
                    }
                }
                for (row, live) in window[refDate] ?? [] where live.contains(day) {
                    guard let msgid = row[LiveArticles.msgid].stringValue, byMsgid[msgid] == nil else { continue }
                    var out = row
                    out[LiveArticles.statDate] = .date(day)
                    byMsgid[msgid] = out
                }
            }
            return byMsgid.keys.sorted().compactMap { byMsgid[$0] }
        }
    }
}

/// getarticletotal's ref_dates in order. The next day's body is read and
/// decoded on another thread while the caller turns this day's into rows and
/// writes them, so decoding and writing share the machine's cores; the items
/// come back in the same order, so the output bytes do not change.
private final class StoredArticleBatches: ArticleBatchStream {
    private let source: StoreRowSource
    private let days: [Day]
    private var index = 0
    private var ahead: ReadAhead?

    init(source: StoreRowSource, days: [Day]) {
        self.source = source
        self.days = days
    }

    func next() throws -> (refDate: Day, items: [ArticleTotalItem])? {
        guard index < days.count else { return nil }
        defer { index += 1 }
        let items = try ahead?.wait() ?? source.articles(refDate: days[index])
        ahead = index + 1 < days.count ? ReadAhead(source: source, day: days[index + 1]) : nil
        return (days[index], items)
    }
}

/// One stored answer split by ref_date, with its `is_delay`.
struct SplitAnswer<Item: Sendable>: Sendable {
    var byDay: [Day: [Item]]
    var isDelay: Bool?
}

/// One day's articles, read on a background thread.
private final class ReadAhead: Sendable {
    private let result = Locked<Result<[ArticleTotalItem], any Error>?>(nil)
    private let done = DispatchSemaphore(value: 0)

    init(source: StoreRowSource, day: Day) {
        DispatchQueue.global().async { [result, done] in
            let r = Result { try source.articles(refDate: day) }
            result.withLock { $0 = r }
            done.signal()
        }
    }

    func wait() throws -> [ArticleTotalItem] {
        done.wait()
        return try result.current?.get() ?? []
    }
}

public enum TransformReadError: Error, CustomStringConvertible {
    case unreadableResponse(endpoint: Endpoint, day: Day, detail: String)

    public var description: String {
        switch self {
        case .unreadableResponse(let endpoint, let day, let detail):
            return "the stored \(endpoint.rawValue) answer for \(day.iso) is not valid JSON (\(detail)); run again with --refresh to fetch it again"
        }
    }
}

/// getuserread and getusershare rows: a coded breakdown, optionally hourly.
protocol BreakdownItem: StoredListItem, RefDated {
    var refHour: Int? { get }
    /// user_source or share_scene.
    var code: Int? { get }
    static func label(_ code: Int) -> String
    /// The metrics in the dataset's column order.
    var metricValues: [Int?] { get }
}

extension UserReadItem: BreakdownItem {
    var code: Int? { userSource }
    static func label(_ code: Int) -> String { UserSource.name(code) }
    var metricValues: [Int?] { metrics }
}

extension UserShareItem: BreakdownItem {
    var code: Int? { shareScene }
    static func label(_ code: Int) -> String { ShareScene.name(code) }
    var metricValues: [Int?] { [shareCount, shareUser] }
}

/// Items that carry their ref_date.
protocol RefDated {
    var refDate: Day? { get }
    static func sortedForOutput(_ items: [Self]) -> [Self]
    /// One item per output key, the first one of the answer; `report` hears
    /// of every other (see `Anomalies`).
    static func onePerKey(_ items: [Self], report: (_ kind: String, _ key: String, _ occurrence: Int) -> Void) -> [Self]
}

extension RefDated {
    static func sortedForOutput(_ items: [Self]) -> [Self] { items }
    static func onePerKey(_ items: [Self], report: (String, String, Int) -> Void) -> [Self] { items }
}

/// An article of a nested answer (getarticletotal, getarticletotaldetail): a
/// msgid and its list of days.
protocol ArticleWithDays {
    associatedtype Detail: DatedDetail
    var msgid: String? { get }
    var details: [Detail] { get set }
    /// What the answer calls an article ("article", "item") and its list of
    /// days ("details", "detail_list"), for the anomaly messages.
    static var itemNoun: String { get }
    static var listName: String { get }
}

/// One day of an article's list.
protocol DatedDetail {
    var statDate: Day? { get }
}

extension Array where Element: DatedDetail {
    /// Every detail dated, each later than the one before: already one per
    /// day and in order, so the filters and sorts below would change nothing
    /// (the usual answer; skipping them saved ~8% of an export).
    var isStrictlyIncreasingByDay: Bool {
        var last: Day?
        for d in self {
            guard let day = d.statDate else { return false }
            if let last, day <= last { return false }
            last = day
        }
        return true
    }
}

extension ArticleWithDays {
    /// One article per msgid, and within each article one detail per
    /// stat_date: the first of each kept, every other reported (`RefDated.onePerKey`).
    static func onePerArticleAndDay(_ items: [Self], report: (_ kind: String, _ key: String, _ occurrence: Int) -> Void) -> [Self] {
        var kept = OnePerKey.filter(items, key: \.msgid, missing: "\(itemNoun) without msgid", duplicate: "msgid repeated in one answer", report: report)
        for i in kept.indices where !kept[i].details.isStrictlyIncreasingByDay {
            let msgid = kept[i].msgid ?? ""
            kept[i].details = OnePerKey.filter(
                kept[i].details, key: \.statDate, missing: "\(listName) entry without stat_date",
                duplicate: "stat_date repeated in one \(itemNoun)'s \(listName)"
            ) { kind, key, n in
                report(kind, key.isEmpty ? msgid : "\(msgid) \(key)", n)
            }
        }
        return kept
    }

    /// By msgid, each article's details by stat_date; an article without
    /// msgid, a detail without stat_date and a repeated key are left out (the
    /// first kept), as `onePerArticleAndDay` already did (`RefDated.sortedForOutput`).
    static func sortedByArticleAndDay(_ items: [Self]) -> [Self] {
        if isOrderedAndClean(items) { return items }
        var seen: Set<String> = []
        var out = items.filter { $0.msgid.map { seen.insert($0).inserted } ?? false }
        out.sort { ($0.msgid ?? "") < ($1.msgid ?? "") }
        for i in out.indices where !out[i].details.isStrictlyIncreasingByDay {
            var days: Set<Day> = []
            out[i].details = out[i].details.filter { $0.statDate.map { days.insert($0).inserted } ?? false }
                .sorted { ($0.statDate ?? Day.dataStart) < ($1.statDate ?? Day.dataStart) }
        }
        return out
    }

    /// msgids present and strictly increasing, each article's days too: what
    /// sorting would give already (the usual answer after `onePerArticleAndDay`).
    private static func isOrderedAndClean(_ items: [Self]) -> Bool {
        var last: String?
        for item in items {
            guard let msgid = item.msgid else { return false }
            if let last, msgid <= last { return false }
            last = msgid
            guard item.details.isStrictlyIncreasingByDay else { return false }
        }
        return true
    }
}

extension ArticleSummaryItem: RefDated {
    static func onePerKey(_ items: [ArticleSummaryItem], report: (String, String, Int) -> Void) -> [ArticleSummaryItem] {
        OnePerKey.filter(items, key: \.msgid, missing: "row without msgid", duplicate: "msgid repeated in one answer", report: report)
    }
}
extension UserReadItem: RefDated {}
extension UserShareItem: RefDated {}

extension ArticleTotalDetail: DatedDetail {}

extension ArticleTotalItem: ArticleWithDays {
    static let itemNoun = "article"
    static let listName = "details"
}

extension ArticleTotalItem: RefDated {
    static func onePerKey(_ items: [ArticleTotalItem], report: (String, String, Int) -> Void) -> [ArticleTotalItem] {
        onePerArticleAndDay(items, report: report)
    }

    static func sortedForOutput(_ items: [ArticleTotalItem]) -> [ArticleTotalItem] { sortedByArticleAndDay(items) }
}
