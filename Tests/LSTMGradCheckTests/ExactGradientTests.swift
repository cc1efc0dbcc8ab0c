import Foundation
import Testing
@testable import LSTMGradCheck

/// The forward-mode reference against the analytic routes: two independent ways to
/// the same derivative, so they must agree to rounding.
@Suite struct ExactGradientTests {
    @Test(arguments: randomDims(count: 24, seed: 17))
    func agreesWithBPTTToRounding(_ d: Dims) {
        let p = Problem<LSTM, Double>.random(d, seed: UInt64(d.n_x * 1000 + d.n_a * 100 + d.steps * 10 + d.batch))
        let exact = exact(p)
        #expect(exact.keys == p.inputKeys)
        // Measured: at most 2.2e-14 over these sizes, labels and upstream.
        let worst = worstRelativeError(exact, Method<LSTM>.bptt.compute(p))
        #expect(worst.error <= 1e-13, "\(d): \(worst.key) \(worst.error)")
    }

    @Test(arguments: randomDims(count: 12, seed: 23))
    func agreesWithBPTTUpstreamWithC0(_ d: Dims) {
        let p = upstreamProblem(d, window: max(1, d.steps - 1), seed: UInt64(d.n_a * 7 + d.steps), withC0: true)
        let exact = exact(p)
        #expect(exact.keys == p.inputKeys)
        let worst = worstRelativeError(exact, Method<LSTM>.bptt.compute(p))
        #expect(worst.error <= 1e-13, "\(d): \(worst.key) \(worst.error)")
    }

    /// More elements than lanes, so several passes and a part-filled last one.
    @Test func dualNumbersGiveTheSameBitsOnOneThreadAndOnMany() throws {
        let p = Problem<LSTM, Double>.random(Dims(n_x: 3, n_a: 4, n_y: 3, steps: 5, batch: 3), seed: 4)
        let one = try ExactGradient.dualNumbers(p, control: RunControl(threads: 1))
        #expect(try ExactGradient.dualNumbers(p, control: RunControl(threads: 2)) == one)
    }

    @Test func primalIsTheDoubleLossBitForBit() {
        for d in randomDims(count: 6, seed: 3) {
            let p = Problem<LSTM, Double>.random(d, seed: 12, scale: GenerationScale(weights: 3, inputs: 2))
            #expect((p.converted(to: Dual.self)).loss.value == (p).loss)
        }
    }
}
