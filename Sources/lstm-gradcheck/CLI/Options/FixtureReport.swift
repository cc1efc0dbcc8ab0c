import LSTMGradCheck

/// One fixture's report, rendered, with its outcome.
struct FixtureReport {
    var name: String
    var outcome: Outcome
    var body: Body
    /// What failed, one line each (`dWf wrong — per-step`), for CI annotations.
    var failures: [String] = []

    enum Body {
        /// Text or Markdown.
        case document(String)
        /// An entry of the JSON report's `fixtures` (`ReportEnvelope`).
        case json(JSONValue)
        /// A `<testsuite>` of the JUnit XML (`JUnitReport`).
        case junit(JUnitReport.Suite)
    }

    init(name: String, outcome: Outcome, document: String) {
        self.init(name: name, outcome: outcome, body: .document(document))
    }

    init(name: String, outcome: Outcome, json: JSONValue) {
        self.init(name: name, outcome: outcome, body: .json(json))
    }

    init(name: String, outcome: Outcome, junit: JUnitReport.Suite) {
        self.init(name: name, outcome: outcome, body: .junit(junit))
    }

    init(name: String, outcome: Outcome, body: Body) {
        self.name = name
        self.outcome = outcome
        self.body = body
    }

    /// The text or Markdown, when it is one.
    var document: String? {
        if case .document(let text) = body { return text }
        return nil
    }

    /// The JSON entry, when it is one.
    var json: JSONValue? {
        if case .json(let value) = body { return value }
        return nil
    }

    /// The test suite, when it is one.
    var junit: JUnitReport.Suite? {
        if case .junit(let suite) = body { return suite }
        return nil
    }
}
