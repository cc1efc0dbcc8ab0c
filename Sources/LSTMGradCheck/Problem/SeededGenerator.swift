/// SplitMix64 (Steele, Lea & Flood 2014): a 64-bit state advanced by a fixed odd
/// constant and mixed, so the same seed gives the same stream on every machine.
/// Never the system generator: a generated fixture must be reproducible from its seed.
public struct SeededGenerator: RandomNumberGenerator, Sendable {
    private var state: UInt64

    public init(seed: UInt64) { state = seed }

    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// Uniform in [0, 1) with 53 random bits: exact, no transcendental function, so
    /// identical everywhere.
    public mutating func unit() -> Double { Double(next() >> 11) * 0x1p-53 }

    /// Uniform in [−scale, scale).
    public mutating func symmetric(_ scale: Double) -> Double { (2 * unit() - 1) * scale }

    /// Uniform in 0 ..< n by rejection, so no class is favoured.
    public mutating func index(_ n: Int) -> Int {
        Int(truncatingIfNeeded: next(upperBound: UInt64(n)))
    }
}
