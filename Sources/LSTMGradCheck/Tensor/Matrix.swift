/// A dense row-major matrix: the unit of every product in the forward and
/// backward passes (`n_a × m` states, `n_a × (n_a + n_x)` weights).
public struct Matrix<S: Scalar>: Sendable {
    public let rows: Int
    public let cols: Int
    /// Row-major: element (r, c) is at `r * cols + c`.
    public var storage: [S]

    @inlinable
    public init(rows: Int, cols: Int, storage: [S]) {
        self.rows = rows
        self.cols = cols
        self.storage = storage
    }

    @inlinable
    public init(rows: Int, cols: Int, repeating value: S = .zero) {
        self.init(rows: rows, cols: cols, storage: Array(repeating: value, count: rows * cols))
    }

    @inlinable
    public static func zeros(_ rows: Int, _ cols: Int) -> Matrix { Matrix(rows: rows, cols: cols) }

    @inlinable
    public subscript(r: Int, c: Int) -> S {
        get { storage[r * cols + c] }
        set { storage[r * cols + c] = newValue }
    }

    /// Elementwise `f`, the shape kept.
    @inlinable
    public func map<T>(_ f: (S) -> T) -> Matrix<T> {
        Matrix<T>(rows: rows, cols: cols, storage: storage.map(f))
    }

    /// The `rows × cols` matrix of `element(r, c)`, each computed once, row by row, straight
    /// into the storage (nothing is zeroed first or copied after).
    @inlinable
    static func filled(rows: Int, cols: Int, _ element: (_ r: Int, _ c: Int) -> S) -> Matrix {
        Matrix(rows: rows, cols: cols, storage: [S](unsafeUninitializedCapacity: rows * cols) { buffer, count in
            for r in 0..<rows {
                for c in 0..<cols { buffer.initializeElement(at: r * cols + c, to: element(r, c)) }
            }
            count = rows * cols
        })
    }

    /// Elementwise `f(self, other)`; the shapes must agree (an internal invariant).
    @inlinable
    public func zip(_ other: Matrix, _ f: (S, S) -> S) -> Matrix {
        assert(rows == other.rows && cols == other.cols, "shape mismatch \(rows)x\(cols) vs \(other.rows)x\(other.cols)")
        return storage.withUnsafeBufferPointer { a in
            other.storage.withUnsafeBufferPointer { b in .filled(rows: rows, cols: cols) { f(a[$0 * cols + $1], b[$0 * cols + $1]) } }
        }
    }

    @inlinable
    public var transposed: Matrix {
        storage.withUnsafeBufferPointer { a in .filled(rows: cols, cols: rows) { a[$1 * cols + $0] } }
    }

    /// Rows `range` as a new matrix (`W[:n_a, :]` in NumPy).
    @inlinable
    public func rows(_ range: Range<Int>) -> Matrix {
        Matrix(rows: range.count, cols: cols, storage: Array(storage[(range.lowerBound * cols)..<(range.upperBound * cols)]))
    }

    /// Columns `range` as a new matrix (`W[:, :n_a]` in NumPy).
    @inlinable
    public func columns(_ range: Range<Int>) -> Matrix {
        storage.withUnsafeBufferPointer { a in .filled(rows: rows, cols: range.count) { a[$0 * cols + range.lowerBound + $1] } }
    }

    /// `[top; bottom]`, stacked by rows (NumPy's `np.concatenate(axis=0)`).
    @inlinable
    public static func stacked(_ parts: [Matrix]) -> Matrix {
        let cols = parts.first?.cols ?? 0
        assert(parts.allSatisfy { $0.cols == cols })
        return Matrix(rows: parts.reduce(0) { $0 + $1.rows }, cols: cols, storage: parts.flatMap(\.storage))
    }

    /// Σ over columns, kept as an `rows × 1` column (`np.sum(axis=1, keepdims=True)`).
    @inlinable
    public func rowSums() -> Matrix {
        storage.withUnsafeBufferPointer { a in
            .filled(rows: rows, cols: 1) { r, _ in
                var s = S.zero
                for c in 0..<cols { s = s + a[r * cols + c] }
                return s
            }
        }
    }

    /// `self + b·1ᵀ`: adds the column `b` (rows × 1) to every column.
    @inlinable
    public func addingColumn(_ b: Matrix) -> Matrix {
        assert(b.rows == rows && b.cols == 1)
        return storage.withUnsafeBufferPointer { a in
            b.storage.withUnsafeBufferPointer { v in .filled(rows: rows, cols: cols) { a[$0 * cols + $1] + v[$0] } }
        }
    }
}

extension Matrix where S == Double {
    /// The same matrix in another scalar type.
    @inlinable
    public func converted<T: Scalar>(to _: T.Type = T.self) -> Matrix<T> { map { T($0) } }
}

extension Matrix: Equatable where S: Equatable {}
