/// The course notebook's `lstm_cell_backward`, line for line, under the notebook's
/// names, so it can be read beside the notebook.
///
/// `dot`, `dcct`, `dit`, `dft` are derivatives with respect to the gates'
/// *pre-activations* (the notebook's 2018 text calls them dΓ). They are the local
/// terms of one step: everything that reaches this step from later steps arrives
/// in `da_next` and `dc_next`, which is where the question's `do_{t−1}` lives.
struct CourseraCellGradients<S: Scalar> {
    var dxt: Matrix<S>, da_prev: Matrix<S>, dc_prev: Matrix<S>
    var dWf: Matrix<S>, dbf: Matrix<S>
    var dWi: Matrix<S>, dbi: Matrix<S>
    var dWc: Matrix<S>, dbc: Matrix<S>
    var dWo: Matrix<S>, dbo: Matrix<S>
}

/// Which gate-derivative formulas the cell uses.
enum CellFormulas<S: Scalar> {
    /// The notebook's code (correct).
    case notebook
    /// Equations (7)–(10) as the 2018 edition printed them in its text; `cct_prev` is the
    /// previous step's c̃, which its (10) uses (zeros before the first step).
    case printed2018(cct_prev: Matrix<S>)
}

enum CourseraCell {
    static func lstm_cell_backward<S>(_ da_next: Matrix<S>, _ dc_next: Matrix<S>, _ cache: LSTMCellCache<S>,
                                      _ parameters: Weights<LSTM, S>,
                                      formulas: CellFormulas<S> = .notebook) -> CourseraCellGradients<S> {
        let (a_prev, ft, ot, xt) = (cache.a_prev, cache.ft, cache.ot, cache.xt)
        let n_a = a_prev.rows, n_x = xt.rows

        let (dot, dcct, dit, dft) = gateDerivatives(da_next, dc_next, cache, formulas)

        let concat = np.concatenate(a_prev, xt)
        let dWf = np.dot(dft, concat.T)
        let dWi = np.dot(dit, concat.T)
        let dWc = np.dot(dcct, concat.T)
        let dWo = np.dot(dot, concat.T)
        let dbf = np.sumRows(dft)
        let dbi = np.sumRows(dit)
        let dbc = np.sumRows(dcct)
        let dbo = np.sumRows(dot)

        let (Wf, Wi, Wc, Wo) = (parameters[.Wf], parameters[.Wi], parameters[.Wc], parameters[.Wo])
        let h = 0..<n_a, in_ = n_a..<(n_a + n_x)   // Wf[:, :n_a] acts on a_prev, Wf[:, n_a:] on xt
        let da_prev = np.dot(Wf.columns(h).T, dft) + np.dot(Wi.columns(h).T, dit)
            + np.dot(Wc.columns(h).T, dcct) + np.dot(Wo.columns(h).T, dot)
        let dc_prev = dc_next * ft + ot * (1 - np.tanh(cache.c_next) ** 2) * ft * da_next
        let dxt = np.dot(Wf.columns(in_).T, dft) + np.dot(Wi.columns(in_).T, dit)
            + np.dot(Wc.columns(in_).T, dcct) + np.dot(Wo.columns(in_).T, dot)

        return CourseraCellGradients(dxt: dxt, da_prev: da_prev, dc_prev: dc_prev,
                                     dWf: dWf, dbf: dbf, dWi: dWi, dbi: dbi,
                                     dWc: dWc, dbc: dbc, dWo: dWo, dbo: dbo)
    }

    /// `(dot, dcct, dit, dft)`, the derivatives at the gates' pre-activations.
    static func gateDerivatives<S>(_ da_next: Matrix<S>, _ dc_next: Matrix<S>, _ cache: LSTMCellCache<S>,
                                   _ formulas: CellFormulas<S>)
        -> (dot: Matrix<S>, dcct: Matrix<S>, dit: Matrix<S>, dft: Matrix<S>) {
        let (c_next, c_prev, ft, it, cct, ot) = (cache.c_next, cache.c_prev, cache.ft, cache.it, cache.cct, cache.ot)
        let dot = da_next * np.tanh(c_next) * ot * (1 - ot)
        switch formulas {
        case .notebook:
            let dcct = (dc_next * it + ot * (1 - np.tanh(c_next) ** 2) * it * da_next) * (1 - cct ** 2)
            let dit = (dc_next * cct + ot * (1 - np.tanh(c_next) ** 2) * cct * da_next) * it * (1 - it)
            let dft = (dc_next * c_prev + ot * (1 - np.tanh(c_next) ** 2) * c_prev * da_next) * ft * (1 - ft)
            return (dot, dcct, dit, dft)
        case .printed2018(let cct_prev):
            // Erratum in (8), (9), (10): the gate's derivative factor multiplies only the
            // second term; it should multiply (dc_next·x + Γo(1 − tanh²c_next)·x·da_next) whole.
            // Erratum in (8): an extra factor c̃, and 1 − tanh(c̃)² where c̃ is already a tanh
            // output (the derivative is 1 − c̃²).
            let dcct = dc_next * it + ot * (1 - np.tanh(c_next) ** 2) * it * da_next * cct * (1 - np.tanh(cct) ** 2)
            let dit = dc_next * cct + ot * (1 - np.tanh(c_next) ** 2) * cct * da_next * it * (1 - it)
            // Erratum in (10): c̃_prev, the previous step's candidate, where c_prev is meant.
            let dft = dc_next * cct_prev + ot * (1 - np.tanh(c_next) ** 2) * c_prev * da_next * ft * (1 - ft)
            return (dot, dcct, dit, dft)
        }
    }
}

extension CourseraCellGradients {
    /// The gradient of gate parameter `p` (`Wf` … `bo`); nil for the output layer.
    subscript(p: LSTM.Parameter) -> Matrix<S>? {
        switch p {
        case .Wf: return dWf
        case .bf: return dbf
        case .Wi: return dWi
        case .bi: return dbi
        case .Wc: return dWc
        case .bc: return dbc
        case .Wo: return dWo
        case .bo: return dbo
        case .Wy, .by: return nil
        }
    }
}
