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

    /// This 2-D tensor as a matrix.
    public var matrix: Matrix<Double> {
        precondition(shape.count == 2, "internal: matrix view of a \(shape.count)-D tensor")
        return Matrix(rows: shape[0], cols: shape[1], storage: data)
    }

    /// This rows × m × T tensor as per-step matrices (the inverse of `init(steps:)`).
    public var steps: [Matrix<Double>] {
        precondition(shape.count == 3, "internal: step view of a \(shape.count)-D tensor")
        let (rows, cols, T) = (shape[0], shape[1], shape[2])
        return (0..<T).map { t in
            var m = Matrix<Double>(rows: rows, cols: cols)
            for r in 0..<rows {
                for c in 0..<cols { m.storage[r * cols + c] = data[(r * cols + c) * T + t] }
            }
            return m
        }
    }
}
