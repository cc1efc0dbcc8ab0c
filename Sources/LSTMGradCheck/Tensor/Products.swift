/// Matrix products over any `Scalar`. The loops run i-k-j, so for `A·B` and `Aᵀ·B` the
/// innermost loop streams rows of B and C; with `Double` the compiler specialises and
/// vectorises it.

/// `A·B`, for `A` m×k and `B` k×n.
@inlinable
public func matmul<S: Scalar>(_ A: Matrix<S>, _ B: Matrix<S>) -> Matrix<S> {
    assert(A.cols == B.rows, "matmul: \(A.rows)x\(A.cols) · \(B.rows)x\(B.cols)")
    return product(A, (row: A.cols, col: 1), B, (row: B.cols, col: 1), m: A.rows, k: A.cols, n: B.cols)
}

/// `Aᵀ·B`, for `A` k×m and `B` k×n, without forming `Aᵀ`.
@inlinable
public func matmulTA<S: Scalar>(_ A: Matrix<S>, _ B: Matrix<S>) -> Matrix<S> {
    assert(A.rows == B.rows, "matmulTA: (\(A.rows)x\(A.cols))ᵀ · \(B.rows)x\(B.cols)")
    return product(A, (row: 1, col: A.cols), B, (row: B.cols, col: 1), m: A.cols, k: A.rows, n: B.cols)
}

/// `A·Bᵀ`, for `A` m×k and `B` n×k, without forming `Bᵀ`.
@inlinable
public func matmulTB<S: Scalar>(_ A: Matrix<S>, _ B: Matrix<S>) -> Matrix<S> {
    assert(A.cols == B.cols, "matmulTB: \(A.rows)x\(A.cols) · (\(B.rows)x\(B.cols))ᵀ")
    return product(A, (row: A.cols, col: 1), B, (row: 1, col: B.cols), m: A.rows, k: A.cols, n: B.rows)
}

/// `Op(A)·Op(B)`, `Op(A)` m×k with element (i, p) at `A.storage[i·a.row + p·a.col]` and `Op(B)`
/// k×n with element (p, j) at `B.storage[p·b.row + j·b.col]`: a transpose is a choice of
/// strides. Each element of the result sums its k products from zero in the order p = 0, 1, …,
/// whatever the strides, so every form of a product of the same numbers gives the same bits.
@inlinable
func product<S: Scalar>(_ A: Matrix<S>, _ a: (row: Int, col: Int), _ B: Matrix<S>, _ b: (row: Int, col: Int),
                        m: Int, k: Int, n: Int) -> Matrix<S> {
    var C = Matrix<S>(rows: m, cols: n)
    A.storage.withUnsafeBufferPointer { As in
        B.storage.withUnsafeBufferPointer { Bs in
            C.storage.withUnsafeMutableBufferPointer { c in
                for i in 0..<m {
                    for p in 0..<k {
                        let aip = As[i * a.row + p * a.col]
                        if b.col == 1 {
                            // Contiguous rows of B: the form the compiler vectorises.
                            for j in 0..<n { c[i * n + j] = c[i * n + j] + aip * Bs[p * b.row + j] }
                        } else {
                            for j in 0..<n { c[i * n + j] = c[i * n + j] + aip * Bs[p * b.row + j * b.col] }
                        }
                    }
                }
            }
        }
    }
    return C
}
