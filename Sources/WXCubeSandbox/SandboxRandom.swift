/// SplitMix64: a tiny, fast, well-mixed PRNG whose output depends only on its seed.
///
/// The sandbox never uses `Hasher` or system randomness: the same (seed, appid, date)
/// must give the same bytes in every process and on every machine.
struct SplitMix64 {
    private(set) var state: UInt64

    init(_ seed: UInt64) { state = seed }

    private static let keyedStart: UInt64 = 0x6A09_E667_F3BC_C909

    private static func absorb(_ s: UInt64, _ k: UInt64) -> UInt64 { mix(s ^ k &+ 0x9E37_79B9_7F4A_7C15) }

    /// A generator for one purpose, keyed by several values (seed, appid hash, day, ...).
    /// Fixed arities rather than variadics: these run in the hot loops and must not allocate.
    init(keys a: UInt64, _ b: UInt64) { state = Self.absorb(Self.absorb(Self.keyedStart, a), b) }
    init(keys a: UInt64, _ b: UInt64, _ c: UInt64) { state = Self.absorb(Self.absorb(Self.absorb(Self.keyedStart, a), b), c) }
    init(keys a: UInt64, _ b: UInt64, _ c: UInt64, _ d: UInt64) {
        state = Self.absorb(Self.absorb(Self.absorb(Self.absorb(Self.keyedStart, a), b), c), d)
    }
    init(keys a: UInt64, _ b: UInt64, _ c: UInt64, _ d: UInt64, _ e: UInt64) {
        state = Self.absorb(Self.absorb(Self.absorb(Self.absorb(Self.absorb(Self.keyedStart, a), b), c), d), e)
    }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        return SplitMix64.mix(state)
    }

    static func mix(_ value: UInt64) -> UInt64 {
        var z = value
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// Uniform in [0, 1).
    mutating func unit() -> Double { Double(next() >> 11) * 0x1.0p-53 }

    /// Uniform in 0..<bound (bound > 0).
    mutating func below(_ bound: Int) -> Int { Int(next() % UInt64(max(bound, 1))) }

    mutating func range(_ r: ClosedRange<Int>) -> Int { r.lowerBound + below(r.count) }

    mutating func chance(_ p: Double) -> Bool { unit() < p }

    /// An integer whose expected value is `mean` (>= 0): the fraction is rounded stochastically,
    /// so small means give the 0s, 1s and 2s real low-traffic articles show.
    mutating func count(mean: Double) -> Int {
        guard mean > 0 else { return 0 }
        let jittered = mean * (0.75 + 0.5 * unit())
        let whole = jittered.rounded(.down)
        return Int(whole) + (unit() < jittered - whole ? 1 : 0)
    }

    /// A stable 64-bit key for a string (FNV-1a over UTF-8, then mixed).
    static func key(_ text: String) -> UInt64 {
        var h: UInt64 = 0xCBF2_9CE4_8422_2325
        for b in text.utf8 { h = (h ^ UInt64(b)) &* 0x0000_0100_0000_01B3 }
        return mix(h)
    }
}
