/// A cell's parameters as matrices over scalar `S`, one per case of `C.Parameter`:
/// `weights[.Wf]`, as the notebook's `parameters["Wf"]`.
public struct Weights<C: Cell, S: Scalar>: Sendable {
    /// In `C.Parameter.allCases` order.
    public private(set) var matrices: [Matrix<S>]

    /// `matrix(p)` for every parameter p.
    public init<E: Error>(_ matrix: (C.Parameter) throws(E) -> Matrix<S>) throws(E) {
        var out: [Matrix<S>] = []
        for p in C.Parameter.allCases { out.append(try matrix(p)) }
        matrices = out
    }

    public subscript(p: C.Parameter) -> Matrix<S> {
        get { matrices[p.index] }
        set { matrices[p.index] = newValue }
    }

    /// Zeros in every parameter's shape: the accumulator a backward pass sums into.
    public var zeros: Weights {
        Weights { Matrix(rows: self[$0].rows, cols: self[$0].cols) }
    }

    /// Every matrix mapped through `f` (a change of scalar type, a perturbation).
    public func map<T: Scalar>(_ f: (C.Parameter, Matrix<S>) -> Matrix<T>) -> Weights<C, T> {
        Weights<C, T> { f($0, self[$0]) }
    }
}
