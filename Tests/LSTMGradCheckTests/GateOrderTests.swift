import Foundation
import Testing
@testable import LSTMGradCheck

/// A learner's stacked-gate LSTM and GRUs as the frameworks write them, written apart from the
/// tool from the cs231n assignment's, PyTorch's and Keras' equations: per step the pre-activations of
/// all gates as one N × G matrix (rows are examples), split into gate blocks of H columns in
/// the file's `order`; the backward pass stacks the gate gradients in `stacking`, which is
/// `order` when the learner gets it right.
enum StackedLearner {
    /// The learner's network as loaded from a fixture file: `x[t]` and `dout[t]` are N × D and
    /// N × H, the weights D × G and H × G (PyTorch's transposed), the biases 1 × G.
    struct Network {
        var x: [Matrix<Double>], dout: [Matrix<Double>]
        var h0: Matrix<Double>, c0: Matrix<Double>
        var Wx: Matrix<Double>, Wh: Matrix<Double>, bx: Matrix<Double>, bh: Matrix<Double>
    }

    struct Gradients {
        var dx: [Matrix<Double>]
        var dh0: Matrix<Double>, dc0: Matrix<Double>
        var dWx: Matrix<Double>, dWh: Matrix<Double>, dbx: Matrix<Double>, dbh: Matrix<Double>
    }

    static func zeros(_ m: Matrix<Double>) -> Matrix<Double> { Matrix(rows: m.rows, cols: m.cols) }
    static func sigmoid(_ m: Matrix<Double>) -> Matrix<Double> { m.map { 1 / (1 + exp(-$0)) } }
    static func tanh(_ m: Matrix<Double>) -> Matrix<Double> { m.map(Foundation.tanh) }
    static func plusRow(_ m: Matrix<Double>, _ row: Matrix<Double>) -> Matrix<Double> {
        Matrix(rows: m.rows, cols: m.cols, storage: m.storage.indices.map { m.storage[$0] + row.storage[$0 % m.cols] })
    }
    static func hstack(_ parts: [Matrix<Double>]) -> Matrix<Double> { Matrix.stacked(parts.map(\.transposed)).transposed }
    static func columnSums(_ m: Matrix<Double>) -> Matrix<Double> { m.transposed.rowSums().transposed }
    /// Block `letter` of a pre-activation stacked in `order`.
    static func block(_ a: Matrix<Double>, _ letter: Character, _ order: [Character], _ H: Int) -> Matrix<Double> {
        let k = order.firstIndex(of: letter)!
        return a.columns((k * H)..<((k + 1) * H))
    }

    /// i, f, o are sigmoids and g (Keras' c) the tanh candidate: c' = f·c + i·g, h' = o·tanh(c').
    /// `slip` scales a gate's local derivative at every step: a wrong factor in its formula.
    /// `head`, when given, is the gradient reaching each h_t from the hidden states (cs231n's
    /// captioning loss), in place of `n.dout`.
    static func lstm(_ n: Network, order: [Character], stacking: [Character], slip: [Character: Double] = [:],
                     head: (([Matrix<Double>]) -> [Matrix<Double>])? = nil) -> Gradients {
        let H = n.h0.cols
        let candidate: Character = order.contains("g") ? "g" : "c"
        var h = n.h0, c = n.c0
        var steps: [(x: Matrix<Double>, hPrev: Matrix<Double>, cPrev: Matrix<Double>, gates: [Character: Matrix<Double>], c: Matrix<Double>)] = []
        for x in n.x {
            let a = plusRow(plusRow(matmul(x, n.Wx) + matmul(h, n.Wh), n.bx), n.bh)
            var gates: [Character: Matrix<Double>] = [:]
            for letter in order { gates[letter] = letter == candidate ? tanh(block(a, letter, order, H)) : sigmoid(block(a, letter, order, H)) }
            let cNext = gates["f"]! * c + gates["i"]! * gates[candidate]!
            steps.append((x, h, c, gates, cNext))
            (h, c) = (gates["o"]! * tanh(cNext), cNext)
        }
        let dout = head?(steps.indices.map { t in t + 1 < steps.count ? steps[t + 1].hPrev : h }) ?? n.dout
        var g = Gradients(dx: [], dh0: n.h0, dc0: n.c0, dWx: zeros(n.Wx), dWh: zeros(n.Wh), dbx: zeros(n.bx), dbh: zeros(n.bh))
        var dhNext = zeros(n.h0), dcNext = dhNext
        for (t, s) in steps.enumerated().reversed() {
            let (i, f, o, cc) = (s.gates["i"]!, s.gates["f"]!, s.gates["o"]!, s.gates[candidate]!)
            let dh = dout[t] + dhNext, tc = tanh(s.c)
            let dc = dcNext + dh * o * (1 - tc * tc)
            let d: [Character: Matrix<Double>] = ["i": dc * cc * i * (1 - i), "f": dc * s.cPrev * f * (1 - f),
                                                  "o": dh * tc * o * (1 - o), candidate: dc * i * (1 - cc * cc)]
            let da = hstack(stacking.map { (slip[$0] ?? 1) * d[$0]! })
            g.dWx += matmulTA(s.x, da)
            g.dWh += matmulTA(s.hPrev, da)
            g.dbx += columnSums(da)
            g.dx.insert(matmulTB(da, n.Wx), at: 0)
            (dhNext, dcNext) = (matmulTB(da, n.Wh), dc * f)
        }
        (g.dh0, g.dc0, g.dbh) = (dhNext, dcNext, g.dbx)
        return g
    }

    /// PyTorch's GRU (Keras' with reset_after): r, z sigmoids, n = tanh(x·Wx_n + bx_n + r·(h·Wh_n + bh_n)),
    /// h' = (1 − z)·n + z·h; Keras calls n h.
    static func gru(_ n: Network, order: [Character], stacking: [Character]) -> Gradients {
        let H = n.h0.cols
        let new: Character = order.contains("n") ? "n" : "h"
        var h = n.h0
        var steps: [(x: Matrix<Double>, hPrev: Matrix<Double>, r: Matrix<Double>, z: Matrix<Double>, n: Matrix<Double>, hn: Matrix<Double>)] = []
        for x in n.x {
            let gx = plusRow(matmul(x, n.Wx), n.bx), gh = plusRow(matmul(h, n.Wh), n.bh)
            let r = sigmoid(block(gx, "r", order, H) + block(gh, "r", order, H))
            let z = sigmoid(block(gx, "z", order, H) + block(gh, "z", order, H))
            let hn = block(gh, new, order, H)
            let nt = tanh(block(gx, new, order, H) + r * hn)
            steps.append((x, h, r, z, nt, hn))
            h = (1 - z) * nt + z * h
        }
        var g = Gradients(dx: [], dh0: n.h0, dc0: n.c0, dWx: zeros(n.Wx), dWh: zeros(n.Wh), dbx: zeros(n.bx), dbh: zeros(n.bh))
        var dhNext = zeros(n.h0)
        for (t, s) in steps.enumerated().reversed() {
            let dh = n.dout[t] + dhNext
            let dn = dh * (1 - s.z) * (1 - s.n * s.n), dz = dh * (s.hPrev - s.n) * s.z * (1 - s.z)
            let dr = dn * s.hn * s.r * (1 - s.r)
            let onX: [Character: Matrix<Double>] = ["r": dr, "z": dz, new: dn], onH: [Character: Matrix<Double>] = ["r": dr, "z": dz, new: dn * s.r]
            let dgx = hstack(stacking.map { onX[$0]! }), dgh = hstack(stacking.map { onH[$0]! })
            g.dWx += matmulTA(s.x, dgx)
            g.dWh += matmulTA(s.hPrev, dgh)
            g.dbx += columnSums(dgx)
            g.dbh += columnSums(dgh)
            g.dx.insert(matmulTB(dgx, n.Wx), at: 0)
            dhNext = dh * s.z + matmulTB(dgh, n.Wh)
        }
        g.dh0 = dhNext
        return g
    }
}

extension StackedLearner {
    /// Keras' GRU with reset_after=False: z, r sigmoids, h̃ = tanh(x·Wx_h + (r·h)·Wh_h + b_h),
    /// h' = z·h + (1 − z)·h̃. The backward reads the recurrent kernel's blocks, and stacks the
    /// gate gradients, in `stacking`.
    static func gruResetBefore(_ n: Network, order: [Character], stacking: [Character]) -> Gradients {
        let H = n.h0.cols
        var h = n.h0
        var steps: [(x: Matrix<Double>, hPrev: Matrix<Double>, r: Matrix<Double>, z: Matrix<Double>, hh: Matrix<Double>)] = []
        for x in n.x {
            let gx = plusRow(matmul(x, n.Wx), n.bx)
            let z = sigmoid(block(gx, "z", order, H) + matmul(h, block(n.Wh, "z", order, H)))
            let r = sigmoid(block(gx, "r", order, H) + matmul(h, block(n.Wh, "r", order, H)))
            let hh = tanh(block(gx, "h", order, H) + matmul(r * h, block(n.Wh, "h", order, H)))
            steps.append((x, h, r, z, hh))
            h = z * h + (1 - z) * hh
        }
        var g = Gradients(dx: [], dh0: n.h0, dc0: n.c0, dWx: zeros(n.Wx), dWh: zeros(n.Wh), dbx: zeros(n.bx), dbh: zeros(n.bh))
        var dhNext = zeros(n.h0)
        for (t, s) in steps.enumerated().reversed() {
            let dh = n.dout[t] + dhNext
            let dhh = dh * (1 - s.z) * (1 - s.hh * s.hh), dz = dh * (s.hPrev - s.hh) * s.z * (1 - s.z)
            let drh = matmulTB(dhh, block(n.Wh, "h", stacking, H))
            let dr = drh * s.hPrev * s.r * (1 - s.r)
            let d: [Character: Matrix<Double>] = ["z": dz, "r": dr, "h": dhh]
            let onH: [Character: Matrix<Double>] = ["z": matmulTA(s.hPrev, dz), "r": matmulTA(s.hPrev, dr), "h": matmulTA(s.r * s.hPrev, dhh)]
            let dA = hstack(stacking.map { d[$0]! })
            g.dWx += matmulTA(s.x, dA)
            g.dWh += hstack(stacking.map { onH[$0]! })
            g.dbx += columnSums(dA)
            g.dx.insert(matmulTB(dA, n.Wx), at: 0)
            dhNext = dh * s.z + drh * s.r + matmulTB(dz, block(n.Wh, "z", stacking, H)) + matmulTB(dr, block(n.Wh, "r", stacking, H))
        }
        g.dh0 = dhNext
        return g
    }
}

/// A fixture file's tensors as the learner loads them, and the learner's gradients as it saves
/// them, in the layout's names and shapes (`Layout`'s table).
struct LearnerFile {
    let layout: Layout
    let batchFirst: Bool
    let json: JSONValue
    let cell: CellKind

    func tensor(_ key: String, parameter: Bool = false) throws -> Tensor {
        try JSONArrays.tensor(try #require(parameter ? json["parameters"]?[key] : json[key], "\(key)"), source: "fixture", key: key)
    }

    /// Whether sequences are (N, T, ·) in the file.
    var batchMajor: Bool { layout != .pytorch || batchFirst }

    /// A file sequence as one N × F matrix per step, and back.
    func steps(_ t: Tensor) -> [Matrix<Double>] {
        let (T, N, F) = batchMajor ? (t.shape[1], t.shape[0], t.shape[2]) : (t.shape[0], t.shape[1], t.shape[2])
        return (0..<T).map { s in
            Matrix(rows: N, cols: F, storage: (0..<N).flatMap { n in (0..<F).map { f in t.data[(batchMajor ? (n * T + s) : (s * N + n)) * F + f] } })
        }
    }

    func sequence(_ steps: [Matrix<Double>]) -> Tensor {
        let (T, N, F) = (steps.count, steps[0].rows, steps[0].cols)
        var out = Tensor(zeros: batchMajor ? [N, T, F] : [T, N, F])
        for s in 0..<T { for n in 0..<N { for f in 0..<F { out.data[(batchMajor ? (n * T + s) : (s * N + n)) * F + f] = steps[s][n, f] } } }
        return out
    }

    func network() throws -> StackedLearner.Network {
        let x = steps(try tensor(layout == .cs231n ? "x" : layout == .pytorch ? "input" : "inputs"))
        let upstream = layout == .cs231n ? "dout" : "grad_output"
        let h0 = try tensor("h0")
        let (N, H) = (h0.shape[h0.shape.count - 2], h0.shape[h0.shape.count - 1])
        // cs231n's captioning fixture has no dout: its loss gives the gradient at h (`StackedLearner.lstm`'s head).
        let dout = json[upstream] == nil ? x.map { _ in Matrix<Double>(rows: N, cols: H) } : steps(try tensor(upstream))
        func state(_ key: String) throws -> Matrix<Double> {
            json[key] == nil ? Matrix(rows: N, cols: H) : Matrix(rows: N, cols: H, storage: try tensor(key).data)
        }
        func weight(_ key: String) throws -> Matrix<Double> {
            let m = try tensor(key, parameter: true).matrix
            return layout == .pytorch ? m.transposed : m
        }
        func row(_ data: [Double]) -> Matrix<Double> { Matrix(rows: 1, cols: data.count, storage: data) }
        let (Wx, Wh) = layout == .pytorch ? (try weight("weight_ih_l0"), try weight("weight_hh_l0"))
            : (try weight(layout == .cs231n ? "Wx" : "kernel"), try weight(layout == .cs231n ? "Wh" : "recurrent_kernel"))
        let G = Wx.cols
        var (bx, bh) = (row(Array(repeating: 0, count: G)), row(Array(repeating: 0, count: G)))
        switch layout {
        case .pytorch: (bx, bh) = (row(try tensor("bias_ih_l0", parameter: true).data), row(try tensor("bias_hh_l0", parameter: true).data))
        case .cs231n: bx = row(try tensor("b", parameter: true).data)
        default:
            let b = try tensor("bias", parameter: true).data
            if b.count == 2 * G { (bx, bh) = (row(Array(b[..<G])), row(Array(b[G...]))) } else { bx = row(b) }
        }
        return .init(x: x, dout: dout, h0: try state("h0"), c0: try state("c0"), Wx: Wx, Wh: Wh, bx: bx, bh: bh)
    }

    /// What the learner saves: the layout's gradient keys, each in its tensor's shape.
    func gradients(_ g: StackedLearner.Gradients) -> [(key: String, tensor: Tensor)] {
        let (N, H) = (g.dh0.rows, g.dh0.cols)
        func state(_ m: Matrix<Double>) -> Tensor { Tensor(shape: layout == .pytorch ? [1, N, H] : [N, H], data: m.storage) }
        let lstm = cell == .lstm
        switch layout {
        case .cs231n:
            return [("dx", sequence(g.dx)), ("dh0", state(g.dh0)), ("dWx", Tensor(g.dWx)), ("dWh", Tensor(g.dWh)), ("db", Tensor(shape: [g.dbx.storage.count], data: g.dbx.storage))]
        case .pytorch:
            return [("weight_ih_l0", Tensor(g.dWx.transposed)), ("weight_hh_l0", Tensor(g.dWh.transposed)),
                    ("bias_ih_l0", Tensor(shape: [g.dbx.storage.count], data: g.dbx.storage)), ("bias_hh_l0", Tensor(shape: [g.dbh.storage.count], data: g.dbh.storage)),
                    ("input", sequence(g.dx)), ("h0", state(g.dh0))] + (lstm ? [("c0", state(g.dc0))] : [])
        default:
            let bias = cell == .gru ? Tensor(shape: [2, g.dbx.storage.count], data: g.dbx.storage + g.dbh.storage) : Tensor(shape: [g.dbx.storage.count], data: g.dbx.storage)
            return [("kernel", Tensor(g.dWx)), ("recurrent_kernel", Tensor(g.dWh)), ("bias", bias), ("inputs", sequence(g.dx)), ("h0", state(g.dh0))]
                + (lstm ? [("c0", state(g.dc0))] : [])
        }
    }
}

/// A gate order mixed up in the backward pass alone — the forward pass splitting the
/// pre-activation in the layout's order, the backward stacking two gates' gradients in each
/// other's blocks, which then reach the weight gradients, dx and everything carried back — is
/// diagnosed `gate-order` in every layout and cell that stacks gates, on random networks, from
/// the gradients of a learner's code written apart from the tool (`StackedLearner`).
@Suite struct GateOrderTests {
    /// The learner's gradients on a random network of `layout`, right or with `stacking`, verified.
    static func verify<C: Cell>(_: C.Type, _ layout: Layout, dims: Dims, seed: UInt64, batchFirst: Bool = false,
                                stacking: (([Character]) -> [Character])? = nil) throws -> VerifyReport {
        let form = LayoutForm(layout, batchFirst: batchFirst)
        let p = layout.defaultForm(of: Problem<C, Double>.random(dims, seed: seed), seed: seed &+ 1)
        let file = LearnerFile(layout: layout, batchFirst: batchFirst, json: try LayoutFixture.encode(p, form: form, name: "learner", description: nil), cell: C.kind)
        let order = try #require(layout.gateOrder(C.kind)).map { Character($0) }
        let network = try file.network()
        let stack = stacking?(order) ?? order
        let gradients = file.gradients(C.kind == .lstm ? StackedLearner.lstm(network, order: order, stacking: stack)
                                       : C.kind == .gru ? StackedLearner.gru(network, order: order, stacking: stack)
                                       : StackedLearner.gruResetBefore(network, order: order, stacking: stack))
        return try Verify.run(p, name: "learner", user: try LayoutTests.userFile(gradients, "gate-order-\(UUID().uuidString)"), reference: exact(p),
                              referenceName: "exact", tolerance: 1e-6, form: form)
    }

    static let cases: [(CellKind, Layout, Bool)] = [(.lstm, .cs231n, false), (.lstm, .pytorch, false), (.lstm, .pytorch, true),
                                                     (.lstm, .keras, false), (.gru, .pytorch, false), (.gru, .keras, false),
                                                     (.gruResetBefore, .keras, false)]

    @Test(arguments: 0..<cases.count)
    func aGateOrderMixedUpInTheBackwardPassAlone(_ index: Int) throws {
        let (kind, layout, batchFirst) = Self.cases[index]
        func run<C: Cell>(_ cell: C.Type) throws {
            var g = SeededGenerator(seed: 160 + UInt64(index))
            for trial in 0..<3 {
                // At least two steps, so that the carry spreads the exchange to every tensor.
                let dims = Dims(n_x: 1 + g.index(4), n_a: 1 + g.index(4), n_y: 2, steps: 2 + g.index(4), batch: 1 + g.index(3))
                let seed = 40 + UInt64(trial)
                let right = try Self.verify(cell, layout, dims: dims, seed: seed, batchFirst: batchFirst)
                #expect(right.passed, "\(layout) \(kind) \(dims): the learner's own backward must be right")
                let letters = try #require(layout.gateOrder(kind))
                for j in letters.indices {
                    for k in letters.indices where k > j {
                        let mixed = try Self.verify(cell, layout, dims: dims, seed: seed, batchFirst: batchFirst) { order in
                            var o = order
                            o.swapAt(j, k)
                            return o
                        }
                        let name = "\(layout)\(batchFirst ? " batch-first" : "") \(kind) \(dims) \(letters[j])↔\(letters[k])"
                        #expect(mixed.status == .mismatch, "\(name)")
                        for t in mixed.tensors where t.status == .mismatch {
                            #expect(t.diagnosis?.kind == .gateOrder, "\(name) \(t.fileKey): \(t.diagnosis?.finding ?? "none")")
                            #expect((t.diagnosis?.evidence ?? 1) <= 1e-13, "\(name) \(t.fileKey)")
                            #expect(t.diagnosis?.finding.contains("the \(letters[j]) and \(letters[k]) blocks exchanged") == true, "\(name) \(t.fileKey)")
                        }
                        // The stacked weight gradients always change; one block covers every wrong tensor.
                        #expect(mixed.tensors.filter { $0.status == .mismatch }.count >= 2, "\(name)")
                        #expect(mixed.causes.count == 1 && mixed.causes.first?.kind == .gateOrder, "\(name): \(mixed.causes.map(\.finding))")
                    }
                }
            }
        }
        try run(kind.cell)
    }

    /// The finding in cs231n's words: the learner's `np.hstack((di, df, dg, do))` behind a forward
    /// pass that splits i, f, o, g — one finding over the file with one step too, where the weight
    /// gradients alone are also those blocks exchanged.
    @Test(arguments: [5, 1])
    func theFindingSaysWhichOrderTheBackwardStacks(_ steps: Int) throws {
        let r = try Self.verify(LSTM.self, .cs231n, dims: Dims(n_x: 3, n_a: 4, n_y: 2, steps: steps, batch: 3), seed: 9) { _ in ["i", "f", "g", "o"] }
        #expect(r.causes.count == 1)
        let cause = try #require(r.causes.first)
        #expect(cause.tensors == ["dx", "dh0", "dWx", "dWh", "db"])
        #expect(cause.finding == "Each of dx, dh0, dWx, dWh and db is what a backward pass gives that stacks the gate gradients as i, f, g, o behind a forward pass that splits the pre-activation i, f, o, g, as cs231n does: at every step the o and g blocks exchanged, in the weight gradients and in what reaches dx and the step before.")
        #expect(cause.fix == "Stack the per-gate gradients in the forward pass's order, i, f, o, g (cs231n's own), e.g. np.hstack((di, df, do, dg)) before the products. The forward pass is right.")
    }

    /// A random network under cs231n's captioning loss: its labels as the words, about a quarter
    /// of them masked, the loss averaged over N; c0 = 0.
    static func captioning(_ dims: Dims, seed: UInt64) -> Problem<LSTM, Double> {
        var p = Problem<LSTM, Double>.random(dims, seed: seed)
        var g = SeededGenerator(seed: seed &+ 1)
        guard case .labels(let words) = p.target else { return p }
        p.target = .maskedLabels(labels: words, mask: words.map { $0.map { _ in g.index(4) > 0 } }, scale: 1 / Double(dims.batch))
        p.c0 = Matrix(rows: dims.n_a, cols: dims.batch)
        p.hasC0 = false
        return p
    }

    /// cs231n's captioning loss (the temporal affine layer W_vocab, b_vocab and a softmax over the
    /// words, masked, averaged over N) behind a backward that stacks i, f, g, o: the recurrent
    /// tensors diagnosed, the vocabulary's, which the gate order cannot touch, matching.
    @Test func theCaptioningLossToo() throws {
        var g = SeededGenerator(seed: 23)
        for trial in 0..<3 {
            let dims = Dims(n_x: 1 + g.index(4), n_a: 1 + g.index(4), n_y: 2 + g.index(4), steps: 2 + g.index(4), batch: 1 + g.index(3))
            let p = Self.captioning(dims, seed: 70 + UInt64(trial))
            let form = LayoutForm(.cs231n)
            let json = try LayoutFixture.encode(p, form: form, name: "captioning", description: nil)
            let file = LearnerFile(layout: .cs231n, batchFirst: false, json: json, cell: .lstm)
            let Wv = try file.tensor("W_vocab", parameter: true).matrix, bv = try file.tensor("b_vocab", parameter: true).data
            let captions = try file.tensor("captions"), mask = try file.tensor("mask")
            let (N, T, V) = (dims.batch, dims.steps, Wv.cols)
            var dWv = Matrix<Double>(rows: Wv.rows, cols: V), dbv = Array(repeating: 0.0, count: V)
            // The temporal softmax's gradient at each h_t: (p − onehot(word)) · mask / N, through W_vocab.
            func captioning(_ h: [Matrix<Double>]) -> [Matrix<Double>] {
                h.enumerated().map { t, ht in
                    var p = matmul(ht, Wv)
                    for n in 0..<N {
                        let scores = (0..<V).map { p[n, $0] + bv[$0] }, top = scores.max() ?? 0
                        let sum = scores.reduce(0) { $0 + exp($1 - top) }
                        for v in 0..<V { p[n, v] = exp(scores[v] - top) / sum - (v == Int(captions.data[n * T + t]) ? 1 : 0) }
                        for v in 0..<V { p[n, v] *= mask.data[n * T + t] / Double(N) }
                    }
                    dWv += matmulTA(ht, p)
                    for v in 0..<V { dbv[v] += (0..<N).reduce(0) { $0 + p[$1, v] } }
                    return matmulTB(p, Wv)
                }
            }
            let order: [Character] = ["i", "f", "o", "g"]
            for stacking in [order, ["i", "f", "g", "o"]] {
                (dWv, dbv) = (Matrix(rows: Wv.rows, cols: V), Array(repeating: 0.0, count: V))
                let learned = StackedLearner.lstm(try file.network(), order: order, stacking: stacking, head: captioning)
                let files = file.gradients(learned) + [("dW_vocab", Tensor(dWv)), ("db_vocab", Tensor(shape: [V], data: dbv))]
                let r = try Verify.run(p, name: "captioning", user: try LayoutTests.userFile(files, "captioning-\(UUID().uuidString)"), reference: exact(p),
                                       referenceName: "exact", tolerance: 1e-6, form: form)
                let wrong = Set(r.tensors.filter { $0.status == .mismatch }.map(\.fileKey))
                if stacking == order {
                    #expect(r.passed, "\(dims): the learner's own captioning backward must be right: \(wrong)")
                } else {
                    #expect(wrong == ["dx", "dh0", "dWx", "dWh", "db"], "\(dims)")
                    #expect(r.causes.count == 1 && r.causes.first?.kind == .gateOrder, "\(dims): \(r.causes.map(\.finding))")
                }
            }
        }
    }

    /// The loop the diagnosis reruns (`Cell.carriedLoop`), reading the network's own weights, is
    /// backpropagation through time: it equals the exact gradient for every cell and target.
    @Test(arguments: CellKind.allCases)
    func theCarriedLoopOverTheCellBackwardIsBPTT(_ kind: CellKind) {
        func check<C: Cell>(_: C.Type) {
            for (n, dims) in randomDims(count: 6, seed: 31).enumerated() {
                let labels = Problem<C, Double>.random(dims, seed: UInt64(n) + 3)
                for p in [labels, Layout.pytorch.defaultForm(of: labels, seed: 5)] {
                    let loop = C.carriedLoop(p, backwardReading: p.weights)
                    let worst = worstRelativeError(loop, exact(p))
                    #expect(worst.error <= 1e-13, "\(kind) \(dims) \(worst.key)")
                }
            }
        }
        check(kind.cell)
    }
}
