import Foundation
import Testing
@testable import LSTMGradCheck

/// What `verify` requires of a file in every layout, what it reads as a slip for a wanted
/// key, and how a fixture that decides nothing is reported, on generated networks.
@Suite struct VerifyCompletenessTests {
    /// A generated network of cell `C` with cs231n's captioning loss (an output layer, labels
    /// counted where the mask is set, averaged over N): the one layout file with an output layer.
    static func captioning<C: Cell>(_: C.Type, seed: UInt64) -> Problem<C, Double> {
        let d = Dims(n_x: 3, n_a: 4, n_y: 5, steps: 4, batch: 3)
        var p = Problem<C, Double>.random(d, seed: seed)
        p.c0 = Matrix(rows: d.n_a, cols: d.batch)
        p.hasC0 = false
        p.target = .maskedLabels(labels: (0..<d.steps).map { t in (0..<d.batch).map { (3 * t + $0) % d.n_y } },
                                 mask: (0..<d.steps).map { t in (0..<d.batch).map { t < d.steps - $0 } }, scale: 1 / Double(d.batch))
        return p
    }

    static func verify<C: Cell>(_ p: Problem<C, Double>, _ files: [(key: String, tensor: Tensor)], keys: [String]? = nil,
                                form: LayoutForm = LayoutForm(.cs231n)) throws -> VerifyReport {
        try Verify.run(p, name: "f", user: try LayoutTests.userFile(files, "completeness"), reference: exact(p),
                       referenceName: "exact", tolerance: 1e-6, keys: keys, form: form)
    }

    static func statuses(_ r: VerifyReport) -> [String: VerifiedTensor.Status] {
        Dictionary(uniqueKeysWithValues: r.tensors.map { ($0.fileKey, $0.status) })
    }

    /// cs231n's lstm_backward and rnn_backward return dx, dh0, dWx, dWh, db only: the temporal
    /// affine layer's gradients are optional, as dWy and dby are in Coursera's names.
    @Test func theOutputLayersGradientsAreOptionalInTheCaptioningLayout() throws {
        func check<C: Cell>(_ cell: C.Type) throws {
            let p = Self.captioning(cell, seed: 6)
            let all = try Layout.cs231n.gradients(exact(p))
            #expect(all.map(\.key) == ["dx", "dh0", "dWx", "dWh", "db", "dW_vocab", "db_vocab"])
            let five = all.filter { !$0.key.hasSuffix("_vocab") }
            let right = try Self.verify(p, five)
            #expect(right.status == .passed, "\(C.kind)")
            #expect(Self.statuses(right) == ["dx": .matches, "dh0": .matches, "dWx": .matches, "dWh": .matches, "db": .matches,
                                             "dW_vocab": .notChecked, "db_vocab": .notChecked], "\(C.kind)")
            #expect(right.conclusion.contains("Not checked: dW_vocab and db_vocab (not required"), "\(C.kind)")
            // Given, they are checked: a wrong one fails the file.
            var wrongVocab = all
            wrongVocab[5].tensor.data = wrongVocab[5].tensor.data.map { $0 * 1.5 }
            #expect(Self.statuses(try Self.verify(p, wrongVocab))["dW_vocab"] == .mismatch, "\(C.kind)")
            // The five wrong, without the output layer: a mismatch, not a pass.
            var wrong = five
            wrong[3].tensor.data = wrong[3].tensor.data.map { -$0 }
            #expect(try Self.verify(p, wrong).status == .mismatch, "\(C.kind)")
            // --keys asks for them: then they are required.
            let asked = try Self.verify(p, five, keys: ["dx", "dW_vocab"])
            #expect(asked.status == .mismatch)
            #expect(Self.statuses(asked) == ["dx": .matches, "dh0": .notChecked, "dWx": .notChecked, "dWh": .notChecked, "db": .notChecked,
                                             "dW_vocab": .missing, "db_vocab": .notChecked], "\(C.kind)")
            #expect(asked.conclusion.contains("MISSING: dW_vocab is required"))
        }
        try check(LSTM.self)
        try check(RNN.self)
    }

    /// A layout without an output layer requires every gradient, and `--keys` narrows it as in
    /// Coursera's names (it was ignored in a layout).
    @Test(arguments: [Layout.cs231n, .pytorch, .keras])
    func everyGradientIsRequiredWhereThereIsNoOutputLayerAndKeysNarrow(_ layout: Layout) throws {
        let p = layout.defaultForm(of: Problem<LSTM, Double>.random(Dims(n_x: 3, n_a: 4, n_y: 2, steps: 5, batch: 2), seed: 3), seed: 2)
        let form = LayoutForm(layout)
        let files = try layout.gradients(exact(p), form: form)
        let dropped = try Self.verify(p, Array(files.dropFirst()), form: form)
        #expect(Self.statuses(dropped)[files[0].key] == .missing)
        #expect(dropped.status == .mismatch)
        let narrowed = try Self.verify(p, [files[0]], keys: [files[0].key], form: form)
        #expect(narrowed.status == .passed)
        #expect(narrowed.tensors.filter { $0.status == .notChecked }.count == files.count - 1)
        #expect(narrowed.conclusion.contains("(left out by --keys)"))
    }

    @Test func aKeysEntryThatIsNoGradientSuggestsOne() throws {
        let p = Self.captioning(LSTM.self, seed: 6)
        let files = try Layout.cs231n.gradients(exact(p))
        #expect(throws: InputError(source: "--keys", key: "W_vocab", expected: "a known cs231n gradient: one of dx, dh0, dWx, dWh, db, dW_vocab, db_vocab",
                                   found: "an unknown key (did you mean \"dW_vocab\"?)")) {
            try Self.verify(p, files, keys: ["dx", "W_vocab"])
        }
    }

    /// The gradient a stray key is a slip for, in each layout's names.
    @Test(arguments: [
        (Layout.coursera, "Wf", "dWf"), (.coursera, "dwf", "dWf"), (.coursera, "x", "dx"), (.coursera, "A0", "da0"),
        (.coursera, "loss", nil),
        (.cs231n, "Wx", "dWx"), (.cs231n, "Wh", "dWh"), (.cs231n, "h0", "dh0"), (.cs231n, "dWX", "dWx"), (.cs231n, "b", "db"),
        (.pytorch, "weight_hh", "weight_hh_l0"), (.pytorch, "rnn.weight_hh_l0", "weight_hh_l0"), (.pytorch, "weight_hh_l0.grad", "weight_hh_l0"),
        (.pytorch, "lstm/bias_ih", "bias_ih_l0"), (.pytorch, "weight_hh_I0", "weight_hh_l0"), (.pytorch, "bias", nil), (.pytorch, "loss", nil),
        (.keras, "recurrent", "recurrent_kernel"), (.keras, "lstm.kernel", "kernel"), (.keras, "loss", nil),
    ] as [(Layout, String, String?)])
    func aSlipNamesTheGradientItMeant(_ layout: Layout, _ key: String, _ meant: String?) throws {
        let p = layout.defaultForm(of: Problem<LSTM, Double>.random(Dims(n_x: 3, n_a: 4, n_y: 2, steps: 5, batch: 2), seed: 3), seed: 2)
        let tensors: [(name: String, gradient: String)]
        if layout == .coursera {
            tensors = p.inputs.map { ($0.name, $0.gradientName) }
        } else {
            tensors = try #require(LayoutMap<LSTM>(form: LayoutForm(layout), problem: p)).gradientEntries.map { ($0.key, $0.gradientKey) }
        }
        #expect(Verify.slip(key, for: tensors) == meant)
        // In a file that lacks the gradient meant, the slip is bad input naming it; else it is ignored.
        var files = try layout.gradients(exact(p), form: LayoutForm(layout))
        let spare = files.removeLast()
        guard let meant else {
            #expect(try Self.verify(p, files + [(key, spare.tensor)], form: LayoutForm(layout)).extraKeys == [key])
            return
        }
        let lacking = files.filter { $0.key != meant } + [(key: key, tensor: spare.tensor)]
        #expect {
            try Self.verify(p, lacking, form: LayoutForm(layout))
        } throws: { error in
            (error as? InputError).map { $0.key == key && $0.found == "an unknown key (did you mean \"\(meant)\"?)" } ?? false
        }
    }

    /// With one class every gradient is exactly zero (the softmax is identically 1): gradients
    /// that equal it are inconclusive, never a match, and the conclusion says why once.
    @Test(arguments: [CellKind.lstm, .rnn, .gru])
    func zeroGradientsOnAFixtureThatDecidesNothingAreInconclusive(_ kind: CellKind) throws {
        func check<C: Cell>(_: C.Type) throws {
            let p = Problem<C, Double>.random(Dims(n_x: 3, n_a: 4, n_y: 1, steps: 3, batch: 5), seed: 4)
            let zeros = p.inputs.map { (key: $0.gradientName, tensor: Tensor(zeros: p.shape(of: $0))) }
            let r = try Self.verify(p, zeros, form: .coursera)
            #expect(r.status == .inconclusive)
            #expect(r.tensors.allSatisfy { $0.status == .inconclusive })
            #expect(!r.conclusion.contains("match"))
            #expect(r.conclusion == "NOTHING DECIDED: the \(zeros.count) provided gradients equal the exact gradient, but every gradient of this network is exactly zero (n_y = 1: with one class the softmax is identically 1, so the loss is constant), so no derivation can be told from another.")
            // A gradient that is not zero there is wrong, and the rest still decide nothing.
            var one = zeros
            one[0].tensor.data[0] = 1e-3
            let wrong = try Self.verify(p, one, form: .coursera)
            #expect(wrong.status == .mismatch)
            #expect(Self.statuses(wrong)[one[0].key] == .mismatch)
            #expect(wrong.tensors.filter { $0.status == .inconclusive }.count == zeros.count - 1)
            #expect(wrong.conclusion.hasPrefix("1 of the \(zeros.count) provided gradients is wrong: \(one[0].key). NOTHING DECIDED: "))
        }
        switch kind {
        case .lstm: try check(LSTM.self)
        case .rnn: try check(RNN.self)
        default: try check(GRU.self)
        }
    }
}
