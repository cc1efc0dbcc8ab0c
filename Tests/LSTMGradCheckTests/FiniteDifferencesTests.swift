import Foundation
import Testing
@testable import LSTMGradCheck

/// The finite-difference schemes and their error estimates, judged by `ExactGradient`.
@Suite struct FiniteDifferencesTests {
    /// The parallel `central` is still the plain serial formula, bit for bit.
    @Test func centralIsTheTwoPointQuotientOfEveryElement() {
        let p = upstreamProblem(Dims(n_x: 2, n_a: 3, n_y: 0, steps: 3, batch: 2), window: 2, seed: 6, withC0: true)
        let g = elementwiseCentral(p, step: 1e-4)
        for key in p.inputKeys {
            let values = p.tensor(key).data
            for (flat, theta) in values.enumerated() {
                var up = p, down = p
                up.set(key, flat, to: theta + 1e-4)
                down.set(key, flat, to: theta - 1e-4)
                let expected = ((up).loss - (down).loss) / ((theta + 1e-4) - (theta - 1e-4))
                #expect(g[key]?.data[flat] == expected, "\(key)[\(flat)]")
            }
        }
    }

    /// The element-by-element path (Richardson, the RNN) splits its work by `RunControl`:
    /// the same bits on 1 and 3 threads; a cancelled estimate answers nothing and says why, and
    /// a cancelled plain central difference throws.
    @Test func threadsChangeNothingAndAStopThrows() throws {
        let lstm = Problem<LSTM, Double>.random(Dims(n_x: 2, n_a: 3, n_y: 2, steps: 4, batch: 3), seed: 8)
        let rnn = Problem<RNN, Double>.random(Dims(n_x: 2, n_a: 3, n_y: 2, steps: 4, batch: 3), seed: 8)
        for scheme in FiniteDifferences.Scheme.allCases {
            let one = elementwiseEstimate(lstm, scheme: scheme, control: RunControl(threads: 1))
            let three = elementwiseEstimate(lstm, scheme: scheme, control: RunControl(threads: 3))
            #expect(one == three, "\(scheme)")
            let exact = exact(lstm)
            #expect(exact.keys.allSatisfy { key in
                zip(one.gradients[key]!.data, exact[key]!.data).allSatisfy { abs($0 - $1) <= 1e-6 * max(1, abs($1)) }
            })
        }
        let rnnOne = try FiniteDifferences.central(rnn, control: RunControl(threads: 1))
        #expect(rnnOne == (try FiniteDifferences.central(rnn, control: RunControl(threads: 2))))
        #expect(rnnOne == FiniteDifferences.central(rnn))
        let stopped = FiniteDifferences.estimate(rnn, scheme: .richardson, control: RunControl(isCancelled: { true }))
        #expect(stopped.stop?.reason == .cancelled && stopped.gradients.inputs.isEmpty)
        #expect(throws: Interruption.self) {
            try FiniteDifferences.central(rnn, control: RunControl(isCancelled: { true }))
        }
    }

    /// Central differences take the loss in `Double`, Richardson's in x87's 64-bit significand.
    @Test func stepsScaleWithTheElementAboveOne() {
        let eps = 0x1p-52
        #if arch(x86_64) && !os(Windows)
        let wide = 0x1p-63
        #else
        let wide = eps
        #endif
        func close(_ a: Double, _ b: Double) -> Bool { abs(a - b) <= 1e-15 * b }
        #expect(close(FiniteDifferences.step(for: 0, scheme: .central), 4 * cbrt(eps)))
        #expect(close(FiniteDifferences.step(for: 0.5, scheme: .richardson), pow(wide, 0.2)))
        #expect(close(FiniteDifferences.step(for: -10, scheme: .richardson), 10 * pow(wide, 0.2)))
    }

    /// Coverage: the estimate is at least the true error for ≥ 99% of elements; and it is
    /// not vacuous: the median of true error / estimate stays above 1e-4. Measured over
    /// these networks: coverage 100% for both schemes at every scale, median ratio
    /// 0.041–0.11 (central) and 0.028–0.053 (richardson), worst ratio 0.51.
    @Test(arguments: [0.1, 0.5, 1, 2, 5])
    func errorEstimateBoundsTheTrueError(_ scale: Double) {
        for scheme in FiniteDifferences.Scheme.allCases {
            var (elements, covered) = (0, 0)
            var ratios: [Double] = []
            for d in randomDims(count: 10, seed: 31) {
                let labels = Problem<LSTM, Double>.random(d, seed: UInt64(d.n_a * 31 + d.steps), scale: GenerationScale(weights: scale, inputs: scale))
                var upstream = upstreamProblem(d, window: d.steps, seed: 3, withC0: true)
                upstream.weights = upstream.weights.map { _, m in m.map { $0 * scale } }
                for p in [labels, upstream] {
                    let exact = exact(p)
                    let numerical = FiniteDifferences.estimate(p, scheme: scheme)
                    #expect(numerical.errorEstimate.keys == exact.keys)
                    for key in exact.keys {
                        let (e, g, bound) = (exact[key]!.data, numerical.gradients[key]!.data, numerical.errorEstimate[key]!.data)
                        for k in e.indices {
                            let error = abs(g[k] - e[k])
                            elements += 1
                            if error <= bound[k] { covered += 1 }
                            // n_y = 1 makes L ≡ 0: no error and a zero bound, no ratio.
                            if bound[k] > 0 { ratios.append(error / bound[k]) }
                        }
                    }
                }
            }
            let median = ratios.sorted()[ratios.count / 2]
            #expect(Double(covered) >= 0.99 * Double(elements), "\(scheme) at scale \(scale): \(covered) of \(elements)")
            #expect(median >= 1e-4, "\(scheme) at scale \(scale): median \(median)")
        }
    }

    /// On the default network, as the worst tensor's ‖num − exact‖ / ‖exact‖. Measured:
    /// richardson 1.9e-13, central (c = 4) 2.3e-9 element by element and 2.4e-10 batched,
    /// `central(_:)` at h = 1e-5 4.8e-9. With
    /// the loss in `Double` Richardson reached 1.0e-10 only: both schemes were held down by
    /// the rounding of the loss (≈ 0.3·ε·|L|, |L| ≈ 47 over 70 terms), and a fourth-order
    /// scheme gains only (δ/|L'|)^{−2/15}, 20–50×, from that. In Float80 (2⁻⁶³) its steps
    /// can be 5× smaller and its truncation error 600× smaller before rounding catches up.
    @Test func richardsonIsMoreAccurateThanCentral() {
        let p = Problem<LSTM, Double>.random(Dims(n_x: 3, n_a: 5, n_y: 2, steps: 7, batch: 10), seed: 1)
        let exact = exact(p)
        func error(_ g: Gradients<LSTM>) -> Double {
            exact.keys.map { key in
                let (a, b) = (g[key]!.data, exact[key]!.data)
                let d = zip(a, b).map { ($0 - $1) * ($0 - $1) }.reduce(0, +)
                return (d / b.map { $0 * $0 }.reduce(0, +)).squareRoot()
            }.max()!
        }
        let richardson = error(FiniteDifferences.estimate(p, scheme: .richardson).gradients)
        let central = error(FiniteDifferences.estimate(p, scheme: .central).gradients)
        // What `check --fd central` runs: the same steps, loss differences summed step by step.
        let batched = error(batchedEstimate(p, control: RunControl()).gradients)
        print("default network: richardson \(richardson), central \(central) (batched \(batched)), ratios \(central / richardson), \(batched / richardson)")
        #if arch(x86_64) && !os(Windows)
        #expect(richardson <= 1e-12)
        #expect(central >= 100 * richardson)
        #expect(batched >= 100 * richardson)
        #else
        #expect(richardson <= 2e-10)
        #expect(central >= 10 * richardson)
        #endif
        #expect(error(FiniteDifferences.central(p)) >= 25 * richardson)
    }
}

/// Single precision runs the same forward pass and the same generic routes.
@Suite struct FloatTests {
    @Test func float32ProblemGivesTheLossAndGradientsToSinglePrecision() {
        let p = Problem<LSTM, Double>.random(Dims(n_x: 3, n_a: 5, n_y: 2, steps: 7, batch: 10), seed: 1)
        let f = p.converted(to: Float.self)
        #expect(f.inputs == p.inputs)
        let (L32, L64) = (Double((f).loss), (p).loss)
        #expect(abs(L32 - L64) <= 1e-5 * abs(L64), "\(L32) vs \(L64)")
        // Measured: worst tensor 1.0e-7 from the Float32 route to the exact Double gradient.
        let worst = worstRelativeError(BPTT.definition(f), exact(p))
        #expect(worst.error <= 1e-5, "\(worst.key) \(worst.error)")
    }
}
