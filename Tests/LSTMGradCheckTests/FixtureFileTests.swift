import Testing
@testable import LSTMGradCheck

@Suite struct FixtureFileTests {
    private func decode(_ text: String) throws(InputError) -> Fixture {
        let json: JSONValue
        do { json = try JSON.parse(text) } catch { throw InputError(source: "t", expected: "valid JSON in the test", found: "\(error)") }
        return try FixtureFile.decode(json, source: "f.json", defaultName: "f")
    }

    /// A valid one-unit fixture with `parts` replacing top-level members.
    private func text(_ parts: [String: String] = [:]) -> String {
        var members: [(String, String)] = [
            ("name", "\"tiny\""),
            ("parameters", """
                {"Wf": [[0.1, 0.2]], "bf": [[0]], "Wi": [[0.3, -0.1]], "bi": [[0]], "Wc": [[0.5, 0.5]], "bc": [[0.1]],
                 "Wo": [[-0.2, 0.4]], "bo": [[0]], "Wy": [[1], [-1]], "by": [[0], [0.5]]}
                """),
            ("a0", "[[0.5, -0.5]]"),
            ("x", "[[[1, 2, 3], [4, 5, 6]]]"),
            ("y", "[[0, 1, 1], [1, 0, 0]]"),
        ]
        for (k, v) in parts {
            if let i = members.firstIndex(where: { $0.0 == k }) { members[i].1 = v } else { members.append((k, v)) }
        }
        return "{" + members.filter { !$0.1.isEmpty }.map { "\"\($0.0)\": \($0.1)" }.joined(separator: ", ") + "}"
    }

    @Test func readsShapesAndLabelsInCourseraLayout() throws {
        let f = try decode(text())
        #expect(f.name == "tiny")
        #expect(f.lstm!.dims == Dims(n_x: 1, n_a: 1, n_y: 2, steps: 3, batch: 2))
        // x is n_x × m × T_x: x[0][1][2] = 6 is batch column 1 at step 2.
        #expect(f.lstm!.x[2][0, 1] == 6)
        #expect(f.lstm!.target == .labels([[0, 1], [1, 0], [1, 0]]))
    }

    @Test func oneHotLabelsEqualIndices() throws {
        let oneHot = "[[[1, 0, 0], [0, 1, 1]], [[0, 1, 1], [1, 0, 0]]]"
        #expect(try decode(text(["y": oneHot])).lstm!.target == decode(text()).lstm!.target)
    }

    @Test func roundTripsThroughJSON() throws {
        for (d, seed) in [(Dims(n_x: 2, n_a: 3, n_y: 4, steps: 5, batch: 2), UInt64(1)), (Dims(n_x: 1, n_a: 1, n_y: 1, steps: 1, batch: 1), 2)] {
            let fixture = Fixture(name: "r", description: "d", network: Problem<LSTM, Double>.random(d, seed: seed))
            let back = try FixtureFile.decode(try JSON.parse(JSON.serialize(FixtureFile.encode(fixture))), source: "s", defaultName: "x")
            #expect(back.name == "r" && back.description == "d")
            for key in fixture.lstm!.inputKeys { #expect(back.lstm!.tensor(key) == fixture.lstm!.tensor(key)) }
            #expect(back.lstm!.target == fixture.lstm!.target)
        }
    }

    @Test func upstreamGradientFixture() throws {
        let f = try decode(text(["y": "", "da": "[[[1, 2], [3, 4]]]"]))
        #expect(f.lstm!.target == .upstream([Matrix(rows: 1, cols: 2, storage: [1, 3]), Matrix(rows: 1, cols: 2, storage: [2, 4])]))
        #expect(!f.lstm!.inputKeys.contains("Wy"))
    }

    @Test(arguments: [
        (["x": "[[[1, 2, 3], [4, 5]]]"], "f.json: x[0][1]: expected 3 elements like its siblings (the array is ragged), found 2"),
        (["x": "[[[1, 2, 3], [4, 5, \"6\"]]]"], "f.json: x[0][1][2]: expected a number, found a string"),
        (["a0": "[[0.5, -0.5, 1]]"], "f.json: a0: expected a matrix of shape n_a × m = 1 × 2, found 1 × 3"),
        (["y": "[[0, 1, 2], [1, 0, 0]]"], "f.json: y[0][2]: expected a class index, a whole number from 0 to 1, found 2.0"),
        (["y": "[[0, 1, 0.5], [1, 0, 0]]"], "f.json: y[0][2]: expected a class index, a whole number from 0 to 1, found 0.5"),
        (["y": ""], "f.json: y: expected class labels \"y\" (m × T_x) or an upstream gradient \"da\" (n_a × m × T'), found neither"),
        (["da": "[[[1, 2]]]"], "f.json: da: expected either \"y\" (with Wy, by) or \"da\", not both"),
        (["parameters": ""], "f.json: parameters: expected an object with Wf bf Wi bi Wc bc Wo bo (and Wy by), found none"),
        (["dims": "{\"n_a\": 2}"], "f.json: dims.n_a: expected 1, as the arrays say, found a number"),
        (["x": "[[[1, 2, 3], [4, 5, 6]], [[1, 2, 3], [4, 5, 6]]]"], "f.json: parameters.Wf: expected a matrix of shape n_a × (n_a + n_x) = 1 × 3, found 1 × 2"),
        (["A0": "[[0.5, -0.5]]"], "f.json: A0: expected a known fixture key: one of name, description, layout, cell, dims, parameters, a0, c0, x, y, da, expect, found an unknown key (did you mean \"a0\"?)"),
    ])
    func badFixturesNameTheKeyAndTheExpectation(_ parts: [String: String], _ message: String) {
        #expect(throws: InputError.self) { try decode(text(parts)) }
        do {
            _ = try decode(text(parts))
        } catch {
            #expect(error.description == message)
        }
    }

    @Test func gateShapeMismatchIsReported() {
        let bad = text(["parameters": """
            {"Wf": [[0.1, 0.2]], "bf": [[0]], "Wi": [[0.3, -0.1, 1]], "bi": [[0]], "Wc": [[0.5, 0.5]], "bc": [[0.1]],
             "Wo": [[-0.2, 0.4]], "bo": [[0]], "Wy": [[1], [-1]], "by": [[0], [0.5]]}
            """])
        do {
            _ = try decode(bad)
            Issue.record("accepted a 1 × 3 Wi beside a 1 × 2 Wf")
        } catch {
            #expect(error.description == "f.json: parameters.Wi: expected a matrix of shape n_a × (n_a + n_x) = 1 × 2, found 1 × 3")
        }
    }

    @Test func gradientFileUsesCourseraNames() throws {
        let p = Problem<LSTM, Double>.random(Dims(n_x: 2, n_a: 2, n_y: 2, steps: 2, batch: 1), seed: 4)
        let json = GradientFile.encode(Method<LSTM>.bptt.compute(p))
        guard case .object(let members) = json else { Issue.record("not an object"); return }
        #expect(members.map(\.key) == ["dWf", "dbf", "dWi", "dbi", "dWc", "dbc", "dWo", "dbo", "dWy", "dby", "da0", "dx"])
        #expect(try JSONArrays.tensor(#require(json["dx"]), source: "", key: "dx").shape == [2, 1, 2])
    }
}

@Suite struct RNNFixtureFileTests {
    @Test func rnnFixturesRoundTripAndNameTheCell() throws {
        let p = Problem<RNN, Double>.random(Dims(n_x: 2, n_a: 3, n_y: 2, steps: 4, batch: 2), seed: 6)
        let json = try FixtureFile.encode(Fixture(name: "r", network: p))
        #expect(json["cell"] == .string("rnn"))
        let back = try FixtureFile.decode(try JSON.parse(JSON.serialize(json)), source: "s", defaultName: "x")
        guard let q = back.rnn else { Issue.record("not an RNN"); return }
        for key in p.inputKeys { #expect(q.tensor(key) == p.tensor(key)) }
        #expect(q.target == p.target)
    }

    @Test func rnnFixtureErrors() throws {
        let bad = #"{"cell": "rnn", "parameters": {"Waa": [[1, 2]], "Wax": [[1]], "ba": [[0]]}, "x": [[[1]]], "da": [[[1]]]}"#
        #expect(throws: InputError(source: "f.json", key: "parameters.Waa", expected: "a matrix of shape n_a × n_a = 1 × 1", found: "1 × 2")) {
            try FixtureFile.decode(try JSON.parse(bad), source: "f.json", defaultName: "f")
        }
        let unknownCell = #"{"cell": "mlp"}"#
        #expect(throws: InputError(source: "f.json", key: "cell", expected: "\"lstm\" or \"rnn\" or \"gru\" or \"gru-reset-before\"", found: "\"mlp\"")) {
            try FixtureFile.decode(try JSON.parse(unknownCell), source: "f.json", defaultName: "f")
        }
    }
}
