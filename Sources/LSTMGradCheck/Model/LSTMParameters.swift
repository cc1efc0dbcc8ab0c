/// The weights of a Coursera LSTM with a softmax output layer.
///
/// Gate weights act on `concat = [a_prev; x_t]` (a_prev first), so each is
/// n_a × (n_a + n_x); biases are n_a × 1 columns; `Wy` is n_y × n_a.
public struct LSTMParameters<S: Scalar>: Sendable {
    public var Wf: Matrix<S>, bf: Matrix<S>
    public var Wi: Matrix<S>, bi: Matrix<S>
    public var Wc: Matrix<S>, bc: Matrix<S>
    public var Wo: Matrix<S>, bo: Matrix<S>
    public var Wy: Matrix<S>, by: Matrix<S>

    public init(Wf: Matrix<S>, bf: Matrix<S>, Wi: Matrix<S>, bi: Matrix<S>, Wc: Matrix<S>, bc: Matrix<S>,
                Wo: Matrix<S>, bo: Matrix<S>, Wy: Matrix<S>, by: Matrix<S>) {
        self.Wf = Wf; self.bf = bf; self.Wi = Wi; self.bi = bi; self.Wc = Wc; self.bc = bc
        self.Wo = Wo; self.bo = bo; self.Wy = Wy; self.by = by
    }

    public var n_a: Int { Wf.rows }
    public var n_x: Int { Wf.cols - Wf.rows }
    public var n_y: Int { Wy.rows }

    /// The parameter names in report order, with key paths to them.
    public static var fields: [(name: String, path: WritableKeyPath<LSTMParameters, Matrix<S>>)] {
        [("Wf", \.Wf), ("bf", \.bf), ("Wi", \.Wi), ("bi", \.bi), ("Wc", \.Wc), ("bc", \.bc),
         ("Wo", \.Wo), ("bo", \.bo), ("Wy", \.Wy), ("by", \.by)]
    }

    /// Every matrix mapped through `f` (a change of scalar type, a perturbation).
    public func map<T: Scalar>(_ f: (String, Matrix<S>) -> Matrix<T>) -> LSTMParameters<T> {
        LSTMParameters<T>(Wf: f("Wf", Wf), bf: f("bf", bf), Wi: f("Wi", Wi), bi: f("bi", bi),
                          Wc: f("Wc", Wc), bc: f("bc", bc), Wo: f("Wo", Wo), bo: f("bo", bo),
                          Wy: f("Wy", Wy), by: f("by", by))
    }
}
