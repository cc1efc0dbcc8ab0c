import Testing
@testable import LSTMGradCheck

/// The wrong derivations people write, each pinned down by an identity that holds
/// for its definition and can be computed another way.
@Suite struct CatalogueTests {
    private func weights(_ g: Gradients<LSTM>) -> [String] { g.keys.filter { $0.hasPrefix("W") || $0.hasPrefix("b") } }

    private func difference(_ a: Gradients<LSTM>, _ b: Gradients<LSTM>, _ key: String) -> Tensor {
        let x = a[key]!, y = b[key]!
        return Tensor(shape: x.shape, data: zip(x.data, y.data).map { $0 - $1 })
    }

    @Test(arguments: randomDims(count: 10, seed: 31))
    func truncationSpansPerStepToBPTT(_ d: Dims) {
        let p = Problem<LSTM, Double>.random(d, seed: 13)
        let bptt = Method<LSTM>.bptt.compute(p), perStep = Method<LSTM>.perStep.compute(p)
        // Two code paths (a carry-free loop, and one sweep per step's loss) give the same numbers.
        #expect(worstRelativeError(Method<LSTM>.truncated(1, steps: d.steps).compute(p), perStep).error < 1e-13)
        #expect(worstRelativeError(Method<LSTM>.truncated(d.steps, steps: d.steps).compute(p), bptt).error < 1e-12)
        #expect(worstRelativeError(Method<LSTM>.truncated(d.steps + 3, steps: d.steps).compute(p), bptt).error < 1e-12)
        #expect(Method<LSTM>.truncated(d.steps, steps: d.steps).expectation == .correct)
        #expect(d.steps == 1 || Method<LSTM>.truncated(d.steps - 1, steps: d.steps).expectation == .wrong)
    }

    @Test func truncationCutsPathsLongerThanKMinusOne() {
        // Only the last step's loss: truncated:K reaches x back to step T−K and no further.
        let d = Dims(n_x: 2, n_a: 3, n_y: 0, steps: 6, batch: 2)
        let p = lastStepLossProblem(d, seed: 4)
        for K in 1...6 {
            let dx = Method<LSTM>.truncated(K, steps: 6).compute(p)["x"]!
            for k in dx.data.indices {
                let t = dx.index(ofFlat: k)[2]
                if t < 6 - K { #expect(dx.data[k] == 0, "K \(K) t \(t)") }
            }
            let reached = dx.data.indices.filter { dx.index(ofFlat: $0)[2] == 6 - K }.map { abs(dx.data[$0]) }.max()!
            #expect(reached > 0, "K \(K)")
        }
    }

    @Test(arguments: [Dims(n_x: 3, n_a: 4, n_y: 0, steps: 2, batch: 3), Dims(n_x: 1, n_a: 2, n_y: 0, steps: 2, batch: 1)])
    func halfCarriesAddUpWithTwoSteps(_ d: Dims) {
        // With T_x = 2 only step 0 receives a carry, and the cell is linear in
        // (da_next, dc_next): coursera = carry-da-only + carry-dc-only − per-step, exactly.
        let p = upstreamProblem(d, window: 2, seed: 17, withC0: true)
        let full = Method<LSTM>.coursera.compute(p), daOnly = Method<LSTM>.carryDaOnly.compute(p)
        let dcOnly = Method<LSTM>.carryDcOnly.compute(p), none = Method<LSTM>.perStep.compute(p)
        for key in full.keys {
            let sum = Tensor(shape: full[key]!.shape, data: (0..<full[key]!.count).map {
                daOnly[key]!.data[$0] + dcOnly[key]!.data[$0] - none[key]!.data[$0]
            })
            #expect(relativeError(sum, full[key]!) < 1e-13, "\(key)")
        }
        // And each half-fix alone is wrong.
        #expect(relativeError(daOnly["Wf"]!, full["Wf"]!) > 1e-4)
        #expect(relativeError(dcOnly["Wo"]!, full["Wo"]!) > 1e-4)
    }

    @Test func askerCountsTheOneStepBackTermTwice() {
        // Loss at the last of two steps only: what the asker adds on top of the carrying loop
        // is the weight gradient through a_0 from the carried da_prev — exactly what
        // carry-da-only adds over per-step. So asker − coursera = carry-da-only − per-step.
        let d = Dims(n_x: 3, n_a: 4, n_y: 0, steps: 2, batch: 3)
        var p = upstreamProblem(d, window: 2, seed: 23, withC0: true)
        guard case .upstream(var da) = p.target else { return }
        da[0] = Matrix(rows: 4, cols: 3)
        p.target = .upstream(da)
        let asker = Method<LSTM>.asker.compute(p), coursera = Method<LSTM>.coursera.compute(p)
        let daOnly = Method<LSTM>.carryDaOnly.compute(p), perStep = Method<LSTM>.perStep.compute(p)
        for key in weights(coursera) {
            #expect(relativeError(difference(asker, coursera, key), difference(daOnly, perStep, key)) < 1e-13, "\(key)")
        }
        // The asker changes only weights; inputs come from the carrying loop unchanged.
        #expect(asker["x"] == coursera["x"] && asker["a0"] == coursera["a0"])
        #expect(relativeError(asker["Wo"]!, coursera["Wo"]!) > 1e-4)
    }

    @Test(arguments: randomDims(count: 8, seed: 41).filter { $0.steps >= 2 })
    func askerWithoutCarryGetsTheOutputGateOfTruncationTwo(_ d: Dims) {
        // o_{t−1} acts on the loss only through a_{t−1}, so the explicit one-step term is the
        // whole of what truncated:2 adds for Wo and bo.
        let p = Problem<LSTM, Double>.random(d, seed: 29)
        let a = Method<LSTM>.askerNoCarry.compute(p), t2 = Method<LSTM>.truncated(2, steps: d.steps).compute(p)
        #expect(relativeError(a["Wo"]!, t2["Wo"]!) < 1e-12)
        #expect(relativeError(a["bo"]!, t2["bo"]!) < 1e-12)
    }

    @Test func printedFormulasAreRightWhereTheirErrataVanish() {
        // T_x = 1 with no carry into the step: dc_next = 0 removes the misplaced first terms
        // of (9) and (10), so only (8)'s extra c̃ and tanh(c̃) remain: Wc and bc (and what
        // flows through them to a0 and x) are wrong, Wf Wi Wo right.
        let d = Dims(n_x: 2, n_a: 3, n_y: 0, steps: 1, batch: 4)
        let p = upstreamProblem(d, window: 1, seed: 5)
        let printed = Method<LSTM>.printed2018.compute(p), bptt = Method<LSTM>.bptt.compute(p)
        for key in ["Wf", "bf", "Wi", "bi", "Wo", "bo"] { #expect(relativeError(printed[key]!, bptt[key]!) < 1e-14, "\(key)") }
        for key in ["Wc", "bc", "x"] { #expect(relativeError(printed[key]!, bptt[key]!) > 1e-3, "\(key)") }
    }

    @Test func everyCatalogueEntryIsNamedAndLabelled() {
        let all = LSTM.catalogue(steps: 7)
        #expect(all.map(\.name) == ["bptt", "coursera", "per-step", "asker", "asker-no-carry", "carry-da-only",
                                    "carry-dc-only", "coursera-2018-printed", "truncated:2"])
        #expect(all.filter { $0.expectation == .correct }.map(\.name) == ["bptt", "coursera"])
        for m in all { #expect(LSTM.method(named: m.name, steps: 7)?.name == m.name) }
        #expect(LSTM.method(named: "truncated:0", steps: 7) == nil && LSTM.method(named: "truncated:x", steps: 7) == nil)
        #expect(LSTM.method(named: "numerical", steps: 7)?.expectation == .correct)
    }

    @Test func catalogueVerdictsOnTheDefaultNetwork() {
        let p = Problem<LSTM, Double>.random(Dims(n_x: 3, n_a: 5, n_y: 2, steps: 7, batch: 10), seed: 1)
        let report = GradCheck.check(p, name: "default", methods: LSTM.catalogue(steps: 7))
        for m in report.methods { #expect(m.matches == (m.expectation != .wrong), "\(m.name)") }
        #expect(report.passed)
    }
}

/// Every registered cell is checked the same way: its correct routes match, per-step does not.
@Suite struct EveryCellTests {
    @Test(arguments: CellKind.allCases)
    func checkReportsEveryCellLikeTheLSTM(_ kind: CellKind) {
        func check<C: Cell>(_: C.Type) -> CheckReport {
            let p = Problem<C, Double>.random(Dims(n_x: 3, n_a: 5, n_y: 2, steps: 7, batch: 10), seed: 1)
            return GradCheck.check(p, name: kind.rawValue, methods: C.coreMethods)
        }
        let r = check(kind.cell)
        #expect(r.methods.map(\.name) == ["bptt", "coursera", "per-step", "numerical"])
        #expect(r.methods.map(\.matches) == [true, true, false, true])
        #expect(r.passed)
    }
}
