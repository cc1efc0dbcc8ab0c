internal import CKernels

/// Elementwise exp, tanh and sigmoid for Double, a SIMD vector at a time, over the
/// whole Double range within 1 ulp (exp), 1.5 ulp (tanh) and 3 ulp (sigmoid) of the
/// exact result (KernelsTests checks these bounds). Pure lane arithmetic without table look-ups (the
/// polynomials' Horner steps fused multiply-adds, correctly rounded wherever they run): each
/// element's result depends on its value alone, not on its position in a buffer, on
/// the buffer's length, on threads, on `-target-cpu` or on the CPU path. NaN in gives NaN out.
///
/// The buffer functions run the same operations in C (CKernels), compiled for each CPU path
/// (`KernelPath`) and chosen at run time, so they use this CPU's full vector width in any
/// build; the lane functions here are their specification, and KernelsTests holds every
/// path to them bit for bit.
public enum VectorMath {
    /// The lane group every function works on; a buffer's tail is padded into one.
    public typealias Vector = SIMD16<Double>
    typealias Bits = SIMD16<UInt64>

    // MARK: Lanes

    /// a·b + c per lane, rounded once: a polynomial's Horner step. Correctly rounded, so the same
    /// bits whether an FMA instruction or libm computes it.
    @inline(__always)
    static func fma(_ a: Vector, _ b: Vector, _ c: Double) -> Vector {
        Vector(repeating: c).addingProduct(a, b)
    }

    /// eˣ per lane: +∞ above ≈ 709.78, subnormal below ≈ −708.4, +0 below ≈ −745.13.
    @inline(__always)
    public static func exp(_ x: Vector) -> Vector {
        // Past these every result is ∞ or 0; clamping keeps n small enough for n·ln2
        // to be exact and 2ⁿ to split into two normal factors. NaN compares false and passes.
        var t = x.replacing(with: 710, where: x .> 710)
        t.replace(with: -746, where: t .< -746)
        // n = round(x / ln 2) by the 1.5·2⁵² shift, which also leaves n in k's low bits.
        let shift = Vector(repeating: 0x1.8p52)
        let k = t * 0x1.71547652b82fep0 + shift
        let n = k - shift
        // Cody–Waite: n·ln2Hi is exact (ln2Hi has 32 significant bits), so r is x − n·ln 2
        // to within the ln2Lo term's rounding; |r| ≤ ln2 / 2.
        let r = (t - n * 0x1.62e42fee00000p-1) - n * 0x1.a39ef35793c76p-33
        // eʳ = 1 + r + r²·g(r), g a degree-10 Chebyshev interpolant of (eʳ − 1 − r)/r²
        // on [−ln2/2, ln2/2], 0.003 ulp from exact before rounding.
        var g = Vector(repeating: 0x1.1f72fc730b4ffp-29)
        g = fma(g, r, 0x1.af4ddd84882fep-26)
        g = fma(g, r, 0x1.27e4db67b4303p-22)
        g = fma(g, r, 0x1.71de02375656cp-19)
        g = fma(g, r, 0x1.a01a01a6d7808p-16)
        g = fma(g, r, 0x1.a01a01abe62ddp-13)
        g = fma(g, r, 0x1.6c16c16c162d6p-10)
        g = fma(g, r, 0x1.11111111100dfp-7)
        g = fma(g, r, 0x1.5555555555556p-5)
        g = fma(g, r, 0x1.5555555555557p-3)
        g = fma(g, r, 0.5)
        let er = 1 + (r + r * r * g)
        // 2ⁿ = 2^n₁ · 2^n₂ with n₁ = ⌊(n + 2048) / 2⌋ − 1024: both factors normal for
        // n ∈ [−1076, 1024], and eʳ·2^n₁ is exact, so a subnormal result is rounded once.
        let u = unsafeBitCast(k, to: Bits.self) &- (0x4338_0000_0000_0000 - 2048)
        let h = u &>> 1
        let s1 = unsafeBitCast((h &- 1) &<< 52, to: Vector.self)
        let s2 = unsafeBitCast((u &- h &- 1) &<< 52, to: Vector.self)
        return er * s1 * s2
    }

    /// tanh x per lane, odd (tanh(−0) = −0), exactly ±1 for |x| ≥ 19.07 (55·ln2 / 2).
    @inline(__always)
    public static func tanh(_ x: Vector) -> Vector {
        let bits = unsafeBitCast(x, to: Bits.self)
        let sign = bits & 0x8000_0000_0000_0000
        let ax = unsafeBitCast(bits & 0x7fff_ffff_ffff_ffff, to: Vector.self)
        let small = ax .< 0.625
        var y = Vector()
        if any(small) {
            // tanh a = a + a·z·P(z), z = a², P a degree-11 Chebyshev interpolant on
            // [0, 0.625²], 0.07 ulp from exact: no cancellation where tanh a ≈ a.
            let z = ax * ax
            var p = Vector(repeating: 0x1.b33642a122cddp-18)
            p = fma(p, z, -0x1.05bbdae896297p-15)
            p = fma(p, z, 0x1.8445870f6fe41p-14)
            p = fma(p, z, -0x1.f243823c8c981p-13)
            p = fma(p, z, 0x1.3526e9ed54da1p-11)
            p = fma(p, z, -0x1.7d9f6f23e8682p-10)
            p = fma(p, z, 0x1.d6d39ae3905e2p-9)
            p = fma(p, z, -0x1.226e3473dce5cp-7)
            p = fma(p, z, 0x1.664f487e0a749p-6)
            p = fma(p, z, -0x1.ba1ba1ba0f126p-5)
            p = fma(p, z, 0x1.11111111110a8p-3)
            p = fma(p, z, -0x1.5555555555555p-2)
            y = ax + ax * (z * p)
        }
        if any(.!small) {
            // tanh a = 1 − 2/(e^{2a} + 1): the quotient is below ½ here, so the
            // subtraction loses nothing; it rounds to 1 once 2/(e^{2a}+1) < 2⁻⁵⁴, and
            // e^{2a} = ∞ gives 1 too.
            let large = 1 - 2 / (exp(ax + ax) + 1)
            y.replace(with: large, where: .!small)
        }
        return unsafeBitCast(unsafeBitCast(y, to: Bits.self) | sign, to: Vector.self)
    }

    /// σ(x) = 1/(1 + e⁻ˣ) per lane: exactly 1 for x ≥ 36.74 (53·ln2), subnormal below ≈ −708.4,
    /// +0 below ≈ −745.13.
    @inline(__always)
    public static func sigmoid(_ x: Vector) -> Vector {
        // e^{−|x|} ≤ 1 never overflows; σ(x) = 1/(1+e) for x ≥ 0 and e/(1+e) for x < 0,
        // which keeps the small results of negative x (down to subnormals) accurate.
        let negative = x .< 0
        let e = exp(-x.replacing(with: -x, where: negative))
        let numerator = Vector(repeating: 1).replacing(with: e, where: negative)
        return numerator / (1 + e)
    }

    // MARK: Buffers

    /// `y[i] = eˣ⁽ⁱ⁾` for i in 0..<count; `y` may be `x` (in place), not a shifted overlap.
    public static func exp(_ x: UnsafePointer<Double>, into y: UnsafeMutablePointer<Double>, count: Int) {
        ck_exp(KernelPath.active.raw, x, y, count)
    }

    /// `y[i] = tanh x[i]` for i in 0..<count; `y` may be `x`.
    public static func tanh(_ x: UnsafePointer<Double>, into y: UnsafeMutablePointer<Double>, count: Int) {
        ck_tanh(KernelPath.active.raw, x, y, count)
    }

    /// `y[i] = σ(x[i])` for i in 0..<count; `y` may be `x`.
    public static func sigmoid(_ x: UnsafePointer<Double>, into y: UnsafeMutablePointer<Double>, count: Int) {
        ck_sigmoid(KernelPath.active.raw, x, y, count)
    }

    /// The buffer functions on a given CPU path (tests compare the paths). Whole groups of
    /// `Vector.scalarCount` lanes, then the tail padded with zeros through the same lane
    /// function, so the last few elements get the same bits as they would mid-buffer.
    static func exp(_ x: UnsafePointer<Double>, into y: UnsafeMutablePointer<Double>, count: Int, path: KernelPath) {
        ck_exp(path.raw, x, y, count)
    }

    static func tanh(_ x: UnsafePointer<Double>, into y: UnsafeMutablePointer<Double>, count: Int, path: KernelPath) {
        ck_tanh(path.raw, x, y, count)
    }

    static func sigmoid(_ x: UnsafePointer<Double>, into y: UnsafeMutablePointer<Double>, count: Int, path: KernelPath) {
        ck_sigmoid(path.raw, x, y, count)
    }
}
