import Foundation
import Testing
@testable import LSTMGradCheck

/// Cases small enough to derive on paper, checked against every route.
@Suite struct ClosedFormTests {
    /// n_a = n_x = 1, T_x = m = 1, every weight zero, L = a_1 (upstream da = 1).
    /// Then f = i = o = σ(0) = ½, c̃ = 0, c_1 = ½c_0, a_1 = ½·tanh(½c_0), and with
    /// τ = tanh(c_1), g = 1 − τ²:
    ///   ∂L/∂bo = τ·¼,   ∂L/∂c_1 = ½g,   ∂L/∂bf = ½g·c_0·¼,   ∂L/∂bi = ½g·c̃·¼ = 0,
    ///   ∂L/∂bc = ½g·i·(1 − c̃²) = ¼g,   ∂L/∂c_0 = ½g·f = ¼g,
    ///   ∂L/∂W· = ∂L/∂b· · [a_0, x],  ∂L/∂a_0 = ∂L/∂x = 0 (every weight is zero).
    @Test(arguments: ["bptt", "coursera", "per-step", "numerical", "exact"])
    func singleUnitWithZeroWeights(_ method: String) throws {
        let (a0, x, c0) = (0.3, -0.7, 1.0)
        let zero2 = Matrix<Double>(rows: 1, cols: 2), zero1 = Matrix<Double>(rows: 1, cols: 1)
        let params = Weights<LSTM, Double> { p in p == .Wy || p == .by ? Matrix(rows: 0, cols: 1) : p.isWeight ? zero2 : zero1 }
        let p = Problem<LSTM, Double>(weights: params, a0: Matrix(rows: 1, cols: 1, storage: [a0]),
                            c0: Matrix(rows: 1, cols: 1, storage: [c0]),
                            x: [Matrix(rows: 1, cols: 1, storage: [x])], target: .upstream([Matrix(rows: 1, cols: 1, storage: [1])]))
        let tau = tanh(0.5 * c0), g = 1 - tau * tau
        let expected: [String: [Double]] = [
            "bo": [tau / 4], "Wo": [tau / 4 * a0, tau / 4 * x],
            "bf": [g * c0 / 8], "Wf": [g * c0 / 8 * a0, g * c0 / 8 * x],
            "bi": [0], "Wi": [0, 0],
            "bc": [g / 4], "Wc": [g / 4 * a0, g / 4 * x],
            "a0": [0], "c0": [g / 4], "x": [0],
        ]
        let grads = method == "exact" ? exact(p) : try #require(LSTM.method(named: method, steps: 1)).compute(p)
        #expect(Set(grads.keys) == Set(expected.keys))
        let tolerance = method == "numerical" ? 1e-9 : 1e-15
        for (key, values) in expected {
            let got = try #require(grads[key]).data
            for (a, b) in zip(got, values) { #expect(abs(a - b) <= tolerance, "\(method) \(key): \(a) vs \(b)") }
        }
    }

    /// Every weight zero: a_t = 0, ŷ_t uniform, so L = T_x·m·log n_y exactly, and
    /// dby = Σ_t Σ_j (1/n_y − onehot(y_tj)), dWy = 0 (it multiplies a_t = 0).
    @Test func uniformSoftmaxWhenEveryWeightIsZero() throws {
        let d = Dims(n_x: 2, n_a: 3, n_y: 4, steps: 5, batch: 3)
        var p = Problem<LSTM, Double>.random(d, seed: 9)
        p.weights = p.weights.zeros
        p.a0 = Matrix(rows: 3, cols: 3)
        #expect(abs((p).loss - 5 * 3 * log(4.0)) < 1e-12)
        guard case .labels(let labels) = p.target else { throw Failure.notLabels }
        var dby = Array(repeating: 0.0, count: 4)
        for step in labels {
            for k in step {
                for c in 0..<4 { dby[c] += 0.25 - (c == k ? 1 : 0) }
            }
        }
        for (name, g) in [Method<LSTM>.bptt, .coursera, .perStep].map({ ($0.name, $0.compute(p)) }) + [("exact", exact(p))] {
            #expect(zip(try #require(g["by"]).data, dby).allSatisfy { abs($0 - $1) < 1e-14 }, "\(name)")
            #expect(try #require(g["Wy"]).data.allSatisfy { $0 == 0 })
        }
    }

    enum Failure: Error { case notLabels }
}

@Suite struct NumericsTests {
    @Test func sigmoidIsFiniteAndExactAtTheExtremes() {
        #expect(Double.sigmoid(1000) == 1)
        #expect(Double.sigmoid(-1000) == 0)
        #expect(Double.sigmoid(0) == 0.5)
        #expect(abs(Double.sigmoid(-30) - exp(-30) / (1 + exp(-30))) < 1e-28)
        #expect(Float.sigmoid(-200) == 0)
    }

    @Test func softmaxAndLossStayFiniteForHugeLogits() {
        let z = Matrix<Double>(rows: 3, cols: 2, storage: [1000, 0, 0, 0, -1000, -1000])
        let p = Softmax.probabilities(z)
        #expect(p.storage == [1, 0.5, 0, 0.5, 0, 0])
        // log ŷ of a class 2000 below the best is −2000, not −∞.
        #expect(Softmax.logLikelihood(z, labels: [2, 0]) == -2000 + -log(2.0))
    }

    @Test func saturatedNetworkHasFiniteLossAndGradients() {
        let p = Problem<LSTM, Double>.random(Dims(n_x: 2, n_a: 3, n_y: 2, steps: 4, batch: 2), seed: 2,
                                   scale: GenerationScale(weights: 1000, inputs: 1))
        #expect((p).loss.isFinite)
        let g = Method<LSTM>.bptt.compute(p)
        #expect(g.keys.allSatisfy { g[$0]!.data.allSatisfy(\.isFinite) })
    }
}
