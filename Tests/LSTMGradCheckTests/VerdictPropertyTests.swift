import Foundation
import Testing
@testable import LSTMGradCheck

/// The verdict is never wrong: over many random networks, sizes and scales, in both
/// precisions, every correct derivation passes and every wrong one that is really
/// wrong fails.
@Suite struct VerdictPropertyTests {
    /// A derivation counts as really wrong when its float64 gradient is this far from the
    /// exact one somewhere; below, its mistake has vanished on that network (one class, or
    /// saturated gates, make the carried terms vanish), and no verdict can be asked of it.
    /// In float32 a mistake must stand clear of float32's own rounding to be seen.
    static func reallyWrong(_ p: CheckOptions.Precision) -> Double { p == .float32 ? 1e-4 : 1e-10 }

    @Test func verdictsMatchTheTruthOverFiveHundredNetworks() {
        var g = SeededGenerator(seed: 2026)
        var worstCorrect = 0.0, worstWrong = Double.infinity
        var networks = 0, decided = 0, vanished = 0
        for _ in 0..<500 {
            // n_y ≥ 2: with one class the loss is constant and every gradient zero.
            let d = Dims(n_x: 1 + g.index(3), n_a: 1 + g.index(4), n_y: 2 + g.index(3), steps: 3 + g.index(4), batch: 1 + g.index(3))
            // Scales from 0.1 to 5, log-uniform.
            let scale = 0.1 * pow(50, g.unit())
            let p = Problem<LSTM, Double>.random(d, seed: g.next(), scale: GenerationScale(weights: scale, inputs: 1))
            let methods = LSTM.catalogue(steps: d.steps)
            let exact = exact(p)
            for precision in CheckOptions.Precision.allCases {
                let report = GradCheck.check(p, name: "p", methods: methods,
                                             options: CheckOptions(precision: precision, showNumerical: false))
                for (m, method) in zip(report.methods, methods) {
                    let margin = m.tensors.map { $0.relativeError / $0.threshold }.max() ?? 0
                    if m.expectation == .correct {
                        #expect(m.matches, "false alarm: \(m.name) \(precision) \(d) scale \(scale)")
                        worstCorrect = max(worstCorrect, margin)
                        continue
                    }
                    let deviation = worstRelativeError(method.compute(p), exact).error
                    guard deviation > Self.reallyWrong(precision) else {
                        vanished += 1
                        continue
                    }
                    decided += 1
                    #expect(m.outcome == .mismatch, "missed error: \(m.name) \(precision) \(d) scale \(scale) deviation \(deviation)")
                    worstWrong = min(worstWrong, margin)
                }
            }
            networks += 1
        }
        // Margins: the worst correct derivation used this fraction of its bound, the closest
        // wrong one exceeded its bound by this factor.
        print("verdicts over \(networks) networks × 2 precisions: worst correct at \(sci(worstCorrect)) of its bound; closest wrong \(sci(worstWrong))× its bound (\(decided) wrong verdicts checked, \(vanished) where the mistake vanished)")
        #expect(worstCorrect < 1 && worstWrong > 1)
    }
}
