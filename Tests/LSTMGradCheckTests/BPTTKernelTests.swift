import Testing
@testable import LSTMGradCheck

/// The Double kernel path of `bptt` against the generic derivation it specialises.
@Suite struct BPTTKernelTests {
    static let problems = namedProblems(count: 16, seed: 71).merging(
        ["wider than a tile": Problem<LSTM, Double>.random(Dims(n_x: 9, n_a: 21, n_y: 7, steps: 9, batch: 19), seed: 2)]) { $1 }

    @Test(arguments: problems.keys.sorted())
    func agreesWithTheGenericDerivation(_ name: String) throws {
        let p = Self.problems[name]!
        let fast = try #require(BPTTKernel.gradients(p)), definition = BPTT.definition(p)
        #expect(fast.keys == definition.keys)
        for key in definition.keys {
            #expect(fast[key]?.shape == definition[key]?.shape, "\(key)")
            #expect(relativeError(fast[key]!, definition[key]!) <= 1e-12, "\(key)")
        }
    }

    @Test func theBPTTMethodTakesTheKernelPathInDouble() throws {
        let p = Self.problems["wider than a tile"]!
        #expect(Method<LSTM>.bptt.compute(p) == (try #require(BPTTKernel.gradients(p))))
    }
}
