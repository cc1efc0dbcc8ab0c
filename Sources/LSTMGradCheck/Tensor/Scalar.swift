import Foundation

/// The arithmetic a forward pass needs, so that one forward pass serves `Double`
/// (the loss for finite differences), `Float` (learners' single precision) and
/// dual numbers (the exact forward-mode reference) alike.
public protocol Scalar: Sendable {
    init(_ value: Double)
    /// The primal value: what a branch (stable sigmoid, log-sum-exp) decides on.
    var primal: Double { get }
    static var zero: Self { get }
    static func + (lhs: Self, rhs: Self) -> Self
    static func - (lhs: Self, rhs: Self) -> Self
    static func * (lhs: Self, rhs: Self) -> Self
    static func / (lhs: Self, rhs: Self) -> Self
    static prefix func - (operand: Self) -> Self
    static func exp(_ x: Self) -> Self
    static func log(_ x: Self) -> Self
    /// `log(1 + x)`, accurate for tiny x, where `log` of the rounded `1 + x` is not.
    static func log1p(_ x: Self) -> Self
    static func tanh(_ x: Self) -> Self
}

extension Scalar {
    /// σ(z) = 1 / (1 + e^{−z}), evaluated on the side where the exponential
    /// cannot overflow, so it stays in [0, 1] and exact to rounding for any z.
    @inlinable
    public static func sigmoid(_ z: Self) -> Self {
        if z.primal >= 0 {
            return Self(1) / (Self(1) + exp(-z))
        }
        let e = exp(z)
        return e / (Self(1) + e)
    }
}

extension Double: Scalar {
    @inlinable public var primal: Double { self }
    @inlinable public static func exp(_ x: Double) -> Double { Foundation.exp(x) }
    @inlinable public static func log(_ x: Double) -> Double { Foundation.log(x) }
    @inlinable public static func log1p(_ x: Double) -> Double { Foundation.log1p(x) }
    @inlinable public static func tanh(_ x: Double) -> Double { Foundation.tanh(x) }
}

extension Float: Scalar {
    @inlinable public var primal: Double { Double(self) }
    @inlinable public static func exp(_ x: Float) -> Float { Foundation.expf(x) }
    @inlinable public static func log(_ x: Float) -> Float { Foundation.logf(x) }
    @inlinable public static func log1p(_ x: Float) -> Float { Foundation.log1pf(x) }
    @inlinable public static func tanh(_ x: Float) -> Float { Foundation.tanhf(x) }
}

#if arch(x86_64) && !os(Windows)
extension Float80: Scalar {
    @inlinable public var primal: Double { Double(self) }
    @inlinable public static func exp(_ x: Float80) -> Float80 { Foundation.exp(x) }
    @inlinable public static func log(_ x: Float80) -> Float80 { Foundation.log(x) }
    @inlinable public static func log1p(_ x: Float80) -> Float80 { Foundation.log1p(x) }
    @inlinable public static func tanh(_ x: Float80) -> Float80 { Foundation.tanh(x) }
}

/// The widest float the CPU computes in: x87's 64-bit significand here, 11 bits more
/// than `Double`, so a loss evaluated in it rounds 2048 times less.
public typealias WideFloat = Float80
#else
/// The widest float the CPU computes in: no wider than `Double` on this architecture.
public typealias WideFloat = Double
#endif
