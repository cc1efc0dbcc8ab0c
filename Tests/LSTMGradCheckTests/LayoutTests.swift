import Foundation
import Testing
@testable import LSTMGradCheck

/// The layouts (cs231n, PyTorch, Keras) against the independent NumPy reference in
/// `Fixtures/layouts/` (`Fixtures/tools/layouts_numpy.py`): every LSTM and RNN fixture read
/// through its layout into the typed problem, its gradients computed by the typed pipeline and
/// written back in the layout's names, to 1e-10 of NumPy's; `verify` on NumPy's right,
/// per-step and gate-order-mixed gradients; fixtures written back as they were read; and the
/// layout's own mistakes and bad input. The GRU's fixtures are `GRULayoutTests`'.
@Suite struct LayoutTests {
    static let folder = repositoryFolder.appendingPathComponent("Fixtures/layouts")

    /// Every fixture of a cell this project has (not the GRU's).
    static let fixtures = jsonFileNames(in: folder).filter { !$0.contains("gru") }.map { String($0.dropLast(".json".count)) }.sorted()

    static func path(_ stem: String) -> String { folder.appendingPathComponent("\(stem).json").path }

    static func expected(_ stem: String) throws -> JSONValue {
        let path = folder.appendingPathComponent("expected/\(stem).expected.json").path
        return try FileAccess.json(try FileAccess.read(path), source: path)
    }

    /// The tensors of one route of an expected file, in its order.
    static func route(_ expected: JSONValue, _ name: String) throws -> [(key: String, tensor: Tensor)] {
        guard case .object(let members) = try #require(expected[name], "no \(name)") else { throw Failure.notAnObject }
        return try members.map { (m) throws -> (key: String, tensor: Tensor) in
            (m.key, try JSONArrays.tensor(m.value, source: name, key: m.key))
        }
    }

    /// Each route's gradients (its name, the expected file's route it answers, the gradients)
    /// in `fixture`'s layout names against NumPy's in `expected`: the same keys in the same
    /// order, the same shapes, each tensor within `tolerance(name)`. Returns every relative
    /// error it compared, with its route and key.
    @discardableResult
    static func expectRoutes<C: Cell>(_ routes: [(String, String, Gradients<C>)], of fixture: Fixture, stem: String,
                                      agreeWith expected: JSONValue, within tolerance: (String) -> Double) throws
        -> [(route: String, key: String, error: Double)] {
        var errors: [(route: String, key: String, error: Double)] = []
        for (name, against, g) in routes {
            let ours = try fixture.layout.gradients(g, form: fixture.form)
            let theirs = try route(expected, against)
            #expect(ours.map(\.key) == theirs.map(\.key), "\(stem) \(name): keys")
            for ((key, mine), (_, numpy)) in zip(ours, theirs) {
                #expect(mine.shape == numpy.shape, "\(stem) \(name) \(key): \(mine.shape) vs \(numpy.shape)")
                guard mine.shape == numpy.shape else { continue }
                let e = relativeError(mine, numpy)
                #expect(e <= tolerance(name), "\(stem) \(name) \(key) vs NumPy \(against): \(e)")
                errors.append((name, key, e))
            }
        }
        return errors
    }

    enum Failure: Error { case notAnObject, notFound }

    /// `tensors` as a JSON gradient file in a temporary folder, read back as `verify` reads it.
    static func userFile(_ tensors: [(key: String, tensor: Tensor)], _ name: String) throws -> UserGradients {
        // Unique: tests run in parallel, several with the same `name`.
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("layout-\(getpid())-\(name)-\(UUID().uuidString).json")
        let json = JSONValue.object(tensors.map { JSONMember($0.key, JSONArrays.json($0.tensor)) })
        try Data(JSON.serialize(json).utf8).write(to: url)
        defer { try? FileManager.default.removeItem(at: url) }
        return try GradientFile.read(url.path)
    }

    @Test func theFixturesAreThere() {
        #expect(Self.fixtures == ["cs231n-lstm", "cs231n-lstm-captioning", "cs231n-rnn", "keras-lstm", "pytorch-lstm", "pytorch-lstm-batch-first"])
    }

    // MARK: Agreement with NumPy

    /// The exact gradient and bptt, in the layout's names, against NumPy's `gradients`; the
    /// per-step route against its `per-step`; the loss against its loss.
    @Test(arguments: fixtures)
    func gradientsAgreeWithNumPy(_ stem: String) throws {
        let fixture = try FixtureFile.read(Self.path(stem))
        #expect(fixture.layout.rawValue == stem.split(separator: "-")[0])
        let expected = try Self.expected(stem)
        func check<P: CellProblem>(_ p: P) throws {
            let problem = p.typed
            let loss = try #require({ if case .number(let v) = expected["loss"] { return v } else { return nil } }())
            #expect(abs(problem.loss - loss) <= 1e-12 * max(1, abs(loss)), "\(stem): loss \(problem.loss) vs \(loss)")
            let routes: [(String, String, Gradients<P.C>)] = [
                ("exact", "gradients", try ExactGradient.gradients(problem)),
                ("bptt", "gradients", P.C.bptt.compute(problem)),
                ("coursera", "gradients", P.C.method(named: "coursera", steps: problem.dims.steps)!.compute(problem)),
                ("per-step", "per-step", P.C.method(named: "per-step", steps: problem.dims.steps)!.compute(problem)),
            ]
            try Self.expectRoutes(routes, of: fixture, stem: stem, agreeWith: expected, within: { _ in 1e-10 })
        }
        try check(fixture.network)
    }

    /// The largest per-tensor relative error of the exact gradient against NumPy's, over every
    /// fixture, for the record (printed, and held to 1e-10 above).
    @Test func worstAgreementOverAllFixtures() throws {
        var worst = (0.0, "")
        for stem in Self.fixtures {
            let fixture = try FixtureFile.read(Self.path(stem))
            func exact<P: CellProblem>(_ p: P) throws -> [(key: String, tensor: Tensor)] {
                try fixture.layout.gradients(try ExactGradient.gradients(p.typed), form: fixture.form)
            }
            for ((key, mine), (_, numpy)) in zip(try exact(fixture.network), try Self.route(try Self.expected(stem), "gradients")) {
                let e = relativeError(mine, numpy)
                if e > worst.0 { worst = (e, "\(stem) \(key)") }
            }
        }
        print("layouts: worst relative error of the exact gradient against NumPy: \(worst.0) (\(worst.1))")
        #expect(worst.0 <= 1e-10)
    }

    // MARK: verify in the layout's names

    func verify(_ stem: String, _ route: String) throws -> VerifyReport {
        let fixture = try FixtureFile.read(Self.path(stem))
        let user = try Self.userFile(try Self.route(try Self.expected(stem), route), "\(stem)-\(route)")
        func run<P: CellProblem>(_ p: P) throws -> VerifyReport {
            try Verify.run(p.typed, name: fixture.name, user: user, reference: try ExactGradient.gradients(p.typed),
                           referenceName: "exact", tolerance: Comparison.defaultTolerance, form: fixture.form)
        }
        return try run(fixture.network)
    }

    @Test(arguments: fixtures)
    func verifyPassesNumPysGradients(_ stem: String) throws {
        let report = try verify(stem, "gradients")
        #expect(report.passed, "\(stem)")
        #expect(report.extraKeys.isEmpty)
        #expect(report.tensors.allSatisfy { $0.status == .matches }, "\(stem): \(report.tensors.filter { $0.status != .matches }.map(\.fileKey))")
        #expect(report.tensors.map(\.fileKey) == (try Self.route(try Self.expected(stem), "gradients")).map(\.key))
    }

    @Test(arguments: fixtures)
    func verifyNamesThePerStepCarry(_ stem: String) throws {
        let report = try verify(stem, "per-step")
        let wrong = report.tensors.filter { $0.status == .mismatch }
        #expect(!report.passed && !wrong.isEmpty, "\(stem)")
        for t in wrong { #expect(t.diagnosis?.kind == .route("per-step"), "\(stem) \(t.fileKey): \(t.diagnosis?.kind.name ?? "none")") }
        // Only the output layer (captioning) is the same without the carry.
        let right = Set(report.tensors.filter { $0.status == .matches }.map(\.fileKey))
        #expect(right.isSubset(of: ["dW_vocab", "db_vocab"]), "\(stem): \(right)")
        // The fix speaks the layout's names.
        let upstream = stem.contains("captioning") ? "the loss's gradient at h_t" : stem.hasPrefix("cs231n") ? "dout[t]" : "grad_output[t]"
        #expect(wrong.first?.diagnosis?.fix.contains(upstream) == true, "\(wrong.first?.diagnosis?.fix ?? "")")
    }

    @Test(arguments: fixtures.filter { $0.hasPrefix("cs231n-lstm") || $0.hasPrefix("pytorch-lstm") })
    func verifyNamesTheGateOrder(_ stem: String) throws {
        let report = try verify(stem, "gate-order-mixed")
        let wrong = report.tensors.filter { $0.status == .mismatch }
        let stacked: Set = stem.hasPrefix("cs231n") ? ["dWx", "dWh", "db"] : ["weight_ih_l0", "weight_hh_l0", "bias_ih_l0", "bias_hh_l0"]
        #expect(Set(wrong.map(\.fileKey)) == stacked, "\(stem)")
        for t in wrong {
            #expect(t.diagnosis?.kind == .gateOrder, "\(stem) \(t.fileKey): \(t.diagnosis?.kind.name ?? "none")")
            #expect(t.diagnosis?.evidence == 0 || (t.diagnosis?.evidence ?? 1) < 1e-12)
            #expect(t.diagnosis?.finding.contains(stem.hasPrefix("cs231n") ? "as i, f, g, o where the forward pass splits the pre-activation as i, f, o, g"
                                                                           : "as i, f, o, g where the forward pass splits the pre-activation as i, f, g, o") == true,
                    "\(t.diagnosis?.finding ?? "")")
        }
    }

    // MARK: Round trips

    /// Fixture → problem → fixture in the same layout: the same keys in the same order and the
    /// same numbers bit for bit (PyTorch's two biases and batch_first included).
    @Test(arguments: fixtures)
    func fixturesAreWrittenBackAsTheyWereRead(_ stem: String) throws {
        let path = Self.path(stem)
        let original = try FileAccess.json(try FileAccess.read(path), source: path)
        let fixture = try FixtureFile.read(path)
        let written = try FixtureFile.encode(fixture)
        #expect(written == original, "\(stem): written back differently")
        let again = try FixtureFile.decode(try JSON.parse(JSON.serialize(written)), source: "again", defaultName: "x")
        #expect(again.form == fixture.form)
    }

    /// Initial states a file leaves out are zeros, their gradients are still reported, and they
    /// stay out when the fixture is written back.
    @Test func absentInitialStatesAreZerosAndStayAbsent() throws {
        let path = Self.path("pytorch-lstm")
        guard case .object(var members) = try FileAccess.json(try FileAccess.read(path), source: path) else { throw Failure.notAnObject }
        Self.set(&members, "h0", nil)
        Self.set(&members, "c0", nil)
        let fixture = try FixtureFile.decode(.object(members), source: "f.json", defaultName: "f")
        #expect(fixture.form.absentStates == ["h0", "c0"])
        let p = try #require(fixture.network as? Problem<LSTM, Double>)
        #expect(p.hasC0 && p.a0.storage.allSatisfy { $0 == 0 } && p.c0.storage.allSatisfy { $0 == 0 })
        #expect(try fixture.layout.gradients(exact(p), form: fixture.form).map(\.key).suffix(3) == ["input", "h0", "c0"])
        #expect(try FixtureFile.encode(fixture) == .object(members))
        #expect(Layout.pytorch.sizesText(p.dims, target: p.target) == "N 3, T 5, D 3, H 4, upstream grad_output")
    }

    /// The same problem written in every layout and read back is the same problem: the same
    /// loss and the same exact gradient, bit for bit.
    @Test(arguments: [CellKind.lstm, .rnn])
    func everyLayoutHoldsTheSameProblem(_ kind: CellKind) throws {
        func problem<C: Cell>(_: C.Type) -> any CellProblem {
            Problem<C, Double>.random(Dims(n_x: 3, n_a: 4, n_y: 2, steps: 5, batch: 2), seed: 11)
        }
        let generated = Fixture(name: "g", network: problem(kind.cell))
        for layout in Layout.allCases {
            let fixture = try layout.defaultForm(of: generated, seed: 5)
            for form in [LayoutForm(layout)] + (layout == .pytorch ? [LayoutForm(.pytorch, batchFirst: true)] : []) {
                var f = fixture
                f.form = form
                let back = try FixtureFile.decode(try JSON.parse(JSON.serialize(try FixtureFile.encode(f))), source: "s", defaultName: "x")
                #expect(back.form.layout == layout && back.form.batchFirst == form.batchFirst)
                func same<P: CellProblem>(_ a: P) throws {
                    let b = try #require(back.network as? Problem<P.C, Double>)
                    #expect(a.typed.loss == b.loss, "\(layout)")
                    #expect(exact(a.typed) == exact(b), "\(layout) \(form.batchFirst)")
                    #expect(b.hasC0 == (P.C.hasCellState && layout != .cs231n) || layout == .coursera, "\(layout)")
                }
                try same(fixture.network)
            }
        }
    }

    /// Gradients in the cell's terms → a layout's files → the cell's terms again.
    @Test func gradientFilesConvertBothWays() throws {
        for stem in Self.fixtures {
            let fixture = try FixtureFile.read(Self.path(stem))
            func check<P: CellProblem>(_ p: P) throws {
                let g = exact(p.typed)
                let files = Dictionary(uniqueKeysWithValues: try fixture.layout.gradients(g, form: fixture.form).map { ($0.key, $0.tensor) })
                let back = try #require(fixture.layout.typedGradients(files, for: p.typed, form: fixture.form))
                #expect(back == g, "\(stem)")
            }
            try check(fixture.network)
        }
    }

    @Test func gradientFilesUseTheLayoutsNamesInItsOrder() throws {
        let p = Layout.cs231n.defaultForm(of: Problem<LSTM, Double>.random(Dims(n_x: 2, n_a: 3, n_y: 2, steps: 4, batch: 2), seed: 3), seed: 1)
        let g = exact(p)
        let names: [Layout: [String]] = [
            .coursera: ["dWf", "dbf", "dWi", "dbi", "dWc", "dbc", "dWo", "dbo", "da0", "dx"],
            .cs231n: ["dx", "dh0", "dWx", "dWh", "db"],
            .pytorch: ["weight_ih_l0", "weight_hh_l0", "bias_ih_l0", "bias_hh_l0", "input", "h0"],
            .keras: ["kernel", "recurrent_kernel", "bias", "inputs", "h0"],
        ]
        for layout in Layout.allCases {
            guard case .object(let members) = try GradientFile.encode(g, layout: layout) else { Issue.record("not an object"); continue }
            #expect(members.map(\.key) == names[layout], "\(layout)")
        }
        // With c0 the frameworks add its gradient; PyTorch's biases each carry the bias gradient.
        let q = Layout.pytorch.defaultForm(of: Problem<LSTM, Double>.random(Dims(n_x: 2, n_a: 3, n_y: 2, steps: 4, batch: 2), seed: 3), seed: 1)
        let files = try Layout.pytorch.gradients(exact(q))
        #expect(files.map(\.key) == ["weight_ih_l0", "weight_hh_l0", "bias_ih_l0", "bias_hh_l0", "input", "h0", "c0"])
        #expect(files[2].tensor == files[3].tensor)
        #expect(files[4].tensor.shape == [4, 2, 2] && files[5].tensor.shape == [1, 2, 3])
        // The output layer of a labels problem has no place outside Coursera's and cs231n's files.
        let labelled = exact(Problem<LSTM, Double>.random(Dims(n_x: 2, n_a: 3, n_y: 2, steps: 4, batch: 2), seed: 3))
        #expect(throws: InputError.self) { try GradientFile.encode(labelled, layout: .keras) }
    }

    @Test func layoutsAreDetectedFromTheirKeys() throws {
        for stem in Self.fixtures {
            let path = Self.path(stem)
            let json = try FileAccess.json(try FileAccess.read(path), source: path)
            guard case .object(let top) = json, case .object(let parameters) = json["parameters"] else { throw Failure.notAnObject }
            let layout = try FixtureFile.read(path).layout
            #expect(Layout.detect(keys: top.map(\.key).filter { $0 != "layout" } + parameters.map(\.key)) == layout, "\(stem)")
            #expect(Layout.detect(keys: try Self.route(try Self.expected(stem), "gradients").map(\.key)) == layout, "\(stem) gradients")
        }
        #expect(Layout.detect(keys: ["dWf", "dbf", "da0", "dx"]) == .coursera)
        #expect(Layout.detect(keys: ["Waa", "Wax", "ba", "a0", "x", "y"]) == .coursera)
        #expect(Layout.detect(keys: ["x", "h0", "c0"]) == nil)
        #expect(Layout.detect(keys: []) == nil)
        #expect(Layout(rawValue: "pytorch") == .pytorch && Layout(rawValue: "PyTorch") == nil)
    }

    // MARK: Default forms

    @Test func theDefaultFormOfEachLayout() throws {
        let generated = Fixture(name: "default", network: Problem<LSTM, Double>.random(Dims(n_x: 3, n_a: 5, n_y: 2, steps: 7, batch: 10), seed: 1))
        let cs231n = try FixtureFile.encode(try Layout.cs231n.defaultForm(of: generated, seed: 1))
        guard case .object(let members) = cs231n else { throw Failure.notAnObject }
        #expect(members.map(\.key) == ["name", "layout", "cell", "parameters", "x", "h0", "dout"])
        #expect(try JSONArrays.tensor(#require(cs231n["dout"]), source: "", key: "dout").shape == [10, 7, 5])
        let pytorch = try FixtureFile.encode(try Layout.pytorch.defaultForm(of: generated, seed: 1))
        guard case .object(let torch) = pytorch else { throw Failure.notAnObject }
        #expect(torch.map(\.key) == ["name", "layout", "cell", "parameters", "input", "h0", "c0", "grad_output"])
        // The same seed draws the same upstream gradient whatever the layout.
        let a = try FixtureFile.decode(cs231n, source: "a", defaultName: "a").network as? Problem<LSTM, Double>
        let b = try FixtureFile.decode(pytorch, source: "b", defaultName: "b").network as? Problem<LSTM, Double>
        #expect(a?.target == b?.target)
        // Class labels have no place in a framework's fixture until turned into an upstream gradient.
        #expect(throws: InputError.self) { try FixtureFile.encode(generated, layout: .keras) }
        #expect(throws: InputError.self) { try FixtureFile.encode(generated, layout: .cs231n) }
    }

    // MARK: The layout's own mistakes

    /// A file of `layout` for a generated problem, right except where `edit` changes it.
    func verifyEdited(_ layout: Layout, dims: Dims = Dims(n_x: 3, n_a: 4, n_y: 2, steps: 5, batch: 2), form: LayoutForm? = nil,
                      _ edit: (inout [(key: String, tensor: Tensor)]) -> Void) throws -> VerifyReport {
        let p = layout.defaultForm(of: Problem<LSTM, Double>.random(dims, seed: 8), seed: 2)
        let form = form ?? LayoutForm(layout)
        let reference = exact(p)
        var files = try layout.gradients(reference, form: form)
        edit(&files)
        return try Verify.run(p, name: "edited", user: try Self.userFile(files, "edited-\(layout)"), reference: reference,
                              referenceName: "exact", tolerance: 1e-6, form: form)
    }

    func diagnoses(_ r: VerifyReport) -> [String: String] {
        Dictionary(uniqueKeysWithValues: r.tensors.filter { $0.status == .mismatch }.map { ($0.fileKey, $0.diagnosis?.kind.name ?? "none") })
    }

    @Test func oneOfPyTorchsBiasesWithoutTheGradient() throws {
        let zero = try verifyEdited(.pytorch) { files in files[3].tensor = Tensor(zeros: files[3].tensor.shape) }
        #expect(diagnoses(zero) == ["bias_hh_l0": "bias-split"])
        #expect(zero.tensors.first { $0.fileKey == "bias_hh_l0" }?.diagnosis?.finding == "bias_hh_l0 is zero: only bias_ih_l0 was given the bias gradient.")
        // (N = 3: half is not a mean over the batch.)
        let halves = try verifyEdited(.pytorch, dims: Dims(n_x: 3, n_a: 4, n_y: 2, steps: 5, batch: 3)) { files in
            for k in [2, 3] { files[k].tensor.data = files[k].tensor.data.map { $0 / 2 } }
        }
        #expect(diagnoses(halves) == ["bias_ih_l0": "bias-split", "bias_hh_l0": "bias-split"])
    }

    @Test func gateOrderInKerasToo() throws {
        // Keras stacks i, f, c, o; a backward that stacks i, c, f, o exchanges blocks 1 and 2.
        let r = try verifyEdited(.keras) { files in
            for k in 0..<3 { files[k].tensor = files[k].tensor.swappingBlocks(1, 2, size: 4, axis: k == 2 ? 0 : 1) }
        }
        #expect(diagnoses(r) == ["kernel": "gate-order", "recurrent_kernel": "gate-order", "bias": "gate-order"])
    }

    @Test func batchFirstConfusion() throws {
        // Time-major fixture, batch-major gradient: read back in the fixture's order, and named.
        let r = try verifyEdited(.pytorch) { files in files[4].tensor = files[4].tensor.permuted(.firstTwoExchanged) }
        #expect(diagnoses(r) == ["input": "batch-first"])
        #expect(r.tensors.first { $0.fileKey == "input" }?.diagnosis?.finding ==
                "input has its batch and time axes exchanged: (N, T, ·) where the fixture's input is (T, N, ·) (batch_first is false). Its values are right.")
        // With N = T the shapes cannot tell: the values do.
        let square = try verifyEdited(.pytorch, dims: Dims(n_x: 3, n_a: 4, n_y: 2, steps: 3, batch: 3), form: LayoutForm(.pytorch, batchFirst: true)) { files in
            files[4].tensor = files[4].tensor.permuted(.firstTwoExchanged)
        }
        #expect(diagnoses(square) == ["input": "batch-first"])
    }

    @Test func aMeanOverTheBatchInTheBias() throws {
        let r = try verifyEdited(.cs231n) { files in files[4].tensor.data = files[4].tensor.data.map { $0 / 2 } }
        #expect(diagnoses(r) == ["db": "mean-over-batch"])
        #expect(r.tensors.first { $0.fileKey == "db" }?.diagnosis?.finding == "db is the right gradient divided by N = 2: a mean where the loss is a sum.")
    }

    @Test func weightsTransposedOrExchanged() throws {
        let transposed = try verifyEdited(.pytorch) { files in files[0].tensor = Tensor(files[0].tensor.matrix.transposed) }
        #expect(diagnoses(transposed) == ["weight_ih_l0": "transpose"])
        // D = H: the exchanged weights have each other's shapes, and their values say so.
        let exchanged = try verifyEdited(.cs231n, dims: Dims(n_x: 4, n_a: 4, n_y: 2, steps: 5, batch: 2)) { files in
            (files[2].tensor, files[3].tensor) = (files[3].tensor, files[2].tensor)
        }
        #expect(diagnoses(exchanged) == ["dWx": "swapped-weights", "dWh": "swapped-weights"])
        // D ≠ H: the shapes say so, as bad input.
        do {
            _ = try verifyEdited(.cs231n) { files in (files[2].tensor, files[3].tensor) = (files[3].tensor, files[2].tensor) }
            Issue.record("exchanged weights of different shapes were read")
        } catch let error as InputError {
            #expect(error.key == "dWx" && error.expected == "shape D × 4H = 3 × 16"
                    && error.found == "4 × 16 (the shape of dWh: are dWx and dWh exchanged?)", "\(error)")
        }
    }

    // MARK: Bad input

    /// A file without its "layout" key is read in the layout its keys are of, and says which
    /// keys told it; asked for another layout, the file's own key or its names are refused.
    @Test func aLayoutIsDetectedFromTheKeysOrAskedFor() throws {
        let withKey = try FixtureFile.decode(try JSON.parse(try cs231n { _ in }), source: "f.json", defaultName: "f")
        let bare = try cs231n { Self.set(&$0, "layout", nil) }
        let detected = try FixtureFile.decode(try JSON.parse(bare), source: "f.json", defaultName: "f")
        #expect(detected.layout == .cs231n && withKey.layoutDetectedFrom == nil)
        let told = try #require(detected.layoutDetectedFrom)
        let cs231nKeys = ["Wx", "Wh", "b", "dout", "h0", "x"].filter { Layout.cs231n.distinctiveKeys.contains($0) }
        #expect(Set(told) == Set(cs231nKeys))
        let written = JSON.serialize(try FixtureFile.encode(withKey))
        let rewritten = JSON.serialize(try FixtureFile.encode(detected))
        #expect(rewritten == written)
        let asked = try FixtureFile.decode(try JSON.parse(bare), source: "f.json", defaultName: "f", layout: .cs231n)
        let rewrittenAsked = JSON.serialize(try FixtureFile.encode(asked))
        #expect(asked.layoutDetectedFrom == nil && rewrittenAsked == written)
        #expect(refusal(try cs231n { _ in }, layout: .pytorch) == "f.json: layout: expected \"pytorch\" (from --layout), found \"cs231n\"")
        #expect(refusal(bare, layout: .coursera)
                == "f.json: h0: expected a known fixture key: one of name, description, layout, cell, dims, parameters, a0, c0, x, y, da, expect, found an unknown key (these are the cs231n layout's names, and --layout coursera reads Coursera's)")
    }

    /// `text` as a fixture (read in `layout` when given); the error's line, or nil when it is read.
    func refusal(_ text: String, layout: Layout? = nil) -> String? {
        do {
            _ = try FixtureFile.decode(try JSON.parse(text), source: "f.json", defaultName: "f", layout: layout)
            return nil
        } catch let error as InputError {
            return error.description
        } catch {
            return "\(error)"
        }
    }

    /// The cs231n fixture's text with `change` applied to its parsed members.
    func cs231n(_ change: (inout [JSONMember]) -> Void) throws -> String {
        let path = Self.path("cs231n-lstm")
        guard case .object(var members) = try FileAccess.json(try FileAccess.read(path), source: path) else { throw Failure.notAnObject }
        change(&members)
        return JSON.serialize(.object(members))
    }

    static func set(_ members: inout [JSONMember], _ key: String, _ value: JSONValue?) {
        if let k = members.firstIndex(where: { $0.key == key }) {
            if let value { members[k].value = value } else { members.remove(at: k) }
        } else if let value {
            members.append(JSONMember(key, value))
        }
    }

    static func setParameter(_ members: inout [JSONMember], _ key: String, _ value: JSONValue?) {
        guard let k = members.firstIndex(where: { $0.key == "parameters" }), case .object(var p) = members[k].value else { return }
        set(&p, key, value)
        members[k].value = .object(p)
    }

    static func zeros(_ shape: [Int]) -> JSONValue { JSONArrays.json(Tensor(zeros: shape)) }

    @Test func hostileFixturesAreOneLineErrors() throws {
        let cases: [(String, String)] = [
            (try cs231n { Self.setParameter(&$0, "Wx", Self.zeros([3, 4])) },
             "f.json: parameters.Wx: expected a matrix of shape D × 4H = 3 × 16, found 3 × 4"),
            (try cs231n { Self.setParameter(&$0, "b", Self.zeros([16, 1])) },
             "f.json: parameters.b: expected a vector of shape 4H = 16, found 16 × 1"),
            (try cs231n { Self.setParameter(&$0, "Wh", Self.zeros([4, 15])) },
             "f.json: parameters.Wh: expected a matrix of shape H × 4H = 4 × 16, found 4 × 15"),
            (try cs231n { Self.set(&$0, "h0", Self.zeros([4, 3])) },
             "f.json: h0: expected a matrix of shape N × H = 3 × 4, found 4 × 3"),
            (try cs231n { Self.set(&$0, "dout", Self.zeros([3, 5, 3])) },
             "f.json: dout: expected an array of shape N × T × H = 3 × 5 × 4, found 3 × 5 × 3"),
            (try cs231n { Self.set(&$0, "x", Self.zeros([3, 5])) },
             "f.json: x: expected an array of shape N × T × D, found 3 × 5"),
            (try cs231n { Self.set(&$0, "H0", Self.zeros([3, 4])) },
             "f.json: H0: expected a known cs231n fixture key: one of name, description, layout, cell, parameters, x, h0, dout, captions, mask, found an unknown key (did you mean \"h0\"?)"),
            (try cs231n { Self.setParameter(&$0, "W_Vocab", Self.zeros([4, 4])) },
             "f.json: parameters.W_Vocab: expected a known cs231n lstm parameter: one of Wx, Wh, b, W_vocab, b_vocab, found an unknown key (did you mean \"W_vocab\"?)"),
            (try cs231n { Self.set(&$0, "c0", Self.zeros([3, 4])) },
             "f.json: c0: expected no initial cell state in the cs231n layout (its LSTM starts from c = 0)"),
            (try cs231n { Self.set(&$0, "layout", .string("caffe")) },
             "f.json: layout: expected one of \"coursera\", \"cs231n\", \"pytorch\", \"keras\", found \"caffe\""),
            (try cs231n { Self.set(&$0, "layout", .string("PyTorch")) },
             "f.json: layout: expected one of \"coursera\", \"cs231n\", \"pytorch\", \"keras\", found \"PyTorch\" (did you mean \"pytorch\"?)"),
            (try cs231n { Self.set(&$0, "dout", nil) },
             "f.json: dout: expected an upstream gradient \"dout\" (N × T × H) or \"captions\" and \"mask\" (N × T), found neither"),
            (try cs231n { Self.set(&$0, "mask", Self.zeros([3, 5])) },
             "f.json: dout: expected either an upstream gradient \"dout\" or \"captions\" with \"mask\", not both"),
            (try cs231n { Self.set(&$0, "batch_first", .bool(true)) },
             "f.json: batch_first: expected a known cs231n fixture key: one of name, description, layout, cell, parameters, x, h0, dout, captions, mask, found an unknown key"),
        ]
        for (text, line) in cases {
            let got = refusal(text)
            #expect(got == line)
            #expect(got?.contains("\n") == false)
        }
        // Captions out of range, a mask that is not 0/1, and the output layer without captions.
        let path = Self.path("cs231n-lstm-captioning")
        guard case .object(let captioning) = try FileAccess.json(try FileAccess.read(path), source: path) else { throw Failure.notAnObject }
        var bad = captioning
        Self.set(&bad, "captions", JSONArrays.json(Tensor(shape: [3, 5], data: Array(repeating: 4, count: 15))))
        #expect(refusal(JSON.serialize(.object(bad))) == "f.json: captions[0, 0]: expected a word index, a whole number from 0 to 3, found 4.0")
        bad = captioning
        Self.set(&bad, "mask", JSONArrays.json(Tensor(shape: [3, 5], data: Array(repeating: 2, count: 15))))
        #expect(refusal(JSON.serialize(.object(bad))) == "f.json: mask[0, 0]: expected 0 or 1, found 2.0")
        #expect(refusal(try cs231n { Self.setParameter(&$0, "W_vocab", Self.zeros([4, 4])) }) ==
                "f.json: parameters.W_vocab: expected no temporal affine layer with an upstream \"dout\" (the loss is Σ dout ⊙ h); it goes with \"captions\" and \"mask\"")
        // PyTorch: the layer axis of h0, and batch_first's type.
        let torch = Self.path("pytorch-lstm")
        guard case .object(let t) = try FileAccess.json(try FileAccess.read(torch), source: torch) else { throw Failure.notAnObject }
        var badTorch = t
        Self.set(&badTorch, "h0", Self.zeros([3, 4]))
        #expect(refusal(JSON.serialize(.object(badTorch))) == "f.json: h0: expected an array of shape 1 × N × H = 1 × 3 × 4, found 3 × 4")
        badTorch = t
        Self.set(&badTorch, "batch_first", .string("yes"))
        #expect(refusal(JSON.serialize(.object(badTorch))) == "f.json: batch_first: expected true or false, found a string")
        badTorch = t
        Self.setParameter(&badTorch, "weight_ih_l0", Self.zeros([3, 16]))
        #expect(refusal(JSON.serialize(.object(badTorch))) == "f.json: parameters.weight_ih_l0: expected a matrix of shape 4H × D = 16 × 3, found 3 × 16")
    }

    @Test func hostileGradientFilesAreOneLineErrors() throws {
        let fixture = try FixtureFile.read(Self.path("cs231n-lstm"))
        let problem = try #require(fixture.network as? Problem<LSTM, Double>)
        var files = try Self.route(try Self.expected("cs231n-lstm"), "gradients")
        func refusal(_ files: [(key: String, tensor: Tensor)]) throws -> String? {
            do {
                _ = try Verify.run(problem, name: "f", user: try Self.userFile(files, "hostile"), reference: exact(problem),
                                   referenceName: "exact", tolerance: 1e-6, form: fixture.form)
                return nil
            } catch let error as InputError {
                return error.expected + " / " + (error.found ?? "") + " / " + (error.key ?? "")
            }
        }
        files[2].key = "dWX"
        #expect(try refusal(files) == "a known cs231n gradient: one of dx, dh0, dWx, dWh, db / an unknown key (did you mean \"dWx\"?) / dWX")
        files[2].key = "dwx"
        #expect(try refusal(files)?.hasSuffix("(did you mean \"dWx\"?) / dwx") == true)
        // A file in Coursera's names against a cs231n fixture.
        let coursera = GradientFile.encode(exact(problem))
        guard case .object(let members) = coursera else { throw Failure.notAnObject }
        let courseraFiles = try members.map { (key: $0.key, tensor: try JSONArrays.tensor($0.value, source: "", key: $0.key)) }
        #expect(try refusal(courseraFiles) == "the cs231n layout's gradient names, as the fixture's (dx dh0 dWx dWh db) / the coursera layout's (dWf dbf dWi dbi dWc …) / ")
        // An unrelated key is listed and ignored, as in Coursera's files.
        var extra = try Self.route(try Self.expected("cs231n-lstm"), "gradients")
        extra.append((key: "loss", tensor: Tensor(shape: [], data: [1])))
        let report = try Verify.run(problem, name: "f", user: try Self.userFile(extra, "extra"), reference: exact(problem),
                                    referenceName: "exact", tolerance: 1e-6, form: fixture.form)
        #expect(report.passed && report.extraKeys == ["loss"])
    }

    // MARK: The captioning loss off the kernels

    @Test func captioningRunsOnTheGenericPathsAndAgrees() throws {
        let fixture = try FixtureFile.read(Self.path("cs231n-lstm-captioning"))
        let p = try #require(fixture.network as? Problem<LSTM, Double>)
        #expect(!LSTMKernel.supports(p))
        let dual = try ExactGradient.dualNumbers(p, control: RunControl())
        #expect(try LSTM.exactGradient(p, control: RunControl()) == dual)
        #expect(BPTT.gradients(p) == BPTT.definition(p))
        #expect(worstRelativeError(BPTT.gradients(p), dual).error < 1e-13)
        let central = FiniteDifferences.central(p)
        #expect(worstRelativeError(central, dual).error < 1e-7)
        #expect(worstRelativeError(FiniteDifferences.estimate(p, scheme: .central).gradients, dual).error < 1e-7)
        let sampled = SampledCheck.run(p, candidate: dual, samples: 5)
        #expect(sampled.passed && sampled.stop == nil)
        let projected = ProjectionCheck.run(p, candidate: dual)
        #expect(projected.passed)
        let perStep = LSTM.method(named: "per-step", steps: p.dims.steps)!.compute(p)
        #expect(!ProjectionCheck.run(p, candidate: perStep).passed)
        // The loss is averaged over N and counts only the unmasked words.
        guard case .maskedLabels(_, let mask, let scale) = p.target else { Issue.record("not masked"); return }
        #expect(scale == 1.0 / 3 && mask.flatMap { $0 }.filter { $0 }.count == 5 + 3 + 2)
    }
}
