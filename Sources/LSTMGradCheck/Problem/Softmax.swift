/// The softmax output layer, stable for logits of any size.
public enum Softmax {
    /// Column-wise softmax of `z` (n_y × m): `exp(z − max) / Σ exp(z − max)`, so no
    /// exponential overflows and every column sums to 1 to rounding.
    public static func probabilities<S: Scalar>(_ z: Matrix<S>) -> Matrix<S> {
        var out = z
        for j in 0..<z.cols {
            let shift = columnMax(z, j)
            var total = S.zero
            for r in 0..<z.rows {
                let e = S.exp(z[r, j] - shift)
                out[r, j] = e
                total = total + e
            }
            for r in 0..<z.rows { out[r, j] = out[r, j] / total }
        }
        return out
    }

    /// `Σ_j log softmax(z)[labels[j], j]`, through log-sum-exp so that a confident
    /// wrong prediction gives a large finite loss, never `log(0)`. When the label is the
    /// largest logit, `−log ŷ = log1p(Σ_{k≠y} e^{z_k − z_y})`: a nearly right prediction
    /// keeps its tiny loss (and derivative) to full precision, where `log` of the rounded
    /// sum `1 + tiny` would keep only `ε / tiny` of it.
    /// `included[j] == false` leaves column j out of the sum (a masked word).
    public static func logLikelihood<S: Scalar>(_ z: Matrix<S>, labels: [Int], included: [Bool]? = nil) -> S {
        var total = S.zero
        for j in 0..<z.cols where included?[j] ?? true {
            let y = labels[j]
            let shift = columnMax(z, j)
            if z[y, j].primal >= shift.primal {
                var others = S.zero
                for r in 0..<z.rows where r != y { others = others + S.exp(z[r, j] - z[y, j]) }
                total = total - S.log1p(others)
            } else {
                var sum = S.zero
                for r in 0..<z.rows { sum = sum + S.exp(z[r, j] - shift) }
                total = total + (z[y, j] - shift - S.log(sum))
            }
        }
        return total
    }

    /// The entry of column j with the largest primal value (the shift only has to
    /// be a constant for the derivative, so it is taken as is, tangent included).
    private static func columnMax<S: Scalar>(_ z: Matrix<S>, _ j: Int) -> S {
        var best = z[0, j]
        for r in 1..<z.rows where z[r, j].primal > best.primal { best = z[r, j] }
        return best
    }
}
