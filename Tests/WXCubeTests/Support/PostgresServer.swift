import Foundation
import XCTest

/// A real PostgreSQL server for the tests: `initdb` in a temporary folder,
/// `pg_ctl start` on a free loopback port, password (scram) authentication
/// over TCP, stopped and removed by `stop()`. initdb refuses to run as root, so
/// as root the server runs as the `postgres` OS user (Debian's package creates it).
final class PostgresServer: @unchecked Sendable {
    static let user = "wxtest"
    static let password = "pg-Secr3t-\(UUID().uuidString.prefix(8))"

    let directory: URL
    let port: Int
    let bin: URL
    private let asUser: String?

    /// The binaries: WXCUBE_PG_BIN, else the newest /usr/lib/postgresql/N/bin.
    static func binaries() -> URL? {
        if let b = ProcessInfo.processInfo.environment["WXCUBE_PG_BIN"] { return URL(fileURLWithPath: b) }
        let root = "/usr/lib/postgresql"
        let versions = ((try? FileManager.default.contentsOfDirectory(atPath: root)) ?? []).compactMap(Int.init).sorted()
        for v in versions.reversed() {
            let b = URL(fileURLWithPath: "\(root)/\(v)/bin")
            if FileManager.default.isExecutableFile(atPath: b.appendingPathComponent("initdb").path) { return b }
        }
        return nil
    }

    init() throws {
        guard let bin = Self.binaries() else {
            throw XCTSkip("PostgreSQL server binaries not found under /usr/lib/postgresql (scripts/test.sh installs the postgresql package)")
        }
        self.bin = bin
        asUser = getuid() == 0 ? "postgres" : nil
        directory = URL(fileURLWithPath: NSTemporaryDirectory()).appendingPathComponent("wxcube-pg-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let pwfile = directory.appendingPathComponent("pwfile")
        try (Self.password + "\n").write(to: pwfile, atomically: true, encoding: .utf8)
        if let asUser { try Self.shell(["chown", "-R", asUser, directory.path]) }
        port = try Self.freePort()
        let data = directory.appendingPathComponent("data").path
        try runAsServer([
            bin.appendingPathComponent("initdb").path, "-D", data, "-U", Self.user, "--pwfile", pwfile.path,
            "--auth-host=scram-sha-256", "--auth-local=trust", "-E", "UTF8", "--no-locale", "--no-sync",
        ])
        try runAsServer([
            bin.appendingPathComponent("pg_ctl").path, "-D", data, "-l", directory.appendingPathComponent("log").path,
            "-o", "-p \(port) -k \(directory.path) -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=30",
            "-w", "-t", "60", "start",
        ])
    }

    func stop() {
        _ = try? runAsServer([
            bin.appendingPathComponent("pg_ctl").path, "-D", directory.appendingPathComponent("data").path,
            "-m", "immediate", "-w", "stop",
        ])
        try? FileManager.default.removeItem(at: directory)
    }

    /// `postgres://wxtest:${PGPASSWORD}@127.0.0.1:PORT/db`
    func url(database: String, password: String = "${PGPASSWORD}") -> String {
        "postgres://\(Self.user):\(password)@127.0.0.1:\(port)/\(database)?sslmode=disable"
    }

    /// A new, empty database.
    func createDatabase(_ name: String) throws {
        _ = try psql("CREATE DATABASE \(name)", database: "postgres")
    }

    /// psql over TCP with the password: unaligned, tuples only, `|` between fields.
    @discardableResult
    func psql(_ sql: String, database: String) throws -> String {
        let p = Process()
        p.executableURL = bin.appendingPathComponent("psql")
        p.arguments = ["-X", "-q", "-v", "ON_ERROR_STOP=1", "-At", "-h", "127.0.0.1", "-p", "\(port)", "-U", Self.user, "-d", database, "-c", sql]
        p.environment = ["PGPASSWORD": Self.password, "PATH": "/usr/bin:/bin"]
        let out = Pipe(), err = Pipe()
        p.standardOutput = out
        p.standardError = err
        try p.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        let errData = err.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        guard p.terminationStatus == 0 else {
            throw PostgresServerError(message: "psql failed (\(sql)): \(String(decoding: errData, as: UTF8.self))")
        }
        return String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// A psql session kept open on stdin (to hold a lock while something else runs).
    func session(database: String) throws -> (process: Process, input: FileHandle) {
        let p = Process()
        p.executableURL = bin.appendingPathComponent("psql")
        p.arguments = ["-X", "-q", "-At", "-h", "127.0.0.1", "-p", "\(port)", "-U", Self.user, "-d", database]
        p.environment = ["PGPASSWORD": Self.password, "PATH": "/usr/bin:/bin"]
        let input = Pipe()
        p.standardInput = input
        p.standardOutput = FileHandle.nullDevice
        p.standardError = FileHandle.nullDevice
        try p.run()
        return (p, input.fileHandleForWriting)
    }

    /// Through Python's subprocess (close_fds): the server pg_ctl leaves running
    /// must not inherit Foundation's descriptors, or `waitUntilExit` never returns.
    private func runAsServer(_ args: [String]) throws {
        let wrapper = ["python3", "-c", "import subprocess, sys; sys.exit(subprocess.run(sys.argv[1:], close_fds=True).returncode)"]
        if let asUser {
            try Self.shell(wrapper + ["runuser", "-u", asUser, "--"] + args)
        } else {
            try Self.shell(wrapper + args)
        }
    }

    @discardableResult
    static func shell(_ args: [String]) throws -> String {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = args
        // A file, not a pipe: the server pg_ctl starts would keep a pipe open (no EOF).
        let outURL = URL(fileURLWithPath: NSTemporaryDirectory()).appendingPathComponent("wxcube-pg-out-\(UUID().uuidString)")
        FileManager.default.createFile(atPath: outURL.path, contents: nil)
        defer { try? FileManager.default.removeItem(at: outURL) }
        let out = try FileHandle(forWritingTo: outURL)
        p.standardOutput = out
        p.standardError = out
        p.standardInput = FileHandle.nullDevice
        try p.run()
        p.waitUntilExit()
        try? out.close()
        let text = (try? String(contentsOf: outURL, encoding: .utf8)) ?? ""
        guard p.terminationStatus == 0 else { throw PostgresServerError(message: "\(args.joined(separator: " ")) failed: \(text)") }
        return text
    }

    /// A port nothing listens on right now (bind to 0, read it, close).
    static func freePort() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw PostgresServerError(message: "socket() failed") }
        defer { close(fd) }
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_port = 0
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        var len = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, len) == 0 && getsockname(fd, $0, &len) == 0 }
        }
        guard bound else { throw PostgresServerError(message: "bind() failed") }
        return Int(UInt16(bigEndian: addr.sin_port))
    }
}

struct PostgresServerError: Error, CustomStringConvertible {
    var message: String
    var description: String { message }
}
