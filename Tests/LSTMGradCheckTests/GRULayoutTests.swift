import Foundation
import Testing
@testable import LSTMGradCheck

/// The GRU in the frameworks' layouts against the independent NumPy reference
/// (`Fixtures/tools/layouts_numpy.py`, written from PyTorch's and Keras' documented equations):
/// `torch.nn.GRU` (`pytorch-gru`), Keras' default `GRU(reset_after=True)`
/// (`keras-gru-reset-after`, read as `GRU`) and `GRU(reset_after=False)` (`keras-gru`, read as
/// `GRUResetBefore`). Every route the cells have, in the layout's names, to 1e-12 of NumPy's;
/// `verify` on NumPy's right, per-step and gate-order-mixed gradients; the fixtures written back
/// as they were read; the GRU's own layout mistakes and bad input.
@Suite struct GRULayoutTests {
    static let fixtures = ["keras-gru", "keras-gru-reset-after", "pytorch-gru"]
    /// The cell each fixture is read as.
    static let cells: [String: CellKind] = ["keras-gru": .gruResetBefore, "keras-gru-reset-after": .gru, "pytorch-gru": .gru]

    static func read(_ stem: String) throws -> Fixture { try FixtureFile.read(LayoutTests.path(stem)) }

    @Test func theFixturesAreThere() throws {
        let names = try FileManager.default.contentsOfDirectory(atPath: LayoutTests.folder.path)
        #expect(names.filter { $0.hasSuffix(".json") && !$0.hasPrefix("gru") && $0.contains("gru") }.sorted() == Self.fixtures.map { $0 + ".json" }.sorted())
        for stem in Self.fixtures { #expect(try Self.read(stem).network.kind == Self.cells[stem], "\(stem)") }
    }

    /// Keras' reset_after=False GRU has one bias per gate, in Coursera's shapes.
    @Test func theResetBeforeGRUsParameters() {
        #expect(GRUResetBefore.Parameter.allCases.map(\.name) == ["Wir", "Wiz", "Win", "Whr", "Whz", "Whn", "br", "bz", "bn", "Wy", "by"])
        #expect(GRUResetBefore.Parameter.allCases.map(GRUResetBefore.shapeText) ==
                Array(repeating: "n_a × n_x", count: 3) + Array(repeating: "n_a × n_a", count: 3) + Array(repeating: "n_a × 1", count: 3) + ["n_y × n_a", "n_y × 1"])
        #expect(CellKind(rawValue: "gru-reset-before") == .gruResetBefore && CellKind.gruResetBefore.cell == GRUResetBefore.self)
    }

    /// Every route's gradients in the layout's names beside NumPy's: the worst relative error
    /// over every tensor of `stem`, and the loss's.
    func agreement(_ stem: String) throws -> (worst: Double, at: String, loss: Double) {
        let fixture = try Self.read(stem)
        let expected = try LayoutTests.expected(stem)
        func check<P: CellProblem>(_ p: P) throws -> (worst: Double, at: String, loss: Double) {
            let problem = p.typed, steps = problem.dims.steps
            guard case .number(let loss) = try #require(expected["loss"]) else { throw LayoutTests.Failure.notFound }
            let routes: [(String, String, Gradients<P.C>)] = [
                ("exact", "gradients", try ExactGradient.gradients(problem)),
                ("bptt", "gradients", P.C.bptt.compute(problem)),
                ("coursera", "gradients", try #require(P.C.method(named: "coursera", steps: steps)).compute(problem)),
                ("per-step", "per-step", try #require(P.C.method(named: "per-step", steps: steps)).compute(problem)),
                ("numerical", "gradients", FiniteDifferences.central(problem)),
            ]
            // Central differences carry their truncation error; every other route is exact.
            let errors = try LayoutTests.expectRoutes(routes, of: fixture, stem: stem, agreeWith: expected,
                                                      within: { $0 == "numerical" ? 1e-7 : 1e-12 })
            let worst = errors.filter { $0.route != "numerical" }
                .reduce((0.0, "")) { $1.error > $0.0 ? ($1.error, "\($1.route) \($1.key)") : $0 }
            return (worst.0, worst.1, abs(problem.loss - loss) / max(1, abs(loss)))
        }
        return try check(fixture.network)
    }

    @Test(arguments: fixtures)
    func everyRouteAgreesWithNumPy(_ stem: String) throws {
        let a = try agreement(stem)
        print("\(stem): worst relative error against NumPy \(a.worst) (\(a.at)), loss \(a.loss)")
        #expect(a.worst <= 1e-12 && a.loss <= 1e-12, "\(stem): \(a)")
    }

    // MARK: verify in the layout's names

    /// `verify` of NumPy's `route` gradients against the fixture's exact gradient, as `LayoutTests` runs it.
    func verify(_ stem: String, _ route: String) throws -> VerifyReport { try LayoutTests().verify(stem, route) }

    @Test(arguments: fixtures)
    func verifyPassesNumPysGradients(_ stem: String) throws {
        let report = try verify(stem, "gradients")
        #expect(report.passed && report.extraKeys.isEmpty, "\(stem)")
        #expect(report.tensors.map(\.fileKey) == (try LayoutTests.route(try LayoutTests.expected(stem), "gradients")).map(\.key))
        #expect(report.tensors.allSatisfy { $0.status == .matches }, "\(stem): \(report.tensors.filter { $0.status != .matches }.map(\.fileKey))")
    }

    @Test(arguments: fixtures)
    func verifyNamesThePerStepCarry(_ stem: String) throws {
        let report = try verify(stem, "per-step")
        #expect(!report.passed && report.tensors.allSatisfy { $0.status == .mismatch }, "\(stem)")
        for t in report.tensors {
            #expect(t.diagnosis?.kind == .route("per-step"), "\(stem) \(t.fileKey): \(t.diagnosis?.kind.name ?? "none")")
            #expect(t.diagnosis?.fix.contains("grad_output[t]") == true, "\(t.diagnosis?.fix ?? "")")
        }
    }

    /// PyTorch's r, z, n stacked as z, r, n; Keras' z, r, h as r, z, h.
    @Test(arguments: fixtures)
    func verifyNamesTheGateOrder(_ stem: String) throws {
        let report = try verify(stem, "gate-order-mixed")
        let wrong = report.tensors.filter { $0.status == .mismatch }
        let stacked: Set = stem.hasPrefix("keras") ? ["kernel", "recurrent_kernel", "bias"] : ["weight_ih_l0", "weight_hh_l0", "bias_ih_l0", "bias_hh_l0"]
        #expect(Set(wrong.map(\.fileKey)) == stacked, "\(stem)")
        let said = stem.hasPrefix("keras") ? "as r, z, h where the forward pass splits the pre-activation as z, r, h"
                                           : "as z, r, n where the forward pass splits the pre-activation as r, z, n"
        for t in wrong {
            #expect(t.diagnosis?.kind == .gateOrder, "\(stem) \(t.fileKey): \(t.diagnosis?.kind.name ?? "none")")
            #expect(t.diagnosis?.finding.contains(said) == true, "\(t.diagnosis?.finding ?? "")")
        }
    }

    // MARK: The two biases

    /// The GRU's two biases are not interchangeable: PyTorch's differ in the n block, Keras'
    /// rows in the h block, and the gradient file says so.
    @Test func theTwoBiasesHaveTheirOwnGradients() throws {
        let torch = try LayoutTests.route(try LayoutTests.expected("pytorch-gru"), "gradients")
        let (ih, hh) = (try #require(torch.first { $0.key == "bias_ih_l0" }).tensor, try #require(torch.first { $0.key == "bias_hh_l0" }).tensor)
        #expect(Array(ih.data[0..<8]) == Array(hh.data[0..<8]) && relativeError(ih, hh) > 1e-3)
        let keras = try #require(try LayoutTests.route(try LayoutTests.expected("keras-gru-reset-after"), "gradients").first { $0.key == "bias" }).tensor
        #expect(keras.shape == [2, 12] && Array(keras.data[0..<8]) == Array(keras.data[12..<20]) && keras.data[8] != keras.data[20])
    }

    /// A file of `stem`'s fixture with NumPy's right gradients, but for `edit`.
    func verifyEdited(_ stem: String, _ edit: (inout [(key: String, tensor: Tensor)]) -> Void) throws -> VerifyReport {
        let fixture = try Self.read(stem)
        var files = try LayoutTests.route(try LayoutTests.expected(stem), "gradients")
        edit(&files)
        let user = try LayoutTests.userFile(files, "gru-edited-\(stem)")
        func run<P: CellProblem>(_ p: P) throws -> VerifyReport {
            try Verify.run(p.typed, name: fixture.name, user: user, reference: try ExactGradient.gradients(p.typed),
                           referenceName: "exact", tolerance: 1e-6, form: fixture.form)
        }
        return try run(fixture.network)
    }

    func diagnoses(_ r: VerifyReport) -> [String: String] {
        Dictionary(uniqueKeysWithValues: r.tensors.filter { $0.status == .mismatch }.map { ($0.fileKey, $0.diagnosis?.kind.name ?? "none") })
    }

    @Test func bothOfPyTorchsBiasesGivenOneGradient() throws {
        let r = try verifyEdited("pytorch-gru") { files in files[3].tensor = files[2].tensor }
        #expect(diagnoses(r) == ["bias_hh_l0": "bias-shared"])
        let d = try #require(r.tensors.first { $0.fileKey == "bias_hh_l0" }?.diagnosis)
        #expect(d.finding == "bias_hh_l0 holds bias_ih_l0's gradient: the two biases were given one gradient, as an LSTM's may be, but here they differ in the n block.")
        #expect(d.fix.contains("r ⊙ dn"), "\(d.fix)")
        let other = try verifyEdited("pytorch-gru") { files in files[2].tensor = files[3].tensor }
        #expect(diagnoses(other) == ["bias_ih_l0": "bias-shared"])
    }

    @Test func bothOfKerasBiasRowsGivenOneGradient() throws {
        let r = try verifyEdited("keras-gru-reset-after") { files in
            for k in 12..<24 { files[2].tensor.data[k] = files[2].tensor.data[k - 12] }
        }
        #expect(diagnoses(r) == ["bias": "bias-shared"])
        #expect(r.tensors.first { $0.fileKey == "bias" }?.diagnosis?.finding ==
                "bias[1] holds bias[0]'s gradient: the two biases were given one gradient, as an LSTM's may be, but here they differ in the h block.")
        // The gate order in a two-row bias is the columns' of both rows.
        let order = try verifyEdited("keras-gru-reset-after") { files in files[2].tensor = files[2].tensor.swappingBlocks(0, 1, size: 4, axis: 1) }
        #expect(diagnoses(order) == ["bias": "gate-order"])
    }

    // MARK: Round trips and conversions

    @Test(arguments: fixtures)
    func fixturesAreWrittenBackAsTheyWereRead(_ stem: String) throws {
        let path = LayoutTests.path(stem)
        let original = try FileAccess.json(try FileAccess.read(path), source: path)
        let fixture = try FixtureFile.read(path)
        #expect(try FixtureFile.encode(fixture) == original, "\(stem)")
    }

    @Test(arguments: fixtures)
    func gradientFilesConvertBothWays(_ stem: String) throws {
        let fixture = try Self.read(stem)
        func check<P: CellProblem>(_ p: P) throws {
            let g = exact(p.typed)
            let files = Dictionary(uniqueKeysWithValues: try fixture.layout.gradients(g, form: fixture.form).map { ($0.key, $0.tensor) })
            #expect(try #require(fixture.layout.typedGradients(files, for: p.typed, form: fixture.form)) == g, "\(stem)")
        }
        try check(fixture.network)
    }

    @Test(arguments: fixtures)
    func theLayoutIsDetectedFromTheKeys(_ stem: String) throws {
        let path = LayoutTests.path(stem)
        let json = try FileAccess.json(try FileAccess.read(path), source: path)
        guard case .object(let top) = json, case .object(let parameters) = json["parameters"] else { throw LayoutTests.Failure.notAnObject }
        let layout = try Self.read(stem).layout
        #expect(Layout.detect(keys: top.map(\.key).filter { $0 != "layout" } + parameters.map(\.key)) == layout, "\(stem)")
        #expect(Layout.detect(keys: try LayoutTests.route(try LayoutTests.expected(stem), "gradients").map(\.key)) == layout, "\(stem) gradients")
    }

    /// A generated GRU of either kind written in each layout that holds it and read back is the
    /// same problem, bit for bit; PyTorch holds no reset-before GRU.
    @Test(arguments: [CellKind.gru, .gruResetBefore])
    func everyLayoutHoldsTheSameGRU(_ kind: CellKind) throws {
        func problem<C: Cell>(_: C.Type) -> any CellProblem { Problem<C, Double>.random(Dims(n_x: 3, n_a: 4, n_y: 2, steps: 5, batch: 2), seed: 12) }
        let generated = Fixture(name: "g", network: problem(kind.cell))
        #expect(Layout.allCases.filter { $0.holds(kind) } == (kind == .gru ? [.coursera, .pytorch, .keras] : [.coursera, .keras]))
        for layout in Layout.allCases where layout.holds(kind) {
            let fixture = try layout.defaultForm(of: generated, seed: 5)
            let back = try FixtureFile.decode(try JSON.parse(JSON.serialize(try FixtureFile.encode(fixture))), source: "s", defaultName: "x")
            func same<P: CellProblem>(_ a: P) throws {
                let b = try #require(back.network as? Problem<P.C, Double>, "\(layout)")
                #expect(a.typed.loss == b.loss && exact(a.typed) == exact(b), "\(layout)")
            }
            try same(fixture.network)
        }
        #expect(throws: InputError.self) { try Layout.cs231n.defaultForm(of: generated, seed: 5) }
    }

    // MARK: Bad input

    func refusal(_ stem: String, _ change: (inout [JSONMember]) -> Void) throws -> String? {
        let path = LayoutTests.path(stem)
        guard case .object(var members) = try FileAccess.json(try FileAccess.read(path), source: path) else { throw LayoutTests.Failure.notAnObject }
        change(&members)
        do {
            _ = try FixtureFile.decode(.object(members), source: "f.json", defaultName: "f")
            return nil
        } catch {
            return error.description
        }
    }

    @Test func hostileGRUFixturesAreOneLineErrors() throws {
        let cases: [(String?, String)] = [
            (try refusal("pytorch-gru") { LayoutTests.set(&$0, "reset_after", .bool(false)) },
             "f.json: reset_after: expected no reset_after in the pytorch layout (torch.nn.GRU always applies the reset gate after W_hn·h + b_hn; reset_after=False is Keras')"),
            (try refusal("keras-gru") { LayoutTests.set(&$0, "reset_after", .string("false")) },
             "f.json: reset_after: expected true or false, found a string"),
            (try refusal("keras-gru") { LayoutTests.set(&$0, "reset_after", nil) },
             "f.json: parameters.bias: expected a matrix of shape 2 × 3H = 2 × 12, found 12 (reset_after=False's one-row bias: add \"reset_after\": false)"),
            (try refusal("keras-gru-reset-after") { LayoutTests.set(&$0, "reset_after", .bool(false)) },
             "f.json: parameters.bias: expected a vector of shape 3H = 12, found 2 × 12 (reset_after=True's two-row bias: drop \"reset_after\": false)"),
            (try refusal("keras-lstm") { LayoutTests.set(&$0, "reset_after", .bool(true)) },
             "f.json: reset_after: expected no reset_after for a lstm (only Keras' GRU has it)"),
            (try refusal("keras-gru") { LayoutTests.set(&$0, "cell", .string("gru-reset-before")); LayoutTests.set(&$0, "reset_after", .bool(true)) },
             "f.json: reset_after: expected false, or no reset_after, for \"cell\": \"gru-reset-before\", found true"),
            (try refusal("pytorch-gru") { LayoutTests.set(&$0, "cell", .string("gru-reset-before")) },
             "f.json: cell: expected \"lstm\" or \"rnn\" or \"gru\" in the pytorch layout, found \"gru-reset-before\""),
            (try refusal("pytorch-gru") { LayoutTests.set(&$0, "c0", LayoutTests.zeros([1, 3, 4])) },
             "f.json: c0: expected no cell state for a gru (\"cell\": \"gru\")"),
            (try refusal("pytorch-gru") { LayoutTests.setParameter(&$0, "bias_hh_l0", LayoutTests.zeros([16])) },
             "f.json: parameters.bias_hh_l0: expected a vector of shape 3H = 12, found 16"),
        ]
        for (got, line) in cases {
            #expect(got == line)
            #expect(got?.contains("\n") == false)
        }
        // The reset-before GRU under its own name in Keras' file is read as with reset_after false.
        #expect(try refusal("keras-gru") { LayoutTests.set(&$0, "cell", .string("gru-reset-before")) } == nil)
    }
}
