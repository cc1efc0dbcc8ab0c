import Foundation

/// An LSTM problem in `Double` laid out once for the batched Double kernels: the fast path under
/// the batched finite differences, the projection check and `bptt`. `LSTM.forward` stays the
/// definition; these kernels compute the same function with other sum orders, and the tests
/// hold them to it.
///
/// Storage is row-major. A quantity over every step is `rows × (T·m)`, step t's batch in
/// columns `t·m ..< (t+1)·m`, so products over all steps at once are single GEMMs.
final class LSTMKernel: @unchecked Sendable {   // immutable after init
    let n_x: Int, n_a: Int, n_y: Int, steps: Int, batch: Int
    /// Steps whose hidden state reaches the loss: T_x, or T′ for an upstream target.
    let window: Int
    let hasOutputLayer: Bool
    /// `W = [Wf; Wi; Wc; Wo]`, 4n_a × (n_a + n_x): the rows of one gate are one block.
    let W: UnsafeMutablePointer<Double>
    /// `b = [bf; bi; bc; bo]`.
    let bias: UnsafeMutablePointer<Double>
    /// For column batches (empty without `columns`): `W[:, ..<n_a]` packed for `W·a` with many
    /// columns, and `U = b + W[:, n_a...]·x_t` for every step (4n_a × (T·m)), the part of the
    /// gate pre-activations that no hidden state changes.
    let recurrent: PackedLHS
    let U: UnsafeMutablePointer<Double>
    /// x, n_x × (T·m).
    let x: UnsafeMutablePointer<Double>
    /// Wy (n_y × n_a), packed, and by.
    let output: PackedLHS
    let Wy: UnsafeMutablePointer<Double>, by: UnsafeMutablePointer<Double>
    /// Class of column j at step t at `t·m + j`.
    let labels: UnsafeMutablePointer<Int>
    /// The upstream gradient, n_a × (window·m).
    let upstream: UnsafeMutablePointer<Double>
    /// a0 and c0, n_a × m.
    let a0: UnsafeMutablePointer<Double>, c0: UnsafeMutablePointer<Double>

    var gateRows: Int { 4 * n_a }
    var depth: Int { n_a + n_x }

    /// Whether the kernels compute `problem`'s loss: class labels or an upstream gradient.
    /// Masked labels (the captioning loss) are not laid out here; every caller that would build
    /// a kernel for such a problem takes the generic definition instead.
    static func supports(_ problem: Problem<LSTM, Double>) -> Bool {
        switch problem.target {
        case .labels, .upstream: return true
        case .maskedLabels: return false
        }
    }

    /// `columns: false` leaves out what only column batches (`run`) read. Nil for a target
    /// the kernels do not take (`supports`): the caller runs the generic definition instead.
    init?(_ problem: Problem<LSTM, Double>, columns: Bool = true) {
        let p = problem.weights, d = problem.dims
        (n_x, n_a, steps, batch) = (d.n_x, d.n_a, d.steps, d.batch)
        let (T, m, K) = (d.steps, d.batch, d.n_a + d.n_x)
        switch problem.target {
        case .labels(let y):
            (hasOutputLayer, n_y, window) = (true, d.n_y, T)
            labels = .allocate(from: y.flatMap { $0 })
            upstream = .allocate(capacity: 0)
        case .upstream(let da):
            (hasOutputLayer, n_y, window) = (false, 0, min(da.count, T))
            labels = .allocate(capacity: 0)
            upstream = .allocate(from: Self.timeMajor(Array(da.prefix(T))))
        case .maskedLabels:
            return nil
        }
        let stacked = Matrix.stacked(LSTM.Gate.allCases.map { p[$0.parameters.weight] })
        W = .allocate(from: stacked.storage)
        x = .allocate(from: Self.timeMajor(problem.x))
        bias = .allocate(from: Matrix.stacked(LSTM.Gate.allCases.map { p[$0.parameters.bias] }).storage)
        recurrent = PackedLHS(m: columns ? 4 * n_a : 0, k: n_a, W, lda: K)
        let products = columns ? 4 * n_a * T * m : 0
        U = .allocate(capacity: max(products, 1))
        if columns {
            for r in 0..<(4 * n_a) { (U + r * T * m).initialize(repeating: bias[r], count: T * m) }
            gemmAdd(m: 4 * n_a, n: T * m, k: n_x, W + n_a, lda: K, x, ldb: T * m, U, ldc: T * m)
        }
        Wy = .allocate(from: hasOutputLayer ? p[.Wy].storage : [])
        by = .allocate(from: hasOutputLayer ? p[.by].storage : [])
        output = PackedLHS(m: n_y, k: n_a, Wy, lda: n_a)
        a0 = .allocate(from: problem.a0.storage)
        c0 = .allocate(from: problem.c0.storage)
    }

    deinit {
        for p in [W, bias, U, x, Wy, by, upstream, a0, c0] { p.deallocate() }
        labels.deallocate()
    }

    /// Per-step n × m matrices as one n × (T·m).
    static func timeMajor(_ steps: [Matrix<Double>]) -> [Double] {
        guard let first = steps.first else { return [] }
        let (n, m, T) = (first.rows, first.cols, steps.count)
        var out = [Double](repeating: 0, count: n * m * T)
        for (t, s) in steps.enumerated() {
            for r in 0..<n {
                for j in 0..<m { out[r * T * m + t * m + j] = s.storage[r * m + j] }
            }
        }
        return out
    }
}

extension UnsafeMutablePointer where Pointee == Double {
    /// A fresh buffer holding `values` (at least one element, so it is never a dangling empty allocation).
    static func allocate(from values: [Double]) -> UnsafeMutablePointer<Double> {
        let p = UnsafeMutablePointer<Double>.allocate(capacity: max(values.count, 1))
        values.withUnsafeBufferPointer { if let b = $0.baseAddress { p.initialize(from: b, count: values.count) } }
        return p
    }
}

extension UnsafeMutablePointer where Pointee == Int {
    static func allocate(from values: [Int]) -> UnsafeMutablePointer<Int> {
        let p = UnsafeMutablePointer<Int>.allocate(capacity: max(values.count, 1))
        values.withUnsafeBufferPointer { if let b = $0.baseAddress { p.initialize(from: b, count: values.count) } }
        return p
    }
}

/// What is different about one column of a batch from the unperturbed network.
enum ColumnChange: Sendable, Equatable {
    case none
    /// `W[row, col] += delta` (stacked rows, columns over `[a_prev; x_t]`), at every step.
    case weight(row: Int, col: Int, delta: Double)
    /// `b[row] += delta` (stacked rows), at every step.
    case bias(row: Int, delta: Double)
    /// `x[row, j, start] += delta`: only the batch's first step sees it.
    case input(row: Int, delta: Double)
    /// The starting hidden or cell state's element `row` set to `value`.
    case hidden(row: Int, value: Double)
    case cell(row: Int, value: Double)
}

/// Columns run together through the steps `start ..< window`: each is batch element `j`
/// of some trajectory, starting from the unperturbed state before step `start`.
struct ColumnBatch: Sendable {
    var start: Int
    var j: [Int] = []
    var change: [ColumnChange] = []
    /// The column whose loss this one's is compared with (its −h twin), or −1.
    var partner: [Int] = []

    var count: Int { j.count }

    /// The smallest p with `j[col] = j[col − p]` for every col ≥ p, among m, 2m and the count
    /// (trajectories of m columns, ±h pairs of single columns): rows of `U` are gathered for p
    /// columns and then copied, not gathered column by column.
    func period(batch m: Int) -> Int {
        for p in [m, 2 * m] where p < count && (p..<count).allSatisfy({ j[$0] == j[$0 - p] }) { return p }
        return count
    }

    mutating func append(_ j: Int, _ change: ColumnChange, partner: Int = -1) {
        self.j.append(j)
        self.change.append(change)
        self.partner.append(partner)
    }
}

/// The unperturbed forward pass, kept for restarts and the output layer.
struct LSTMTrajectory: @unchecked Sendable {   // immutable once computed
    /// Hidden and cell states before each step and after the last, n_a × ((T+1)·m): state s
    /// (a_s, with a_0 = a0) in columns `s·m ..< (s+1)·m`.
    let a: [Double], c: [Double]
    /// Logits `Wy·a_t + by` of every step, n_y × (T·m).
    let logits: [Double]
    /// The loss of each step and batch column (`−log ŷ_t[y]`, or `Σ_r da_t ⊙ a_t`), at `t·m + j`
    /// for the steps of the window.
    let losses: [Double]
}

/// Scratch for batches of up to `capacity` columns, owned by one thread.
final class ColumnWorkspace {
    let capacity: Int
    let a, c, h, z, y, shift, others, target: UnsafeMutablePointer<Double>
    /// Each column's loss at the current step, and its sum over the steps so far (for a
    /// column with a partner, the sum of differences from the partner's).
    let step, loss: UnsafeMutablePointer<Double>
    let j, label: UnsafeMutablePointer<Int>

    /// `states: false` leaves out the state buffers, for the output layer alone.
    init(_ k: LSTMKernel, capacity: Int, states: Bool = true) {
        self.capacity = capacity
        func buffer(_ rows: Int) -> UnsafeMutablePointer<Double> { .allocate(capacity: max(rows * capacity, 1)) }
        let n = states ? k.n_a : 0
        (a, c, h, z, y) = (buffer(n), buffer(n), buffer(n), buffer(4 * n), buffer(k.n_y))
        (shift, others, target, step, loss) = (buffer(1), buffer(1), buffer(1), buffer(1), buffer(1))
        j = .allocate(capacity: capacity)
        label = .allocate(capacity: capacity)
    }

    deinit {
        for p in [a, c, h, z, y, shift, others, target, step, loss] { p.deallocate() }
        j.deallocate()
        label.deallocate()
    }
}

extension LSTMKernel {
    /// The unperturbed forward pass over the batch.
    func trajectory() -> LSTMTrajectory {
        let (m, T, S) = (batch, steps, (steps + 1) * batch)
        var a = [Double](repeating: 0, count: n_a * S), c = a
        var logits = [Double](repeating: 0, count: n_y * T * m)
        var losses = [Double](repeating: 0, count: window * m)
        for r in 0..<n_a {
            for q in 0..<m { (a[r * S + q], c[r * S + q]) = (a0[r * m + q], c0[r * m + q]) }
        }
        var batch = ColumnBatch(start: 0)
        for q in 0..<m { batch.append(q, .none) }
        let w = ColumnWorkspace(self, capacity: m)
        a.withUnsafeMutableBufferPointer { a in
            c.withUnsafeMutableBufferPointer { c in
                logits.withUnsafeMutableBufferPointer { logits in
                    let (a, c, logits) = (a.baseAddress!, c.baseAddress!, logits.baseAddress!)
                    _ = losses.withUnsafeMutableBufferPointer { losses in
                        run(batch, from: a, c, in: w, stepLosses: losses.baseAddress, stop: { false }) { t in
                        for r in 0..<self.n_a {
                            (a + r * S + (t + 1) * m).update(from: w.a + r * m, count: m)
                            (c + r * S + (t + 1) * m).update(from: w.c + r * m, count: m)
                        }
                        for r in 0..<self.n_y { (logits + r * T * m + t * m).update(from: w.y + r * m, count: m) }
                        }
                    }
                }
            }
        }
        return LSTMTrajectory(a: a, c: c, logits: logits, losses: losses)
    }

    /// Runs `batch` through steps `start ..< window`, leaving in `w.loss[col]` column col's
    /// share of the loss over those steps (`−log ŷ` summed, or `Σ da ⊙ a`), less its partner's
    /// if it has one. A difference is summed step by step: the two losses of a step are
    /// close, so it is exact, and the sum carries the rounding of the small differences
    /// rather than of the large totals. The columns start
    /// from the states `a`, `c` (n_a × ((T+1)·m), as `LSTMTrajectory`) before step `start`.
    /// `observe(t)` runs after step t, with the new states in `w.a`, `w.c` and, before the loss
    /// consumed them, the logits in `w.y`; `stepLosses`, if given, receives each step's losses
    /// (B at a time, from step `start`). Returns false if `stop()` said so before the end.
    ///
    /// Every column is computed the same way whichever columns share its batch: the product is
    /// column-independent (see `gemmAdd`) and the rest is elementwise. So results do not depend
    /// on how work is split.
    func run(_ batch: ColumnBatch, from a: UnsafePointer<Double>, _ c: UnsafePointer<Double>,
             in w: ColumnWorkspace, stepLosses: UnsafeMutablePointer<Double>? = nil,
             stop: () -> Bool, observe: ((Int) -> Void)? = nil) -> Bool {
        let (B, t0, m, S, TM, K) = (batch.count, batch.start, self.batch, (steps + 1) * self.batch, steps * self.batch, depth)
        for col in 0..<B { w.j[col] = batch.j[col] }
        for r in 0..<n_a {
            let (ar, cr) = (a + r * S + t0 * m, c + r * S + t0 * m)
            for col in 0..<B {
                w.a[r * B + col] = ar[w.j[col]]
                w.c[r * B + col] = cr[w.j[col]]
            }
        }
        for col in 0..<B {
            switch batch.change[col] {
            case .hidden(let r, let v): w.a[r * B + col] = v
            case .cell(let r, let v): w.c[r * B + col] = v
            default: break
            }
        }
        w.loss.update(repeating: 0, count: B)
        let nB = n_a * B, period = batch.period(batch: m)
        let (f, i, g, o) = (w.z, w.z + nB, w.z + 2 * nB, w.z + 3 * nB)
        for t in t0..<max(t0, window) {
            if stop() { return false }
            // z = b + W_x·x_t + W_a·a_{t−1}, then each column's own change.
            for r in 0..<gateRows {
                let (u, zr) = (U + r * TM + t * m, w.z + r * B)
                for col in 0..<period { zr[col] = u[w.j[col]] }
                var filled = period
                while filled < B {
                    let n = min(filled, B - filled)
                    (zr + filled).update(from: zr, count: n)
                    filled += n
                }
            }
            recurrent.multiplyAdd(n: B, w.a, ldb: B, w.z, ldc: B)
            for col in 0..<B {
                switch batch.change[col] {
                case .weight(let r, let k, let delta):
                    let input = k < n_a ? w.a[k * B + col] : x[(k - n_a) * TM + t * m + w.j[col]]
                    w.z[r * B + col] += delta * input
                case .bias(let r, let delta):
                    w.z[r * B + col] += delta
                case .input(let r, let delta) where t == t0:
                    for q in 0..<gateRows { w.z[q * B + col] += delta * W[q * K + n_a + r] }
                default: break
                }
            }
            VectorMath.sigmoid(f, into: f, count: 2 * nB)   // f and i
            VectorMath.tanh(g, into: g, count: nB)
            VectorMath.sigmoid(o, into: o, count: nB)
            for e in 0..<nB { w.c[e] = f[e] * w.c[e] + i[e] * g[e] }
            VectorMath.tanh(w.c, into: w.h, count: nB)
            for e in 0..<nB { w.a[e] = o[e] * w.h[e] }
            if hasOutputLayer {
                for r in 0..<n_y { (w.y + r * B).update(repeating: by[r], count: B) }
                output.multiplyAdd(n: B, w.a, ldb: B, w.y, ldc: B)
                observe?(t)
                for col in 0..<B { w.label[col] = labels[t * m + w.j[col]] }
                negativeLogLikelihood(w.y, columns: B, labels: w.label, w)
            } else {
                observe?(t)
                w.step.update(repeating: 0, count: B)
                for r in 0..<n_a {
                    let da = upstream + r * window * m + t * m
                    for col in 0..<B { w.step[col] += da[w.j[col]] * w.a[r * B + col] }
                }
            }
            batch.partner.withUnsafeBufferPointer { partner in
                for col in 0..<B {
                    let q = partner[col]
                    w.loss[col] += q < 0 ? w.step[col] : w.step[col] - w.step[q]
                }
            }
            stepLosses?.advanced(by: (t - t0) * B).update(from: w.step, count: B)
        }
        return true
    }

    /// `w.step[col] = −log softmax(y[:, col])[labels[col]]` for the `columns` columns of the
    /// n_y × columns logits `y` (overwritten): log-sum-exp shifted by the column's largest
    /// logit, and `log1p(Σ_{k≠y} e^{z_k − z_y})` when that is the label's, so that a nearly
    /// right prediction keeps its tiny loss to full precision (as `Softmax.logLikelihood`).
    func negativeLogLikelihood(_ y: UnsafeMutablePointer<Double>, columns B: Int, labels: UnsafePointer<Int>,
                               _ w: ColumnWorkspace) {
        let (shift, others, target) = (w.shift, w.others, w.target)
        ColumnSoftmax.largest(y, rows: n_y, columns: B, into: shift)
        for col in 0..<B { target[col] = y[labels[col] * B + col] - shift[col] }
        ColumnSoftmax.exponentiate(y, rows: n_y, columns: B, less: shift)
        ColumnSoftmax.sumOfOthers(y, rows: n_y, columns: B, labels: labels, into: others)
        for col in 0..<B {
            w.step[col] = target[col] >= 0 ? Foundation.log1p(others[col])
                : Foundation.log(others[col] + y[labels[col] * B + col]) - target[col]
        }
    }
}

/// Column-wise pieces of a softmax over a rows × columns matrix, shared by the loss of the
/// column batches and the output layer's gradient in `BPTTKernel`.
enum ColumnSoftmax {
    /// `largest[col] = max_r y[r, col]`.
    static func largest(_ y: UnsafePointer<Double>, rows: Int, columns B: Int, into largest: UnsafeMutablePointer<Double>) {
        largest.update(from: y, count: B)
        for r in 1..<max(rows, 1) {
            for col in 0..<B { largest[col] = max(largest[col], y[r * B + col]) }
        }
    }

    /// `y[r, col] = exp(y[r, col] − shift[col])`, in place.
    static func exponentiate(_ y: UnsafeMutablePointer<Double>, rows: Int, columns B: Int, less shift: UnsafePointer<Double>) {
        for r in 0..<rows {
            for col in 0..<B { y[r * B + col] -= shift[col] }
        }
        VectorMath.exp(y, into: y, count: rows * B)
    }

    /// `sum[col] = Σ_{r ≠ labels[col]} y[r, col]`: what a label's entry is compared with
    /// without the cancellation of `Σ_r y[r, col] − y[label, col]`.
    static func sumOfOthers(_ y: UnsafePointer<Double>, rows: Int, columns B: Int, labels: UnsafePointer<Int>,
                            into sum: UnsafeMutablePointer<Double>) {
        sum.update(repeating: 0, count: B)
        for r in 0..<rows {
            for col in 0..<B where r != labels[col] { sum[col] += y[r * B + col] }
        }
    }
}
