import Foundation

/// Decoded stored responses of one run, split by ref_date, shared by every
/// dataset and output file of that run so that a body is read and decoded
/// once, not once per dataset or per day of its window.
///
/// Memory stays bounded: entries are kept up to `budgetBytes` of stored JSON
/// (oldest dropped first). A run whose bodies fit (the demo's two weeks fit many
/// times over) reads each body once; a larger run that exports the same
/// dataset to several files reads a body again only after it was dropped.
final class StoredResponseCache: @unchecked Sendable {
    // @unchecked: every access to the entries goes through `lock`.
    private struct Key: Hashable {
        var storeKey: String
        var endpoint: Endpoint
        var responseID: Int64
    }

    private let lock = NSLock()
    private var entries: [Key: (value: any Sendable, bytes: Int)] = [:]
    private var order: [Key] = []
    private var bytes = 0
    let budgetBytes: Int

    /// 8 MB of stored JSON: about 400 getarticletotal days of a busy account
    /// (the published endpoints' long windows of two accounts need more than 4).
    init(budgetBytes: Int = 8 << 20) {
        self.budgetBytes = budgetBytes
    }

    /// The cached value of a response, or `load`'s (value, body bytes), kept.
    func items<Value: Sendable>(
        storeKey: String, endpoint: Endpoint, responseID: Int64,
        load: () throws -> (Value, Int)
    ) throws -> Value {
        let key = Key(storeKey: storeKey, endpoint: endpoint, responseID: responseID)
        if let hit = lock.withLock({ entries[key] }), let value = hit.value as? Value { return value }
        let (value, size) = try load()
        lock.withLock {
            guard entries[key] == nil else { return }
            entries[key] = (value, size)
            order.append(key)
            bytes += size
            // The newest entry always stays: a multi-day window is used again at once.
            while bytes > budgetBytes, order.count > 1 {
                let old = order.removeFirst()
                bytes -= entries.removeValue(forKey: old)?.bytes ?? 0
            }
        }
        return value
    }
}

/// Stored JSON decoded by this process and the time spent on it (decode, split
/// by ref_date, sort), for `decode_mb_per_s` in `bench/compare.sh --end-to-end`;
/// `wxcube run` logs it at the end of the export. The time is the decoding
/// thread's CPU time: bodies decode on several threads that share the cores,
/// and a wall clock would also count the time a thread waited for one.
final class DecodeStats: @unchecked Sendable {
    // @unchecked: the counters are behind `lock`.
    static let shared = DecodeStats()
    private let lock = NSLock()
    private var bytes = 0
    private var nanoseconds: UInt64 = 0
    private var bodies = 0

    func add(bytes: Int, nanoseconds: UInt64) {
        lock.withLock {
            self.bytes += bytes
            self.nanoseconds += nanoseconds
            self.bodies += 1
        }
    }

    /// This thread's CPU time (CLOCK_THREAD_CPUTIME_ID), in nanoseconds.
    static func threadCPUNanoseconds() -> UInt64 {
        var t = timespec()
        guard clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t) == 0 else { return DispatchTime.now().uptimeNanoseconds }
        return UInt64(t.tv_sec) * 1_000_000_000 + UInt64(t.tv_nsec)
    }

    var snapshot: (bodies: Int, bytes: Int, seconds: Double) {
        lock.withLock { (bodies, bytes, Double(nanoseconds) / 1e9) }
    }
}
