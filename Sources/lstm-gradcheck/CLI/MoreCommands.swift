import LSTMGradCheck

extension Commands {
    static let truncation = Command(
        name: "truncation",
        abstract: "Show the error of BPTT truncated to K steps, for K = 1 … T_x, falling to the numerical floor.",
        discussion: """
            Runs truncated:K for every K from 1 (per-step: nothing carried back) to T_x (full \
            backpropagation through time) on one network, and prints each one's relative error against \
            the numerical gradient for the gate weights, a0 and x. The error falls as K grows and reaches \
            the finite-difference floor at K = T_x: every step of the carry matters.
            """,
        usage: "lstm-gradcheck truncation [--fixture FILE | size and seed options] [--format FORMAT]",
        options: ProblemOptions.specs + [formatSpec],
        run: { o, out in
            let fixture = try ProblemOptions.fixture(o)
            let format = try o.choice("format", ["text", "json", "markdown"], default: "text")
            let T = fixture.problem.dims.steps
            let report = GradCheck.check(fixture.problem, name: fixture.name,
                                         methods: (1...T).map { Method.truncated($0, steps: T) })
            out.write(TruncationReport.render(report, fixture: fixture, format: format))
            return report.passed ? ExitStatus.success : ExitStatus.mismatch
        })

    static let notebook = Command(
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
        options: [formatSpec],
        maxPositionals: 1,
        run: { o, out in
            let format = try o.choice("format", ["text", "json", "markdown"], default: "text")
            let result: Notebook.Result
            switch o.positionals.first {
            case "cell": result = Notebook.cellTest()
            case "backward": result = Notebook.backwardTest()
            default:
                throw UsageError(message: "say which test cell: 'notebook cell' or 'notebook backward'", command: o.command)
            }
            out.write(NotebookReport.render(result, test: o.positionals[0], format: format))
            // The correct loop must reproduce what its edition printed; the 2018 mismatches are the point.
            let correct = result.sources.filter { $0.route == "coursera" }
            return correct.allSatisfy { s in result.entries.allSatisfy { $0.agrees(s.route, with: s.source) } }
                ? ExitStatus.success : ExitStatus.mismatch
        })
}
