import LSTMGradCheck

/// The truncated:K sweep: one row per K.
enum TruncationReport {
    static let keys = ["Wf", "Wi", "Wc", "Wo", "a0", "x"]

    static func render(_ r: CheckReport, fixture: Fixture, format: OutputFormat) -> String {
        switch format {
        case .json:
            return ReportEnvelope.document(command: TruncationCommand.name,
                                           [FixtureReport(name: r.name, outcome: Outcome(r.status), json: json(r))])
        case .markdown:
            let (header, body) = rows(r)
            var s = "### lstm-gradcheck: truncated BPTT on \(ReportText.headline(fixture))\n\n"
            s += "| " + header.joined(separator: " | ") + " |\n|" + header.map { _ in "---:|" }.joined() + "\n"
            for row in body { s += "| " + row.joined(separator: " | ") + " |\n" }
            return s + "\n" + conclusion(r) + "\n"
        // `truncation --format` offers no JUnit (`OutputFormat.documents`).
        case .text, .junit:
            var s = "lstm-gradcheck · truncated BPTT · \(ReportText.headline(fixture))\n"
            s += wrap("Relative error ‖g − r‖ / (‖g‖ + ‖r‖) of truncated:K against the \(r.reference) gradient; K = 1 is per-step, K = T_x is full BPTT.", indent: 0) + "\n\n"
            let (header, body) = rows(r)
            var table = Table(header: header, align: header.map { _ in .right })
            table.rows = body
            return s + table.render() + "\n" + wrap(conclusion(r), indent: 0) + "\n"
        }
    }

    private static func rows(_ r: CheckReport) -> (header: [String], rows: [[String]]) {
        let header = ["K"] + keys + ["worst", "in"]
        let rows = r.methods.filter { $0.expectation != .reference }.enumerated().map { k, m in
            ["\(k + 1)"] + keys.map { key in m.tensors.first { $0.key == key }.map { sci($0.relativeError) } ?? "-" }
                + [m.worst.map { sci($0.relativeError) } ?? "-", m.worst?.key ?? ""]
        }
        return (header, rows)
    }

    static func conclusion(_ r: CheckReport) -> String {
        let derivations = r.methods.filter { $0.expectation != .reference }
        guard let first = derivations.first?.worst, let last = derivations.last?.worst else { return "" }
        let T = derivations.count
        let floor = derivations.firstIndex { $0.matches }.map { $0 + 1 }
        var s = "The worst relative error falls from \(sci(first.relativeError)) at K = 1 (per-step) to \(sci(last.relativeError)) at K = \(T) = T_x (full BPTT)"
        if let floor, floor == T {
            s += ", the reference's own floor; only the full carry reaches it."
        } else if let floor {
            s += "; it is within its bound from K = \(floor) on, where what reaches back further is too small to show."
        } else {
            s += "."
        }
        return s
    }

    static func json(_ r: CheckReport) -> JSONValue {
        .object(JSONReport.head(name: r.name, dims: r.dims, reference: r.reference) + [
            JSONMember("truncation", .array(r.methods.filter { $0.expectation != .reference }.enumerated().map { k, m in
                .object([
                    JSONMember("K", .number(Double(k + 1))),
                    JSONMember("matches", .bool(m.matches)),
                    JSONMember("relative_error", .object(m.tensors.map { JSONMember($0.key, .number($0.relativeError)) })),
                ])
            })),
            JSONReport.status(Outcome(r.status)),
            JSONMember("conclusion", .string(conclusion(r))),
        ])
    }
}
