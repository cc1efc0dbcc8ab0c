import Testing
@testable import LSTMGradCheck

@Suite struct NotebookTests {
    /// The eleven values the notebook prints for its cell test, to its printed digits.
    @Test func cellTestReproducesTheNotebooksPrintedValues() {
        let r = Notebook.cellTest()
        #expect(r.entries.count == 11)
        for e in r.entries {
            #expect(e.agrees("coursera", with: "notebook"), "\(e.label): \(e.values["coursera"]!) vs \(e.printed["notebook"]!)")
            // The finite-difference check of the cell agrees with the cell's formulas.
            let ours = e.values["coursera"]!
            #expect(abs(e.values["numerical"]! - ours) <= 1e-7 * max(1, abs(ours)), "\(e.label)")
        }
        // The 2018 printed formulas leave dWo, dbo and dc_prev right and get the rest wrong.
        let wrong = r.entries.filter { !$0.agrees("coursera-2018-printed", with: "notebook") }.map(\.label)
        #expect(wrong == ["dxt[1][2]", "da_prev[2][3]", "dWf[3][1]", "dWi[1][2]", "dWc[3][1]", "dbf[4]", "dbi[4]", "dbc[4]"])
    }

    /// The later edition printed what the carrying loop gives; the 2018 edition what the
    /// loop without the carry gives, except three bias entries that neither loop produces.
    @Test func backwardTestTellsTheEditionsApart() {
        let r = Notebook.backwardTest()
        #expect(r.entries.count == 13)
        for e in r.entries {
            #expect(e.agrees("coursera", with: "later edition"), "\(e.label)")
            #expect(e.agrees("bptt", with: "later edition"), "\(e.label)")
        }
        let perStepMisses = r.entries.filter { !$0.agrees("per-step", with: "2018 edition") }.map(\.label)
        #expect(perStepMisses == ["dbi[4]", "dbc[4]", "dbo[4]"])
        // Where nothing is carried into a step — the last one — both loops agree.
        let last = r.entries.first { $0.label == "dx[1][2][3]" }!
        #expect(last.values["coursera"] == last.values["per-step"])
    }

    @Test func agreementUsesThePrintedDigits() {
        let e = Notebook.Entry(label: "k", printed: ["s": "0.125"], values: ["a": 0.1254, "b": 0.1256])
        #expect(e.agrees("a", with: "s") && !e.agrees("b", with: "s") && !e.agrees("c", with: "s"))
    }
}
