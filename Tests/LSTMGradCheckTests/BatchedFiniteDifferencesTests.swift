import Foundation
import Testing
@testable import LSTMGradCheck

/// The batched central differences against the element-by-element definition.
@Suite struct BatchedFiniteDifferencesTests {
    static let problems = namedProblems(count: 12, seed: 53)

    /// Both quotients share h, so their truncation errors cancel; what remains is rounding in
    /// the losses, about ε·|L|/h. With h = 1e-3 that is far below 1e-8 of any tensor here.
    @Test(arguments: problems.keys.sorted())
    func agreesWithTheElementByElementDefinition(_ name: String) {
        let p = Self.problems[name]!
        let batched = batchedCentral(p, step: 1e-3, threads: 2)
        let reference = elementwiseCentral(p, step: 1e-3)
        #expect(batched.keys == reference.keys)
        for key in reference.keys {
            #expect(batched[key]?.shape == reference[key]?.shape, "\(key)")
            let e = relativeError(batched[key]!, reference[key]!)
            #expect(e <= 1e-8, "\(key): \(e)")
        }
    }

    /// At the default h = 1e-5 the reference's own rounding, up to ulp(L)/h per element, is up
    /// to 3e-8 of a tensor whose gradient is small (‖dWf‖ ≈ 4e-4 with n_a = 1): the two agree
    /// to within that floor, element by element.
    @Test(arguments: problems.keys.sorted())
    func agreesToTheRoundingOfTheDefaultStep(_ name: String) {
        let p = Self.problems[name]!, h = FiniteDifferences.defaultStep
        let batched = batchedCentral(p, threads: 2), reference = elementwiseCentral(p)
        let floor = 2 * 0x1p-52 * max(abs(p.loss), 1) / h
        for key in reference.keys {
            for (b, r) in zip(batched[key]!.data, reference[key]!.data) {
                #expect(abs(b - r) <= 1e-8 * max(abs(b), abs(r)) + floor, "\(key): \(b) vs \(r)")
            }
        }
    }

    /// `estimate`'s quotients D(h), D(2h) come from two forward passes of different code (the
    /// generic `LSTM.forward` and the kernel), so each differs by the rounding of the losses,
    /// which the estimate bounds by δ per loss: 2δ/2h per quotient, and as much again for the
    /// error estimate built from two quotients. Nothing else may differ.
    @Test(arguments: problems.keys.sorted())
    func theEstimateEqualsTheElementByElementOneToRounding(_ name: String) {
        let p = Self.problems[name]!
        let batched = batchedEstimate(p, control: RunControl(threads: 2))
        let generic = elementwiseEstimate(p, scheme: .central)
        #expect(batched.stop == nil)
        #expect(batched.gradients.keys == generic.gradients.keys && batched.errorEstimate.keys == generic.errorEstimate.keys)
        let delta = FiniteDifferences.roundingBound(p)
        for key in generic.gradients.keys {
            let thetas = p.tensor(key).data
            let pairs = zip(zip(batched.gradients[key]!.data, generic.gradients[key]!.data),
                            zip(batched.errorEstimate[key]!.data, generic.errorEstimate[key]!.data))
            for (k, ((b, g), (eb, eg))) in pairs.enumerated() {
                let h = FiniteDifferences.step(for: thetas[k], scheme: .central)
                let rounding = 2 * delta / (2 * h)
                #expect(abs(b - g) <= rounding, "\(key)[\(k)]: \(b) vs \(g)")
                #expect(abs(eb - eg) <= 2 * rounding, "\(key)[\(k)] error: \(eb) vs \(eg)")
                // The estimate's own rounding term is the same number in both.
                #expect(eb >= 2 * delta / ((thetas[k] + h) - (thetas[k] - h)))
            }
        }
    }

    @Test func aStoppedEstimateKeepsWholeTensorsOnly() {
        let p = Problem<LSTM, Double>.random(Dims(n_x: 3, n_a: 4, n_y: 2, steps: 4, batch: 3), seed: 5)
        let full = batchedEstimate(p, control: RunControl(threads: 1))
        // A cancellation after the first few pieces: whatever finished is whole and the same bits.
        let calls = Calls()
        let partial = batchedEstimate(p, control: RunControl(
            threads: 1, progress: calls.record, isCancelled: { calls.calls.count >= 3 }))
        #expect(partial.stop?.reason == .cancelled)
        #expect(partial.gradients.keys.count < p.inputKeys.count)
        #expect(partial.gradients.keys == Array(p.inputKeys.prefix(partial.gradients.keys.count)))
        for key in partial.gradients.keys {
            #expect(partial.gradients[key] == full.gradients[key] && partial.errorEstimate[key] == full.errorEstimate[key], "\(key)")
        }
    }

    @Test func stepsPastTheUpstreamWindowGetExactZeros() {
        let p = upstreamProblem(Dims(n_x: 2, n_a: 3, n_y: 0, steps: 6, batch: 2), window: 3, seed: 12)
        let dx = batchedCentral(p)["x"]!
        for k in dx.data.indices where dx.index(ofFlat: k)[2] >= 3 { #expect(dx.data[k] == 0) }
        #expect(dx.data.contains { $0 != 0 })
    }

    @Test func bitIdenticalWhateverTheThreadCount() {
        let p = Problem<LSTM, Double>.random(Dims(n_x: 4, n_a: 6, n_y: 3, steps: 5, batch: 3), seed: 77)
        let one = batchedCentral(p, threads: 1)
        for threads in [2, 3, 8] { #expect(batchedCentral(p, threads: threads) == one, "\(threads)") }
    }

    @Test func aChosenElementGetsTheBitsOfTheFullRun() {
        // A column's arithmetic does not depend on the columns batched with it.
        let p = Problem<LSTM, Double>.random(Dims(n_x: 3, n_a: 4, n_y: 2, steps: 4, batch: 3), seed: 5)
        let full = batchedCentral(p, threads: 1)
        let chosen = [ElementID("x", 17), ElementID("Wo", 9), ElementID("by", 1), ElementID("a0", 5), ElementID("bc", 2), ElementID("Wy", 7)]
        let (values, stop) = BatchedFiniteDifferences.central(p, elements: chosen, control: RunControl(threads: 2))
        #expect(stop == nil)
        for (id, v) in zip(chosen, values) { #expect(v == full[id.input]!.data[id.flat], "\(id)") }
    }

    @Test func aConfidentRightPredictionKeepsItsTinyLoss() throws {
        // Logits ±30: −log ŷ = log1p(e^{−60}) ≈ 8.8e-27, which log(1 + e^{−60}) would round to 0.
        var p = Problem<LSTM, Double>.random(Dims(n_x: 1, n_a: 1, n_y: 2, steps: 1, batch: 1), seed: 3)
        let a = LSTM.forward(p)[0].a_next[0, 0]
        p.weights[.Wy] = Matrix(rows: 2, cols: 1, storage: [30 / a, -30 / a])
        p.weights[.by] = Matrix(rows: 2, cols: 1, storage: [0, 0])
        p.target = .labels([[0]])
        let exact = Foundation.log1p(Foundation.exp((-30 / a) * a - (30 / a) * a))
        let loss = try #require(LSTMKernel(p)).trajectory().losses[0]
        // The kernel's a_1 may differ by an ulp (its own tanh and sigmoid), moving e^{−60} by 60 ulps.
        #expect(exact > 0 && abs(loss - exact) <= 1e-13 * exact)
    }

    @Test func elementsThatAreNotInputsGetNoValue() {
        let p = upstreamProblem(Dims(n_x: 2, n_a: 3, n_y: 0, steps: 3, batch: 2), window: 3, seed: 1)
        let ids = [ElementID("Wy", 0), ElementID("c0", 0), ElementID("x", -1), ElementID("x", 18),
                   ElementID("bf", 2), ElementID("a0", 6)]
        let (values, stop) = BatchedFiniteDifferences.central(p, elements: ids)
        #expect(stop == nil && values.count == ids.count)
        #expect(values.prefix(4).allSatisfy { $0 == nil } && values[4] != nil && values[5] == nil)
    }

    @Test func cancellationAndDeadlineStopTheRun() {
        let p = Problem<LSTM, Double>.random(Dims(n_x: 3, n_a: 4, n_y: 2, steps: 4, batch: 3), seed: 5)
        #expect(throws: Interruption.self) {
            try FiniteDifferences.central(p, control: RunControl(threads: 2, isCancelled: { true }))
        }
        do {
            _ = try FiniteDifferences.central(p, control: RunControl(threads: 1, deadline: .now - .seconds(1)))
            Issue.record("a deadline in the past did not stop the run")
        } catch {
            #expect(error.reason == .deadline && error.done == 0 && error.total > 0)
        }
        let (values, stop) = BatchedFiniteDifferences.central(p, elements: [ElementID("Wf", 0)],
                                                              control: RunControl(isCancelled: { true }))
        #expect(stop == .cancelled && values == [nil])
    }

    @Test func progressGrowsToTheTotal() {
        let p = Problem<LSTM, Double>.random(Dims(n_x: 3, n_a: 4, n_y: 2, steps: 4, batch: 3), seed: 5)
        let seen = Calls()
        _ = try? FiniteDifferences.central(p, control: RunControl(threads: 2, progress: seen.record))
        let calls = seen.calls
        #expect(!calls.isEmpty && calls.map(\.done) == calls.map(\.done).sorted())
        #expect(calls.last.map { $0.done == $0.total } == true)
        #expect(calls.allSatisfy { $0.phase == .finiteDifferences })
    }
}

/// Progress calls, recorded from worker threads.
final class Calls: @unchecked Sendable {   // behind `lock`
    private let lock = NSLock()
    private var recorded: [(phase: Phase, done: Int, total: Int)] = []

    var calls: [(phase: Phase, done: Int, total: Int)] { lock.withLock { recorded } }

    @Sendable func record(_ phase: Phase, _ done: Int, _ total: Int) { lock.withLock { recorded.append((phase, done, total)) } }
}
