/// A right answer transformed by a mistake only a layout's file can hold, in the file's terms:
/// what the tensor would be, and what to say when the user's tensor is it.
struct LayoutMistake {
    var candidate: Tensor
    var kind: DiagnosisKind
    var finding: String
    var fix: String
}

extension LayoutMap {
    /// The layout's own mistakes for the tensor of entry `e`, whose right gradient is `right`
    /// (`rights`: every right tensor, by gradient key; `file`: the user's, as given): the stacked
    /// gate blocks in another order, the input and recurrent weights exchanged or a square one
    /// transposed, one of PyTorch's two biases left without the bias gradient while the file
    /// gives it to the other (or each given half) — or, for a cell that keeps them apart (the
    /// GRU), one side's bias given the other's gradient —, the sequence's batch and time axes
    /// exchanged. `Diagnoser` tests them beside the catalogue and the plain slips.
    func mistakes(_ e: LayoutEntry, right: Tensor, rights: [String: Tensor], file: [String: Tensor]) -> [LayoutMistake] {
        var out: [LayoutMistake] = []
        let name = e.gradientKey
        let order = gates.map(\.letter)
        if let axis = gateAxis(e), order.count > 1 {
            let along = axis == 0 && e.shape.count == 2 ? "rows" : e.shape.count == 2 ? "columns" : "entries"
            for j in order.indices {
                for k in order.indices where k > j {
                    var wrong = order
                    wrong.swapAt(j, k)
                    out.append(LayoutMistake(
                        candidate: right.swappingBlocks(j, k, size: dims.n_a, axis: axis), kind: .gateOrder,
                        finding: "\(name) is the right gradient with the \(order[j]) and \(order[k]) blocks exchanged (\(along)): the gate gradients are stacked as \(wrong.joined(separator: ", ")) where the forward pass splits the pre-activation as \(order.joined(separator: ", ")).",
                        fix: stackFix(order)))
                }
            }
        }
        if e.role == .inputWeight || e.role == .stateWeight {
            let other = parameterEntries.first { $0.role == (e.role == .inputWeight ? .stateWeight : .inputWeight) }
            if let other, let theirs = rights[other.gradientKey] {
                out.append(LayoutMistake(candidate: theirs, kind: .swappedWeights,
                                         finding: "\(name) is the right gradient of \(other.gradientKey): the input and recurrent weights' gradients are exchanged.",
                                         fix: weightFix))
            }
        }
        if e.shape.count == 2, e.shape[0] == e.shape[1] {
            out.append(LayoutMistake(candidate: Tensor(right.matrix.transposed), kind: .transpose,
                                     finding: "\(name) is the transpose of the right gradient.",
                                     fix: "Swap the product's operands so the gradient has its tensor's layout (\(e.shapeText)): \(weightFix)"))
        }
        if case .bias(let index) = e.role, splitsBiases {
            out += sharedBiases(e, index: index, right: right, rights: rights)
        }
        if case .bias = e.role, layout.biasKeys.count == 2, !splitsBiases {
            let other = layout.gradientKey(layout.biasKeys.first { $0 != e.key } ?? "")
            let fix = "Both biases are added into every gate's pre-activation, so each gets the whole bias gradient: \(layout.biasKeys.joined(separator: " and ")) each get the stacked gate gradients summed over the batch and the steps."
            if file[other]?.data.contains(where: { $0 != 0 }) == true {
                out.append(LayoutMistake(candidate: Tensor(zeros: right.shape), kind: .biasSplit,
                                         finding: "\(name) is zero: only \(other) was given the bias gradient.", fix: fix))
            }
            out.append(LayoutMistake(candidate: Tensor(shape: right.shape, data: right.data.map { $0 / 2 }), kind: .biasSplit,
                                     finding: "\(name) is half the bias gradient: it was split between \(layout.biasKeys.joined(separator: " and ")).", fix: fix))
        }
        if let axes = sequenceAxes(e), right.shape[axes.steps] == right.shape[axes.batch] {
            out.append(LayoutMistake(candidate: right.permuted(.firstTwoExchanged), kind: .axisOrder,
                                     finding: axisFinding(e, storedAs: e.shape), fix: axisFix(e)))
        }
        return out
    }

    /// For a cell whose biases are apart, the mistake the LSTM teaches: both biases given one
    /// gradient (PyTorch's `bias_hh_l0` given `bias_ih_l0`'s, or the other way round; Keras'
    /// two `bias` rows alike). Right for the gates where the two gradients agree, wrong where
    /// the recurrent bias sits inside the reset gate's product (the GRU's candidate).
    private func sharedBiases(_ e: LayoutEntry, index: Int, right: Tensor, rights: [String: Tensor]) -> [LayoutMistake] {
        let G = stackSize, H = dims.n_a
        let sides: (input: [Double], state: [Double]), names: (input: String, state: String)
        if stacksBiasRows {
            sides = (Array(right.data[0..<G]), Array(right.data[G..<(2 * G)]))
            names = ("\(e.gradientKey)[0]", "\(e.gradientKey)[1]")
        } else {
            let keys = layout.biasKeys.map(layout.gradientKey)
            guard keys.count == 2, let input = rights[keys[0]], let state = rights[keys[1]] else { return [] }
            sides = (input.data, state.data)
            names = (keys[0], keys[1])
        }
        let differing = gates.indices.filter { k in sides.input[(k * H)..<((k + 1) * H)] != sides.state[(k * H)..<((k + 1) * H)] }.map { gates[$0].letter }
        guard let candidate = differing.first else { return [] }
        let blocks = differing.joined(separator: ", ") + (differing.count == 1 ? " block" : " blocks")
        let fix = "Give each bias its own gradient: \(names.input) the stacked pre-activation gradients summed over the batch and the steps, "
            + "\(names.state) the same but in the \(blocks), where the recurrent bias sits inside r ⊙ (…) and gets r ⊙ d\(candidate) summed."
        func mistake(_ data: [Double], _ given: String, _ from: String) -> LayoutMistake {
            LayoutMistake(candidate: Tensor(shape: right.shape, data: data), kind: .biasShared,
                          finding: "\(given) holds \(from)'s gradient: the two biases were given one gradient, as an LSTM's may be, but here they differ in the \(blocks).",
                          fix: fix)
        }
        if stacksBiasRows {
            return [mistake(sides.input + sides.input, names.state, names.input), mistake(sides.state + sides.state, names.input, names.state)]
        }
        return [index == 0 ? mistake(sides.state, names.input, names.state) : mistake(sides.input, names.state, names.input)]
    }

    /// The finding for a sequence gradient whose batch and time axes are exchanged.
    func axisFinding(_ e: LayoutEntry, storedAs shape: [Int]) -> String {
        let (N, T) = (letters.batch, letters.steps)
        let wanted = e.shapeText.split(separator: " ").first == Substring(N) ? "(\(N), \(T), ·)" : "(\(T), \(N), ·)"
        let given = wanted == "(\(N), \(T), ·)" ? "(\(T), \(N), ·)" : "(\(N), \(T), ·)"
        let flag = layout == .pytorch ? " (batch_first is \(form.batchFirst))" : ""
        return "\(e.gradientKey) has its batch and time axes exchanged: \(given) where the fixture's \(e.key) is \(wanted)\(flag)."
    }

    func axisFix(_ e: LayoutEntry) -> String {
        let flag = layout == .pytorch ? "; with batch_first the sequence axes are (N, T, ·), without it (T, N, ·)" : ""
        return "Return \(e.gradientKey) in \(e.key)'s own axis order (\(e.shapeText)), e.g. with .transpose(1, 0, 2)\(flag)."
    }

    /// How the weight gradients are formed, in the layout's names.
    var weightFix: String {
        let (Wx, Wh) = (layout.gradientKey(layout.inputWeightKey), layout.gradientKey(layout.stateWeightKey))
        return layout.stacksRows
            ? "\(Wx) is Σ_t da_tᵀ·x_t and \(Wh) is Σ_t da_tᵀ·h_{t−1}, da_t the stacked gate gradients (N × \(stackText))."
            : "\(Wx) is Σ_t x_tᵀ·da_t and \(Wh) is Σ_t h_{t−1}ᵀ·da_t, da_t the stacked gate gradients (N × \(stackText))."
    }

    /// Each way a forward pass can read two of the layout's gates in each other's place, as
    /// the gradient its consistent backward gives in file terms: the right gradient of the
    /// network with gates j and k exchanged (their weights and biases), exchanged back — what a
    /// learner computes who splits cs231n's i, f, o, g pre-activation as i, f, g, o throughout.
    /// `gradient` is a correct route's; each finding follows the tensor's name.
    func misreadGates(_ problem: Problem<C, Double>, gradient: (Problem<C, Double>) -> Gradients<C>)
        -> [(files: [String: Tensor], finding: String, fix: String)] {
        let order = gates.map(\.letter)
        return gateExchanges(problem).map { e in
            var misread = problem
            misread.weights = e.exchanging(problem.weights)
            return (files(e.exchanging(gradient(misread))),
                    "is the gradient of a forward pass that reads the gates as \(e.order(order)) where \(layout.rawValue) stacks them \(order.joined(separator: ", ")): another network, its \(order[e.j]) and \(order[e.k]) exchanged.",
                    "Split the pre-activation in \(layout.rawValue)'s order, \(order.joined(separator: ", ")), in the forward pass, and stack the gate gradients the same way in the backward.")
        }
    }

    /// Each way a backward pass can stack two of the layout's gates' gradients in each other's
    /// place behind a right forward pass (cs231n's `np.hstack((di, df, dg, do))` where the
    /// pre-activation is split i, f, o, g), as the gradient it gives in file terms. At every step
    /// the stacked gradient then holds gate j's local derivative in gate k's block and the other
    /// way round, so the weight gradients get them in each other's blocks, and dx and the
    /// carried state gradient get each through the other's weights — which is the carried loop
    /// over the cell backward on the right forward pass (`carriedLoop`) reading the weights
    /// with the two gates exchanged, its gate gradients exchanged back. Each finding follows
    /// the tensor's name.
    func misstackedGates(_ problem: Problem<C, Double>) -> [(files: [String: Tensor], finding: String, fix: String)] {
        let order = gates.map(\.letter)
        return gateExchanges(problem).map { e in
            (files(e.exchanging(C.carriedLoop(problem, backwardReading: e.exchanging(problem.weights)))),
             "is what a backward pass gives that stacks the gate gradients as \(e.order(order)) behind a forward pass that splits the pre-activation \(order.joined(separator: ", ")), as \(layout.rawValue) does: at every step the \(order[e.j]) and \(order[e.k]) blocks exchanged, in the weight gradients and in what reaches dx and the step before.",
             stackFix(order) + " The forward pass is right.")
        }
    }

    /// Two of the layout's gates that can stand in each other's place: their positions j < k in
    /// the layout's order and their parameters paired (the same roles, of the same shapes).
    struct GateExchange {
        var j: Int, k: Int
        var pairs: [(C.Parameter, C.Parameter)]

        /// The layout's order with the two gates' letters exchanged (`i, f, g, o`).
        func order(_ letters: [String]) -> String {
            var read = letters
            read.swapAt(j, k)
            return read.joined(separator: ", ")
        }

        /// `w` with each pair's parameters exchanged.
        func exchanging(_ w: Weights<C, Double>) -> Weights<C, Double> {
            var out = w
            for (a, b) in pairs { (out[a], out[b]) = (w[b], w[a]) }
            return out
        }

        /// `g` with each pair's parameters' gradients exchanged.
        func exchanging(_ g: Gradients<C>) -> Gradients<C> {
            var out = g
            for (a, b) in pairs { (out[.parameter(a)], out[.parameter(b)]) = (g[.parameter(b)], g[.parameter(a)]) }
            return out
        }
    }

    /// Every pair of the layout's gates whose parameters `problem` holds in the same shapes.
    func gateExchanges(_ problem: Problem<C, Double>) -> [GateExchange] {
        func parameters(_ b: GateBlock<C>) -> [C.Parameter] {
            var out: [C.Parameter] = []
            for p in [b.inputWeight.parameter, b.stateWeight.parameter, b.bias] + (b.stateBias.map { [$0] } ?? []) where !out.contains(p) { out.append(p) }
            return out
        }
        var out: [GateExchange] = []
        for j in gates.indices {
            for k in gates.indices where k > j {
                let (mine, theirs) = (parameters(gates[j].block), parameters(gates[k].block))
                let pairs = Array(zip(mine, theirs))
                guard pairs.count == mine.count, pairs.count == theirs.count,
                      pairs.allSatisfy({ problem.weights[$0.0].rows == problem.weights[$0.1].rows && problem.weights[$0.0].cols == problem.weights[$0.1].cols }) else { continue }
                out.append(GateExchange(j: j, k: k, pairs: pairs))
            }
        }
        return out
    }

    /// Gradients in the cell's terms as the file's tensors, by gradient key.
    func files(_ g: Gradients<C>) -> [String: Tensor] {
        Dictionary(gradients(g).map { ($0.key, $0.tensor) }, uniquingKeysWith: { a, _ in a })
    }

    /// How to stack the gate gradients right, in the layout's order.
    private func stackFix(_ order: [String]) -> String {
        "Stack the per-gate gradients in the forward pass's order, \(order.joined(separator: ", ")) (\(layout.rawValue)'s own), \(stackExample(order))."
    }

    private func stackExample(_ order: [String]) -> String {
        let parts = order.map { "d\($0)" }.joined(separator: ", ")
        switch layout {
        case .pytorch: return "e.g. torch.cat((\(parts)), dim=1) before the products"
        default: return "e.g. np.hstack((\(parts))) before the products"
        }
    }

    /// The fix for a derivation that drops (some of) what is carried back in time, in the
    /// layout's names; nil for the routes whose own advice applies.
    func carryFix(_ route: String, target: Target) -> String? {
        let up = target.hasOutputLayer ? "the loss's gradient at h_t" : "\(layout.upstreamKey)[t]"
        let state = C.hasCellState ? " and dc" : ""
        switch route {
        case "per-step", "asker-no-carry", "carry-da-only", "carry-dc-only":
            break
        default:
            guard route.hasPrefix("truncated:") else { return nil }
        }
        return "Carry the state gradients back in time: step t's backward takes dh = \(up) + the dh step t+1 handed back\(state.isEmpty ? "" : ", and the dc step t+1 handed back") (zeros after the last step), and passes its own dh\(state) on to step t−1."
    }

    /// The finding and fix for a mean where the loss sums (`over`: `N = 3`).
    func meanText(_ name: String, over: String, target: Target) -> (String, String) {
        if case .maskedLabels = target {
            return ("\(name) is the right gradient divided by \(over) once more: the loss already averages over \(letters.batch) once.",
                    "Divide by \(letters.batch) once, in the loss (the temporal softmax), and not again in the backward pass.")
        }
        return ("\(name) is the right gradient divided by \(over): a mean where the loss is a sum.",
                "The loss here sums over the batch and the steps, not averages: drop the division by \(over) (a sum over the batch axis, not a mean).")
    }
}

extension Cell {
    /// The notebook's loop over `cellBackward` on `problem`'s forward pass: from the last step to
    /// the first, each step fed what reaches its output from the loss plus what the step after
    /// handed back, every local gradient summed over the steps, each step's dx_t kept, and the
    /// initial states' gradients what step 0 hands back. The cell backward reads `weights`; with
    /// the problem's own this is backpropagation through time.
    static func carriedLoop(_ problem: Problem<Self, Double>, backwardReading weights: Weights<Self, Double>) -> Gradients<Self> {
        let caches = caches(problem)
        let head = OutputLayer.backward(problem, hiddenStates(problem))
        var dW = problem.weights.zeros
        dW[outputLayer.weight] = head.dWy
        dW[outputLayer.bias] = head.dby
        var dx = problem.x.map { Matrix<Double>(rows: $0.rows, cols: $0.cols) }
        var carried = StateGradient.zeros(problem.a0.rows, problem.a0.cols)
        for t in caches.indices.reversed() {
            let step = cellBackward(StateGradient(da: head.da[t] + carried.da, dc: carried.dc), caches[t], weights)
            for p in Parameter.allCases {
                if let g = step.local(p) { dW[p] += g }
            }
            dx[t] = step.dxt
            carried = step.back
        }
        return problem.gradients(dW: dW, da0: carried.da, dc0: carried.dc, dx: dx)
    }
}

extension Tensor {
    /// Blocks j and k (each `size` long along `axis`) exchanged.
    func swappingBlocks(_ j: Int, _ k: Int, size: Int, axis: Int) -> Tensor {
        let inner = shape[(axis + 1)...].reduce(1, *), outer = shape[..<axis].reduce(1, *), length = shape[axis]
        var out = self
        for o in 0..<outer {
            for r in 0..<size {
                for i in 0..<inner {
                    let a = (o * length + j * size + r) * inner + i, b = (o * length + k * size + r) * inner + i
                    out.data[a] = data[b]
                    out.data[b] = data[a]
                }
            }
        }
        return out
    }
}
