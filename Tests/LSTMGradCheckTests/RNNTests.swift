import Foundation
import Testing
@testable import LSTMGradCheck

/// The course's plain RNN: its routes against each other, finite differences and a case on paper.
@Suite struct RNNTests {
    @Test(arguments: randomDims(count: 16, seed: 51))
    func routesAgreeWithEachOtherAndWithFiniteDifferences(_ d: Dims) {
        let p = Problem<RNN, Double>.random(d, seed: UInt64(d.n_a * 31 + d.steps))
        let bptt = Method<RNN>.bptt.compute(p), coursera = Method<RNN>.coursera.compute(p)
        #expect(bptt.keys == ["Waa", "Wax", "ba", "Wya", "by", "a0", "x"])
        #expect(worstRelativeError(bptt, coursera).error < 1e-12, "\(d)")
        #expect(worstRelativeError(bptt, FiniteDifferences.central(p)).error < 1e-6, "\(d)")
        let perStep = Method<RNN>.perStep.compute(p)
        if d.steps == 1 {
            #expect(worstRelativeError(perStep, bptt).error < 1e-14)
        } else {
            #expect(relativeError(perStep["Waa"]!, bptt["Waa"]!) > 1e-4 || Comparison.norm(bptt["Waa"]!.data) < 1e-12, "\(d)")
        }
    }

    /// n_a = n_x = 1, T_x = 2, m = 1, upstream da only at the last step, ba = 0:
    /// a_1 = tanh(w·a_0 + u·x_1), a_2 = tanh(w·a_1 + u·x_2), L = a_2, so with g_t = 1 − a_t²:
    /// ∂L/∂u = g_2·(x_2 + w·g_1·x_1), ∂L/∂w = g_2·(a_1 + w·g_1·a_0), ∂L/∂a_0 = g_2·w·g_1·w.
    @Test func twoStepsOnPaper() {
        let (w, u, a0, x1, x2) = (0.7, -1.3, 0.4, 0.9, -0.5)
        let given: [RNN.Parameter: Matrix<Double>] = [.Waa: Matrix(rows: 1, cols: 1, storage: [w]), .Wax: Matrix(rows: 1, cols: 1, storage: [u]),
                                                      .ba: Matrix(rows: 1, cols: 1), .Wya: Matrix(rows: 0, cols: 1), .by: Matrix(rows: 0, cols: 1)]
        let p = Problem<RNN, Double>(weights: Weights { given[$0]! },
                           a0: Matrix(rows: 1, cols: 1, storage: [a0]),
                           x: [Matrix(rows: 1, cols: 1, storage: [x1]), Matrix(rows: 1, cols: 1, storage: [x2])],
                           target: .upstream([Matrix(rows: 1, cols: 1), Matrix(rows: 1, cols: 1, storage: [1])]))
        let a1 = tanh(w * a0 + u * x1), a2 = tanh(w * a1 + u * x2)
        let g1 = 1 - a1 * a1, g2 = 1 - a2 * a2
        for method in [Method<RNN>.bptt, .coursera] {
            let g = method.compute(p)
            #expect(abs(g["Wax"]!.data[0] - g2 * (x2 + w * g1 * x1)) < 1e-15)
            #expect(abs(g["Waa"]!.data[0] - g2 * (a1 + w * g1 * a0)) < 1e-15)
            #expect(abs(g["a0"]!.data[0] - g2 * w * g1 * w) < 1e-15)
            #expect(abs(g["ba"]!.data[0] - g2 * (1 + w * g1)) < 1e-15)
        }
        // Without the carry only the last step's own term is left.
        #expect(abs(Method<RNN>.perStep.compute(p)["Wax"]!.data[0] - g2 * x2) < 1e-15)
    }

}
