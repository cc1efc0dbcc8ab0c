import Testing
@testable import LSTMGradCheck

@Suite struct GeneratorTests {
    /// The first outputs of the reference SplitMix64 (Vigna's splitmix64.c) from seed 0.
    @Test func splitMix64MatchesTheReferenceStream() {
        var g = SeededGenerator(seed: 0)
        #expect(g.next() == 0xE220_A839_7B1D_CDAF)
        #expect(g.next() == 0x6E78_9E6A_A1B9_65F4)
        #expect(g.next() == 0x06C4_5D18_8009_454F)
    }

    @Test func unitAndSymmetricStayInRange() {
        var g = SeededGenerator(seed: 42)
        for _ in 0..<10_000 {
            let u = g.unit()
            #expect(u >= 0 && u < 1)
            let s = g.symmetric(3)
            #expect(s >= -3 && s < 3)
        }
    }

    @Test func indexCoversEveryClassEvenly() {
        var g = SeededGenerator(seed: 3)
        var counts = [0, 0, 0]
        for _ in 0..<30_000 { counts[g.index(3)] += 1 }
        // Binomial(30000, 1/3): σ ≈ 82, so ±500 is a six-sigma band.
        #expect(counts.allSatisfy { abs($0 - 10_000) < 500 }, "\(counts)")
    }

    @Test func randomProblemIsReproducibleAndShaped() {
        let d = Dims(n_x: 2, n_a: 3, n_y: 4, steps: 5, batch: 6)
        let a = Problem<LSTM, Double>.random(d, seed: 77), b = Problem<LSTM, Double>.random(d, seed: 77), c = Problem<LSTM, Double>.random(d, seed: 78)
        #expect(a.dims == d)
        #expect(a.tensor("x") == b.tensor("x") && a.tensor("Wf") == b.tensor("Wf") && a.target == b.target)
        #expect(a.tensor("Wf") != c.tensor("Wf"))
        // The documented draw order: Wf's first element is the stream's first draw.
        var g = SeededGenerator(seed: 77)
        #expect(a.weights[.Wf].storage[0] == g.symmetric(1))
        guard case .labels(let labels) = a.target else { Issue.record("labels expected"); return }
        #expect(labels.count == 5 && labels.allSatisfy { $0.count == 6 && $0.allSatisfy { (0..<4).contains($0) } })
    }
}

@Suite struct ComparisonTests {
    @Test func relativeErrorOfKnownVectors() {
        // g = (3, 4), r = (0, 0): ‖g − r‖ = 5, ‖g‖ + ‖r‖ = 5 → 1.
        let c1 = Comparison.compare("k", Tensor(shape: [2], data: [3, 4]), reference: Tensor(shape: [2], data: [0, 0]), tolerance: 0.5)
        #expect(c1.relativeError == 1 && !c1.pass && c1.maxAbsError == 4 && c1.worstIndex == [1])
        // g = (1, 1), r = (1, 1 + 1e-3) in a 1 × 2 matrix: worst element [0, 1].
        let c2 = Comparison.compare("k", Tensor(shape: [1, 2], data: [1, 1]), reference: Tensor(shape: [1, 2], data: [1, 1.001]), tolerance: 1e-3)
        #expect(abs(c2.relativeError - 0.001 / (2.0.squareRoot() + (1 + 1.001 * 1.001).squareRoot())) < 1e-15)
        #expect(c2.worstIndex == [0, 1] && c2.pass)
        // Both zero: defined as 0 and a pass.
        let c3 = Comparison.compare("k", Tensor(zeros: [3]), reference: Tensor(zeros: [3]), tolerance: 1e-12)
        #expect(c3.relativeError == 0 && c3.pass)
    }

    @Test func normDoesNotOverflow() {
        #expect(Comparison.norm([3e300, 4e300]) == 5e300)
        #expect(Comparison.norm([]) == 0)
    }

    @Test func tensorIndexRoundTrips() {
        let t = Tensor(zeros: [3, 4, 5])
        #expect(t.index(ofFlat: 0) == [0, 0, 0])
        #expect(t.index(ofFlat: 59) == [2, 3, 4])
        #expect(t.index(ofFlat: 1 * 20 + 2 * 5 + 3) == [1, 2, 3])
    }

    /// The matrix and step views are total: any shape reads as rows by the rest (C order),
    /// and steps round-trip through `init(steps:)`.
    @Test func matrixAndStepViewsOfAnyShape() {
        let cube = Tensor(shape: [2, 3, 4], data: (0..<24).map(Double.init))
        #expect(cube.matrix.rows == 2 && cube.matrix.cols == 12 && cube.matrix[1, 5] == 17)
        #expect(Tensor(steps: cube.steps, rows: 2, cols: 3) == cube)
        #expect(cube.steps[3][1, 2] == Double((1 * 3 + 2) * 4 + 3))
        let vector = Tensor(shape: [3], data: [1, 2, 3])
        #expect(vector.matrix.rows == 3 && vector.matrix.cols == 1 && vector.matrix[2, 0] == 3)
        let sequence = Tensor(shape: [2, 3], data: [1, 2, 3, 4, 5, 6])   // rows × T: one column per step
        #expect(sequence.steps.count == 3 && sequence.steps[2].storage == [3, 6])
    }

    /// A name that is no input of the cell has no typed identity, so nothing can be read or set
    /// under it: the reader refuses it with the closest name instead (`FixtureFileTests`).
    @Test func anUnknownNameIsNoInput() {
        #expect(Input<LSTM>(name: "Wq") == nil && Input<RNN>(name: "Wf") == nil && Input<LSTM>(name: "wf") == nil)
        #expect(Input<LSTM>(name: "Wf") == .parameter(.Wf) && Input<RNN>(name: "x") == .x && Input<RNN>(name: "c0") == nil && Input<LSTM>(name: "c0") == .c0)
        #expect(Input<RNN>.all.map(\.name) == ["Waa", "Wax", "ba", "Wya", "by", "a0", "x"])
        #expect(Input<LSTM>.all.map(\.name) == ["Wf", "bf", "Wi", "bi", "Wc", "bc", "Wo", "bo", "Wy", "by", "a0", "c0", "x"])
    }
}
