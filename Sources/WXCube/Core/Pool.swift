import Foundation

/// Idle objects kept for reuse by whichever thread needs one next (codec
/// states: a zlib stream per deflate block, a compressor per Parquet column
/// being encoded). `take` makes a new one when none is idle.
final class Pool<Item>: @unchecked Sendable {
    // @unchecked: `idle` is only touched under `lock`; an item is used by one thread at a time.
    private let lock = NSLock()
    private var idle: [Item] = []
    private let make: () throws -> Item

    init(make: @escaping () throws -> Item) { self.make = make }

    func take() throws -> Item {
        if let item = lock.withLock({ idle.popLast() }) { return item }
        return try make()
    }

    func give(_ item: Item) { lock.withLock { idle.append(item) } }
}
