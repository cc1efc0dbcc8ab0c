import Foundation
import Testing
@testable import LSTMGradCheck

/// The forward-mode reference against the analytic routes: two independent ways to
/// the same derivative, so they must agree to rounding.
@Suite struct ExactGradientTests {
    @Test(arguments: randomDims(count: 24, seed: 17))
    func agreesWithBPTTToRounding(_ d: LSTMDims) {
        let p = LSTMProblem.random(d, seed: UInt64(d.n_x * 1000 + d.n_a * 100 + d.steps * 10 + d.batch))
        let exact = ExactGradient.gradients(p)
        #expect(exact.keys == p.inputKeys)
        let worst = worstRelativeError(exact, Method.bptt.compute(p))
        #expect(worst.error <= 1e-13, "\(d): \(worst.key) \(worst.error)")
    }

    @Test(arguments: randomDims(count: 12, seed: 23))
    func agreesWithBPTTInUpstreamModeWithC0(_ d: LSTMDims) {
        let p = upstreamProblem(d, window: max(1, d.steps - 1), seed: UInt64(d.n_a * 7 + d.steps), withC0: true)
        let exact = ExactGradient.gradients(p)
        #expect(exact.keys == p.inputKeys)
        let worst = worstRelativeError(exact, Method.bptt.compute(p))
        #expect(worst.error <= 1e-13, "\(d): \(worst.key) \(worst.error)")
    }
}
