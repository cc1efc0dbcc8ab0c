import LSTMGradCheck

/// `--format`: how a report is printed.
enum OutputFormat: String, ArgumentChoice {
    /// An aligned table and a verdict in words.
    case text
    /// The report as one JSON document (the README describes its keys).
    case json
    /// GitHub-flavoured Markdown, to paste into a question or an issue.
    case markdown
}

/// `--fd`: the finite differences beside (or as) the reference.
enum FiniteDifferencesChoice: String, ArgumentChoice {
    case central
    case richardson
    /// None at all: the exact reference alone, no numerical column.
    case none
}

/// `--reference`, `--precision` and `--cell` take the library's own enums, spelled as their raw values.
extension CheckOptions.Reference: ArgumentChoice {}

extension Layout: ArgumentChoice {
    /// `--layout`: the framework whose names and shapes a fixture or gradient file uses.
    static let spec = OptionSpec(name: "layout", value: "LAYOUT",
                                 help: "coursera (default), cs231n, pytorch or keras: write the fixture in that framework's names, shapes and gate order (cs231n, pytorch and keras carry an upstream gradient in place of labels, as their gradient checks do). cs231n holds the lstm and rnn; pytorch the gru too (torch.nn.GRU); keras both GRUs (gru-reset-before as \"reset_after\": false).",
                                 completion: .choices(Layout.allCases.map(\.rawValue)))

    /// A generated fixture in this layout's default form (`Layout.defaultForm`).
    func generated(_ fixture: Fixture, seed: UInt64) -> Fixture {
        guard self != .coursera else { return fixture }
        func convert<P: CellProblem>(_ p: P) -> any CellProblem { defaultForm(of: p.typed, seed: seed) }
        return Fixture(name: fixture.name, description: fixture.description, network: convert(fixture.network), form: LayoutForm(self))
    }
}
extension CheckOptions.Precision: ArgumentChoice {}
extension CellKind: ArgumentChoice {}

extension OutputFormat {
    /// `--format` of the commands that print all three.
    static let spec = OptionSpec(name: "format", value: "FORMAT", help: "text (default; an aligned table and a verdict), json (the report as one JSON document, for machines; the README describes it) or markdown (to paste into a question or an issue).",
                                 completion: .choices(allCases.map(\.rawValue)))
}
