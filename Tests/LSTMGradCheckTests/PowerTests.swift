import Testing
@testable import LSTMGradCheck

/// What a network can prove (`Power`): a wrong derivation counts as caught exactly when it is
/// measurably away from the exact gradient, and no report calls caught what it shows passing.
@Suite struct PowerTests {
    /// Over random networks, one step or several: caught where the derivation's float64
    /// gradient is far from the exact one (here more than 1e-8 somewhere), unnoticed where it
    /// equals it to rounding (less than 1e-13); the few in between are not asked about.
    @Test func caughtIsFarFromTheExactGradientAndUnnoticedIsEqualToIt() {
        var g = SeededGenerator(seed: 44)
        var seen = (caught: 0, unnoticed: 0)
        for _ in 0..<30 {
            let d = Dims(n_x: 1 + g.index(3), n_a: 1 + g.index(3), n_y: 2 + g.index(2), steps: 1 + g.index(4), batch: 1 + g.index(3))
            let p = Problem<LSTM, Double>.random(d, seed: g.next())
            let exact = exact(p)
            let power = Power.of(p, exact: exact)
            #expect(Set(power.caught).isDisjoint(with: power.unnoticed))
            for method in LSTM.catalogue(steps: d.steps) where method.expectation == .wrong {
                let deviation = worstRelativeError(method.compute(p), exact).error
                if deviation > 1e-8 {
                    #expect(power.caught.contains(method.name), "\(method.name) \(d): \(deviation)")
                    seen.caught += 1
                } else if deviation < 1e-13 {
                    #expect(power.unnoticed.contains(method.name), "\(method.name) \(d): \(deviation)")
                    seen.unnoticed += 1
                }
            }
            // One step carries nothing: every mistake of the carry passes there, and it is said why.
            if d.steps == 1 { #expect(power.unnoticed.contains("per-step") && power.reason != nil) }
        }
        #expect(seen.caught > 0 && seen.unnoticed > 0)
    }

    /// A check whose bound is wide enough to let a wrong derivation through (`--tolerance`
    /// 0.99) counts it as unnoticed: the closing sentence does not call it caught.
    @Test func aDerivationTheCheckLetsThroughIsNotCalledCaught() {
        let p = Problem<LSTM, Double>.random(Dims(n_x: 3, n_a: 5, n_y: 2, steps: 7, batch: 10), seed: 1)
        let strict = GradCheck.check(p, name: "p", methods: LSTM.coreMethods)
        #expect(strict.power.caught.contains("per-step") && strict.conclusion.contains("every wrong derivation in the catalogue would be caught"))
        let loose = GradCheck.check(p, name: "p", methods: LSTM.coreMethods, options: CheckOptions(tolerance: 0.99))
        let perStep = loose.methods.first { $0.name == "per-step" }
        #expect(perStep?.outcome == .matches)
        #expect(loose.power.unnoticed.contains("per-step") && !loose.power.caught.contains("per-step"))
        #expect(!loose.conclusion.contains("every wrong derivation in the catalogue would be caught"))
        #expect(loose.conclusion.contains("per-step would pass unnoticed"), "\(loose.conclusion)")
    }
}
