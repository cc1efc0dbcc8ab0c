import Foundation

/// A forward-mode dual number with `Dual.lanes` directions at once:
/// `value + Σ_k tangent[k]·δ_k` with every `δ_k δ_l = 0`, so a pass through a
/// function `f` gives `f(value)` and, in lane k, the derivative of `f` along seed k.
///
/// Every operation computes `value` exactly as `Double` does, so the primal of a
/// pass is bit for bit the `Double` pass and a branch on `primal` goes the same way.
/// Each tangent rule is the exact derivative at the computed value, evaluated in a
/// few roundings and without cancellation.
public struct Dual: Scalar {
    /// 16 lanes: measured on the forward pass of the large benchmark network
    /// (n_x 32, n_a 64, n_y 32, T_x 50, m 8), per input element, one core:
    /// portable build 2 lanes 6.4 ms, 4 lanes 4.5 ms, 8 lanes 3.5 ms, 16 lanes 3.4 ms;
    /// `-target-cpu native` (AVX-512) 8 lanes 2.7–2.9 ms, 16 lanes 2.1–2.4 ms. 32 lanes and
    /// more are not lowered to vector code and run a hundred times slower. Every operation
    /// is `@inline(__always)`: left to the optimizer, the generic matrix product called
    /// them out of line and the same pass took 2.4 times as long.
    public typealias Tangent = SIMD16<Double>

    public var value: Double
    public var tangent: Tangent

    /// How many directions one pass carries.
    public static var lanes: Int { Tangent.scalarCount }

    @inlinable @inline(__always)
    public init(value: Double, tangent: Tangent) {
        self.value = value
        self.tangent = tangent
    }

    /// A constant: every directional derivative is zero.
    @inlinable @inline(__always)
    public init(_ value: Double) { self.init(value: value, tangent: Tangent()) }

    /// `value` as the input seeded in `lane`: derivative 1 along that lane, 0 along the others.
    @inlinable @inline(__always)
    public init(value: Double, seeding lane: Int) {
        var t = Tangent()
        t[lane] = 1
        self.init(value: value, tangent: t)
    }

    @inlinable @inline(__always) public var primal: Double { value }
    @inlinable @inline(__always) public static var zero: Dual { Dual(0) }

    @inlinable @inline(__always)
    public static func + (a: Dual, b: Dual) -> Dual { Dual(value: a.value + b.value, tangent: a.tangent + b.tangent) }

    @inlinable @inline(__always)
    public static func - (a: Dual, b: Dual) -> Dual { Dual(value: a.value - b.value, tangent: a.tangent - b.tangent) }

    @inlinable @inline(__always)
    public static func * (a: Dual, b: Dual) -> Dual {
        Dual(value: a.value * b.value, tangent: a.value * b.tangent + b.value * a.tangent)
    }

    /// `(a/b)' = (a' − q·b') / b` with q = a/b already rounded: one division per lane
    /// fewer than `(a'b − ab')/b²`, and no `b²` to overflow or underflow.
    @inlinable @inline(__always)
    public static func / (a: Dual, b: Dual) -> Dual {
        let q = a.value / b.value
        return Dual(value: q, tangent: (a.tangent - q * b.tangent) / b.value)
    }

    @inlinable @inline(__always)
    public static prefix func - (x: Dual) -> Dual { Dual(value: -x.value, tangent: -x.tangent) }

    /// `exp' = exp`: the value already computed is the derivative.
    @inlinable @inline(__always)
    public static func exp(_ x: Dual) -> Dual {
        let e = Foundation.exp(x.value)
        return Dual(value: e, tangent: e * x.tangent)
    }

    @inlinable @inline(__always)
    public static func log(_ x: Dual) -> Dual {
        Dual(value: Foundation.log(x.value), tangent: x.tangent / x.value)
    }

    @inlinable @inline(__always)
    public static func log1p(_ x: Dual) -> Dual {
        Dual(value: Foundation.log1p(x.value), tangent: x.tangent / (1 + x.value))
    }

    /// `tanh' = sech² = 4u / (1 + u)²` with `u = e^{−2|x|}`: every term is positive, so
    /// it is right to a few ulps for every x. `1 − t²` from the rounded `t` keeps only
    /// `ε / (1 − |t|)` relative accuracy and is 0 once `t` rounds to ±1 (|x| > 19): on
    /// networks with weights ±5 that left 1.5e-6 relative error in whole tensors (`dWc`)
    /// against a Float80 forward-mode pass, this form 4e-14. One `exp` per call, shared by every lane.
    @inlinable @inline(__always)
    public static func tanh(_ x: Dual) -> Dual {
        let u = Foundation.exp(-2 * abs(x.value))
        return Dual(value: Foundation.tanh(x.value), tangent: (4 * u / ((1 + u) * (1 + u))) * x.tangent)
    }
}
