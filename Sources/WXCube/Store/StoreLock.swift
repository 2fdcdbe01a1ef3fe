import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// One run per store: an advisory lock (`flock`) on `STORE.lock`, held for the
/// whole run. The kernel drops it when the process ends, even on kill -9, so
/// a crashed run never leaves a stale lock. The file holds the holder's pid
/// and start time for the message a second run prints (docs/operations.md).
public final class StoreLock: Sendable {
    public let path: String
    private let fd: Int32

    /// Why the lock could not be taken.
    public enum Failure: Error, Sendable, CustomStringConvertible {
        /// Another process holds it; `holder` is what it wrote ("pid N since TIME").
        case held(store: String, holder: String?)
        case cannotOpen(path: String, reason: String)

        public var description: String {
            switch self {
            case let .held(store, holder):
                let who = holder.map { " since \($0)" } ?? ""
                return
                    "another run holds \(store)\(who); it fetches the same days, so this run stopped before any call. Run again when it has ended (or pass a different --store)"
            case let .cannotOpen(path, reason):
                return "store: cannot create the lock file \(path): \(reason); check the `store:` folder and its permissions"
            }
        }
    }

    /// The lock file beside a store.
    public static func lockPath(forStore store: String) -> String { store + ".lock" }

    /// Takes the lock without waiting; throws `Failure.held` when another run has it.
    public static func acquire(store: String, now: Date = Date()) throws -> StoreLock {
        let path = lockPath(forStore: store)
        let folder = URL(fileURLWithPath: path).deletingLastPathComponent().path
        try? FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw Failure.cannotOpen(path: path, reason: String(cString: strerror(errno))) }
        guard flock(fd, LOCK_EX | LOCK_NB) == 0 else {
            let holder = readHolder(fd)
            close(fd)
            throw Failure.held(store: store, holder: holder)
        }
        let stamp = ISOTimestamp.utc(now)
        let text = "\(stamp) (pid \(getpid()))\n"
        _ = ftruncate(fd, 0)
        _ = text.withCString { pwrite(fd, $0, strlen($0), 0) }
        return StoreLock(path: path, fd: fd)
    }

    private init(path: String, fd: Int32) {
        self.path = path
        self.fd = fd
    }

    deinit {
        // Closing the descriptor releases the lock; the file stays (removing
        // it would race with a run that just opened it).
        close(fd)
    }

    private static func readHolder(_ fd: Int32) -> String? {
        var buffer = [UInt8](repeating: 0, count: 256)
        let n = buffer.withUnsafeMutableBytes { pread(fd, $0.baseAddress, 255, 0) }
        guard n > 0 else { return nil }
        let text = String(decoding: buffer[0..<n], as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        return text.isEmpty ? nil : text
    }
}
