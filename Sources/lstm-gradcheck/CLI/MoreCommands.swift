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
            let problem = try ProblemOptions.lstm(fixture, o)
            let format = try o.choice("format", ["text", "json", "markdown"], default: "text")
            let T = problem.dims.steps
            let report = GradCheck.check(problem, name: fixture.name,
                                         methods: (1...T).map { Method<LSTM>.truncated($0, steps: T) })
            out.write(TruncationReport.render(report, fixture: fixture, format: format))
            return report.exitStatus
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

extension Commands {
    static let verify = Command(
        name: "verify",
        abstract: "Check your own gradients against the reference, and name the likely mistake behind each wrong one.",
        discussion: """
            Reads the gradients your implementation computed for a fixture — a JSON file, a .npy file \
            (its key from the file name, e.g. dWo.npy), a folder of .npy files, or an .npz archive from \
            np.savez or np.savez_compressed; float64 or float32, either byte order, C or Fortran order — \
            and compares each with the reference gradient. For a wrong tensor it lists the worst elements \
            and tests it against the catalogue of wrong derivations (per-step, the half carries, the \
            asker's double count, the 2018 printed formulas, truncations) and simple slips (sign, mean \
            instead of sum, swapped gates, transpose, an index off by one step). Keys missing from the \
            file are reported as not provided; unknown keys are listed and ignored.

            Exit status: 0 every provided gradient matches; 1 one does not; 2 bad input.
            """,
        usage: "lstm-gradcheck verify --fixture FILE --grads FILE|FOLDER [--format FORMAT]",
        options: [
            OptionSpec(name: "fixture", value: "FILE", help: "The fixture your gradients were computed on (see 'lstm-gradcheck fixture')."),
            OptionSpec(name: "grads", value: "PATH", help: "Your gradients: .json, .npy, a folder of .npy files, or .npz."),
            formatSpec,
            OptionSpec(name: "tolerance", value: "T", help: "A tensor passes when its relative error is at most T (default \(sci(Comparison.defaultTolerance)); single-precision arrays at least \(sci(Verify.singlePrecisionTolerance)))."),
            ProblemOptions.maxMemorySpec,
        ],
        run: { o, out in
            guard let fixturePath = o.string("fixture"), let gradsPath = o.string("grads") else {
                throw UsageError(message: "verify needs --fixture FILE and --grads PATH", command: o.command)
            }
            let format = try o.choice("format", ["text", "json", "markdown"], default: "text")
            let tolerance = try o.positive("tolerance", default: Comparison.defaultTolerance)
            let limits = try ProblemOptions.limits(o)
            let fixture = try FixtureFile.read(fixturePath, limits: limits)
            let user = try GradientFile.read(gradsPath, limits: limits)
            func verify<P: CellProblem>(_ p: P) throws -> VerifyReport {
                try Verify.run(p.typed, name: fixture.name, user: user, reference: ExactGradient.gradients(p.typed),
                               referenceName: "exact", tolerance: tolerance, form: fixture.form)
            }
            let report = try verify(fixture.network)
            switch format {
            case "json": out.write(JSON.serialize(VerifyRender.json(report)) + "\n")
            case "markdown": out.write(VerifyRender.markdown(report, fixture: fixture))
            default: out.write(VerifyRender.text(report, fixture: fixture, colour: out.colour))
            }
            switch report.status {
            case .passed: return ExitStatus.success
            case .mismatch: return ExitStatus.mismatch
            case .inconclusive: return ExitStatus.inconclusive
            }
        })
}

extension Commands {
    static let explain = Command(
        name: "explain",
        abstract: "Split one weight's gradient by time step and path, or show how gradient flows back in time.",
        discussion: """
            For the chosen gate weight, splits its BPTT gradient, step by step, into the term from that \
            step's own loss (what per-step keeps) and the terms carried back from later steps through \
            da_prev and dc_prev (what per-step drops), checks that the parts add up to the BPTT gradient, \
            and says in plain words what share the carry makes up and where the question's do_{t-1} term \
            enters. With --flow it prints ‖∂L/∂a_t‖ and ‖∂L/∂c_t‖ for every step and how much of one \
            step's loss still reaches k steps back.
            """,
        usage: "lstm-gradcheck explain [--param Wo | --flow] [--fixture FILE | size and seed options] [--format FORMAT]",
        options: ProblemOptions.specs + [
            OptionSpec(name: "param", value: "NAME", help: "The weight to split: \(Explain.parameters(LSTM.self).map { $0.name }.joined(separator: ", ")) (default Wo); for --cell rnn \(Explain.parameters(RNN.self).map { $0.name }.joined(separator: ", ")) (default Waa)."),
            OptionSpec(name: "flow", value: nil, help: "Show the gradient's flow over time instead of one weight's split."),
            OptionSpec(name: "compare", value: nil, help: "With --flow: run the LSTM and a plain RNN on the same inputs and compare how their gradients decay with distance."),
            OptionSpec(name: "format", value: "FORMAT", help: "text (default) or json."),
        ],
        run: { o, out in
            let fixture = try ProblemOptions.fixture(o)
            let json = try o.choice("format", ["text", "json"], default: "text") == "json"
            if o.has("compare") {
                guard o.has("flow") else { throw UsageError(message: "--compare goes with --flow", command: o.command) }
                let lstm = try ProblemOptions.lstm(fixture, o)
                let seed = UInt64(try o.int("seed", default: Int(ProblemOptions.defaultSeed), in: 0...Int.max))
                let comparison = FlowComparison(lstm, rnnSeed: seed &+ 1)
                out.write(json ? JSON.serialize(ExplainRender.compareJSON(comparison)) + "\n" : ExplainRender.compareText(comparison, fixture: fixture))
                return ExitStatus.success
            }
            if o.has("flow") {
                func flow<P: CellProblem>(_ p: P) -> FlowReport { GradientFlow.flow(p.typed) }
                let flow = flow(fixture.network)
                out.write(json ? JSON.serialize(ExplainRender.flowJSON(flow)) + "\n" : ExplainRender.flowText(flow, fixture: fixture))
                return ExitStatus.success
            }
            func split<P: CellProblem>(_ p: P) throws(UsageError) -> (ExplainReport?, Double) {
                let names = Explain.parameters(P.C.self).map(\.name)
                let name = try o.choice("param", names, default: names.contains("Wo") ? "Wo" : names[0])
                guard let parameter = P.C.Parameter.allCases.first(where: { $0.name == name }) else { return (nil, 0) }
                // How far the route that drops the carry is from BPTT on this parameter.
                let key = Input<P.C>.parameter(parameter)
                let bptt = P.C.bptt.compute(p.typed)[key], dropped = P.C.coreMethods.first { $0.expectation == .wrong }?.compute(p.typed)[key]
                let perStep = bptt.flatMap { b in dropped.map { Comparison.compare(name, $0, reference: b, tolerance: 0).relativeError } } ?? 0
                return (Explain.split(p.typed, parameter: parameter), perStep)
            }
            let (e, perStep) = try split(fixture.network)
            guard let e else { return ExitStatus.badInput }
            out.write(json ? JSON.serialize(ExplainRender.json(e, perStepError: perStep)) + "\n"
                      : ExplainRender.text(e, fixture: fixture, perStepError: perStep))
            // The split is exact: a reconstruction off by more than rounding is a bug.
            return e.reconstructionError <= 1e-12 ? ExitStatus.success : ExitStatus.mismatch
        })
}

extension Commands {
    static let report = Command(
        name: "report",
        abstract: "Write the check as one self-contained HTML page: table, verdicts, heat maps and gradient-flow charts.",
        discussion: """
            Runs the same check as 'check' and writes an HTML page with no external assets and no \
            scripts: the relative-error table, the verdicts, a heat map of every weight's per-element \
            error for each method, and the gradient's flow over time (for the LSTM, beside a plain RNN \
            on the same inputs). The page is written to a temporary file and renamed into place; an \
            existing file is replaced only with --force, and Ctrl-C leaves no file behind.
            """,
        usage: "lstm-gradcheck report --out FILE [--force] [--fixture FILE | size and seed options] [--methods LIST]",
        options: ProblemOptions.specs + [
            OptionSpec(name: "out", value: "FILE", help: "Where to write the page (required)."),
            OptionSpec(name: "force", value: nil, help: "Replace FILE if it exists."),
            OptionSpec(name: "methods", value: "LIST", help: "As for check (default bptt,coursera,per-step)."),
        ] + decisionSpecs + RunOptions.specs,
        run: { o, out in
            guard let path = o.string("out") else { throw UsageError(message: "report needs --out FILE", command: o.command) }
            let fixture = try ProblemOptions.fixture(o)
            let report = try checked(fixture, o, options: try checkOptions(o))
            let html: String
            if let p = fixture.network as? Problem<LSTM, Double> {
                let seed = UInt64(try o.int("seed", default: Int(ProblemOptions.defaultSeed), in: 0...Int.max))
                let comparison = FlowComparison(p, rnnSeed: seed &+ 1)
                html = HTMLReport.render(report, fixture: fixture, flow: comparison.lstm, comparison: comparison)
            } else {
                func flow<P: CellProblem>(_ p: P) -> FlowReport { GradientFlow.flow(p.typed) }
                html = HTMLReport.render(report, fixture: fixture, flow: flow(fixture.network), comparison: nil)
            }
            try OutputFile.write(html, to: path, force: o.has("force"), inputs: [o.string("fixture")].compactMap { $0 }, command: o.command)
            out.write("wrote \(path)\n")
            return report.exitStatus
        })
}
