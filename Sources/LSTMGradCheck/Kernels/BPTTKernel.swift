/// `BPTT` in Double on the batched kernels: the same derivation (stacked gates, one
/// pre-activation delta `dz` per step, the carries `dh`, `dc`), with every product that does
/// not wait on the previous step done once over all steps: the output layer and its
/// gradients, `dW = Σ_t dz_t·[a_{t−1}; x_t]ᵀ` and `dx = W_xᵀ·dz`. Only `W·[a_{t−1}; x_t]` and
/// `W_aᵀ·dz_t` run step by step. Agrees with `BPTT.definition` to rounding (tests hold it to 1e-12).
enum BPTTKernel {
    /// Nil for a target the kernels do not take (masked labels).
    static func gradients(_ problem: Problem<LSTM, Double>) -> Gradients<LSTM>? {
        guard let k = LSTMKernel(problem, columns: false) else { return nil }
        let (n_a, n_x, n_y, T, m, K) = (k.n_a, k.n_x, k.n_y, k.steps, k.batch, k.depth)
        let (TM, S, nm) = (T * m, (T + 1) * m, k.n_a * k.batch)
        // Per-step blocks of n_a × m are spaced `np` apart, a whole number of SIMD8 vectors,
        // so the backward's elementwise step runs on whole vectors.
        let np = (nm + 7) / 8 * 8
        let full = PackedLHS(m: 4 * n_a, k: K, k.W, lda: K)
        let transposedRecurrent = PackedLHS(m: n_a, k: 4 * n_a, k.W, lda: K, transposed: true)
        var dW = [Double](repeating: 0, count: 4 * n_a * K), db = [Double](repeating: 0, count: 4 * n_a)
        var dWy = [Double](repeating: 0, count: n_y * n_a), dby = [Double](repeating: 0, count: n_y)
        var dx = [Double](repeating: 0, count: n_x * TM)
        var da0 = [Double](repeating: 0, count: nm), dc0 = da0
        // One allocation for all the scratch: freed, it raises malloc's thresholds to its size,
        // so the next call is served again without fresh pages (a quarter of the time otherwise).
        var slab = Slab([K * S, 4 * n_a * TM, (T + 1) * np, T * np, n_a * TM, 4 * np, np, np, n_y * TM])
        defer { slab.free() }
        // K × ((T+1)·m): column block t holds step t's input [a_{t−1}; x_t] (block T: a_T),
        // the right operand of the step's product and, over blocks 0..<T, of dW.
        let input = slab.next()
        // 4n_a × (T·m): the gates of step t in column block t, then, going back, its dz.
        let gates = slab.next()
        // Per step, contiguous: c_t (c_0 = c0) and tanh c_t; what a_t receives from the loss.
        let (c, tanhC, received) = (slab.next(), slab.next(), slab.next())
        let (z, dh, dcNext) = (slab.next(), slab.next(), slab.next())
        // ∂L/∂logits, n_y × (T·m).
        let dy = slab.next()

        for r in 0..<n_a { (input + r * S).update(from: k.a0 + r * m, count: m) }
        for r in 0..<n_x {
            for t in 0..<T { (input + (n_a + r) * S + t * m).update(from: k.x + r * TM + t * m, count: m) }
        }
        // Zero padding stays zero through the backward's vectors (no garbage, no subnormals).
        for buffer in [(c, (T + 1) * np), (tanhC, T * np), (z, 4 * np)] { buffer.0.update(repeating: 0, count: buffer.1) }
        c.update(from: k.c0, count: nm)
        for t in 0..<T {
            for r in 0..<(4 * n_a) { (z + r * m).update(repeating: k.bias[r], count: m) }
            full.multiplyAdd(n: m, input + t * m, ldb: S, z, ldc: m)
            VectorMath.sigmoid(z, into: z, count: 2 * nm)
            VectorMath.tanh(z + 2 * nm, into: z + 2 * nm, count: nm)
            VectorMath.sigmoid(z + 3 * nm, into: z + 3 * nm, count: nm)
            let (f, i, g, o) = (z, z + nm, z + 2 * nm, z + 3 * nm)
            let (cPrev, cNext, th) = (c + t * np, c + (t + 1) * np, tanhC + t * np)
            for e in 0..<nm { cNext[e] = f[e] * cPrev[e] + i[e] * g[e] }
            VectorMath.tanh(cNext, into: th, count: nm)
            for r in 0..<n_a {
                for j in 0..<m { input[r * S + (t + 1) * m + j] = o[r * m + j] * th[r * m + j] }
            }
            for r in 0..<(4 * n_a) { (gates + r * TM + t * m).update(from: z + r * m, count: m) }
        }

        if k.hasOutputLayer {
            // ∂L/∂logits = ŷ − onehot(y) for every step at once; a_t receives Wyᵀ(ŷ − y).
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

        dh.update(repeating: 0, count: np)
        dcNext.update(repeating: 0, count: np)
        for t in stride(from: T - 1, through: 0, by: -1) {
            let (cPrev, th) = (c + t * np, tanhC + t * np)
            for r in 0..<n_a {
                for j in 0..<m { dh[r * m + j] += received[r * TM + t * m + j] }
            }
            // The step's gates, gathered into four contiguous blocks np apart, become its dz.
            for r in 0..<(4 * n_a) { (z + (r / n_a) * np + (r % n_a) * m).update(from: gates + r * TM + t * m, count: m) }
            let (f, i, g, o) = (z, z + np, z + 2 * np, z + 3 * np)
            for e in stride(from: 0, to: np, by: 8) {
                func load(_ p: UnsafeMutablePointer<Double>) -> SIMD8<Double> { UnsafeRawPointer(p + e).loadUnaligned(as: SIMD8<Double>.self) }
                func store(_ v: SIMD8<Double>, _ p: UnsafeMutablePointer<Double>) { UnsafeMutableRawPointer(p + e).storeBytes(of: v, as: SIMD8<Double>.self) }
                let (fe, ie, ge, oe, dhe, the) = (load(f), load(i), load(g), load(o), load(dh), load(th))
                let dc = load(dcNext) + dhe * oe * (1 - the * the)
                store(dc * load(cPrev) * fe * (1 - fe), f)
                store(dc * ge * ie * (1 - ie), i)
                store(dc * ie * (1 - ge * ge), g)
                store(dhe * the * oe * (1 - oe), o)
                store(dc * fe, dcNext)
            }
            for r in 0..<(4 * n_a) { (gates + r * TM + t * m).update(from: z + (r / n_a) * np + (r % n_a) * m, count: m) }
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
        let grads = Weights<LSTM, Double> { p in
            guard let gate = p.gate?.rawValue else {
                return p == .Wy ? Matrix(rows: n_y, cols: n_a, storage: dWy) : Matrix(rows: n_y, cols: 1, storage: dby)
            }
            return p.isWeight ? block(dW, gate, cols: K) : block(db, gate, cols: 1)
        }
        let dxSteps = (0..<T).map { t in
            Matrix<Double>(rows: n_x, cols: m, storage: (0..<(n_x * m)).map { dx[($0 / m) * TM + t * m + $0 % m] })
        }
        return problem.gradients(dW: grads, da0: Matrix(rows: n_a, cols: m, storage: da0),
                                 dc0: Matrix(rows: n_a, cols: m, storage: dc0), dx: dxSteps)
    }

    /// `y[:, col] = softmax(y[:, col]) − onehot(labels[col])` for each column of the rows × columns
    /// logits; at the label `ŷ_y − 1 = −Σ_{k≠y} ŷ_k`, so that a nearly right ŷ_y ≈ 1 loses nothing.
    static func softmaxMinusOneHot(_ y: UnsafeMutablePointer<Double>, rows: Int, columns: Int, labels: UnsafePointer<Int>) {
        let shift = scratch(columns), total = scratch(columns)
        defer { shift.deallocate(); total.deallocate() }
        ColumnSoftmax.largest(y, rows: rows, columns: columns, into: shift)
        ColumnSoftmax.exponentiate(y, rows: rows, columns: columns, less: shift)
        total.update(repeating: 0, count: columns)
        for r in 0..<rows {
            for q in 0..<columns { total[q] += y[r * columns + q] }
        }
        for r in 0..<rows {
            for q in 0..<columns { y[r * columns + q] /= total[q] }
        }
        ColumnSoftmax.sumOfOthers(y, rows: rows, columns: columns, labels: labels, into: shift)
        for q in 0..<columns { y[labels[q] * columns + q] = -shift[q] }
    }

    /// `Σ row[0..<n]` in eight interleaved partial sums: one running sum would wait on each add.
    private static func rowSum(_ row: UnsafePointer<Double>, _ n: Int) -> Double {
        var lanes = SIMD8<Double>(), q = 0
        while q + 8 <= n {
            lanes += UnsafeRawPointer(row + q).loadUnaligned(as: SIMD8<Double>.self)
            q += 8
        }
        var s = lanes.sum()
        while q < n {
            s += row[q]
            q += 1
        }
        return s
    }
}

/// Uninitialised scratch, for buffers an array would zero first for nothing; the caller deallocates it.
func scratch(_ count: Int) -> UnsafeMutablePointer<Double> { .allocate(capacity: max(count, 1)) }

/// Uninitialised buffers of the given sizes carved from one allocation, handed out in order.
struct Slab {
    private let base: UnsafeMutablePointer<Double>
    private var offsets: [Int]
    private var taken = 0

    init(_ sizes: [Int]) {
        offsets = sizes.reduce(into: [0]) { $0.append($0.last! + $1) }
        base = scratch(offsets.last!)
    }

    /// The next buffer (an internal invariant: no more than the sizes given).
    mutating func next() -> UnsafeMutablePointer<Double> {
        taken += 1
        return base + offsets[taken - 1]
    }

    func free() { base.deallocate() }
}
