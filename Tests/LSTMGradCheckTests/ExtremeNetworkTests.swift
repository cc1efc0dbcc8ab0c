import Testing
@testable import LSTMGradCheck

/// Networks at the edges of the number range: no tensor ever passes with a NaN or an infinity
/// anywhere in its row, whichever reference and precision decide it.
@Suite struct ExtremeNetworkTests {
    /// The default-sized network with `edit` applied.
    static func network(_ edit: (inout Problem<LSTM, Double>) -> Void, n_y: Int = 2, steps: Int = 5, scale: Double = 1) -> Problem<LSTM, Double> {
        var p = Problem<LSTM, Double>.random(Dims(n_x: 3, n_a: 4, n_y: n_y, steps: steps, batch: 3), seed: 7,
                                             scale: GenerationScale(weights: scale, inputs: 1))
        edit(&p)
        return p
    }

    static let cases: [(String, Problem<LSTM, Double>)] = [
        ("a weight of 1e308", network { $0.weights[.Wf].storage[0] = 1e308 }),
        ("a weight of -1e308", network { $0.weights[.Wo].storage[3] = -1e308 }),
        ("an output weight of 1e200", network { $0.weights[.Wy].storage[1] = 1e200 }),
        ("an input of 1e300", network { $0.x[2].storage[0] = 1e300 }),
        ("a float32 overflow (1e39)", network { $0.weights[.Wc].storage[2] = 1e39 }),
        ("saturated gates (weights ±50)", network({ _ in }, scale: 50)),
        ("one class: every gradient zero", network({ _ in }, n_y: 1)),
        // With c0 = 0 and one step the forget gate multiplies zero: dWf and dbf are exactly zero,
        // so an error estimate relative to them is infinite.
        ("one step: the forget gate's gradients exactly zero", network({ _ in }, steps: 1)),
        // Gates saturated so hard that float32's rounding is as large as the gradients.
        ("weights ±1000", network({ _ in }, scale: 1000)),
    ]

    @Test(arguments: cases.indices)
    func noTensorPassesWithANonFiniteNumberInItsRow(_ k: Int) {
        let (name, p) = Self.cases[k]
        for reference in CheckOptions.Reference.allCases {
            for precision in CheckOptions.Precision.allCases {
                let options = CheckOptions(reference: reference, precision: precision)
                let report = GradCheck.check(p, name: name, methods: LSTM.catalogue(steps: p.dims.steps), options: options)
                for m in report.methods {
                    for t in m.tensors where t.verdict == .pass {
                        let row = [t.relativeError, t.maxAbsError, t.norm, t.referenceNorm, t.threshold, t.referenceError, t.roundingFloor]
                            + t.elementScores
                        #expect(t.nonFinite == nil && row.allSatisfy(\.isFinite),
                                "\(name), \(reference), \(precision): \(m.name) \(t.key) passes with \(row.prefix(7))")
                        // No relative error exceeds 1, so a bound of 1 or more cannot tell right from wrong.
                        #expect(t.relativeError == 0 || t.threshold < 1,
                                "\(name), \(reference), \(precision): \(m.name) \(t.key) passes within \(t.threshold)")
                    }
                }
                // A network whose gradients are all zero decides nothing.
                if p.dims.n_y == 1 && reference == .exact { #expect(report.status == .inconclusive && report.vacuous != nil, "\(name)") }
            }
        }
    }
}
