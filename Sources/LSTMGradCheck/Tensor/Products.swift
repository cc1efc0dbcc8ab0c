/// Matrix products over any `Scalar`. The loops run i-k-j over contiguous rows
/// so the innermost loop streams both operands; with `Double` the compiler
/// specialises and vectorises them.

/// `A·B`, for `A` m×k and `B` k×n.
@inlinable
public func matmul<S: Scalar>(_ A: Matrix<S>, _ B: Matrix<S>) -> Matrix<S> {
    assert(A.cols == B.rows, "matmul: \(A.rows)x\(A.cols) · \(B.rows)x\(B.cols)")
    let m = A.rows, k = A.cols, n = B.cols
    var C = Matrix<S>(rows: m, cols: n)
    A.storage.withUnsafeBufferPointer { a in
        B.storage.withUnsafeBufferPointer { b in
            C.storage.withUnsafeMutableBufferPointer { c in
                for i in 0..<m {
                    for p in 0..<k {
                        let aip = a[i * k + p]
                        for j in 0..<n { c[i * n + j] = c[i * n + j] + aip * b[p * n + j] }
                    }
                }
            }
        }
    }
    return C
}

/// `Aᵀ·B`, for `A` k×m and `B` k×n, without forming `Aᵀ`.
@inlinable
public func matmulTA<S: Scalar>(_ A: Matrix<S>, _ B: Matrix<S>) -> Matrix<S> {
    assert(A.rows == B.rows, "matmulTA: (\(A.rows)x\(A.cols))ᵀ · \(B.rows)x\(B.cols)")
    let k = A.rows, m = A.cols, n = B.cols
    var C = Matrix<S>(rows: m, cols: n)
    A.storage.withUnsafeBufferPointer { a in
        B.storage.withUnsafeBufferPointer { b in
            C.storage.withUnsafeMutableBufferPointer { c in
                for p in 0..<k {
                    for i in 0..<m {
                        let api = a[p * m + i]
                        for j in 0..<n { c[i * n + j] = c[i * n + j] + api * b[p * n + j] }
                    }
                }
            }
        }
    }
    return C
}

/// `A·Bᵀ`, for `A` m×k and `B` n×k, without forming `Bᵀ`.
@inlinable
public func matmulTB<S: Scalar>(_ A: Matrix<S>, _ B: Matrix<S>) -> Matrix<S> {
    assert(A.cols == B.cols, "matmulTB: \(A.rows)x\(A.cols) · (\(B.rows)x\(B.cols))ᵀ")
    let m = A.rows, k = A.cols, n = B.rows
    var C = Matrix<S>(rows: m, cols: n)
    A.storage.withUnsafeBufferPointer { a in
        B.storage.withUnsafeBufferPointer { b in
            C.storage.withUnsafeMutableBufferPointer { c in
                for i in 0..<m {
                    for j in 0..<n {
                        var s = S.zero
                        for p in 0..<k { s = s + a[i * k + p] * b[j * k + p] }
                        c[i * n + j] = s
                    }
                }
            }
        }
    }
    return C
}
