import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The hidden folder inside `--out` where a run writes its whole output set
/// before moving it into place (see `OutputWriter`). Named
/// `.wxcube-staging-PID-N`, so a later run can remove what a killed one left.
struct StagingFolder {
    static let prefix = ".wxcube-staging-"
    let url: URL

    init(in outDirectory: URL) throws {
        url = outDirectory.appendingPathComponent("\(Self.prefix)\(getpid())-\(UInt32.random(in: 0...UInt32.max))")
        try OutputWriter.makeFolder(url)
    }

    /// Removes the folder and whatever is still in it (after a failure, or
    /// the empty folders once every file was moved out).
    func remove() {
        try? FileManager.default.removeItem(at: url)
    }

    /// Removes staging folders whose writing process is gone. Returns how many.
    static func removeStale(in outDirectory: URL) -> Int {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: outDirectory.path) else { return 0 }
        var removed = 0
        for name in names where name.hasPrefix(prefix) {
            guard let pid = Int32(name.dropFirst(prefix.count).prefix { $0 != "-" }), pid != getpid() else { continue }
            if kill(pid, 0) == 0 || errno == EPERM { continue }
            if (try? FileManager.default.removeItem(at: outDirectory.appendingPathComponent(name))) != nil { removed += 1 }
        }
        return removed
    }
}
