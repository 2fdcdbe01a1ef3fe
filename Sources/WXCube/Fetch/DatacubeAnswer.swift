import Foundation

/// The outcome of reading a datacube body for one window.
public enum DatacubeAnswer: Equatable, Sendable {
    /// A valid answer: rows per day of the window (0 for an empty day), and
    /// the ref_dates of rows dropped because they lie outside the window, and
    /// the answer's `is_delay` (published-content endpoints; nil when absent).
    case rows(rowCounts: [Day: Int], dropped: [String], isDelay: Bool?)
    /// WeChat's `{"errcode": N, "errmsg": "..."}` with N != 0.
    case apiError(code: Int, message: String)
    /// Not JSON, truncated, or JSON without `list`: worth a retry.
    case malformed(reason: String)
}

public enum DatacubeAnswerReader {
    /// Reads a body for the window begin...end.
    public static func read(_ body: Data, begin: Day, end: Day) -> DatacubeAnswer {
        guard let envelope = DatacubeBodyScan.scan(body) else {
            return .malformed(reason: "the body is not valid JSON (\(body.count) bytes)")
        }
        if let code = envelope.errcode, code != 0 {
            return .apiError(code: code, message: envelope.errmsg ?? "")
        }
        guard let list = envelope.refDates else {
            return .malformed(reason: "the body has no `list`")
        }
        var counts: [Day: Int] = [:]
        var d = begin
        while d <= end {
            counts[d] = 0
            d = d.adding(days: 1)
        }
        var dropped: [String] = []
        for refDate in list {
            if let text = refDate, let day = Day(iso: text), day >= begin, day <= end {
                counts[day, default: 0] += 1
            } else {
                dropped.append(refDate ?? "(none)")
            }
        }
        return .rows(rowCounts: counts, dropped: dropped, isDelay: envelope.isDelay)
    }
}
