/// Why an export failed; each message says what to do about it.
public enum ExportError: Error, CustomStringConvertible, Equatable {
    /// A file system call failed for a path.
    case io(path: String, operation: String, errno: Int32)
    case zlib(operation: String, code: Int32)
    case xml(operation: String)
    case digest(operation: String)
    /// The exporter was handed the wrong number of datasets (csv/ndjson write one per file).
    case datasetCount(format: String, got: Int)
    /// Two outputs (or two datasets of one output) resolve to the same file.
    case pathCollision(path: String)
    /// A path template that resolves outside what can be written.
    case badPath(template: String, reason: String)
    /// `--out` (or a folder on an output's path) exists but is a file.
    case notAFolder(path: String)
    /// A folder could not be created (permissions, read-only file system).
    case cannotCreateFolder(path: String, reason: String)
    /// A symbolic link to a folder inside `--out`: writing through it could land anywhere.
    case symlinkInOut(link: String, template: String)

    public var description: String {
        switch self {
        case .io(let path, let operation, let code):
            return
                "cannot \(operation) \(path): \(String(cString: strerror(code))) (errno \(code)); check that the output folder exists, is writable and has free space"
        case .zlib(let operation, let code):
            return "zlib \(operation) failed with code \(code); this is a bug or an out-of-memory condition, please report it"
        case .digest(let operation):
            return "SHA-256 (libcrypto) \(operation) failed; this is a bug or an out-of-memory condition, please report it"
        case .xml(let operation):
            return "libxml2 xmlTextWriter \(operation) failed; check free disk space, otherwise report it as a bug"
        case .datasetCount(let format, let got):
            return "a \(format) file holds exactly one dataset but got \(got); put {dataset} in the output path to get one file per dataset"
        case .pathCollision(let path):
            return "two outputs would write the same file \(path); make the paths differ (use {dataset} or {account} in the path)"
        case .badPath(let template, let reason):
            return "output path \"\(template)\": \(reason)"
        case .notAFolder(let path):
            return "\(path) is a file, not a folder; --out (and every folder on an output path) must be a folder: pass another --out or move the file aside"
        case .cannotCreateFolder(let path, let reason):
            return "cannot create the folder \(path): \(reason); check --out and its permissions"
        case .symlinkInOut(let link, let template):
            return
                "output path \"\(template)\" goes through \(link), a symbolic link inside --out; wxcube does not write through links: replace the link with a real folder, or point --out at the link's target"
        }
    }
}

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif
