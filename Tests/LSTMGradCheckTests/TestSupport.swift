import Foundation
@testable import LSTMGradCheck

/// The repository's root, found from this file's place in it (`Tests/LSTMGradCheckTests/`).
let repositoryFolder = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    .deletingLastPathComponent().deletingLastPathComponent()

/// The names of the `.json` files in `folder`, sorted; none where it cannot be read.
func jsonFileNames(in folder: URL) -> [String] {
    let names = (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []
    return names.filter { $0.hasSuffix(".json") }.sorted()
}

/// `‖g − r‖ / (‖g‖ + ‖r‖)` written out again here, so tests do not lean on the code they check.
func relativeError(_ g: Tensor, _ r: Tensor) -> Double {
    precondition(g.shape == r.shape)
    var d = 0.0, a = 0.0, b = 0.0
    for k in g.data.indices {
        d += (g.data[k] - r.data[k]) * (g.data[k] - r.data[k])
        a += g.data[k] * g.data[k]
        b += r.data[k] * r.data[k]
    }
    return a + b == 0 ? 0 : d.squareRoot() / (a.squareRoot() + b.squareRoot())
}

/// The largest per-tensor relative error between two gradient sets over `a`'s keys.
func worstRelativeError<C: Cell>(_ a: Gradients<C>, _ b: Gradients<C>) -> (key: String, error: Double) {
    var worst = (key: "", error: 0.0)
    for key in a.keys {
        guard let x = a[key], let y = b[key] else { return (key, .infinity) }
        let e = relativeError(x, y)
        if e > worst.error { worst = (key, e) }
    }
    return worst
}

/// Random sizes from a fixed seed, always including the corner of all ones.
func randomDims(count: Int, seed: UInt64) -> [Dims] {
    var g = SeededGenerator(seed: seed)
    var out = [Dims(n_x: 1, n_a: 1, n_y: 1, steps: 1, batch: 1),
               Dims(n_x: 1, n_a: 1, n_y: 2, steps: 3, batch: 1)]
    while out.count < count {
        out.append(Dims(n_x: 1 + g.index(4), n_a: 1 + g.index(5), n_y: 1 + g.index(4),
                            steps: 1 + g.index(6), batch: 1 + g.index(4)))
    }
    return out
}

/// An upstream-gradient problem (the notebook's `lstm_backward(da, caches)`) over the first `window` steps.
func upstreamProblem(_ d: Dims, window: Int, seed: UInt64, withC0: Bool = false) -> Problem<LSTM, Double> {
    var sized = d
    sized.n_y = 1   // drawn, then dropped: an upstream target has no output layer
    var p = Problem<LSTM, Double>.random(sized, seed: seed)
    var g = SeededGenerator(seed: seed &+ 99)
    let da = (0..<window).map { _ in Matrix<Double>(rows: d.n_a, cols: d.batch, storage: (0..<(d.n_a * d.batch)).map { _ in g.symmetric(1) }) }
    p.weights[.Wy] = Matrix(rows: 0, cols: d.n_a)
    p.weights[.by] = Matrix(rows: 0, cols: 1)
    p.target = .upstream(da)
    if withC0 {
        p.c0 = Matrix(rows: d.n_a, cols: d.batch, storage: (0..<(d.n_a * d.batch)).map { _ in g.symmetric(1) })
        p.hasC0 = true
    }
    return p
}

/// `upstreamProblem` over all `d.steps` steps with the loss at the last step alone (the earlier
/// steps' upstream gradients zero), so that it reaches every earlier step only through the carry.
func lastStepLossProblem(_ d: Dims, seed: UInt64) -> Problem<LSTM, Double> {
    var p = upstreamProblem(d, window: d.steps, seed: seed)
    guard case .upstream(var da) = p.target else { preconditionFailure("upstreamProblem's target is upstream") }
    for t in 0..<(d.steps - 1) { da[t] = Matrix(rows: d.n_a, cols: d.batch) }
    p.target = .upstream(da)
    return p
}

/// Random networks with labels and the corners the kernels must get right — an upstream target
/// shorter than the sequence with c0, every size 1 with c0, saturated gates — by name (the name
/// says what it is; the problem would fill a screen in a test's description).
func namedProblems(count: Int, seed: UInt64) -> [String: Problem<LSTM, Double>] {
    var out: [String: Problem<LSTM, Double>] = [:]
    for (k, d) in randomDims(count: count, seed: seed).enumerated() {
        out["labels n_x \(d.n_x) n_a \(d.n_a) n_y \(d.n_y) T \(d.steps) m \(d.batch)"] = Problem<LSTM, Double>.random(d, seed: seed &+ UInt64(k))
    }
    out["upstream T′ 4 of 7, c0"] = upstreamProblem(Dims(n_x: 3, n_a: 4, n_y: 0, steps: 7, batch: 3), window: 4, seed: seed, withC0: true)
    out["upstream all ones, c0"] = upstreamProblem(Dims(n_x: 1, n_a: 1, n_y: 0, steps: 1, batch: 1), window: 1, seed: seed, withC0: true)
    out["upstream T′ = T"] = upstreamProblem(Dims(n_x: 2, n_a: 3, n_y: 0, steps: 5, batch: 2), window: 5, seed: seed)
    out["saturated gates"] = Problem<LSTM, Double>.random(Dims(n_x: 2, n_a: 3, n_y: 3, steps: 6, batch: 2), seed: seed,
                                                scale: GenerationScale(weights: 6, inputs: 1))
    return out
}

// Tests name tensors as the files do; these look the names up in the typed identities.
extension Gradients {
    subscript(_ name: String) -> Tensor? {
        get { Input<C>(name: name).flatMap { self[$0] } }
        set { self[Input<C>(name: name)!] = newValue }
    }
    var keys: [String] { inputs.map(\.name) }
}

extension Problem where S == Double {
    var inputKeys: [String] { inputs.map(\.name) }
    func tensor(_ name: String) -> Tensor { tensor(Input(name: name)!) }
    func shape(of name: String) -> [Int] { shape(of: Input(name: name)!) }
    mutating func set(_ name: String, _ flat: Int, to value: Double) { set(Input(name: name)!, flat, to: value) }
}

extension ElementID where C == LSTM {
    init(_ name: String, _ flat: Int) { self.init(Input(name: name)!, flat) }
}

/// The batched central differences at one step for every element, on `threads` threads.
func batchedCentral(_ p: Problem<LSTM, Double>, step h: Double = FiniteDifferences.defaultStep,
                    threads: Int = RunControl.allCores) -> Gradients<LSTM> {
    BatchedFiniteDifferences.run(p, .init(scheme: .central, step: .fixed(h), estimatesError: false), control: RunControl(threads: threads)).gradients
}

/// The batched central differences at each element's own step, with error estimates.
func batchedEstimate(_ p: Problem<LSTM, Double>, control: RunControl) -> NumericalGradient<LSTM> {
    BatchedFiniteDifferences.run(p, .init(scheme: .central, step: .perElement, estimatesError: true), control: control)
}

/// The element-by-element central differences at one step: the definition the batched ones must match.
func elementwiseCentral<C: Cell>(_ p: Problem<C, Double>, step h: Double = FiniteDifferences.defaultStep,
                                 control: RunControl = RunControl()) -> Gradients<C> {
    FiniteDifferences.elementwise(p, .init(scheme: .central, step: .fixed(h), estimatesError: false), control: control).gradients
}

/// The element-by-element finite differences of `scheme` at each element's own step, with error estimates.
func elementwiseEstimate<C: Cell>(_ p: Problem<C, Double>, scheme: FiniteDifferences.Scheme,
                                  control: RunControl = RunControl()) -> NumericalGradient<C> {
    FiniteDifferences.elementwise(p, .init(scheme: scheme, step: .perElement, estimatesError: true), control: control)
}

/// The exact gradient on every core; nothing can stop a run without a deadline or a cancellation check.
func exact<C: Cell>(_ p: Problem<C, Double>) -> Gradients<C> {
    try! ExactGradient.gradients(p, control: RunControl())
}

extension Fixture {
    var lstm: Problem<LSTM, Double>? { network as? Problem<LSTM, Double> }
    var rnn: Problem<RNN, Double>? { network as? Problem<RNN, Double> }
}

extension Explain {
    static func split<C: Cell>(_ p: Problem<C, Double>, key: String) -> ExplainReport? {
        C.Parameter.allCases.first { $0.name == key }.flatMap { split(p, parameter: $0) }
    }
}
