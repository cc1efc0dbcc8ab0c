/// An n-dimensional array of doubles in C order, in the shape the user sees
/// (Coursera's: `x` is n_x × m × T_x). Reports, gradient files and comparisons
/// speak in tensors; the maths works on `Matrix`.
public struct Tensor: Sendable, Equatable {
    public var shape: [Int]
    /// C order (last index fastest), as NumPy's default.
    public var data: [Double]

    public init(shape: [Int], data: [Double]) {
        self.shape = shape
        self.data = data
    }

    public init(zeros shape: [Int]) {
        self.init(shape: shape, data: Array(repeating: 0, count: shape.reduce(1, *)))
    }

    public var count: Int { data.count }

    /// The multi-index of flat position `flat` (C order).
    public func index(ofFlat flat: Int) -> [Int] {
        var rest = flat
        var out = Array(repeating: 0, count: shape.count)
        for d in shape.indices.reversed() {
            out[d] = rest % max(shape[d], 1)
            rest /= max(shape[d], 1)
        }
        return out
    }

    /// A matrix as a 2-D tensor.
    public init(_ m: Matrix<Double>) {
        self.init(shape: [m.rows, m.cols], data: m.storage)
    }

    /// Per-step matrices `steps[t]` (rows × m) as one rows × m × T tensor, Coursera's layout.
    public init(steps: [Matrix<Double>], rows: Int, cols: Int) {
        var data = Array(repeating: 0.0, count: rows * cols * steps.count)
        let T = steps.count
        for (t, s) in steps.enumerated() {
            for r in 0..<rows {
                for c in 0..<cols { data[(r * cols + c) * T + t] = s.storage[r * cols + c] }
            }
        }
        self.init(shape: [rows, cols, T], data: data)
    }

    /// This tensor as a matrix: its first axis the rows, the others flattened (C order) into
    /// the columns; a 2-D tensor as it is, a vector as a column.
    public var matrix: Matrix<Double> {
        Matrix(rows: shape.first ?? 1, cols: shape.dropFirst().reduce(1, *), storage: data)
    }

    /// This rows × m × T tensor as per-step matrices (the inverse of `init(steps:)`): its first
    /// axis the rows, its last the steps, the ones between flattened into the columns.
    public var steps: [Matrix<Double>] {
        let rows = shape.first ?? 1, T = shape.count >= 2 ? shape[shape.count - 1] : 1
        let cols = shape.dropFirst().dropLast().reduce(1, *)
        return (0..<T).map { t in
            var m = Matrix<Double>(rows: rows, cols: cols)
            for r in 0..<rows {
                for c in 0..<cols { m.storage[r * cols + c] = data[(r * cols + c) * T + t] }
            }
            return m
        }
    }
}
