import Foundation

/// What a datacube (or token) body says, read leniently: only `errcode`,
/// `errmsg` and each row's `ref_date` matter here; every other field is the
/// transform's business and is kept in the stored body as received.
struct DatacubeEnvelope: Decodable {
    var errcode: Int?
    var errmsg: String?
    var list: [RefDateProbe]?

    struct RefDateProbe: Decodable {
        var refDate: String?
        enum CodingKeys: String, CodingKey { case ref_date }
        init(from decoder: any Decoder) throws {
            // An element that is not an object has no ref_date: it is dropped with
            // a warning, as the transform skips it, instead of failing the window.
            let c = try? decoder.container(keyedBy: CodingKeys.self)
            refDate = try? c?.decodeIfPresent(String.self, forKey: .ref_date)
        }
    }

    enum CodingKeys: String, CodingKey { case errcode, errmsg, list }
    init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        errcode = try? c.decodeIfPresent(Int.self, forKey: .errcode)
        errmsg = try? c.decodeIfPresent(String.self, forKey: .errmsg)
        // A `list` that is present but not an array is a malformed answer.
        list = try c.decodeIfPresent([RefDateProbe].self, forKey: .list)
    }
}

/// The outcome of reading a datacube body for one window.
public enum DatacubeAnswer: Equatable, Sendable {
    /// A valid answer: rows per day of the window (0 for an empty day), and
    /// the ref_dates of rows dropped because they lie outside the window.
    case rows(rowCounts: [Day: Int], dropped: [String])
    /// WeChat's `{"errcode": N, "errmsg": "..."}` with N != 0.
    case apiError(code: Int, message: String)
    /// Not JSON, truncated, or JSON without `list`: worth a retry.
    case malformed(reason: String)
}

public enum DatacubeAnswerReader {
    private static let decoder = JSONDecoder()

    /// Reads a body for the window begin...end.
    public static func read(_ body: Data, begin: Day, end: Day) -> DatacubeAnswer {
        let envelope: DatacubeEnvelope
        do {
            envelope = try decoder.decode(DatacubeEnvelope.self, from: body)
        } catch {
            return .malformed(reason: "the body is not valid JSON (\(body.count) bytes)")
        }
        if let code = envelope.errcode, code != 0 {
            return .apiError(code: code, message: envelope.errmsg ?? "")
        }
        guard let list = envelope.list else {
            return .malformed(reason: "the body has no `list`")
        }
        var counts: [Day: Int] = [:]
        var d = begin
        while d <= end {
            counts[d] = 0
            d = d.adding(days: 1)
        }
        var dropped: [String] = []
        for row in list {
            if let text = row.refDate, let day = Day(iso: text), day >= begin, day <= end {
                counts[day, default: 0] += 1
            } else {
                dropped.append(row.refDate ?? "(none)")
            }
        }
        return .rows(rowCounts: counts, dropped: dropped)
    }
}
