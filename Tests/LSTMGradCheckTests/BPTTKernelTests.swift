import Testing
@testable import LSTMGradCheck

/// The Double kernel path of `bptt` against the generic derivation it specialises.
@Suite struct BPTTKernelTests {
    static let problems: [String: LSTMProblem<Double>] = {
        var out: [String: LSTMProblem<Double>] = [:]
        for (k, d) in randomDims(count: 16, seed: 71).enumerated() {
            out["labels n_x \(d.n_x) n_a \(d.n_a) n_y \(d.n_y) T \(d.steps) m \(d.batch)"] = LSTMProblem.random(d, seed: UInt64(k))
        }
        out["upstream T′ 3 of 6, c0"] = upstreamProblem(LSTMDims(n_x: 3, n_a: 5, n_y: 0, steps: 6, batch: 4), window: 3, seed: 3, withC0: true)
        out["upstream ones"] = upstreamProblem(LSTMDims(n_x: 1, n_a: 1, n_y: 0, steps: 1, batch: 1), window: 1, seed: 6)
        out["wider than a tile"] = LSTMProblem.random(LSTMDims(n_x: 9, n_a: 21, n_y: 7, steps: 9, batch: 19), seed: 2)
        out["saturated gates"] = LSTMProblem.random(LSTMDims(n_x: 3, n_a: 4, n_y: 3, steps: 8, batch: 3), seed: 4,
                                                    scale: GenerationScale(weights: 6, inputs: 1))
        return out
    }()

    @Test(arguments: problems.keys.sorted())
    func agreesWithTheGenericDerivation(_ name: String) {
        let p = Self.problems[name]!
        let fast = BPTTKernel.gradients(p), definition = BPTT.definition(p)
        #expect(fast.keys == definition.keys)
        for key in definition.keys {
            #expect(fast[key]?.shape == definition[key]?.shape, "\(key)")
            #expect(relativeError(fast[key]!, definition[key]!) <= 1e-12, "\(key)")
        }
    }

    @Test func theBPTTMethodTakesTheKernelPathInDouble() {
        let p = Self.problems["wider than a tile"]!
        #expect(LSTMMethod.bptt.compute(p) == BPTTKernel.gradients(p))
    }
}
