/// One element of one input of the loss: `flat` is its C-order position in the Coursera shape of `input`.
public struct ElementID<C: Cell>: Hashable, Sendable {
    public var input: Input<C>
    public var flat: Int

    public init(_ input: Input<C>, _ flat: Int) {
        self.input = input
        self.flat = flat
    }
}

/// `FiniteDifferences.central` for the LSTM, fast: the same quotient
/// `(L(θ + h) − L(θ − h)) / ((θ + h) − (θ − h))` for every element θ, equal to it to rounding,
/// with many perturbed forward passes run as extra columns of one batch:
/// - a gate weight or bias perturbed leaves W shared, so its trajectories (all m batch
///   columns, ±h) join others in one product `W·a` per step, plus the rank-one term
///   `δ·e_r·z_c` each;
/// - `a0[:, j]`, `c0[:, j]` change only column j, and `x[:, j, t]` only column j from step t
///   on: one column each, restarted from the unperturbed states at step t;
/// - `Wy` and `by` change only the output layer: no step is rerun.
/// Each loss difference sums only what the perturbation changed. Results are bit-identical
/// for any thread count.
public enum BatchedFiniteDifferences {
    /// The quotients of `elements`, in that order; nil for those a stop left undone and for
    /// those that are not an element of `problem.inputs`. Work is handed out in the order
    /// given, so under a deadline the first elements are the ones done.
    public static func central(_ problem: Problem<LSTM, Double>, elements: [ElementID<LSTM>],
                               step h: Double = FiniteDifferences.defaultStep,
                               control: RunControl = RunControl()) -> (values: [Double?], stop: StopReason?) {
        central(problem, rounds: [elements], step: h, control: control.during(.finiteDifferences))
    }

    /// As `central(_:elements:step:control:)` with the elements in rounds: each round is
    /// planned on its own and the rounds run in order, so a stop leaves whole early rounds.
    /// A target the kernels do not take (masked labels) goes element by element.
    static func central(_ problem: Problem<LSTM, Double>, rounds: [[ElementID<LSTM>]], step h: Double,
                        control: RunControl) -> (values: [Double?], stop: StopReason?) {
        guard let run = FiniteDifferenceRun(problem, rounds: rounds.map { $0.map { Perturbation($0, h) } }) else {
            return FiniteDifferences.central(problem, elements: rounds.flatMap { $0 }, step: h, control: control)
        }
        let result = run.evaluate(control)
        return (result.values, result.stop)
    }

    /// The central differences `request` asks for, batched: for every element θ the quotient
    /// D(h) at the request's step for θ, and with an error estimate D(2h) too (2h is exact, so
    /// θ ± 2h are the points the element-by-element backend takes) and the same estimate
    /// `2|D(h) − D(2h)|/3 + 2δ/((θ + h) − (θ − h))`: equal to `FiniteDifferences.elementwise` to
    /// rounding. Each tensor is one round, so a deadline leaves whole tensors: the result holds
    /// the finished ones, in report order, and why the run stopped.
    static func run(_ problem: Problem<LSTM, Double>, _ request: FiniteDifferences.Request,
                    control: RunControl) -> NumericalGradient<LSTM> {
        NumericalGradient(problem, results(problem, request, control: control))
    }

    /// `run(_:_:control:)` element by element, for the elements `request` selects (all without
    /// a selection): each tensor's selected elements are one round. A column's arithmetic
    /// never depends on the columns beside it (`gemmAdd`, `VectorMath`), so an element gives
    /// the same bits whichever others are selected with it.
    static func results(_ problem: Problem<LSTM, Double>, _ request: FiniteDifferences.Request,
                        control: RunControl) -> FiniteDifferences.ElementResults {
        let elements = InputElements(problem)
        let thetas = elements.values(problem)
        let multiples: [Double] = request.estimatesError ? [1, 2] : [1]
        var numbers: [Int] = [], rounds: [[Perturbation]] = []
        for (k, input) in elements.inputs.enumerated() {
            let range = elements.range(k), selected = request.selected(in: range)
            guard !selected.isEmpty else { continue }
            numbers += selected
            rounds.append(selected.flatMap { n -> [Perturbation] in
                let id = ElementID(input, n - range.lowerBound), h = request.step(for: thetas[n])
                return multiples.map { Perturbation(id, $0 * h) }
            })
        }
        guard let run = FiniteDifferenceRun(problem, rounds: rounds) else {
            return FiniteDifferences.elementwiseResults(problem, request, control: control)
        }
        let result = run.evaluate(control)
        // Perturbations k·i ..< k·(i + 1) are the i-th selected element's at h (and 2h).
        let k = multiples.count
        let values = numbers.indices.map { i -> Double? in
            (0..<k).allSatisfy { result.values[k * i + $0] != nil } ? result.values[k * i] : nil
        }
        var errors: [Double?] = []
        if request.estimatesError {
            let delta = FiniteDifferences.roundingBound(problem)
            errors = numbers.indices.map { i in
                values[i] == nil ? nil : FiniteDifferences.centralError(result.values[2 * i]!, result.values[2 * i + 1]!, delta: delta,
                                                                        span: run.slots[2 * i].denominator)
            }
        }
        return FiniteDifferences.ElementResults(numbers: numbers, values: values, errors: errors,
                                                stop: result.stop.map { Interruption(reason: $0, done: result.done, total: result.total) })
    }

    /// Each element's work in the batched run, in `RunControl.progress` units (batch columns
    /// times steps, as `FiniteDifferenceRun.cost` counts them), `problem.inputs` in order: a
    /// gate weight or bias moves all m columns from the first step (2m·T for ±h), an element
    /// of `a0` or `c0` one column (2T), `x[:, :, t]` one column from step t on (2(T − t)), and
    /// an output-layer weight reruns only the log-softmax (T).
    static func costs(_ problem: Problem<LSTM, Double>) -> [Int] {
        let d = problem.dims, m = d.batch, T = d.steps
        let window: Int
        switch problem.target {
        case .labels, .maskedLabels: window = T
        case .upstream(let da): window = min(da.count, T)
        }
        var out: [Int] = []
        for input in problem.inputs {
            let n = problem.shape(of: input).reduce(1, *)
            switch input {
            case .parameter(.Wy), .parameter(.by): out += repeatElement(T, count: n)
            case .parameter: out += repeatElement(2 * m * max(window, 1), count: n)
            case .a0, .c0: out += repeatElement(2 * max(window, 1), count: n)
            case .x: out += (0..<n).map { 2 * max(window - $0 % T, 1) }
            }
        }
        return out
    }
}

/// One element moved by ±`step` for the quotient `(L(θ + step) − L(θ − step)) / ((θ + step) − (θ − step))`.
struct Perturbation: Sendable {
    var id: ElementID<LSTM>
    var step: Double

    init(_ id: ElementID<LSTM>, _ step: Double) {
        self.id = id
        self.step = step
    }
}

/// The plan of one batched finite-difference run and its execution.
final class FiniteDifferenceRun: Sendable {
    /// Where an element's loss difference lands: `width` consecutive slots (one per batch
    /// column the perturbation touches), in which piece (−1: not an input element, no value),
    /// and the step it is divided by.
    struct Slots: Sendable {
        var first = 0, width = 0, piece = -1
        var denominator = 1.0
    }

    /// A weight of the output layer perturbed by `plus` and `minus`: logits row `row` gains
    /// `δ·a[col]` (Wy), or `δ` (by, `col` nil).
    struct OutputChange: Sendable {
        var row: Int, col: Int?
        var plus: Double, minus: Double
        var slot: Int
    }

    enum Piece: Sendable {
        case columns(ColumnBatch, slot: Int)
        case output([OutputChange])
    }

    let kernel: LSTMKernel
    let pieces: [Piece]
    let slots: [Slots]
    let slotCount: Int

    /// Batches stop growing at this many columns: the states and gates of a batch (about
    /// 8·n_a doubles a column) then stay within a few hundred KiB, in L2 between steps.
    /// It depends on the sizes only, never on threads.
    static func batchColumns(_ k: LSTMKernel) -> Int {
        let perColumn = 8 * (8 * k.n_a + k.n_y)
        return min(512, max(64, (384 << 10) / max(perColumn, 1) / 16 * 16))
    }

    /// Nil for a target the kernels do not take.
    init?(_ problem: Problem<LSTM, Double>, rounds: [[Perturbation]]) {
        guard let k = LSTMKernel(problem) else { return nil }
        kernel = k
        let (n_a, m, T, K) = (k.n_a, k.batch, k.steps, k.depth)
        let capacity = Self.batchColumns(k)
        var pieces: [Piece] = [], slots: [Slots] = [], slotCount = 0
        let tensors = Dictionary(uniqueKeysWithValues: problem.inputs.map { ($0, problem.tensor($0)) })
        for round in rounds {
            // Trajectories from step 0, from each step t (inputs x[:, :, t]), and the output layer.
            var fromStart: [(Int, [(Int, ColumnChange)])] = [], fromStep = [[(Int, [(Int, ColumnChange)])]](repeating: [], count: T)
            var output: [(Int, OutputChange)] = []
            for (id, h) in round.map({ ($0.id, $0.step) }) {
                slots.append(Slots())
                guard let tensor = tensors[id.input], tensor.data.indices.contains(id.flat) else { continue }
                let e = slots.count - 1, theta = tensor.data[id.flat]
                let up = theta + h, down = theta - h
                slots[e].denominator = up - down
                switch id.input {
                case .a0, .c0:
                    let (r, j) = (id.flat / m, id.flat % m)
                    let change = { (v: Double) in id.input == .a0 ? ColumnChange.hidden(row: r, value: v) : .cell(row: r, value: v) }
                    fromStart.append((e, [(j, change(up)), (j, change(down))]))
                case .x:
                    let (r, j, t) = (id.flat / (m * T), id.flat / T % m, id.flat % T)
                    fromStep[t].append((e, [(j, .input(row: r, delta: up - theta)), (j, .input(row: r, delta: down - theta))]))
                case .parameter(.Wy):
                    output.append((e, OutputChange(row: id.flat / n_a, col: id.flat % n_a, plus: up - theta, minus: down - theta, slot: 0)))
                case .parameter(.by):
                    output.append((e, OutputChange(row: id.flat, col: nil, plus: up - theta, minus: down - theta, slot: 0)))
                case .parameter(let p):   // a gate's weights or bias
                    guard let gate = p.gate?.rawValue else { continue }
                    let change: (Double) -> ColumnChange = p.isWeight
                        ? { .weight(row: gate * n_a + id.flat / K, col: id.flat % K, delta: $0 - theta) }
                        : { .bias(row: gate * n_a + id.flat, delta: $0 - theta) }
                    fromStart.append((e, (0..<m).map { ($0, change(up)) } + (0..<m).map { ($0, change(down)) }))
                }
            }
            // Pack whole elements into batches, the long ones first so the short ones fill in at the end.
            for (start, group) in [(0, fromStart)] + fromStep.enumerated().map({ ($0, $1) }) where !group.isEmpty {
                var batch = ColumnBatch(start: start)
                func flush() {
                    guard batch.count > 0 else { return }
                    pieces.append(.columns(batch, slot: slotCount))
                    slotCount += batch.count
                    batch = ColumnBatch(start: start)
                }
                for (e, columns) in group {
                    if batch.count + columns.count > max(capacity, columns.count) { flush() }
                    let half = columns.count / 2
                    (slots[e].first, slots[e].width, slots[e].piece) = (slotCount + batch.count, half, pieces.count)
                    for (q, (j, change)) in columns.enumerated() { batch.append(j, change, partner: q < half ? batch.count + half : -1) }
                }
                flush()
            }
            // Output-layer elements, a few per piece: each costs a pass over every step's logits.
            let perPiece = max(1, capacity / 8)
            for first in stride(from: 0, to: output.count, by: perPiece) {
                var changes: [OutputChange] = []
                for (e, change) in output[first..<min(first + perPiece, output.count)] {
                    (slots[e].first, slots[e].width, slots[e].piece) = (slotCount, 1, pieces.count)
                    changes.append(change)
                    changes[changes.count - 1].slot = slotCount
                    slotCount += 1
                }
                pieces.append(.output(changes))
            }
        }
        self.pieces = pieces
        self.slots = slots
        self.slotCount = slotCount
    }

    /// Work of a piece in `RunControl.progress` units: columns × steps (an output change
    /// counts as a column through every step).
    func cost(_ piece: Piece) -> Int {
        switch piece {
        case .columns(let b, _): return b.count * max(kernel.window - b.start, 1)
        case .output(let changes): return changes.count * kernel.steps
        }
    }

    struct Result {
        var values: [Double?]
        var stop: StopReason?
        var done: Int, total: Int
    }

    func evaluate(_ control: RunControl) -> Result {
        let base = kernel.trajectory()
        var losses = [Double](repeating: 0, count: max(slotCount, 1))
        let costs = pieces.map(cost)
        let (finished, stop) = losses.withUnsafeMutableBufferPointer { buffer in
            nonisolated(unsafe) let out = buffer.baseAddress!   // pieces write disjoint slots
            let k = kernel, capacity = max(Self.batchColumns(k), 2 * k.batch)
            return Workers.run(costs: costs, control: control,
                               makeState: { Workspaces(k, capacity: capacity) }) { index, w, shouldStop in
                switch self.pieces[index] {
                case .columns(let batch, let slot):
                    let complete = base.a.withUnsafeBufferPointer { a in
                        base.c.withUnsafeBufferPointer { c in
                            k.run(batch, from: a.baseAddress!, c.baseAddress!, in: w.columns, stop: shouldStop)
                        }
                    }
                    guard complete else { return false }
                    (out + slot).update(from: w.columns.loss, count: batch.count)
                case .output(let changes):
                    for change in changes {
                        if shouldStop() { return false }
                        out[change.slot] = self.outputDifference(change, base, w.output())
                    }
                }
                return true
            }
        }
        let done = costs.indices.reduce(0) { $0 + (finished[$1] ? costs[$1] : 0) }
        let values = slots.map { s -> Double? in
            guard s.piece >= 0, finished[s.piece] else { return nil }
            var difference = 0.0
            for q in 0..<s.width { difference += losses[s.first + q] }
            return difference / s.denominator
        }
        return Result(values: values, stop: stop, done: done, total: costs.reduce(0, +))
    }

    /// `L(+) − L(−)` for one output-layer weight: the unperturbed logits with row `change.row`
    /// moved, through the log-softmax, the difference summed step by step.
    private func outputDifference(_ change: OutputChange, _ base: LSTMTrajectory, _ w: ColumnWorkspace) -> Double {
        let k = kernel, TM = k.steps * k.batch, S = (k.steps + 1) * k.batch
        for (sign, delta) in [change.plus, change.minus].enumerated() {
            base.logits.withUnsafeBufferPointer { w.y.update(from: $0.baseAddress!, count: k.n_y * TM) }
            let row = w.y + change.row * TM
            if let col = change.col {
                base.a.withUnsafeBufferPointer { a in
                    let states = a.baseAddress! + col * S + k.batch   // a_1 … a_T
                    for q in 0..<TM { row[q] += delta * states[q] }
                }
            } else {
                for q in 0..<TM { row[q] += delta }
            }
            k.negativeLogLikelihood(w.y, columns: TM, labels: k.labels, w)
            if sign == 0 { w.loss.update(from: w.step, count: TM) }
        }
        var difference = 0.0
        for q in 0..<TM { difference += w.loss[q] - w.step[q] }
        return difference
    }

    /// One worker's scratch: for column batches, and (made on first use) for the output layer.
    final class Workspaces {
        let kernel: LSTMKernel
        let columns: ColumnWorkspace
        private var outputSpace: ColumnWorkspace?

        init(_ k: LSTMKernel, capacity: Int) {
            kernel = k
            columns = ColumnWorkspace(k, capacity: capacity)
        }

        func output() -> ColumnWorkspace {
            if let outputSpace { return outputSpace }
            let w = ColumnWorkspace(kernel, capacity: kernel.steps * kernel.batch, states: false)
            outputSpace = w
            return w
        }
    }
}
