import Testing
@testable import LSTMGradCheck

/// Every route against the others and against finite differences, over random sizes.
@Suite struct RoutesTests {
    @Test(arguments: randomDims(count: 24, seed: 7))
    func bpttAndCourseraAgreeWithEachOtherAndWithFiniteDifferences(_ d: Dims) {
        let p = Problem<LSTM, Double>.random(d, seed: UInt64(d.n_x * 1000 + d.n_a * 100 + d.steps * 10 + d.batch))
        let bptt = Method<LSTM>.bptt.compute(p)
        let coursera = Method<LSTM>.coursera.compute(p)
        let numerical = FiniteDifferences.central(p)
        #expect(bptt.keys == ["Wf", "bf", "Wi", "bi", "Wc", "bc", "Wo", "bo", "Wy", "by", "a0", "x"])
        // Two analytic derivations of the same function agree to rounding.
        #expect(worstRelativeError(bptt, coursera).error < 1e-12, "\(d)")
        // Central differences with h = 1e-5 leave ~1e-10 to 1e-8.
        #expect(worstRelativeError(bptt, numerical).error < 1e-6, "\(d)")
        #expect(worstRelativeError(coursera, numerical).error < 1e-6, "\(d)")
    }

    @Test(arguments: randomDims(count: 16, seed: 11).filter { $0.steps >= 3 })
    // T_x ≥ 3: with T_x = 2 and c0 = 0 the forget gate's only carried term multiplies
    // c_0 = 0, so dWf is right by accident (the other gates are still wrong).
    func perStepIsWrongWheneverACarryReachesAGate(_ d: Dims) {
        let p = Problem<LSTM, Double>.random(d, seed: 5)
        let bptt = Method<LSTM>.bptt.compute(p), perStep = Method<LSTM>.perStep.compute(p)
        // The carry feeds every gate weight; dropping it costs far more than rounding.
        #expect(relativeError(perStep["Wo"]!, bptt["Wo"]!) > 1e-4, "\(d)")
        #expect(relativeError(perStep["Wf"]!, bptt["Wf"]!) > 1e-4, "\(d)")
        // The output layer sees only a_t, so the carry does not touch it.
        #expect(relativeError(perStep["Wy"]!, bptt["Wy"]!) < 1e-14)
        #expect(relativeError(perStep["by"]!, bptt["by"]!) < 1e-14)
    }

    @Test(arguments: [Dims(n_x: 3, n_a: 5, n_y: 2, steps: 1, batch: 10), Dims(n_x: 1, n_a: 1, n_y: 3, steps: 1, batch: 1)])
    func perStepIsExactWithOneStep(_ d: Dims) {
        let p = Problem<LSTM, Double>.random(d, seed: 3)
        #expect(worstRelativeError(Method<LSTM>.perStep.compute(p), Method<LSTM>.bptt.compute(p)).error < 1e-14)
    }

    @Test func upstreamGradientModeMatchesFiniteDifferences() {
        let d = Dims(n_x: 3, n_a: 5, n_y: 0, steps: 7, batch: 4)
        let p = upstreamProblem(d, window: 4, seed: 21, withC0: true)
        #expect(p.inputKeys == ["Wf", "bf", "Wi", "bi", "Wc", "bc", "Wo", "bo", "a0", "c0", "x"])
        let numerical = FiniteDifferences.central(p)
        for method in [Method<LSTM>.bptt, .coursera] {
            #expect(worstRelativeError(method.compute(p), numerical).error < 1e-6, "\(method.name)")
        }
        // Steps past T' = 4 do not reach the loss: their inputs get exactly zero gradient.
        let dx = Method<LSTM>.bptt.compute(p)["x"]!
        for k in dx.data.indices where dx.index(ofFlat: k)[2] >= 4 { #expect(dx.data[k] == 0) }
    }

    @Test func carriedTermsAreWhatPerStepDrops() {
        // BPTT is linear in the upstream gradients: the loss at the last step alone
        // reaches every earlier step only through the carry, so per-step must give
        // zero for everything before it while BPTT does not.
        let d = Dims(n_x: 2, n_a: 3, n_y: 0, steps: 4, batch: 2)
        let p = lastStepLossProblem(d, seed: 8)
        let perStep = Method<LSTM>.perStep.compute(p)["x"]!, bptt = Method<LSTM>.bptt.compute(p)["x"]!
        for k in perStep.data.indices where perStep.index(ofFlat: k)[2] < 3 {
            #expect(perStep.data[k] == 0)
        }
        let early = bptt.data.indices.filter { bptt.index(ofFlat: $0)[2] < 3 }.map { bptt.data[$0] }
        #expect(early.map { $0 * $0 }.reduce(0, +) > 1e-8)
        // At the last step nothing is carried in, so the two agree there.
        for k in bptt.data.indices where bptt.index(ofFlat: k)[2] == 3 {
            #expect(abs(bptt.data[k] - perStep.data[k]) <= 1e-15 * max(1, abs(bptt.data[k])))
        }
    }
}
