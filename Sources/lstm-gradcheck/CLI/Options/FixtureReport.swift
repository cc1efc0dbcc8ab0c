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
        case json(JSONValue)
    }

    init(name: String, outcome: Outcome, document: String) {
        self.name = name
        self.outcome = outcome
        body = .document(document)
    }

    init(name: String, outcome: Outcome, json: JSONValue) {
        self.name = name
        self.outcome = outcome
        body = .json(json)
    }

    /// The JSON report, when it is one.
    var json: JSONValue? {
        if case .json(let value) = body { return value }
        return nil
    }

    /// What printing it alone writes.
    var printed: String {
        switch body {
        case .document(let text): return text
        case .json(let value): return JSON.serialize(value) + "\n"
        }
    }
}
