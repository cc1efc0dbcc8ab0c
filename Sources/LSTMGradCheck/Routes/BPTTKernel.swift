/// `BPTT` in Double on the batched kernels: the same derivation (stacked gates, one
/// pre-activation delta `dz` per step, the carries `dh`, `dc`), with every product that does
/// not wait on the previous step done once over all steps: the output layer and its
/// gradients, `dW = Σ_t dz_t·[a_{t−1}; x_t]ᵀ` and `dx = W_xᵀ·dz`. Only `W·[a_{t−1}; x_t]` and
/// `W_aᵀ·dz_t` run step by step. Agrees with `BPTT.definition` to rounding (tests hold it to 1e-12).
enum BPTTKernel {
    static func gradients(_ problem: LSTMProblem<Double>) -> Gradients {
        let k = LSTMKernel(problem, columns: false)
        let (n_a, n_x, n_y, T, m, K) = (k.n_a, k.n_x, k.n_y, k.steps, k.batch, k.depth)
        let (TM, S, nm) = (T * m, (T + 1) * m, k.n_a * k.batch)
        let full = PackedLHS(m: 4 * n_a, k: K, k.W, lda: K)
        let transposedRecurrent = PackedLHS(m: n_a, k: 4 * n_a, k.W, lda: K, transposed: true)
        var dW = [Double](repeating: 0, count: 4 * n_a * K), db = [Double](repeating: 0, count: 4 * n_a)
        var dWy = [Double](repeating: 0, count: n_y * n_a), dby = [Double](repeating: 0, count: n_y)
        var dx = [Double](repeating: 0, count: n_x * TM)
        var da0 = [Double](repeating: 0, count: nm), dc0 = da0
        // K × ((T+1)·m): column block t holds step t's input [a_{t−1}; x_t] (block T: a_T),
        // the right operand of the step's product and, over blocks 0..<T, of dW.
        let input = scratch(K * S)
        // 4n_a × (T·m): the gates of step t in column block t, then, going back, its dz.
        let gates = scratch(4 * n_a * TM)
        // Per step, contiguous: c_t (c_0 = c0) and tanh c_t; what a_t receives from the loss.
        let c = scratch((T + 1) * nm), tanhC = scratch(T * nm), received = scratch(n_a * TM)
        let z = scratch(4 * nm), dh = scratch(nm), dc = scratch(nm), dcNext = scratch(nm)
        defer { for b in [input, gates, c, tanhC, received, z, dh, dc, dcNext] { b.deallocate() } }

        for r in 0..<n_a { (input + r * S).update(from: k.a0 + r * m, count: m) }
        for r in 0..<n_x {
            for t in 0..<T { (input + (n_a + r) * S + t * m).update(from: k.x + r * TM + t * m, count: m) }
        }
        c.update(from: k.c0, count: nm)
        for t in 0..<T {
            for r in 0..<(4 * n_a) { (z + r * m).update(repeating: k.bias[r], count: m) }
            full.multiplyAdd(n: m, input + t * m, ldb: S, z, ldc: m)
            VectorMath.sigmoid(z, into: z, count: 2 * nm)
            VectorMath.tanh(z + 2 * nm, into: z + 2 * nm, count: nm)
            VectorMath.sigmoid(z + 3 * nm, into: z + 3 * nm, count: nm)
            let (f, i, g, o) = (z, z + nm, z + 2 * nm, z + 3 * nm)
            let (cPrev, cNext, th) = (c + t * nm, c + (t + 1) * nm, tanhC + t * nm)
            for e in 0..<nm { cNext[e] = f[e] * cPrev[e] + i[e] * g[e] }
            VectorMath.tanh(cNext, into: th, count: nm)
            for r in 0..<n_a {
                for j in 0..<m { input[r * S + (t + 1) * m + j] = o[r * m + j] * th[r * m + j] }
            }
            for r in 0..<(4 * n_a) { (gates + r * TM + t * m).update(from: z + r * m, count: m) }
        }

        if k.hasOutputLayer {
            // ∂L/∂logits = ŷ − onehot(y) for every step at once; a_t receives Wyᵀ(ŷ − y).
            let dy = scratch(n_y * TM)
            defer { dy.deallocate() }
            for r in 0..<n_y { (dy + r * TM).update(repeating: k.by[r], count: TM) }
            k.output.multiplyAdd(n: TM, input + m, ldb: S, dy, ldc: TM)
            softmaxMinusOneHot(dy, rows: n_y, columns: TM, labels: k.labels)
            gemmAdd(m: n_y, n: n_a, k: TM, dy, lda: TM, input + m, ldb: S, transposeB: true, &dWy, ldc: n_a)
            for r in 0..<n_y { dby[r] = rowSum(dy + r * TM, TM) }
            received.update(repeating: 0, count: n_a * TM)
            gemmAdd(m: n_a, n: TM, k: n_y, k.Wy, lda: n_a, transposeA: true, dy, ldb: TM, received, ldc: TM)
        } else {
            received.update(repeating: 0, count: n_a * TM)
            for r in 0..<n_a { (received + r * TM).update(from: k.upstream + r * k.window * m, count: k.window * m) }
        }

        dh.update(repeating: 0, count: nm)
        dcNext.update(repeating: 0, count: nm)
        for t in stride(from: T - 1, through: 0, by: -1) {
            let (cPrev, th) = (c + t * nm, tanhC + t * nm)
            for r in 0..<n_a {
                for j in 0..<m { dh[r * m + j] += received[r * TM + t * m + j] }
            }
            // dz overwrites the gates it is made of, block by block, row by row.
            for r in 0..<n_a {
                let (f, i, g, o) = (gates + r * TM + t * m, gates + (n_a + r) * TM + t * m,
                                    gates + (2 * n_a + r) * TM + t * m, gates + (3 * n_a + r) * TM + t * m)
                for j in 0..<m {
                    let e = r * m + j
                    let (fe, ie, ge, oe) = (f[j], i[j], g[j], o[j])
                    dc[e] = dcNext[e] + dh[e] * oe * (1 - th[e] * th[e])
                    f[j] = dc[e] * cPrev[e] * fe * (1 - fe)
                    i[j] = dc[e] * ge * ie * (1 - ie)
                    g[j] = dc[e] * ie * (1 - ge * ge)
                    o[j] = dh[e] * th[e] * oe * (1 - oe)
                    dcNext[e] = dc[e] * fe
                }
            }
            dh.update(repeating: 0, count: nm)
            transposedRecurrent.multiplyAdd(n: m, gates + t * m, ldb: TM, dh, ldc: m)
        }
        let dz = gates
        // dWᵀ = [a; x]·dzᵀ over all steps: the input is the smaller operand to pack.
        var dWt = [Double](repeating: 0, count: K * 4 * n_a)
        PackedLHS(m: K, k: TM, input, lda: S).multiplyAdd(n: 4 * n_a, dz, ldb: TM, transposeB: true, &dWt, ldc: 4 * n_a)
        for r in 0..<(4 * n_a) {
            for q in 0..<K { dW[r * K + q] = dWt[q * 4 * n_a + r] }
            db[r] = rowSum(gates + r * TM, TM)
        }
        gemmAdd(m: n_x, n: TM, k: 4 * n_a, k.W + n_a, lda: K, transposeA: true, dz, ldb: TM, &dx, ldc: TM)
        da0.withUnsafeMutableBufferPointer { $0.baseAddress!.update(from: dh, count: nm) }
        dc0.withUnsafeMutableBufferPointer { $0.baseAddress!.update(from: dcNext, count: nm) }

        func block(_ M: [Double], _ gate: Int, cols: Int) -> Matrix<Double> {
            Matrix(rows: n_a, cols: cols, storage: Array(M[(gate * n_a * cols)..<((gate + 1) * n_a * cols)]))
        }
        let grads = LSTMParameters(Wf: block(dW, 0, cols: K), bf: block(db, 0, cols: 1), Wi: block(dW, 1, cols: K), bi: block(db, 1, cols: 1),
                                   Wc: block(dW, 2, cols: K), bc: block(db, 2, cols: 1), Wo: block(dW, 3, cols: K), bo: block(db, 3, cols: 1),
                                   Wy: Matrix(rows: n_y, cols: n_a, storage: dWy), by: Matrix(rows: n_y, cols: 1, storage: dby))
        let dxSteps = (0..<T).map { t in
            Matrix<Double>(rows: n_x, cols: m, storage: (0..<(n_x * m)).map { dx[($0 / m) * TM + t * m + $0 % m] })
        }
        return Gradients(problem, dW: grads, da0: Matrix(rows: n_a, cols: m, storage: da0),
                         dc0: Matrix(rows: n_a, cols: m, storage: dc0), dx: dxSteps)
    }

    /// `y[:, col] = softmax(y[:, col]) − onehot(labels[col])` for each column of the rows × columns logits.
    private static func softmaxMinusOneHot(_ y: UnsafeMutablePointer<Double>, rows: Int, columns: Int, labels: UnsafePointer<Int>) {
        let shift = scratch(columns), total = scratch(columns)
        defer { shift.deallocate(); total.deallocate() }
        shift.update(from: y, count: columns)
        total.update(repeating: 0, count: columns)
        for r in 1..<max(rows, 1) {
            for q in 0..<columns { shift[q] = max(shift[q], y[r * columns + q]) }
        }
        for r in 0..<rows {
            for q in 0..<columns { y[r * columns + q] -= shift[q] }
        }
        VectorMath.exp(y, into: y, count: rows * columns)
        for r in 0..<rows {
            for q in 0..<columns { total[q] += y[r * columns + q] }
        }
        for r in 0..<rows {
            for q in 0..<columns { y[r * columns + q] /= total[q] }
        }
        for q in 0..<columns { y[labels[q] * columns + q] -= 1 }
    }

    private static func rowSum(_ row: UnsafePointer<Double>, _ n: Int) -> Double {
        var s = 0.0
        for q in 0..<n { s += row[q] }
        return s
    }
}

/// Uninitialised scratch, for buffers an array would zero first for nothing; the caller deallocates it.
func scratch(_ count: Int) -> UnsafeMutablePointer<Double> { .allocate(capacity: max(count, 1)) }
