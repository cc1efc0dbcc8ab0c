import Foundation

/// NumPy's legacy global generator (`np.random.seed` / `np.random.randn`), bit for bit, so the course
/// notebook's test cells can be rebuilt without Python.
///
/// MT19937 as in NumPy's `numpy/random/src/mt19937/mt19937.c`, doubles as its `legacy_double`
/// (53 bits from two outputs) and normals as its `legacy_gauss` (polar Box–Muller, the second
/// value of each pair cached for the next call, as `RandomState`'s `has_gauss` / `gauss`).
public struct NumPyLegacyRandom: Sendable {
    private static let n = 624
    private static let m = 397

    private var key: [UInt32]
    private var position: Int
    /// The spare normal from the last polar pair, which NumPy hands out before drawing again.
    private var cachedGauss: Double?

    /// As `np.random.seed(seed)`: for an integer seed NumPy's `_legacy_seeding` calls
    /// `mt19937_seed`, which is Matsumoto & Nishimura's `init_genrand` (not `init_by_array`).
    public init(seed: UInt32) {
        var key = [UInt32](repeating: 0, count: Self.n)
        key[0] = seed
        for i in 1..<Self.n {
            key[i] = 1_812_433_253 &* (key[i - 1] ^ (key[i - 1] >> 30)) &+ UInt32(i)
        }
        self.key = key
        position = Self.n
        cachedGauss = nil
    }

    /// The next tempered 32-bit MT19937 output (`mt19937_next32`).
    public mutating func nextUInt32() -> UInt32 {
        if position == Self.n { twist() }
        var y = key[position]
        position += 1
        y ^= y >> 11
        y ^= (y << 7) & 0x9D2C_5680
        y ^= (y << 15) & 0xEFC6_0000
        y ^= y >> 18
        return y
    }

    /// `np.random.random_sample()`: a 53-bit double in [0, 1) from two outputs, the first's top
    /// 27 bits above the second's top 26 (`legacy_double`). Exact, so no rounding can differ.
    public mutating func randomSample() -> Double {
        let a = nextUInt32() >> 5
        let b = nextUInt32() >> 6
        return (Double(a) * 67_108_864.0 + Double(b)) / 9_007_199_254_740_992.0
    }

    /// One draw of `np.random.randn()` (`legacy_gauss`).
    ///
    /// `log` and `sqrt` are the C library's, as in NumPy's compiled C: `sqrt` is exact under
    /// IEEE 754 and glibc's `log` is correctly rounded in practice, so the results match NumPy bit
    /// for bit wherever NumPy runs on the same libm (checked against NumPy 2.4 on glibc).
    public mutating func gauss() -> Double {
        if let spare = cachedGauss {
            cachedGauss = nil
            return spare
        }
        var x1 = 0.0, x2 = 0.0, r2 = 0.0
        repeat {
            x1 = 2.0 * randomSample() - 1.0
            x2 = 2.0 * randomSample() - 1.0
            r2 = x1 * x1 + x2 * x2
        } while r2 >= 1.0 || r2 == 0.0
        // Same operation order as NumPy's C so every intermediate rounds alike.
        let f = sqrt(-2.0 * log(r2) / r2)
        cachedGauss = f * x1
        return f * x2
    }

    /// `np.random.randn(shape...)`: `count = shape.product` draws in C order. A negative
    /// dimension, which NumPy rejects, counts as zero here; no shape gives one draw.
    public mutating func randn(_ shape: Int...) -> [Double] {
        let count = shape.reduce(1) { $0 * max($1, 0) }
        var out = [Double]()
        out.reserveCapacity(count)
        for _ in 0..<count { out.append(gauss()) }
        return out
    }

    /// Regenerates all 624 words (`mt19937_gen`). Updating in place in index order with wrapped
    /// indices is the reference's three loops in one: late words read early words already
    /// regenerated in this pass, as there.
    private mutating func twist() {
        for i in 0..<Self.n {
            let y = (key[i] & 0x8000_0000) | (key[(i + 1) % Self.n] & 0x7FFF_FFFF)
            key[i] = key[(i + Self.m) % Self.n] ^ (y >> 1) ^ ((y & 1) == 0 ? 0 : 0x9908_B0DF)
        }
        position = 0
    }
}
