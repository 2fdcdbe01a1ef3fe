/// One mistake in a pipeline file, at a 1-based line and column.
public struct SpecDiagnostic: Sendable, Equatable, CustomStringConvertible {
    public var line: Int
    public var column: Int
    public var message: String

    public init(line: Int, column: Int, message: String) {
        self.line = line
        self.column = column
        self.message = message
    }

    public var description: String { "\(line):\(column): \(message)" }
}

/// Every mistake found in a pipeline file, printed one per line as
/// `FILE:LINE:COLUMN: message`. Messages never contain a secret's value.
public struct SpecError: Error, Sendable, CustomStringConvertible {
    public var file: String
    public var diagnostics: [SpecDiagnostic]

    public init(file: String, diagnostics: [SpecDiagnostic]) {
        self.file = file
        self.diagnostics = diagnostics
    }

    public var description: String {
        diagnostics.map { "\(file):\($0.line):\($0.column): \($0.message)" }.joined(separator: "\n")
    }
}

enum Suggest {
    /// The closest candidate within a small edit distance, for "did you mean".
    static func closest(to word: String, in candidates: [String]) -> String? {
        var best: (String, Int)?
        for c in candidates {
            let d = distance(word.lowercased(), c.lowercased())
            if d <= max(2, c.count / 3), d < (best?.1 ?? Int.max) { best = (c, d) }
        }
        return best?.0
    }

    static func didYouMean(_ word: String, _ candidates: [String]) -> String {
        if let c = closest(to: word, in: candidates) { return "; did you mean '\(c)'?" }
        return "; expected one of: \(candidates.joined(separator: ", "))"
    }

    /// Levenshtein distance.
    static func distance(_ a: String, _ b: String) -> Int {
        let a = Array(a), b = Array(b)
        if a.isEmpty { return b.count }
        if b.isEmpty { return a.count }
        var prev = Array(0...b.count)
        var cur = [Int](repeating: 0, count: b.count + 1)
        for i in 1...a.count {
            cur[0] = i
            for j in 1...b.count {
                cur[j] = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
            }
            swap(&prev, &cur)
        }
        return prev[b.count]
    }
}
