import Foundation

/// The published-content datasets' base rows, read from the store one day at a
/// time. Decoding and row shapes live with each endpoint (`Sources/WXCube/Endpoints/`).
extension StoreRowSource {
    func publishedStream(_ dataset: DatasetName, range: DateRange) -> any RowStream {
        let schema = Datasets.baseSchema(dataset)
        let account = Value.string(self.account)
        switch dataset {
        case .published_read:
            return DayBatchRowStream(schema: schema, days: range.days) { day in
                let a = try self.answer(self.publishedReads, .getarticleread, day)
                return a.items.compactMap { $0.row(account: account, day: day, isDelay: a.isDelay) }
            }
        case .published_share:
            return DayBatchRowStream(schema: schema, days: range.days) { day in
                let a = try self.answer(self.publishedShares, .getarticleshare, day)
                return a.items.compactMap { $0.row(account: account, day: day, isDelay: a.isDelay) }
            }
        case .biz_summary:
            return DayBatchRowStream(schema: schema, days: range.days) { day in
                let a = try self.answer(self.bizSummaries, .getbizsummary, day)
                return a.items.map { $0.row(account: account, day: day, isDelay: a.isDelay) }
            }
        default:
            return readSourceStream(range: range)
        }
    }

    /// read_source: per fetched endpoint (getarticletotaldetail, getarticleread,
    /// getbizsummary), by date, msgid, scene. getarticletotaldetail's rows are
    /// those whose stat_date lies in the range (publish days from 29 days earlier).
    private func readSourceStream(range: DateRange) -> any RowStream {
        let schema = ReadSourceColumns.schema
        let account = Value.string(self.account)
        var parts: [() throws -> any RowStream] = []
        for endpoint in ReadSourceColumns.endpoints where fetched.contains(endpoint) {
            switch endpoint {
            case .getarticletotaldetail:
                parts.append {
                    DayBatchRowStream(schema: schema, days: self.publishDays(range: range)) { day in
                        try self.items(self.publishedTotals, .getarticletotaldetail, day).flatMap { item in
                            item.readSourceRows(account: account, refDate: day).filter { row in
                                row[3].dayValue.map(range.contains) ?? false
                            }
                        }
                    }
                }
            case .getarticleread:
                parts.append {
                    DayBatchRowStream(schema: schema, days: range.days) { day in
                        try self.items(self.publishedReads, .getarticleread, day).flatMap { item in
                            ReadSourceColumns.rows(
                                account: account, endpoint: .getarticleread, refDate: day, statDate: nil,
                                msgid: item.msgid, sources: item.sources)
                        }
                    }
                }
            default:
                parts.append {
                    DayBatchRowStream(schema: schema, days: range.days) { day in
                        try self.items(self.bizSummaries, .getbizsummary, day).flatMap { item in
                            ReadSourceColumns.rows(
                                account: account, endpoint: .getbizsummary, refDate: day, statDate: nil,
                                msgid: nil, sources: item.sources)
                        }
                    }
                }
            }
        }
        return ConcatRowStream(schema: schema, parts: parts)
    }

    /// getarticletotaldetail's publish days that can have stat_dates in `range`.
    func publishDays(range: DateRange) -> [Day] {
        Planner.fetchDays(for: .getarticletotaldetail, range: range).days
    }

    /// published_total's base rows (every stored stat_date; the graph keeps those
    /// in range after `derive`), ordered by publish date, msgid, stat_date.
    func publishedTotalStream(range: DateRange) -> any RowStream {
        let account = Value.string(self.account)
        return DayBatchRowStream(schema: PublishedTotalColumns.schema, days: publishDays(range: range)) { day in
            try self.items(self.publishedTotals, .getarticletotaldetail, day).flatMap {
                $0.publishedTotalRows(account: account, refDate: day)
            }
        }
    }
}
