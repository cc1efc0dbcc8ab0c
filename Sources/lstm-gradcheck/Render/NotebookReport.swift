import Foundation
import LSTMGradCheck

/// The notebook's printed values beside each route's.
enum NotebookReport {
    /// JSON in the one report shape (`ReportEnvelope`): the test cell is the run's one network.
    static func render(_ r: Notebook.Result, test: String, format: OutputFormat, outcome: Outcome) -> String {
        switch format {
        case .json:
            let entry = JSONValue.object([JSONReport.fixture(name: "notebook \(test) test", dims: r.dims)] + json(r, test: test) + [JSONReport.status(outcome)])
            return ReportEnvelope.document(command: "notebook", [FixtureReport(name: test, outcome: outcome, json: entry)])
        case .markdown: return markdown(r, test: test)
        // `notebook --format` offers no JUnit (`OutputFormat.documents`).
        case .text, .junit: return text(r, test: test)
        }
    }

    static let setup = [
        "cell": "np.random.seed(1); xt 3×10, a_prev 5×10, c_prev 5×10, the gates 5×8 and 5×1, Wy 2×5, by 2×1, da_next and dc_next 5×10",
        "backward": "np.random.seed(1); x 3×10×7, a0 5×10, the gates 5×8 and 5×1; da 5×10×4, so the backward covers steps 0-3",
    ]

    static func value(_ v: Double) -> String { String(format: "%.12g", v) }

    static func summary(_ r: Notebook.Result, test: String) -> [String] {
        r.routes.compactMap { route in
            guard let source = r.source(for: route) else {
                return route == "numerical"
                    ? "numerical (central differences of Σ da_next⊙a_next + Σ dc_next⊙c_next) agrees with coursera to \(sci(r.largestDifference("numerical", "coursera"))) relative at worst."
                    : nil
            }
            let misses = r.misses(route)
            let n = r.entries.count
            let loops = ["per-step": " (the loop without the carry)", "coursera": " (the notebook's cell in the loop with the carry)"]
            let loop = test == "backward" ? loops[route] ?? "" : ""
            if misses.isEmpty { return "\(route)\(loop) reproduces all \(n) values the \(source) printed." }
            return "\(route)\(loop) reproduces \(n - misses.count) of the \(n) values the \(source) printed; not \(misses.joined(separator: ", "))."
        }
    }

    private static func rows(_ r: Notebook.Result) -> (header: [String], rows: [[String]]) {
        let columns: [(String, (Notebook.Entry) -> String)] =
            r.sources.map { s in ("\(s.source) printed", { $0.printed[s.source] ?? "" }) }
            + r.routes.map { route in (route, { e in
                guard let v = e.values[route] else { return "" }
                let mark = r.source(for: route).map { e.agrees(route, with: $0) ? " ✓" : " ✗" } ?? ""
                return value(v) + mark
            }) }
        return (["entry"] + columns.map(\.0), r.entries.map { e in [e.label] + columns.map { $0.1(e) } })
    }

    static func text(_ r: Notebook.Result, test: String) -> String {
        var s = "lstm-gradcheck · notebook \(test): \(setup[test] ?? "")\n"
        s += test == "backward"
            ? "✓: equals the printed value to its printed digits (per-step is held against the 2018 edition, the others against the later one).\n\n"
            : "✓: equals the notebook's printed value to its printed digits.\n\n"
        let (header, body) = rows(r)
        var table = Table(header: header, align: [.left] + header.dropFirst().map { _ in .right })
        table.rows = body
        s += table.render() + "\n"
        for line in summary(r, test: test) { s += wrap(line, indent: 0) + "\n" }
        return s
    }

    static func markdown(_ r: Notebook.Result, test: String) -> String {
        let (header, body) = rows(r)
        var s = "### lstm-gradcheck: notebook \(test)\n\n\(setup[test] ?? "")\n\n"
        s += "| " + header.joined(separator: " | ") + " |\n|" + header.map { _ in "---|" }.joined() + "\n"
        for row in body { s += "| " + row.joined(separator: " | ") + " |\n" }
        s += "\n" + summary(r, test: test).map { "- \($0)" }.joined(separator: "\n") + "\n"
        return s
    }

    static func json(_ r: Notebook.Result, test: String) -> [JSONMember] {
        [
            JSONMember("test", .string(test)),
            JSONMember("entries", .array(r.entries.map { e in
                .object([
                    JSONMember("entry", .string(e.label)),
                    JSONMember("printed", .object(r.sources.compactMap { s in e.printed[s.source].map { JSONMember(s.source, .string($0)) } })),
                    JSONMember("values", .object(r.routes.compactMap { route in e.values[route].map { JSONMember(route, .number($0)) } })),
                ])
            })),
            JSONMember("summary", .array(summary(r, test: test).map(JSONValue.string))),
        ]
    }
}
