import Foundation
import Testing
@testable import LSTMGradCheck

/// The batched tangents against forward mode on the generic forward pass (dual numbers):
/// the same derivative by the same method, summed in other orders, so they agree to rounding.
@Suite struct BatchedTangentsTests {
    static let problems: [String: Problem<LSTM, Double>] = {
        var out = namedProblems(count: 14, seed: 61)
        out["n_x 1, T 1, m 1"] = Problem<LSTM, Double>.random(Dims(n_x: 1, n_a: 3, n_y: 2, steps: 1, batch: 1), seed: 8)
        out["m 1, T 6"] = Problem<LSTM, Double>.random(Dims(n_x: 2, n_a: 4, n_y: 3, steps: 6, batch: 1), seed: 9)
        out["saturated weights ±5, m 3"] = Problem<LSTM, Double>.random(Dims(n_x: 3, n_a: 4, n_y: 3, steps: 5, batch: 3), seed: 10,
                                                             scale: GenerationScale(weights: 5, inputs: 2))
        out["more columns than a batch"] = Problem<LSTM, Double>.random(Dims(n_x: 5, n_a: 9, n_y: 4, steps: 4, batch: 5), seed: 11)
        out["m 11: a whole vector of columns and a part"] = Problem<LSTM, Double>.random(Dims(n_x: 2, n_a: 3, n_y: 4, steps: 3, batch: 11), seed: 13)
        out["upstream, m 1"] = upstreamProblem(Dims(n_x: 2, n_a: 3, n_y: 0, steps: 4, batch: 1), window: 2, seed: 12)
        return out
    }()

    @Test(arguments: problems.keys.sorted())
    func agreesWithDualNumbersToRounding(_ name: String) throws {
        let p = Self.problems[name]!
        let batched = exact(p)
        let dual = try ExactGradient.dualNumbers(p, control: RunControl())
        #expect(batched.keys == dual.keys)
        try #require(batched.keys.map { batched[$0]?.shape } == dual.keys.map { dual[$0]?.shape })
        // Measured: at most 1.5e-15 over these problems.
        let worst = worstRelativeError(batched, dual)
        #expect(worst.error <= 1e-13, "\(worst.key): \(worst.error)")
    }

    @Test(arguments: problems.keys.sorted())
    func agreesWithBPTT(_ name: String) {
        let p = Self.problems[name]!
        let worst = worstRelativeError(exact(p), Method<LSTM>.bptt.compute(p))
        #expect(worst.error <= 1e-12, "\(worst.key): \(worst.error)")
    }

    @Test func bitIdenticalWhateverTheThreadCount() throws {
        let p = Problem<LSTM, Double>.random(Dims(n_x: 4, n_a: 7, n_y: 3, steps: 5, batch: 3), seed: 77)
        let runs = try [1, 2, 3].map { threads throws(Interruption) in try ExactGradient.gradients(p, control: RunControl(threads: threads)) }
        #expect(runs.allSatisfy { $0 == runs[0] })
    }

    /// Inputs after the last step of an upstream target reach no term of the loss.
    @Test func stepsPastTheUpstreamWindowGetExactZeros() {
        let p = upstreamProblem(Dims(n_x: 2, n_a: 3, n_y: 0, steps: 6, batch: 2), window: 3, seed: 12)
        let dx = exact(p)["x"]!
        let past = dx.data.indices.filter { dx.index(ofFlat: $0)[2] >= 3 }
        #expect(!past.isEmpty && past.allSatisfy { dx.data[$0] == 0 })
        #expect(dx.data.indices.contains { !past.contains($0) && dx.data[$0] != 0 })
    }

    @Test func aCancelledRunThrowsWithItsProgress() {
        let p = Problem<LSTM, Double>.random(Dims(n_x: 3, n_a: 4, n_y: 3, steps: 5, batch: 2), seed: 5)
        #expect(throws: Interruption.self) {
            try ExactGradient.gradients(p, control: RunControl(threads: 2, isCancelled: { true }))
        }
        do {
            _ = try ExactGradient.gradients(p, control: RunControl(threads: 1, deadline: .now))
            Issue.record("a passed deadline must stop the run")
        } catch {
            #expect(error.reason == .deadline && error.done == 0 && error.total > 0)
        }
    }

    /// Progress comes after each batch, grows, and ends at the total the run planned.
    @Test func progressReachesItsTotal() throws {
        final class Seen: @unchecked Sendable {   // written under Workers' lock, read after the run
            var reports: [(phase: Phase, done: Int, total: Int)] = []
        }
        let seen = Seen()
        let p = Problem<LSTM, Double>.random(Dims(n_x: 3, n_a: 9, n_y: 3, steps: 4, batch: 5), seed: 6)
        _ = try ExactGradient.gradients(p, control: RunControl(threads: 2, progress: { seen.reports.append(($0, $1, $2)) }))
        let done = seen.reports.map(\.done)
        #expect(done.count > 1 && done == done.sorted())
        #expect(seen.reports.last.map { $0.done == $0.total } == true)
        #expect(seen.reports.allSatisfy { $0.phase == .exactReference })
    }

    /// A problem that is not an LSTM in Double keeps forward mode on its generic pass.
    @Test func otherCellsTakeDualNumbers() throws {
        let p = Problem<RNN, Double>.random(Dims(n_x: 2, n_a: 3, n_y: 2, steps: 4, batch: 2), seed: 3)
        #expect(try ExactGradient.gradients(p, control: RunControl(threads: 1)) == ExactGradient.dualNumbers(p, control: RunControl(threads: 2)))
    }
}
