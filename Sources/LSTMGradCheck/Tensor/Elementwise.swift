/// Elementwise arithmetic on same-shaped matrices, with NumPy's meaning of the
/// operators (`*` is the Hadamard product, a scalar broadcasts), so the
/// notebook's formulas can be written as the notebook writes them.

precedencegroup ExponentiationPrecedence {
    higherThan: MultiplicationPrecedence
    associativity: right
}
/// `x ** 2`, NumPy's elementwise power, for the notebook's `np.tanh(c)**2`.
infix operator ** : ExponentiationPrecedence

extension Matrix {
    @inlinable static func + (a: Matrix, b: Matrix) -> Matrix { a.zip(b, +) }
    @inlinable static func - (a: Matrix, b: Matrix) -> Matrix { a.zip(b, -) }
    @inlinable static func * (a: Matrix, b: Matrix) -> Matrix { a.zip(b, *) }
    @inlinable static func + (a: Matrix, s: Double) -> Matrix { let v = S(s); return a.map { $0 + v } }
    @inlinable static func - (s: Double, a: Matrix) -> Matrix { let v = S(s); return a.map { v - $0 } }
    @inlinable static func * (s: Double, a: Matrix) -> Matrix { let v = S(s); return a.map { v * $0 } }
    @inlinable static prefix func - (a: Matrix) -> Matrix { a.map { -$0 } }
    @inlinable static func += (a: inout Matrix, b: Matrix) { a = a + b }

    @inlinable static func ** (a: Matrix, n: Int) -> Matrix {
        a.map { v in
            var p = S(1)
            for _ in 0..<n { p = p * v }
            return p
        }
    }

    /// Σ of every element.
    @inlinable func sum() -> S { storage.reduce(S.zero, +) }
}

/// The few NumPy calls the notebook's code makes, under NumPy's names.
enum np {
    @inlinable static func dot<S>(_ a: Matrix<S>, _ b: Matrix<S>) -> Matrix<S> { matmul(a, b) }
    /// `np.dot(a, b.T)`: the transpose is read in place, as NumPy's view is (the same bits as
    /// forming it first: `product` sums each element's products in the same order either way).
    @inlinable static func dot<S>(_ a: Matrix<S>, _ b: Transposed<S>) -> Matrix<S> { matmulTB(a, b.matrix) }
    /// `np.dot(a.T, b)`, the transpose read in place.
    @inlinable static func dot<S>(_ a: Transposed<S>, _ b: Matrix<S>) -> Matrix<S> { matmulTA(a.matrix, b) }
    @inlinable static func tanh<S>(_ a: Matrix<S>) -> Matrix<S> { a.map(S.tanh) }
    @inlinable static func sigmoid<S>(_ a: Matrix<S>) -> Matrix<S> { a.map(S.sigmoid) }
    /// `np.sum(a, axis=1, keepdims=True)`.
    @inlinable static func sumRows<S>(_ a: Matrix<S>) -> Matrix<S> { a.rowSums() }
    /// `np.concatenate((a, b), axis=0)`.
    @inlinable static func concatenate<S>(_ a: Matrix<S>, _ b: Matrix<S>) -> Matrix<S> { .stacked([a, b]) }
}

/// `m.T` in NumPy: a view of `m` read with its indices swapped, for `np.dot`, which reads
/// it in place; `transposed` makes the matrix.
@usableFromInline
struct Transposed<S: Scalar> {
    @usableFromInline let matrix: Matrix<S>
    @inlinable init(matrix: Matrix<S>) { self.matrix = matrix }
}

extension Matrix {
    /// `self.T` in NumPy.
    @inlinable var T: Transposed<S> { Transposed(matrix: self) }
}
