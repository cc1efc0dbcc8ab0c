/// `ExactGradient` for the LSTM in `Double`, fast: forward-mode differentiation (a JVP per
/// input element) with the tangents of many elements run as extra columns of one product
/// per step, on the batched kernels. Each tangent obeys the linearised step
///
///     dz_t = W_a·da_{t−1} + (seed term)
///     dc_t = σ′(z_f)·c_{t−1}·dz_f + f·dc_{t−1} + σ′(z_i)·c̃·dz_i + i·tanh′(z_c)·dz_c
///     da_t = σ′(z_o)·tanh(c_t)·dz_o + o·tanh′(c_t)·dc_t
///     dL_t = (ŷ_t − onehot(y_t))ᵀ·(Wy·da_t + seed term)      or  da_upstream,tᵀ·da_t
///
/// about the unperturbed trajectory, with σ′ and tanh′ written as `e/(1+e)²`, `4u/(1+u)²`
/// (`e = e^{−|z|}`, `u = e^{−2|z|}`), as `Dual` differentiates them: exact for saturated gates,
/// where `σ(1−σ)` from the rounded σ is not. No derivation of the backward pass enters, so
/// the error is rounding only. The seed term of an element:
/// - a gate weight `W[r, c]`: `e_r·[a_{t−1}; x_t][c, :]` at every step; `b[r]`: `e_r`;
/// - `x[r, j, t₀]`: `W[:, n_a + r]` in column j at step t₀ alone, from zero tangents there;
/// - `a0[r, j]`, `c0[r, j]`: a starting tangent `e_r` in column j;
/// - `Wy[r, c]`, `by[r]`: only the logits, `e_r·a_t[c, :]` and `e_r`: no step is run.
///
/// Every tangent is a group of m columns, column q following batch column q: a weight's
/// tangent touches all m (its derivative is their sum); an `x`, `a0` or `c0` element touches
/// only its own, so one group carries a row of m such elements at once, one each column.
/// Each column's arithmetic is the same whichever columns share its batch (see `gemmAdd`),
/// so results are bit-identical for any thread count.
enum BatchedTangents {
    /// `∂L/∂θ` for every element of every input (`problem.inputs`), under `control`; the
    /// dual numbers for a target the kernels do not take (masked labels). Throws when
    /// `control` stops the run.
    static func gradients(_ problem: Problem<LSTM, Double>, control: RunControl) throws(Interruption) -> Gradients<LSTM> {
        guard let run = TangentRun(problem) else { return try ExactGradient.dualNumbers(problem, control: control) }
        return try run.evaluate(control)
    }
}

/// The plan of one batched tangent run and its execution.
final class TangentRun: Sendable {
    /// What one group of m tangent columns is seeded with (stacked gate rows; see `BatchedTangents`).
    enum Seed: Sendable {
        case weight(row: Int, col: Int)
        case bias(row: Int)
        /// `x[row, :, start]` of the group's batch.
        case input(row: Int)
        case hidden(row: Int)
        case cell(row: Int)
    }

    /// Groups run together through steps `start ..< window`; group g's m losses land in
    /// slots `slot + g·m ..< slot + (g+1)·m`.
    struct Batch: Sendable {
        var start: Int
        var seeds: [Seed] = []
        var slot: Int
    }

    /// Where a group's m column derivatives go, in `InputElements` numbering: summed into
    /// element `first`, or column q into element `first + q·stride`.
    struct Destination: Sendable {
        var first: Int
        var stride = 0
        var sums: Bool
    }

    let kernel: LSTMKernel
    let elements: InputElements<LSTM>
    let batches: [Batch]
    /// One per group, in slot order.
    let destinations: [Destination]
    let linearisation: Linearisation

    /// Columns per batch: the tangent buffers (about 6n_a + n_y doubles a column) stay within
    /// a few hundred KiB, in L2 beside the packed W_a. It depends on the sizes only, never on threads.
    static func batchColumns(_ k: LSTMKernel) -> Int {
        let perColumn = 8 * (6 * k.n_a + k.n_y)
        return min(256, max(32, (512 << 10) / max(perColumn, 1)))
    }

    /// Nil for a target the kernels do not take.
    init?(_ problem: Problem<LSTM, Double>) {
        guard let k = LSTMKernel(problem) else { return nil }
        kernel = k
        elements = InputElements(problem)
        linearisation = Linearisation(k)
        let (n_a, n_x, m, T, K) = (k.n_a, k.n_x, k.batch, k.steps, k.depth)
        // Groups by start step: 0 for the gates' weights and the starting states, t₀ for x[:, :, t₀].
        var byStart = [[(Seed, Destination)]](repeating: [], count: max(k.window, 1))
        for input in elements.inputs {
            let offset = elements.offset(of: input)
            switch input {
            case .a0, .c0:
                for r in 0..<n_a {
                    let destination = Destination(first: offset + r * m, stride: 1, sums: false)
                    byStart[0].append((input == .a0 ? .hidden(row: r) : .cell(row: r), destination))
                }
            case .x:
                // Steps past the window do not reach the loss: their gradient is zero, no run.
                for t in 0..<k.window {
                    for r in 0..<n_x { byStart[t].append((.input(row: r), Destination(first: offset + r * m * T + t, stride: T, sums: false))) }
                }
            case .parameter(let p):
                // The output layer's come from the trajectory alone (`outputLayer`).
                guard let gate = p.gate?.rawValue else { continue }
                if p.isWeight {
                    for r in 0..<n_a {
                        for c in 0..<K { byStart[0].append((.weight(row: gate * n_a + r, col: c), Destination(first: offset + r * K + c, sums: true))) }
                    }
                } else {
                    for r in 0..<n_a { byStart[0].append((.bias(row: gate * n_a + r), Destination(first: offset + r, sums: true))) }
                }
            }
        }
        // The longest batches first, so that the short ones fill in at the end.
        // A whole number of periods per batch, so that only a last batch ends within one.
        let groupsPerPeriod = linearisation.period / max(m, 1)
        let perBatch = max(1, Self.batchColumns(k) / max(linearisation.period, 1) * groupsPerPeriod)
        var batches: [Batch] = [], destinations: [Destination] = []
        for (start, groups) in byStart.enumerated() {
            for first in stride(from: 0, to: groups.count, by: perBatch) {
                let chunk = groups[first..<min(first + perBatch, groups.count)]
                batches.append(Batch(start: start, seeds: chunk.map(\.0), slot: destinations.count * m))
                destinations += chunk.map(\.1)
            }
        }
        self.batches = batches
        self.destinations = destinations
    }

    /// Work of a batch in `RunControl.progress` units: columns × steps.
    func cost(_ b: Batch) -> Int { b.seeds.count * kernel.batch * max(kernel.window - b.start, 1) }

    func evaluate(_ control: RunControl) throws(Interruption) -> Gradients<LSTM> {
        let k = kernel, m = k.batch
        var columnLosses = [Double](repeating: 0, count: max(destinations.count * m, 1))
        let costs = batches.map(cost)
        let (finished, stop) = columnLosses.withUnsafeMutableBufferPointer { buffer in
            nonisolated(unsafe) let out = buffer.baseAddress!   // batches write disjoint slots
            let capacity = batches.map(\.seeds.count).max().map { $0 * m } ?? 0
            return Workers.run(costs: costs, control: control,
                               makeState: { TangentWorkspace(k, capacity: capacity) }) { index, w, shouldStop in
                let batch = self.batches[index]
                guard self.run(batch, in: w, stop: shouldStop) else { return false }
                (out + batch.slot).update(from: w.loss, count: batch.seeds.count * m)
                return true
            }
        }
        if let stop {
            let done = costs.indices.reduce(0) { $0 + (finished[$1] ? costs[$1] : 0) }
            throw Interruption(reason: stop, done: done, total: costs.reduce(0, +))
        }
        // Elements no group reaches (x past an upstream window) keep their zero.
        var values = [Double](repeating: 0, count: elements.count)
        for (g, d) in destinations.enumerated() {
            let losses = columnLosses[(g * m)..<((g + 1) * m)]
            if d.sums {
                values[d.first] = losses.reduce(0, +)
            } else {
                for (q, v) in losses.enumerated() { values[d.first + q * d.stride] = v }
            }
        }
        if k.hasOutputLayer {
            let (Wy, by) = outputLayer()
            let (wy, by_) = (elements.offset(of: .parameter(.Wy)), elements.offset(of: .parameter(.by)))
            values.replaceSubrange(wy..<wy + Wy.count, with: Wy)
            values.replaceSubrange(by_..<by_ + by.count, with: by)
        }
        return elements.gradients(values)
    }

    /// The tangents of `batch`'s groups through steps `start ..< window`, leaving in `w.loss[col]`
    /// column col's `dL`. Returns false if `stop()` said so before the end.
    func run(_ batch: Batch, in w: TangentWorkspace, stop: () -> Bool) -> Bool {
        let k = kernel, lin = linearisation
        let (n_a, n_y, m, K, TM) = (k.n_a, k.n_y, k.batch, k.depth, k.steps * k.batch)
        let B = batch.seeds.count * m, gateRows = k.gateRows
        let (da, dc, dz) = (w.da, w.dc, w.dz)
        da.update(repeating: 0, count: n_a * B)
        dc.update(repeating: 0, count: n_a * B)
        w.loss.update(repeating: 0, count: B)
        var startsMoved = false
        for (g, seed) in batch.seeds.enumerated() {
            switch seed {
            case .hidden(let r): (da + r * B + g * m).update(repeating: 1, count: m); startsMoved = true
            case .cell(let r): (dc + r * B + g * m).update(repeating: 1, count: m)
            default: break
            }
        }
        for t in batch.start..<max(batch.start, k.window) {
            if stop() { return false }
            dz.update(repeating: 0, count: gateRows * B)
            // Zero tangents give a zero product: skipped at the first step unless a0 is seeded.
            if t > batch.start || startsMoved { k.recurrent.multiplyAdd(n: B, da, ldb: B, dz, ldc: B) }
            for (g, seed) in batch.seeds.enumerated() {
                let columns = g * m
                switch seed {
                case .weight(let r, let c):
                    let input = lin.inputs + c * TM + t * m, row = dz + r * B + columns
                    for q in 0..<m { row[q] += input[q] }
                case .bias(let r):
                    let row = dz + r * B + columns
                    for q in 0..<m { row[q] += 1 }
                case .input(let r) where t == batch.start:
                    for gate in 0..<gateRows {
                        let weight = k.W[gate * K + n_a + r], row = dz + gate * B + columns
                        for q in 0..<m { row[q] += weight }
                    }
                default: break
                }
            }
            // The coefficients of period positions p0 ..< p0 + 8 are loaded once per row and serve
            // every period of the batch (the lanes past a row's end compute what is not stored).
            let P = lin.period, coefficients = lin.coefficients + t * Linearisation.kinds * n_a * P, kindStride = n_a * P
            for r in 0..<n_a {
                for p0 in stride(from: 0, to: P, by: Lanes.scalarCount) {
                    let chunk = min(Lanes.scalarCount, P - p0), c = coefficients + r * P + p0
                    let (fc, f, ig) = (Lanes.load(c, chunk), Lanes.load(c + kindStride, chunk), Lanes.load(c + 2 * kindStride, chunk))
                    let (ic, ot, oh) = (Lanes.load(c + 3 * kindStride, chunk), Lanes.load(c + 4 * kindStride, chunk), Lanes.load(c + 5 * kindStride, chunk))
                    for e in stride(from: r * B + p0, to: (r + 1) * B, by: P) {
                        let live = min(chunk, (r + 1) * B - e)
                        let dcNext = fc * Lanes.load(dz + e, live) + f * Lanes.load(dc + e, live)
                            + ig * Lanes.load(dz + n_a * B + e, live) + ic * Lanes.load(dz + 2 * n_a * B + e, live)
                        dcNext.store(dc + e, live)
                        (ot * Lanes.load(dz + 3 * n_a * B + e, live) + oh * dcNext).store(da + e, live)
                    }
                }
            }
            // dL_t = sᵀ·v column by column, v the tangent of the logits (or of a_t upstream).
            let (v, rows) = k.hasOutputLayer ? (w.dy, n_y) : (da, n_a)
            if k.hasOutputLayer {
                w.dy.update(repeating: 0, count: n_y * B)
                k.output.multiplyAdd(n: B, da, ldb: B, w.dy, ldc: B)
            }
            w.step.update(repeating: 0, count: B)
            for r in 0..<rows {
                for p0 in stride(from: 0, to: P, by: Lanes.scalarCount) {
                    let chunk = min(Lanes.scalarCount, P - p0)
                    let s = Lanes.load(lin.sensitivity + r * lin.sensitivityStride + t * P + p0, chunk)
                    for col in stride(from: p0, to: B, by: P) {
                        let live = min(chunk, B - col)
                        (Lanes.load(w.step + col, live) + s * Lanes.load(v + r * B + col, live)).store(w.step + col, live)
                    }
                }
            }
            for col in 0..<B { w.loss[col] += w.step[col] }
        }
        return true
    }

    /// `dL/dWy[r, c] = Σ_t (ŷ_t − y_t)[r, :]·a_t[c, :]` and `dL/dby[r] = Σ_t Σ_j (ŷ_t − y_t)[r, j]`:
    /// the seed `e_r·a_t[c, :]` (or `e_r`) in the logits, contracted with the loss's sensitivity.
    private func outputLayer() -> (Wy: [Double], by: [Double]) {
        let k = kernel, lin = linearisation
        let (n_a, n_y, T, S, m, P) = (k.n_a, k.n_y, k.steps, (k.steps + 1) * k.batch, k.batch, lin.period)
        var dWy = [Double](repeating: 0, count: n_y * n_a), dby = [Double](repeating: 0, count: n_y)
        lin.trajectory.a.withUnsafeBufferPointer { a in
            for r in 0..<n_y {
                let s = lin.sensitivity + r * lin.sensitivityStride
                for c in 0..<n_a {
                    let states = a.baseAddress! + c * S + m   // a_1 … a_T
                    var total = 0.0
                    for t in 0..<T {
                        for q in 0..<m { total += s[t * P + q] * states[t * m + q] }
                    }
                    dWy[r * n_a + c] = total
                }
                var total = 0.0
                for t in 0..<T {
                    for q in 0..<m { total += s[t * P + q] }
                }
                dby[r] = total
            }
        }
        return (dWy, dby)
    }
}

/// The unperturbed pass, linearised once for every tangent: per step and batch column, the
/// coefficients of the tangent step, the inputs the weights multiply, and the sensitivity of
/// the loss. Immutable after init; freed with the run.
final class Linearisation: @unchecked Sendable {
    /// Coefficients per step, `kinds` blocks of n_a × period: σ′(z_f)·c_{t−1}, f, σ′(z_i)·c̃,
    /// i·tanh′(z_c), σ′(z_o)·tanh(c_t), o·tanh′(c_t).
    static let kinds = 6
    let coefficients: UnsafeMutablePointer<Double>
    /// Per-column values are stored for `period` columns, that of batch column `p mod m` at p:
    /// a whole number of groups, and for m < 8 (unless that takes too much memory) a whole
    /// number of vectors too, so that the tangent step of a small batch still runs on whole vectors.
    let period: Int
    /// `[a_{t−1}; x_t]`, K × (T·m): what a weight's seed term copies.
    let inputs: UnsafeMutablePointer<Double>
    /// `∂L_t/∂logits = ŷ_t − onehot(y_t)`, n_y rows, or the upstream `da`, n_a rows: step t's
    /// `period` values at `t·period` in a row, rows `sensitivityStride` (window·period) apart.
    let sensitivity: UnsafeMutablePointer<Double>
    let sensitivityStride: Int
    let trajectory: LSTMTrajectory

    init(_ k: LSTMKernel) {
        let (n_a, n_x, n_y, m, T) = (k.n_a, k.n_x, k.n_y, k.batch, k.steps)
        let (TM, S, K) = (T * m, (T + 1) * m, k.depth)
        let base = k.trajectory()
        trajectory = base
        // Past 64 MiB of coefficients the vectors stay part-filled rather than the memory grow
        // up to eightfold. Each lane's arithmetic is the same either way: the bits do not change.
        let whole = Self.leastCommonMultiple(m, Lanes.scalarCount)
        let P = m < Lanes.scalarCount && Self.kinds * n_a * T * whole <= 8 << 20 ? whole : m
        let inputs = scratch(K * TM), coefficients = scratch(Self.kinds * n_a * T * P)
        (self.inputs, self.coefficients, period) = (inputs, coefficients, P)
        base.a.withUnsafeBufferPointer { a in
            for r in 0..<n_a { (inputs + r * TM).update(from: a.baseAddress! + r * S, count: TM) }
        }
        for r in 0..<n_x { (inputs + (n_a + r) * TM).update(from: k.x + r * TM, count: TM) }

        // The gates' pre-activations of every step in one product: z = U + W_a·a_{t−1}, summed
        // as the kernel's own step sums them.
        let rows = k.gateRows
        var slab = Slab([rows * TM, rows * TM, n_a * TM, n_a * TM, n_a * TM])
        defer { slab.free() }
        let (z, gate, slope, tanhC, cellSlope) = (slab.next(), slab.next(), slab.next(), slab.next(), slab.next())
        z.update(from: k.U, count: rows * TM)
        k.recurrent.multiplyAdd(n: TM, inputs, ldb: TM, z, ldc: TM)
        VectorMath.sigmoid(z, into: gate, count: 2 * n_a * TM)
        VectorMath.tanh(z + 2 * n_a * TM, into: gate + 2 * n_a * TM, count: n_a * TM)
        VectorMath.sigmoid(z + 3 * n_a * TM, into: gate + 3 * n_a * TM, count: n_a * TM)
        base.c.withUnsafeBufferPointer { c in
            for r in 0..<n_a { (tanhC + r * TM).update(from: c.baseAddress! + r * S + m, count: TM) }   // c_1 … c_T
        }
        Self.tanhSlope(tanhC, into: cellSlope, count: n_a * TM)
        VectorMath.tanh(tanhC, into: tanhC, count: n_a * TM)
        let (f, i, g, o) = (gate, gate + n_a * TM, gate + 2 * n_a * TM, gate + 3 * n_a * TM)
        let (zf, zi, zg, zo) = (z, z + n_a * TM, z + 2 * n_a * TM, z + 3 * n_a * TM)
        base.c.withUnsafeBufferPointer { cells in
            let c = cells.baseAddress!
            // Per step t the block of kind κ, row r, position p at ((t·kinds + κ)·n_a + r)·period + p.
            func store(_ kind: Int, _ values: (Int) -> Double) {
                for t in 0..<T {
                    for r in 0..<n_a {
                        let block = coefficients + ((t * Self.kinds + kind) * n_a + r) * P
                        for p in 0..<P { block[p] = values(r * TM + t * m + p % m) }
                    }
                }
            }
            Self.sigmoidSlope(zf, into: slope, count: n_a * TM)
            store(0) { slope[$0] * c[($0 / TM) * S + $0 % TM] }   // c_{t−1}
            store(1) { f[$0] }
            Self.sigmoidSlope(zi, into: slope, count: n_a * TM)
            store(2) { slope[$0] * g[$0] }
            Self.tanhSlope(zg, into: slope, count: n_a * TM)
            store(3) { i[$0] * slope[$0] }
            Self.sigmoidSlope(zo, into: slope, count: n_a * TM)
            store(4) { slope[$0] * tanhC[$0] }
            store(5) { o[$0] * cellSlope[$0] }
        }

        // The sensitivities, `columns` = window·m per row, then repeated to the period.
        let (rowCount, columns) = k.hasOutputLayer ? (n_y, TM) : (n_a, k.window * m)
        let given = scratch(rowCount * columns)
        defer { given.deallocate() }
        if k.hasOutputLayer {
            base.logits.withUnsafeBufferPointer { given.update(from: $0.baseAddress!, count: n_y * TM) }
            BPTTKernel.softmaxMinusOneHot(given, rows: n_y, columns: TM, labels: k.labels)
        } else {
            given.update(from: k.upstream, count: n_a * columns)
        }
        sensitivityStride = k.window * P
        sensitivity = scratch(rowCount * k.window * P)
        for r in 0..<rowCount {
            for t in 0..<k.window {
                for p in 0..<P { sensitivity[r * k.window * P + t * P + p] = given[r * columns + t * m + p % m] }
            }
        }
    }

    static func leastCommonMultiple(_ a: Int, _ b: Int) -> Int {
        var (x, y) = (a, b)
        while y != 0 { (x, y) = (y, x % y) }
        return a / x * b
    }

    deinit {
        for p in [coefficients, inputs, sensitivity] { p.deallocate() }
    }

    /// `σ′(z) = e/(1 + e)²` with `e = e^{−|z|}`: positive terms only, right to a few ulps for every z.
    static func sigmoidSlope(_ z: UnsafePointer<Double>, into y: UnsafeMutablePointer<Double>, count: Int) {
        for e in 0..<count { y[e] = -abs(z[e]) }
        VectorMath.exp(y, into: y, count: count)
        for e in 0..<count { y[e] = y[e] / ((1 + y[e]) * (1 + y[e])) }
    }

    /// `tanh′(z) = 4u/(1 + u)²` with `u = e^{−2|z|}`, as `Dual.tanh`.
    static func tanhSlope(_ z: UnsafePointer<Double>, into y: UnsafeMutablePointer<Double>, count: Int) {
        for e in 0..<count { y[e] = -2 * abs(z[e]) }
        VectorMath.exp(y, into: y, count: count)
        for e in 0..<count { y[e] = 4 * y[e] / ((1 + y[e]) * (1 + y[e])) }
    }
}

/// Scratch for batches of up to `capacity` tangent columns, owned by one thread.
final class TangentWorkspace {
    let da, dc, dz, dy, step, loss: UnsafeMutablePointer<Double>

    init(_ k: LSTMKernel, capacity: Int) {
        (da, dc, dz) = (scratch(k.n_a * capacity), scratch(k.n_a * capacity), scratch(k.gateRows * capacity))
        (dy, step, loss) = (scratch(k.n_y * capacity), scratch(capacity), scratch(capacity))
    }

    deinit {
        for p in [da, dc, dz, dy, step, loss] { p.deallocate() }
    }
}

/// The vectors the tangent step runs on: each lane's arithmetic is the same wherever it sits
/// (no fused or horizontal operation), so results do not depend on the batch's width.
typealias Lanes = SIMD8<Double>

extension SIMD8<Double> {
    /// `live` (1…8) values from `p`, zeros past them: a buffer's tail as a whole vector.
    @inline(__always)
    static func load(_ p: UnsafePointer<Double>, _ live: Int) -> Self {
        if live == scalarCount { return UnsafeRawPointer(p).loadUnaligned(as: Self.self) }
        var v = Self()
        for l in 0..<live { v[l] = p[l] }
        return v
    }

    /// The first `live` lanes into `p`.
    @inline(__always)
    func store(_ p: UnsafeMutablePointer<Double>, _ live: Int) {
        if live == scalarCount { return UnsafeMutableRawPointer(p).storeBytes(of: self, as: Self.self) }
        for l in 0..<live { p[l] = self[l] }
    }
}
