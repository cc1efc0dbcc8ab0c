import Testing
@testable import LSTMGradCheck

@Suite struct ExplainTests {
    @Test(arguments: Explain.parameters(LSTM.self).map(\.name))
    func partsAddUpToBPTTAndTheLocalPartsArePerStep(_ key: String) throws {
        let p = Problem<LSTM, Double>.random(Dims(n_x: 3, n_a: 5, n_y: 2, steps: 7, batch: 10), seed: 1)
        let e = try #require(Explain.split(p, key: key))
        #expect(e.reconstructionError < 1e-12)
        #expect(abs(e.localShare + e.carriedShare - 1) < 1e-12)
        // The local parts alone are exactly what per-step computes.
        let perStep = Method<LSTM>.perStep.compute(p)[key]!
        #expect(abs(e.localNorm - Comparison.norm(perStep.data)) <= 1e-12 * e.localNorm)
        // Nothing is carried into the last step.
        #expect(e.steps.last!.viaA == 0 && e.steps.last!.viaC == 0)
    }

    @Test func theOutputGateReceivesNothingThroughTheCellState() throws {
        // o_t multiplies tanh(c_t) but does not feed c_t, so a carried dc_prev never reaches Wo.
        let p = Problem<LSTM, Double>.random(Dims(n_x: 2, n_a: 4, n_y: 3, steps: 6, batch: 3), seed: 8)
        let e = try #require(Explain.split(p, key: "Wo"))
        #expect(e.steps.allSatisfy { $0.viaC == 0 })
        let f = try #require(Explain.split(p, key: "Wf"))
        #expect(f.steps.dropLast().contains { $0.viaC > 0 })
    }

    @Test func flowMatchesTheStateGradientsAndStartsAtTheLocalLoss() {
        let p = Problem<LSTM, Double>.random(Dims(n_x: 2, n_a: 3, n_y: 2, steps: 5, batch: 2), seed: 3)
        let f = GradientFlow.flow(p)
        #expect(f.hidden.count == 5 && f.cell.count == 5 && f.byDistance.count == 5)
        // At the last step only its own loss reaches a_t: ‖∂L/∂a_{T−1}‖ = ‖Wyᵀ(ŷ − y)‖.
        let head = OutputLayer.backward(p, LSTM.hiddenStates(p))
        #expect(abs(f.hidden[4] - Comparison.norm(head.da[4].storage)) < 1e-14)
        let meanLocal = head.da.map { Comparison.norm($0.storage) }.reduce(0, +) / 5
        #expect(abs(f.byDistance[0] - meanLocal) < 1e-13)
        #expect(f.decay[0] == 1)
    }

    @Test func noSplitForTheOutputLayer() {
        let p = Problem<LSTM, Double>.random(Dims(n_x: 1, n_a: 1, n_y: 2, steps: 2, batch: 1), seed: 1)
        #expect(Explain.split(p, key: "Wy") == nil)
    }
}

/// The cells without a cell state split the same way, with nothing through c.
@Suite struct HiddenStateExplainTests {
    static let cases = Explain.parameters(RNN.self).map { ("rnn", $0.name) } + Explain.parameters(GRU.self).map { ("gru", $0.name) }
        + Explain.parameters(GRUResetBefore.self).map { ("gru-reset-before", $0.name) }

    @Test(arguments: cases)
    func partsAddUpToBPTTAndTheLocalPartsArePerStep(_ cell: String, _ key: String) throws {
        func split<C: HiddenStateCell>(_: C.Type) throws -> (ExplainReport, Double) {
            let p = Problem<C, Double>.random(Dims(n_x: 3, n_a: 5, n_y: 2, steps: 7, batch: 10), seed: 4)
            return (try #require(Explain.split(p, key: key)), Comparison.norm(Method<C>.perStep.compute(p)[key]!.data))
        }
        let (e, perStep) = cell == "rnn" ? try split(RNN.self) : cell == "gru" ? try split(GRU.self) : try split(GRUResetBefore.self)
        #expect(e.reconstructionError < 1e-12)
        #expect(e.steps.allSatisfy { $0.viaC == 0 })
        #expect(abs(e.localNorm - perStep) <= 1e-12 * e.localNorm)
    }
}
