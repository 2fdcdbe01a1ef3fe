import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A file that appears under its final name only when complete.
///
/// Bytes go to a hidden temporary file beside the target (same directory, so
/// the rename is atomic); `commit()` flushes, fsyncs, renames and fsyncs the
/// directory. Until then no reader can see a partial file: if the process
/// dies, only the hidden `.name.tmp-*` file is left; if the export throws, the
/// temporary file is removed (`abort()`, also run on deinit).
///
/// It counts and SHA-256-hashes the bytes as they go to disk, for the manifest.
public final class AtomicFile: ByteSink {
    public let target: URL
    public let temporary: URL
    private var fd: Int32
    private var buffer: [UInt8] = []
    private let bufferLimit: Int
    /// Hashes and writes each full buffer on another thread while the exporter fills the next.
    private let disk: BackgroundDiskWriter
    public private(set) var bytesWritten = 0
    private var state = State.open

    private enum State { case open, committed, aborted }

    /// The prefix of temporary files, so loaders that glob the folder skip them.
    public static func temporaryName(for target: URL) -> String {
        ".\(target.lastPathComponent).tmp-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
    }

    public init(target: URL, bufferSize: Int = 512 << 10) throws {
        self.target = target
        self.bufferLimit = bufferSize
        let hasher = try SHA256Hasher()
        let directory = target.deletingLastPathComponent()
        self.temporary = directory.appendingPathComponent(AtomicFile.temporaryName(for: target))
        let fd = open(temporary.path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw ExportError.io(path: temporary.path, operation: "create", errno: errno) }
        self.fd = fd
        self.disk = BackgroundDiskWriter(fd: fd, hasher: hasher, path: temporary.path)
        buffer.reserveCapacity(bufferSize)
    }

    deinit { abort() }

    /// Removes temporary files a killed earlier run left beside `target`
    /// (those whose writing process is gone). Returns how many.
    @discardableResult
    public static func removeStaleTemporaries(for target: URL) -> Int {
        let directory = target.deletingLastPathComponent()
        let prefix = ".\(target.lastPathComponent).tmp-"
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: directory.path) else { return 0 }
        var removed = 0
        for name in names where name.hasPrefix(prefix) {
            guard let pid = Int32(name.dropFirst(prefix.count).prefix { $0 != "-" }) else { continue }
            if pid == getpid() { continue }
            if kill(pid, 0) == 0 || errno == EPERM { continue }
            if unlink(directory.appendingPathComponent(name).path) == 0 { removed += 1 }
        }
        return removed
    }

    public func write(_ bytes: UnsafeRawBufferPointer) throws {
        guard state == .open, fd >= 0 else { throw ExportError.io(path: temporary.path, operation: "write (already closed)", errno: EBADF) }
        if buffer.count + bytes.count > bufferLimit { try drain() }
        buffer.append(contentsOf: bytes)
        if buffer.count >= bufferLimit { try drain() }
    }

    /// Flushes the buffer to the temporary file (it stays hidden).
    public func finish() throws {
        try drain()
        try disk.wait()
    }

    /// Makes the file visible under its final name. Returns its size and SHA-256.
    @discardableResult
    public func commit() throws -> (bytes: Int, sha256: String) {
        precondition(state == .open, "AtomicFile committed twice or after abort")
        try finish()
        guard fsync(fd) == 0 else { throw ExportError.io(path: temporary.path, operation: "fsync", errno: errno) }
        let closed = close(fd)
        fd = -1
        guard closed == 0 else { throw ExportError.io(path: temporary.path, operation: "close", errno: errno) }
        guard rename(temporary.path, target.path) == 0 else {
            throw ExportError.io(path: target.path, operation: "rename \(temporary.lastPathComponent) to", errno: errno)
        }
        state = .committed
        AtomicFile.syncDirectory(target.deletingLastPathComponent())
        return (bytesWritten, try disk.hasher.finalizeHex())
    }

    /// Drops the temporary file; the target is untouched.
    public func abort() {
        guard state == .open else { return }
        state = .aborted
        try? disk.wait()
        if fd >= 0 {
            close(fd)
            fd = -1
        }
        unlink(temporary.path)
    }

    /// Hands the full buffer to the disk writer and goes on with the one it gave back.
    private func drain() throws {
        guard !buffer.isEmpty else { return }
        bytesWritten += buffer.count
        buffer = try disk.submit(buffer)
    }

    /// So the rename itself survives a crash.
    static func syncDirectory(_ directory: URL) {
        let dfd = open(directory.path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard dfd >= 0 else { return }
        _ = fsync(dfd)
        close(dfd)
    }
}

/// The disk side of an `AtomicFile`: one buffer at a time is hashed and
/// written on a serial background queue, so SHA-256 and the write system
/// call (about a sixth of an NDJSON export) run beside the encoding instead
/// of after it. The bytes reach the file in submission order.
final class BackgroundDiskWriter: @unchecked Sendable {
    // @unchecked: `spare` and `failure` are touched by the one job in flight,
    // and by the owner only after `idle` says that job has ended.
    let hasher: SHA256Hasher
    private let fd: Int32
    private let path: String
    private let queue = DispatchQueue(label: "wxcube.disk-writer")
    private let idle = DispatchSemaphore(value: 1)
    private var spare: [UInt8] = []
    private var failure: (any Error)?

    init(fd: Int32, hasher: SHA256Hasher, path: String) {
        self.fd = fd
        self.hasher = hasher
        self.path = path
    }

    /// Waits for the previous buffer, queues `full`, and returns an empty
    /// buffer (the previous one's storage) to fill next.
    func submit(_ full: [UInt8]) throws -> [UInt8] {
        try wait()
        idle.wait()
        var next = spare
        spare = []
        next.removeAll(keepingCapacity: true)
        next.reserveCapacity(full.capacity)
        queue.async { [self] in
            do {
                try full.withUnsafeBytes { try write($0) }
            } catch {
                failure = error
            }
            spare = full
            idle.signal()
        }
        return next
    }

    /// Until the queued buffer is on disk; throws what writing it threw.
    func wait() throws {
        idle.wait()
        defer { idle.signal() }
        if let failure {
            self.failure = nil
            throw failure
        }
    }

    private func write(_ bytes: UnsafeRawBufferPointer) throws {
        try hasher.update(bytes)
        var offset = 0
        while offset < bytes.count {
            guard let start = bytes.baseAddress else { return }
            let n = posixWrite(fd, start + offset, bytes.count - offset)
            if n < 0 {
                if errno == EINTR { continue }
                throw ExportError.io(path: path, operation: "write", errno: errno)
            }
            offset += n
        }
    }
}

#if canImport(Glibc)
    private let posixWrite = Glibc.write
#elseif canImport(Darwin)
    private let posixWrite = Darwin.write
#endif
