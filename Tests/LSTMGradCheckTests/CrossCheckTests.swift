import Foundation
import Testing
@testable import LSTMGradCheck

/// The finite differences that cross-check the exact gradient: a second difference only where
/// rounding does not explain the first, every verdict still backed by a valid estimate.
@Suite struct CrossCheckTests {
    /// Both backends (the batched LSTM kernel, the RNN element by element): the same values as
    /// the full estimate; each estimate either covers the observed |D(h) − exact| by rounding
    /// alone and is then that bound, or is the full estimate's bits; and the run equals the full
    /// estimate reduced afterwards (`explained`, the merged shards' path), bit for bit.
    @Test func roundingExplainsMostElementsAndTheRestKeepTheFullEstimate() {
        func check<C: Cell>(_ p: Problem<C, Double>, least: Double) {
            let exact = exact(p)
            let full = FiniteDifferences.estimate(p, scheme: .central, control: RunControl(threads: 2))
            let cheap = CrossCheck.central(p, exact: exact, control: RunControl(threads: 2))
            #expect(cheap == CrossCheck.explained(full, p, exact: exact))
            #expect(cheap.gradients == full.gradients)
            let bounds = CrossCheck.Bounds(p, exact: exact)
            let elements = InputElements(p)
            var reduced = 0, count = 0
            for (k, input) in elements.inputs.enumerated() {
                let values = cheap.gradients[input]!.data, ours = cheap.errorEstimate[input]!.data
                let theirs = full.errorEstimate[input]!.data, truth = exact[input]!.data
                for flat in values.indices {
                    count += 1
                    let rounding = FiniteDifferences.centralError(values[flat], values[flat], delta: bounds.delta,
                                                                   span: bounds.spans[elements.offsets[k] + flat])
                    if ours[flat] == theirs[flat] && ours[flat] != rounding { continue }
                    // Reduced: to the rounding bound, which covers what is observed and never exceeds the full estimate.
                    #expect(ours[flat] == rounding && abs(values[flat] - truth[flat]) <= rounding && rounding <= theirs[flat])
                    reduced += 1
                }
            }
            #expect(Double(reduced) >= least * Double(count), "\(reduced) of \(count)")
        }
        check(Problem<LSTM, Double>.random(Dims(n_x: 3, n_a: 5, n_y: 2, steps: 6, batch: 4), seed: 3), least: 0.9)
        check(Problem<RNN, Double>.random(Dims(n_x: 2, n_a: 3, n_y: 2, steps: 4, batch: 3), seed: 8), least: 0.9)
    }

    /// An "exact" gradient wrong by 1e-6 in one element: rounding cannot explain that element,
    /// so it alone gets the second difference (the `errorEstimates` phase) and its full estimate,
    /// and the numerical row then shows the mismatch instead of hiding it.
    @Test func anUnexplainedElementGetsTheFullEstimate() {
        let p = Problem<LSTM, Double>.random(Dims(n_x: 3, n_a: 4, n_y: 2, steps: 5, batch: 3), seed: 11)
        var wrong = exact(p)
        wrong["Wo"]!.data[7] += 1e-6
        let calls = Calls()
        let cheap = CrossCheck.central(p, exact: wrong, control: RunControl(threads: 1, progress: calls.record))
        let full = FiniteDifferences.estimate(p, scheme: .central)
        // Against the true exact gradient the element is explained, by less than its full estimate.
        let right = CrossCheck.central(p, exact: exact(p), control: RunControl(threads: 1))
        #expect(right.errorEstimate["Wo"]!.data[7] < full.errorEstimate["Wo"]!.data[7])
        #expect(cheap.errorEstimate["Wo"]!.data[7] == full.errorEstimate["Wo"]!.data[7])
        #expect(cheap.errorEstimate["Wo"]!.data[7] < 1e-6)
        let phases = calls.calls.map(\.phase)
        #expect(phases.first == .finiteDifferences && phases.last == .errorEstimates)
        // The second phase pays for this weight's ±h and ±2h (4m columns through T steps) and
        // for the few elements rounding does not explain: a small part of the first.
        let first = calls.calls.first { $0.phase == .finiteDifferences }!.total, second = calls.calls.last!
        #expect(second.done == second.total && second.total >= 4 * 3 * 5 && 10 * second.total < first)
    }

    /// Nothing that is not finite is explained: a NaN or infinite value or exact derivative
    /// leaves the element to the full estimate (and so to `Decision`'s handling of it).
    @Test func nothingNonFiniteIsExplained() {
        let p = Problem<LSTM, Double>.random(Dims(n_x: 2, n_a: 3, n_y: 2, steps: 3, batch: 2), seed: 4)
        var g = exact(p)
        let value = g["bf"]!.data[1]
        #expect(CrossCheck.Bounds(p, exact: g).explaining(FiniteDifferences.elementCount(p) - 1, value: g["x"]!.data.last!) != nil)
        g["bf"]!.data[1] = .nan
        let bounds = CrossCheck.Bounds(p, exact: g)
        let n = InputElements(p).offset(of: Input(name: "bf")!) + 1
        #expect(bounds.explaining(n, value: value) == nil)
        #expect(bounds.explaining(0, value: .infinity) == nil && bounds.explaining(0, value: .nan) == nil)
    }

    /// A cancellation between the two phases: the one unexplained element has its value but
    /// not its estimate, so its tensor is left unfinished and every other tensor is whole.
    @Test func aStopLeavesNoValueWithoutItsEstimate() {
        let p = Problem<LSTM, Double>.random(Dims(n_x: 3, n_a: 4, n_y: 2, steps: 4, batch: 3), seed: 5)
        var wrong = exact(p)
        wrong["bc"]!.data[0] += 1e-3
        let calls = Calls()
        let stopped = CrossCheck.central(p, exact: wrong, control: RunControl(threads: 1, progress: calls.record, isCancelled: {
            calls.calls.last.map { $0.phase == .finiteDifferences && $0.done == $0.total } == true
        }))
        #expect(stopped.stop?.reason == .cancelled)
        #expect(stopped.gradients.keys == p.inputKeys.filter { $0 != "bc" })
        #expect(stopped.errorEstimate.keys == stopped.gradients.keys)
        let cancelled = CrossCheck.central(p, exact: wrong, control: RunControl(threads: 1, isCancelled: { true }))
        #expect(cancelled.stop?.reason == .cancelled && cancelled.gradients.inputs.isEmpty && cancelled.errorEstimate.inputs.isEmpty)
    }
}
