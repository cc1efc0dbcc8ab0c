import LSTMGradCheck

/// The one JSON report shape of every command that reports (`check`, its `--sample` and
/// `--projection` forms, `verify`, `explain`, `truncation`, `notebook`), described by
/// docs/schemas/report.schema.json: which shape it is, which command printed it, what the whole
/// run came to and the exit status that implies, then one entry per fixture — a list even for
/// one, so a reader never branches on how many fixtures a run had. Each entry is the fixture's
/// own report, opening with the same `fixture` object (`JSONReport.fixture`) and holding its
/// own `status`.
enum ReportEnvelope {
    /// The shape's name and version: a reader checks it before reading on. Version 1 was the
    /// bare per-command reports, before they shared this envelope.
    static let schema = "lstm-gradcheck/report/2"

    static func json(command: String, _ reports: [FixtureReport]) -> JSONValue {
        let outcome = Outcome.worst(reports.map(\.outcome))
        return .object([
            JSONMember("schema", .string(schema)),
            JSONMember("command", .string(command)),
            JSONReport.status(outcome),
            JSONMember("exit_status", .number(Double(exitStatus(for: outcome)))),
            JSONMember("fixtures", .array(reports.compactMap(\.json))),
        ])
    }

    /// The printed document.
    static func document(command: String, _ reports: [FixtureReport]) -> String {
        JSON.serialize(json(command: command, reports)) + "\n"
    }
}
