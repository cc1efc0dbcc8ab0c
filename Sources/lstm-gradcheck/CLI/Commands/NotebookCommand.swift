import LSTMGradCheck

/// `lstm-gradcheck notebook cell|backward`: the course notebook's test cells, rebuilt.
struct NotebookCommand: Subcommand {
    /// Which of the notebook's test cells.
    enum Test: String, ArgumentChoice {
        case cell
        case backward
    }

    static let configuration = CommandConfiguration(
        name: "notebook",
        abstract: "Rebuild the course notebook's test cells and print its expected values beside each route's.",
        discussion: """
            'notebook cell' rebuilds the lstm_cell_backward test (np.random.seed(1), then the notebook's \
            randn calls in its order, with NumPy's legacy generator reproduced bit for bit) and prints the \
            eleven values the notebook expects next to the notebook's cell formulas, the 2018 edition's \
            printed formulas and a finite-difference check. 'notebook backward' rebuilds the lstm_backward \
            test and prints both editions' expected values next to the loop with the carry (coursera) and \
            without it (per-step), showing which loop produced which edition's numbers.
            """,
        usage: "lstm-gradcheck notebook cell|backward [--format FORMAT]",
        positional: Positional(name: "TEST", choices: Test.allCases.map(\.rawValue),
                               what: "test cell: " + Test.allCases.map { "'notebook \($0.rawValue)'" }.joined(separator: " or ")))

    static let options = [OutputFormat.spec]

    var test: Test
    var format: OutputFormat

    init(_ p: ParsedArguments) throws(UsageError) {
        format = try p.choice(OutputFormat.spec, among: OutputFormat.documents, default: .text)
        let positional = Self.configuration.positional!
        let word = p.positionals.first
        guard let test = word.flatMap(Test.init(rawValue:)) else {
            throw UsageError(.missingPositional(description: positional.what, given: word,
                                                suggestion: word.flatMap { Suggestion.closest(to: $0, in: positional.choices) }), command: Self.name)
        }
        self.test = test
    }

    func run(_ out: Output) throws -> Outcome {
        let result: Notebook.Result
        switch test {
        case .cell: result = Notebook.cellTest()
        case .backward: result = Notebook.backwardTest()
        }
        // The correct loop must reproduce what its edition printed; the 2018 mismatches are the point.
        let correct = result.sources.filter { $0.route == "coursera" }
        let outcome: Outcome = correct.allSatisfy { s in result.entries.allSatisfy { $0.agrees(s.route, with: s.source) } } ? .matches : .mismatch
        out.write(NotebookReport.render(result, test: test.rawValue, format: format, outcome: outcome))
        return outcome
    }
}
