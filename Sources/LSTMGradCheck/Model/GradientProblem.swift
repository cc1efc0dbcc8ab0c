/// What every reference and every check needs of a network, whatever its cell:
/// named inputs in report order, element access in their Coursera shapes, and the
/// loss — in `Double`, or lifted into another scalar (a perturbation, a dual number).
public protocol GradientProblem: Sendable {
    /// `lstm` or `rnn`.
    var cell: String { get }
    var dims: LSTMDims { get }
    /// The tensors the loss is differentiated with respect to, in report order. A key that is
    /// not among them names an empty input: shape `[0]`, no elements, nothing to set.
    var inputKeys: [String] { get }
    func shape(of key: String) -> [Int]
    func tensor(_ key: String) -> Tensor
    /// Sets element `flat` (C order in the Coursera shape) of input `key`.
    mutating func set(_ key: String, _ flat: Int, to value: Double)
    /// `Σ|terms|` of the loss, which bounds its rounding: `L` itself for labels (every
    /// `−log ŷ` is ≥ 0), `Σ|da ⊙ a|` upstream, where the terms may cancel.
    var lossTermMagnitude: Double { get }
    /// The loss with every input element passed through `lift(key, flatIndex, value)`.
    func loss<T: Scalar>(lifting lift: (String, Int, Double) -> T) -> T
}

extension GradientProblem {
    public func loss() -> Double { loss { $2 } }
}

/// Lifting shared by the cells: a matrix element by element, and the per-step inputs
/// with their flat index in the n_x × m × T_x tensor.
enum Lifting {
    static func matrix<T: Scalar>(_ key: String, _ m: Matrix<Double>, _ lift: (String, Int, Double) -> T) -> Matrix<T> {
        Matrix<T>(rows: m.rows, cols: m.cols, storage: m.storage.enumerated().map { lift(key, $0.offset, $0.element) })
    }

    static func steps<T: Scalar>(_ x: [Matrix<Double>], _ lift: (String, Int, Double) -> T) -> [Matrix<T>] {
        let T = x.count
        return x.enumerated().map { t, xt in
            var out = Matrix<T>(rows: xt.rows, cols: xt.cols)
            for i in 0..<xt.rows {
                for j in 0..<xt.cols { out[i, j] = lift("x", (i * xt.cols + j) * T + t, xt[i, j]) }
            }
            return out
        }
    }

    /// Sets element `flat` of the n_x × m × T_x tensor the steps `x` make up.
    static func set(_ x: inout [Matrix<Double>], _ flat: Int, to value: Double) {
        let T = x.count, m = x[0].cols
        x[flat % T][flat / (T * m), (flat / T) % m] = value
    }
}
