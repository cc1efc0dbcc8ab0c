import Foundation
import Testing
@testable import LSTMGradCheck

/// The GRU (PyTorch's equations, Coursera's shapes): its routes against the exact gradient,
/// a case on paper, and the gradients an independent NumPy implementation computed.
@Suite struct GRUTests {
    static let parameterNames = ["Wir", "Wiz", "Win", "Whr", "Whz", "Whn", "bir", "biz", "bin", "bhr", "bhz", "bhn", "Wy", "by"]

    /// A GRU with an upstream target `da` over the first `window` steps and no output layer.
    static func upstream(_ d: Dims, window: Int, seed: UInt64) -> Problem<GRU, Double> {
        var sized = d
        sized.n_y = 1   // drawn, then dropped: an upstream target has no output layer
        var p = Problem<GRU, Double>.random(sized, seed: seed)
        var g = SeededGenerator(seed: seed &+ 77)
        p.weights[.Wy] = Matrix(rows: 0, cols: d.n_a)
        p.weights[.by] = Matrix(rows: 0, cols: 1)
        p.target = .upstream((0..<window).map { _ in
            Matrix(rows: d.n_a, cols: d.batch, storage: (0..<(d.n_a * d.batch)).map { _ in g.symmetric(1) })
        })
        return p
    }

    /// bptt and coursera equal the exact gradient (dual numbers through the forward pass, which
    /// shares no code with either backward) to rounding, with labels and with upstream targets
    /// over all or some of the steps; per-step is wrong exactly when there is something to carry.
    @Test(arguments: randomDims(count: 16, seed: 61))
    func routesAgreeWithTheExactGradient(_ d: Dims) {
        let seed = UInt64(d.n_a * 37 + d.steps * 5 + d.batch)
        let problems: [(String, Problem<GRU, Double>)] = [
            ("labels", Problem<GRU, Double>.random(d, seed: seed)),
            ("upstream T' = T", Self.upstream(d, window: d.steps, seed: seed)),
            ("upstream T' = \(max(1, d.steps - 2))", Self.upstream(d, window: max(1, d.steps - 2), seed: seed &+ 1)),
        ]
        for (what, p) in problems {
            let reference = exact(p)
            let bptt = Method<GRU>.bptt.compute(p), coursera = Method<GRU>.coursera.compute(p)
            let names = p.hasOutputLayer ? Self.parameterNames : Array(Self.parameterNames.dropLast(2))
            #expect(bptt.keys == names + ["a0", "x"], "\(d) \(what)")
            #expect(coursera.keys == bptt.keys)
            let (bKey, bError) = worstRelativeError(bptt, reference), (cKey, cError) = worstRelativeError(coursera, reference)
            #expect(bError <= 1e-12, "\(d) \(what): bptt \(bKey) is \(bError) from the exact gradient")
            #expect(cError <= 1e-12, "\(d) \(what): coursera \(cKey) is \(cError) from the exact gradient")
            // The float32 runs of both routes are the same derivations at single precision.
            for method in [Method<GRU>.bptt, .coursera] {
                let single = worstRelativeError(method.computeSingle!(p), reference)
                #expect(single.error <= 1e-4, "\(d) \(what): \(method.name) in float32, \(single.key) at \(single.error)")
            }
            let perStep = worstRelativeError(Method<GRU>.perStep.compute(p), reference)
            if d.steps == 1 {
                #expect(perStep.error <= 1e-12, "\(d) \(what): with T_x = 1 nothing is carried, per-step at \(perStep.error)")
            } else {
                // Only a loss after the first step has something to carry back: a window of one
                // step (T' = 1) puts the whole loss at the first step, and with one class (n_y = 1)
                // the softmax is 1 whatever a_t is, so the labels' loss has no gradient at all.
                let carries = p.hasOutputLayer ? d.n_y > 1 : (p.target.upstreamSteps ?? 0) > 1
                if carries {
                    #expect(perStep.error > 1e-3, "\(d) \(what): per-step should drop the carry, worst \(perStep.key) only \(perStep.error)")
                } else {
                    #expect(perStep.error <= 1e-12, "\(d) \(what): a loss at the first step only leaves nothing to carry")
                }
            }
        }
    }

    /// The exact reference itself against central differences of the loss (which share only the
    /// forward pass with it), so the agreement above is agreement with the loss's derivative.
    @Test(arguments: randomDims(count: 6, seed: 62))
    func theExactGradientIsTheLossDerivative(_ d: Dims) {
        let p = Problem<GRU, Double>.random(d, seed: UInt64(d.n_x * 11 + d.steps))
        let fd = worstRelativeError(elementwiseCentral(p), exact(p))
        #expect(fd.error < 1e-6, "\(d): central differences \(fd.key) at \(fd.error)")
    }

    /// n_a = n_x = 1, T_x = 2, m = 1, upstream da only at the last step, so L = a_2. With every
    /// step written out as scalars (p = a_{t−1}, x = x_t):
    ///   r = σ(wir·x + bir + whr·p + bhr), z = σ(wiz·x + biz + whz·p + bhz), h = whn·p + bhn,
    ///   n = tanh(win·x + bin + r·h), a = (1 − z)·n + z·p,
    /// the derivatives of one step's a at its pre-activations are
    ///   δn = (1 − z)(1 − n²), δz = (p − n)·z(1 − z), δr = δn·h·r(1 − r),
    /// each weight's local term is its δ times what it multiplies (x, p, or r·p for whn, r for bhn),
    /// a_2 depends on a_1 through J_2 = z_2 + δn_2·r_2·whn + δz_2·whz + δr_2·whr, and
    ///   ∂L/∂θ = local_2(θ) + J_2·local_1(θ),  ∂L/∂a_0 = J_2·J_1,
    ///   ∂L/∂x_1 = J_2·(δn_1·win + δz_1·wiz + δr_1·wir),  ∂L/∂x_2 = δn_2·win + δz_2·wiz + δr_2·wir.
    @Test func twoStepsOnPaper() {
        let w: [GRU.Parameter: Double] = [.Wir: 0.7, .Wiz: -1.1, .Win: 0.9, .Whr: -0.4, .Whz: 0.6, .Whn: 1.3,
                                          .bir: 0.2, .biz: -0.3, .bin: 0.1, .bhr: -0.25, .bhz: 0.15, .bhn: 0.35]
        let (a0, x1, x2) = (0.4, -0.8, 0.5)
        let p = Problem<GRU, Double>(weights: Weights { q in
                                         w[q].map { Matrix(rows: 1, cols: 1, storage: [$0]) } ?? Matrix(rows: 0, cols: 1)   // no Wy, by
                                     },
                                     a0: Matrix(rows: 1, cols: 1, storage: [a0]),
                                     x: [Matrix(rows: 1, cols: 1, storage: [x1]), Matrix(rows: 1, cols: 1, storage: [x2])],
                                     target: .upstream([Matrix(rows: 1, cols: 1), Matrix(rows: 1, cols: 1, storage: [1])]))
        func sigma(_ u: Double) -> Double { 1 / (1 + exp(-u)) }
        struct Step { var p, x, r, z, h, n, a, dn, dz, dr: Double }
        func step(_ p: Double, _ x: Double) -> Step {
            let r = sigma(w[.Wir]! * x + w[.bir]! + w[.Whr]! * p + w[.bhr]!)
            let z = sigma(w[.Wiz]! * x + w[.biz]! + w[.Whz]! * p + w[.bhz]!)
            let h = w[.Whn]! * p + w[.bhn]!
            let n = tanh(w[.Win]! * x + w[.bin]! + r * h)
            let dn = (1 - z) * (1 - n * n), dz = (p - n) * z * (1 - z)
            return Step(p: p, x: x, r: r, z: z, h: h, n: n, a: (1 - z) * n + z * p, dn: dn, dz: dz, dr: dn * h * r * (1 - r))
        }
        func local(_ s: Step, _ q: GRU.Parameter) -> Double {
            switch q {
            case .Wir: return s.dr * s.x
            case .Wiz: return s.dz * s.x
            case .Win: return s.dn * s.x
            case .Whr: return s.dr * s.p
            case .Whz: return s.dz * s.p
            case .Whn: return s.dn * s.r * s.p
            case .bir, .bhr: return s.dr
            case .biz, .bhz: return s.dz
            case .bin: return s.dn
            case .bhn: return s.dn * s.r
            case .Wy, .by: return .nan
            }
        }
        func J(_ s: Step) -> Double { s.z + s.dn * s.r * w[.Whn]! + s.dz * w[.Whz]! + s.dr * w[.Whr]! }
        func dInput(_ s: Step) -> Double { s.dn * w[.Win]! + s.dz * w[.Wiz]! + s.dr * w[.Wir]! }
        let s1 = step(a0, x1), s2 = step(s1.a, x2)
        #expect(abs(p.loss - s2.a) < 1e-15)
        for method in [Method<GRU>.bptt, .coursera] {
            let g = method.compute(p)
            for q in w.keys {
                let want = local(s2, q) + J(s2) * local(s1, q)
                #expect(abs(g[.parameter(q)]!.data[0] - want) < 1e-15, "\(method.name) d\(q.name)")
            }
            #expect(abs(g[.a0]!.data[0] - J(s2) * J(s1)) < 1e-15, "\(method.name) da0")
            #expect(abs(g[.x]!.data[0] - J(s2) * dInput(s1)) < 1e-15, "\(method.name) dx at t = 1")
            #expect(abs(g[.x]!.data[1] - dInput(s2)) < 1e-15, "\(method.name) dx at t = 2")
        }
        // Without the carry only the last step's own term is left (and nothing reaches a0).
        let perStep = Method<GRU>.perStep.compute(p)
        for q in w.keys {
            #expect(abs(perStep[.parameter(q)]!.data[0] - local(s2, q)) < 1e-15, "per-step d\(q.name)")
        }
        #expect(perStep[.a0]!.data[0] == 0)
    }

    /// `Fixtures/layouts/gru*.json` and their expected gradients come from an independent NumPy
    /// implementation (`Fixtures/tools/layouts_numpy.py`): bptt and coursera equal its full
    /// BPTT (`"gradients"`), per-step its `"per-step"`, the loss its `"loss"`.
    @Test(arguments: ["gru", "gru-upstream"])
    func routesAgreeWithTheIndependentNumPyImplementation(_ stem: String) throws {
        let fixture = try FixtureFile.read(LayoutTests.folder.appendingPathComponent("\(stem).json").path)
        let p = try #require(fixture.network as? Problem<GRU, Double>, "\(stem) is not read as a GRU")
        let path = LayoutTests.folder.appendingPathComponent("expected/\(stem).expected.json").path
        let expected = try FileAccess.json(try FileAccess.read(path), source: path)
        guard case .number(let loss) = try #require(expected["loss"]) else { Issue.record("\(stem): loss"); return }
        #expect(abs(p.loss - loss) <= 1e-12 * abs(loss), "\(stem): loss \(p.loss) vs NumPy \(loss)")
        for (route, key) in [(Method<GRU>.bptt, "gradients"), (.coursera, "gradients"), (.perStep, "per-step")] {
            let ours = route.compute(p)
            guard case .object(let theirs) = try #require(expected[key], "\(stem): no \(key)") else { Issue.record("\(stem): \(key)"); return }
            // The file names exactly the gradients we compute, under the same keys.
            #expect(Set(theirs.map(\.key)) == Set(ours.inputs.map(\.gradientName)), "\(stem) \(key)")
            for input in ours.inputs {
                let value = try #require(expected[key]?[input.gradientName], "\(stem): \(key) has no \(input.gradientName)")
                let t = try JSONArrays.tensor(value, source: path, key: input.gradientName)
                let g = try #require(ours[input])
                #expect(t.shape == g.shape, "\(stem) \(key) \(input.gradientName)")
                let e = relativeError(g, t)
                #expect(e <= 1e-10, "\(stem): \(route.name) \(input.gradientName) vs NumPy \(key): \(e)")
            }
        }
    }

    /// The fixtures carry `"layout": "coursera"`; a layout that holds no GRU is refused, clearly.
    @Test func fixtureLayoutKey() throws {
        let tiny = #""parameters": {"Waa": [[0.5]], "Wax": [[1]], "ba": [[0]]}, "x": [[[1]]], "da": [[[1]]]"#
        let rnn = try FixtureFile.decode(try JSON.parse(#"{"cell": "rnn", "layout": "coursera", "# + tiny + "}"), source: "f.json", defaultName: "f")
        #expect(rnn.rnn != nil)
        #expect(throws: InputError(source: "f.json", key: "layout", expected: "one of \"coursera\", \"cs231n\", \"pytorch\", \"keras\"", found: "a number")) {
            try FixtureFile.decode(try JSON.parse(#"{"cell": "rnn", "layout": 3, "# + tiny + "}"), source: "f.json", defaultName: "f")
        }
        // A GRU in a layout that stacks no GRU's gates (cs231n's): the cell is named.
        let path = LayoutTests.folder.appendingPathComponent("pytorch-gru.json").path
        guard case .object(var members) = try FileAccess.json(try FileAccess.read(path), source: path) else { Issue.record("not an object"); return }
        members[members.firstIndex { $0.key == "layout" }!].value = .string("cs231n")
        #expect(throws: InputError(source: "f.json", key: "cell", expected: "\"lstm\" or \"rnn\" in the cs231n layout", found: "\"gru\"")) {
            try FixtureFile.decode(.object(members), source: "f.json", defaultName: "f")
        }
    }

    /// A generated GRU draws its parameters in report order, each in C order, then a0, x, y.
    @Test func generatedNetworksDrawInReportOrder() {
        let d = Dims(n_x: 2, n_a: 3, n_y: 2, steps: 2, batch: 2)
        let p = Problem<GRU, Double>.random(d, seed: 9)
        var g = SeededGenerator(seed: 9)
        for q in GRU.Parameter.allCases {
            let (rows, cols) = GRU.shape(of: q, d)
            #expect(p.weights[q].storage == (0..<(rows * cols)).map { _ in g.symmetric(1) }, "\(q)")
        }
        #expect(p.a0.storage == (0..<(d.n_a * d.batch)).map { _ in g.symmetric(1) })
        #expect(GRU.Parameter.allCases.map(\.name) == Self.parameterNames)
        #expect(Input<GRU>.all.map(\.gradientName) == Self.parameterNames.map { "d" + $0 } + ["da0", "dx"])
    }


    /// The split of `explain` adds up to bptt for every recurrent parameter, and the flow's
    /// per-step state gradients are bptt's.
    @Test func explainAndFlowAddUp() throws {
        let p = Problem<GRU, Double>.random(Dims(n_x: 2, n_a: 3, n_y: 3, steps: 5, batch: 2), seed: 4)
        #expect(Explain.parameters(GRU.self).map(\.name) == Array(Self.parameterNames.dropLast(2)))
        for q in Explain.parameters(GRU.self) {
            let e = try #require(Explain.split(p, parameter: q))
            #expect(e.reconstructionError < 1e-12, "\(q)")
            #expect(e.steps.allSatisfy { $0.viaC == 0 })
            #expect(abs(e.localShare + e.carriedShare - 1) < 1e-12)
        }
        let flow = GradientFlow.flow(p)
        #expect(flow.cell.isEmpty && flow.hidden.count == 5 && flow.byDistance.count == 5)
        // ∂L/∂a_T is the last step's own da (nothing comes after it); the norms are the flow's.
        let da = GRU.stateGradients(p).da
        let head = OutputLayer.backward(p, GRU.hiddenStates(p))
        #expect(da.count == 5 && da.last! == head.da.last!)
        #expect(flow.hidden == da.map { Comparison.norm($0.storage) })
    }
}

private extension Target {
    /// T′ of an upstream target.
    var upstreamSteps: Int? {
        if case .upstream(let da) = self { return da.count }
        return nil
    }
}
