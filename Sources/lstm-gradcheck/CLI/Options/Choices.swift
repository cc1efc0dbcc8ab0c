import LSTMGradCheck

/// `--format`: how a report is printed.
enum OutputFormat: String, ArgumentChoice {
    /// An aligned table and a verdict in words.
    case text
    /// The report as one JSON document (`ReportEnvelope`; docs/schemas/report.schema.json describes it).
    case json
    /// GitHub-flavoured Markdown, to paste into a question or an issue.
    case markdown
    /// JUnit XML, for CI systems' test reports (`check` and `verify`, which have tests to report).
    case junit
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
    /// A generated fixture in this layout's default form (`Layout.defaultForm`); PyTorch's
    /// sequences batch-first when `batchFirst`.
    func generated(_ fixture: Fixture, seed: UInt64, batchFirst: Bool = false) -> Fixture {
        guard self != .coursera else { return fixture }
        func convert<P: CellProblem>(_ p: P) -> any CellProblem { defaultForm(of: p.typed, seed: seed) }
        return Fixture(name: fixture.name, description: fixture.description, network: convert(fixture.network),
                       form: LayoutForm(self, batchFirst: batchFirst))
    }
}
extension CheckOptions.Precision: ArgumentChoice {}
extension CellKind: ArgumentChoice {}

extension OutputFormat {
    /// What `truncation` and `notebook` print: reports with no test cases, so no JUnit.
    static let documents: [OutputFormat] = [.text, .json, .markdown]

    /// `--format` of `truncation` and `notebook`.
    static let spec = OptionSpec(name: "format", value: "FORMAT", help: "text (default; an aligned table and a verdict), json (the report as one JSON document, for machines; docs/schemas/report.schema.json describes it) or markdown (to paste into a question or an issue).",
                                 completion: .choices(documents.map(\.rawValue)))

    /// `--format` of `check` and `verify`, whose reports are tests too.
    static let reportSpec = OptionSpec(name: "format", value: "FORMAT", help: "text (default; an aligned table and a verdict), json (the report as one JSON document, for machines; docs/schemas/report.schema.json describes it), markdown (to paste into a question or an issue) or junit (JUnit XML, one test suite per fixture, for a CI system's test report).",
                                       completion: .choices(allCases.map(\.rawValue)))
}
