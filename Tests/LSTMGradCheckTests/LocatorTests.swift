import Foundation
import Testing
@testable import LSTMGradCheck

/// Where an error no known mistake explains lives (`Locator`), in every layout and in the
/// layout's own names: an all-zero tensor, a constant factor, signs flipped on part of an
/// array, one gate's block; tensors with the same finding in one cause; a whole file scaled
/// or all zeros said so, and the other-network hint kept for what no structure explains. The
/// files are right gradients of random networks edited by the test, so every expected figure
/// (a count, a factor, a name) is the test's own.
@Suite struct LocatorTests {
    /// A network of `C` in `form`'s layout (labels in Coursera's, an upstream gradient in a framework's).
    static func problem<C: Cell>(_: C.Type, _ form: LayoutForm, dims: Dims, seed: UInt64) -> Problem<C, Double> {
        form.layout.defaultForm(of: Problem<C, Double>.random(dims, seed: seed), seed: seed &+ 7)
    }

    /// The right gradients of `p` in `form`'s names, edited, verified.
    static func verify<C: Cell>(_ p: Problem<C, Double>, _ form: LayoutForm, _ edit: (inout [(key: String, tensor: Tensor)]) -> Void) throws -> VerifyReport {
        let reference = exact(p)
        var files = try form.layout.gradients(reference, form: form)
        edit(&files)
        return try Verify.run(p, name: "edited", user: try LayoutTests.userFile(files, "locator-\(UUID().uuidString)"), reference: reference,
                              referenceName: "exact", tolerance: 1e-6, form: form)
    }

    /// Every layout and cell that holds gates, with the key of its recurrent weight's gradient.
    static let layouts: [(CellKind, LayoutForm, String)] = [
        (.lstm, LayoutForm(.coursera), "dWf"), (.lstm, LayoutForm(.cs231n), "dWh"), (.lstm, LayoutForm(.pytorch), "weight_hh_l0"),
        (.lstm, LayoutForm(.pytorch, batchFirst: true), "weight_hh_l0"), (.lstm, LayoutForm(.keras), "recurrent_kernel"),
        (.rnn, LayoutForm(.cs231n), "dWh"), (.gru, LayoutForm(.pytorch), "weight_hh_l0"), (.gru, LayoutForm(.keras), "recurrent_kernel"),
        (.gruResetBefore, LayoutForm(.keras), "recurrent_kernel"),
    ]

    /// n_a ≥ 2: every weight has at least four elements, so a factor's fit means something.
    /// With one step (and c0 = 0) the forget gate's gradient is zero.
    static func random(_ g: inout SeededGenerator, minSteps: Int = 1) -> Dims {
        Dims(n_x: 1 + g.index(4), n_a: 2 + g.index(3), n_y: 2 + g.index(2), steps: minSteps + g.index(5), batch: 1 + g.index(4))
    }

    /// The keys of `p`'s gradients in `form` whose right tensor is not all zeros: the ones an edit can make wrong.
    static func nonzero<C: Cell>(_ p: Problem<C, Double>, _ form: LayoutForm) throws -> [String] {
        try form.layout.gradients(exact(p), form: form).filter { $0.tensor.data.contains { $0 != 0 } }.map(\.key)
    }

    static func factor(_ k: Double) -> String { String(format: "%.4g", k) }

    /// One cause, located (no known mistake), over `tensors`, whose finding starts `prefix`.
    static func expectOneLocated(_ r: VerifyReport, _ tensors: [String], _ prefix: String, _ context: String) {
        #expect(r.causes.count == 1, "\(context): \(r.causes.map(\.finding))")
        guard let cause = r.causes.first else { return }
        #expect(cause.kind == nil && cause.tensors == tensors, "\(context): \(cause.tensors)")
        #expect(cause.finding.hasPrefix(prefix), "\(context): \(cause.finding)")
    }

    @Test(arguments: 0..<layouts.count)
    func zerosFactorsAndFlippedSignsInTheLayoutsNames(_ index: Int) throws {
        let (kind, form, weight) = Self.layouts[index]
        func run<C: Cell>(_: C.Type) throws {
            var g = SeededGenerator(seed: 1300 + UInt64(index))
            for trial in 0..<3 {
                let dims = Self.random(&g, minSteps: 2)
                let p = Self.problem(C.self, form, dims: dims, seed: 60 + UInt64(trial))
                let context = "\(kind) \(form.layout)\(form.batchFirst ? " batch-first" : "") \(dims)"
                let right = try #require(try form.layout.gradients(exact(p), form: form).first { $0.key == weight }).tensor
                let count = right.count

                let zero = try Self.verify(p, form) { files in
                    for k in files.indices where files[k].key == weight { files[k].tensor = Tensor(zeros: files[k].tensor.shape) }
                }
                Self.expectOneLocated(zero, [weight], "\(weight) is all zeros (\(count) elements), where the right gradient is not.", context)

                // Not 1, −1 nor a mean's 1/N, 1/T or 1/(N·T): a factor of 1.5 to 4.5, either sign.
                let k = (1.5 + 3 * g.unit()) * (g.index(2) == 0 ? 1 : -1)
                let scaled = try Self.verify(p, form) { files in
                    for i in files.indices where files[i].key == weight { files[i].tensor.data = files[i].tensor.data.map { $0 * k } }
                }
                Self.expectOneLocated(scaled, [weight], "\(weight) is the right gradient times \(Self.factor(k)) everywhere: a constant factor.", context)

                // The sign of every element of the first row flipped.
                let flipped = try Self.verify(p, form) { files in
                    for i in files.indices where files[i].key == weight {
                        let cols = files[i].tensor.shape[1]
                        for c in 0..<cols { files[i].tensor.data[c] = -files[i].tensor.data[c] }
                    }
                }
                let flippedCount = right.data.prefix(right.shape[1]).filter { $0 != 0 }.count
                Self.expectOneLocated(flipped, [weight], "\(weight) has the right magnitudes but the wrong sign on \(flippedCount) of \(count) elements", context)
            }
        }
        try run(kind.cell)
    }

    /// A whole file times one factor, or all zeros, is one cause over every tensor that says so,
    /// in Coursera's layout (an output layer) and the frameworks' (an upstream gradient); a mean
    /// over the batch stays the known mistake it is. Text output stays under 60 lines.
    @Test(arguments: 0..<layouts.count)
    func aWholeFileScaledOrAllZerosIsOneCause(_ index: Int) throws {
        let (kind, form, _) = Self.layouts[index]
        func run<C: Cell>(_: C.Type) throws {
            var g = SeededGenerator(seed: 1400 + UInt64(index))
            for trial in 0..<3 {
                let dims = Self.random(&g)
                let p = Self.problem(C.self, form, dims: dims, seed: 80 + UInt64(trial))
                let keys = try Self.nonzero(p, form)
                let context = "\(kind) \(form.layout) \(dims)"
                let k = [2.0, 3.0, -2.5][trial]
                let scaled = try Self.verify(p, form) { files in for i in files.indices { files[i].tensor.data = files[i].tensor.data.map { $0 * k } } }
                Self.expectOneLocated(scaled, keys, "Every tensor of the file is the right gradient times \(Self.factor(k)): the gradient of \(Self.factor(k)) times the loss", context)
                let zeros = try Self.verify(p, form) { files in for i in files.indices { files[i].tensor = Tensor(zeros: files[i].tensor.shape) } }
                Self.expectOneLocated(zeros, keys, "Every tensor of the file is all zeros (", context)
                if dims.batch > 1 {
                    let mean = try Self.verify(p, form) { files in
                        for i in files.indices { files[i].tensor.data = files[i].tensor.data.map { $0 / Double(dims.batch) } }
                    }
                    #expect(mean.causes.count == 1 && mean.causes.first?.kind == .meanOverBatch && mean.causes.first?.tensors == keys,
                            "\(context): \(mean.causes.map(\.finding))")
                }
            }
        }
        try run(kind.cell)
    }

    /// Every tensor but the output layer's times one factor (a softmax dz doubled on its way into
    /// da): one cause, which says where such a factor enters.
    @Test func everyTensorButTheOutputLayersTimesOneFactor() throws {
        var g = SeededGenerator(seed: 15)
        for trial in 0..<4 {
            let dims = Self.random(&g)
            let p = Problem<LSTM, Double>.random(dims, seed: 90 + UInt64(trial))
            let form = LayoutForm(.coursera)
            let scaled = try Self.verify(p, form) { files in
                for i in files.indices where !["dWy", "dby"].contains(files[i].key) { files[i].tensor.data = files[i].tensor.data.map { $0 * 2 } }
            }
            let keys = try Self.nonzero(p, form).filter { !["dWy", "dby"].contains($0) }
            Self.expectOneLocated(scaled, keys, "Each of \(list(keys)) is the right gradient times 2, while the output layer's dWy and dby match: one factor on the gradient that reaches the hidden states", "\(dims)")
        }
    }

    /// Another network's gradients, which no structure explains, keep the hint that they may be:
    /// in Coursera's names, and in cs231n's under its captioning loss (db_vocab depends on the
    /// forward pass alone).
    @Test func anotherNetworksGradientsAreNamedAsSuch() throws {
        var captions = SeededGenerator(seed: 18)
        for trial in 0..<3 {
            let dims = Dims(n_x: 1 + captions.index(4), n_a: 2 + captions.index(3), n_y: 3 + captions.index(3), steps: 2 + captions.index(4), batch: 2 + captions.index(3))
            let (p, other) = (GateOrderTests.captioning(dims, seed: 120 + UInt64(trial)), GateOrderTests.captioning(dims, seed: 130 + UInt64(trial)))
            let form = LayoutForm(.cs231n)
            let theirs = try form.layout.gradients(exact(other), form: form)
            let r = try Self.verify(p, form) { files in files = theirs }
            Self.expectOneLocated(r, theirs.map(\.key), "Every tensor is wrong, db_vocab too, which depends only on the forward pass: were these gradients computed on this fixture?", "captioning \(dims)")
        }
        var g = SeededGenerator(seed: 17)
        for trial in 0..<4 {
            let dims = Self.random(&g)
            let p = Problem<LSTM, Double>.random(dims, seed: 100 + UInt64(trial))
            let otherNetwork = Problem<LSTM, Double>.random(dims, seed: 200 + UInt64(trial))
            let other = try Layout.coursera.gradients(exact(otherNetwork))
            let r = try Self.verify(p, LayoutForm(.coursera)) { files in files = other }
            // (With one step the forget gate's gradient is zero in both, which says nothing.)
            let informative = Set(try Self.nonzero(p, LayoutForm(.coursera)) + Self.nonzero(otherNetwork, LayoutForm(.coursera)))
            Self.expectOneLocated(r, p.inputs.map(\.gradientName).filter(informative.contains), "Every tensor is wrong, dby too, which depends only on the forward pass: were these gradients computed on this fixture?", "\(dims)")
        }
    }

    /// Two tensors with the same factor are one cause; with different factors too, each named
    /// beside its factor; two all-zero tensors one cause.
    @Test func tensorsWithTheSameFindingShareOneCause() throws {
        let dims = Dims(n_x: 3, n_a: 4, n_y: 2, steps: 4, batch: 3)
        let p = Self.problem(LSTM.self, LayoutForm(.cs231n), dims: dims, seed: 3)
        let same = try Self.verify(p, LayoutForm(.cs231n)) { files in
            for i in files.indices where ["dWx", "dWh"].contains(files[i].key) { files[i].tensor.data = files[i].tensor.data.map { $0 * 1.75 } }
        }
        Self.expectOneLocated(same, ["dWx", "dWh"], "Each of dWx and dWh is the right gradient times 1.75 everywhere: one constant factor.", "same")
        let different = try Self.verify(p, LayoutForm(.cs231n)) { files in
            for i in files.indices where files[i].key == "dWx" { files[i].tensor.data = files[i].tensor.data.map { $0 * 1.75 } }
            for i in files.indices where files[i].key == "dWh" { files[i].tensor.data = files[i].tensor.data.map { $0 * 2.5 } }
        }
        Self.expectOneLocated(different, ["dWx", "dWh"], "Each of dWx and dWh is the right gradient times a constant factor: 1.75 (dWx); 2.5 (dWh).", "different")
        let zeros = try Self.verify(p, LayoutForm(.cs231n)) { files in
            for i in files.indices where ["dx", "db"].contains(files[i].key) { files[i].tensor = Tensor(zeros: files[i].tensor.shape) }
        }
        Self.expectOneLocated(zeros, ["dx", "db"], "dx and db are all zeros (\(dims.batch * dims.steps * dims.n_x), \(4 * dims.n_a) elements)", "zeros")
    }

    /// A slip in one gate's local derivative (the learner's forget-gate gradient scaled), which
    /// the carry spreads thinly to every other tensor, is located in that gate's block in each
    /// layout that stacks an LSTM's gates, in the layout's names.
    @Test(arguments: [Layout.cs231n, .pytorch, .keras])
    func aSlipInOneGateIsLocatedInItsBlock(_ layout: Layout) throws {
        var g = SeededGenerator(seed: 19)
        for trial in 0..<3 {
            let dims = Dims(n_x: 2 + g.index(3), n_a: 2 + g.index(3), n_y: 2, steps: 3 + g.index(3), batch: 2 + g.index(3))
            let form = LayoutForm(layout)
            let p = Self.problem(LSTM.self, form, dims: dims, seed: 110 + UInt64(trial))
            let file = LearnerFile(layout: layout, batchFirst: false, json: try LayoutFixture.encode(p, form: form, name: "slip", description: nil), cell: .lstm)
            let order = try #require(layout.gateOrder(.lstm)).map { Character($0) }
            let slipped = file.gradients(StackedLearner.lstm(try file.network(), order: order, stacking: order, slip: ["f": 0.5]))
            let r = try Verify.run(p, name: "slip", user: try LayoutTests.userFile(slipped, "slip-\(UUID().uuidString)"), reference: exact(p),
                                   referenceName: "exact", tolerance: 1e-6, form: form)
            let cause = try #require(r.causes.first, "\(layout) \(dims)")
            #expect(r.causes.count == 1 && cause.kind == nil, "\(layout) \(dims): \(r.causes.map(\.finding))")
            #expect(cause.finding.hasPrefix("The error lives in the forget gate (the f block of the stacked gate gradients, the notebook's dft): its tensors are off by"),
                    "\(layout) \(dims): \(cause.finding)")
        }
    }
}
