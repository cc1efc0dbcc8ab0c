import LSTMGradCheck

/// Running a command over several fixtures: each report in turn, one summary line, the
/// worst outcome. One fixture prints exactly what it always did.
enum ManyFixtures {
    static let quietSpec = OptionSpec(name: "quiet", value: nil, help: "Text format: print only the reports that do not match and one summary line (\"3 fixtures: 2 match, 1 mismatch (long-sequence)\").")

    /// `--quiet`, which prints text.
    static func quiet(_ p: ParsedArguments, format: OutputFormat) throws(UsageError) -> Bool {
        guard p.has(quietSpec) else { return false }
        guard format == .text else {
            throw UsageError(.conflict(quietSpec.name, with: "\(OutputFormat.spec.name) \(format.rawValue)", reason: nil), command: p.command)
        }
        return true
    }

    /// `body` on each of `items` (one a fixture), in order. Ctrl-C during one says which came before it.
    static func each<Item>(_ items: [Item], name: (Item) -> String, _ body: (Item) throws -> FixtureReport) throws -> [FixtureReport] {
        var reports: [FixtureReport] = []
        for item in items {
            do {
                reports.append(try body(item))
            } catch let stop as Interrupted where items.count > 1 {
                throw stop.during(name(item), after: reports.map(\.name), of: items.count)
            }
        }
        return reports
    }

    /// Everything a run of `command` over `reports` prints. JSON: one report, however many
    /// fixtures (`ReportEnvelope`); JUnit: one `<testsuites>` document (`JUnitReport`). Text
    /// and Markdown: one report alone prints itself, as ever; several, each in turn, a blank
    /// line apart, and text ends with the summary line (`summary`, or the count of each
    /// outcome). With `quiet` (text only), only the reports that do not match, then the summary.
    static func output(_ reports: [FixtureReport], command: String, format: OutputFormat, quiet: Bool, summary line: String? = nil) -> String {
        switch format {
        case .json:
            return ReportEnvelope.document(command: command, reports)
        case .junit:
            return JUnitReport.document(reports.compactMap(\.junit))
        case .markdown:
            return reports.compactMap(\.document).joined(separator: "\n")
        case .text:
            if reports.count == 1 && !quiet { return reports[0].document ?? "" }
            let shown = quiet ? reports.filter { $0.outcome != .matches } : reports
            return (shown.compactMap(\.document) + [(line ?? summary(reports)) + "\n"]).joined(separator: "\n")
        }
    }

    /// `3 fixtures: 2 match, 1 mismatch (long-sequence)`.
    static func summary(_ reports: [FixtureReport]) -> String {
        let groups: [(Outcome, String)] = [(.matches, "match"), (.mismatch, "mismatch"), (.undecided, "inconclusive")]
        let parts = groups.compactMap { outcome, word -> String? in
            let names = reports.filter { $0.outcome == outcome }.map(\.name)
            guard !names.isEmpty else { return nil }
            return "\(names.count) \(word)" + (outcome == .matches ? "" : " (\(names.joined(separator: ", ")))")
        }
        return "\(reports.count) fixture\(reports.count == 1 ? "" : "s"): " + parts.joined(separator: ", ")
    }
}
