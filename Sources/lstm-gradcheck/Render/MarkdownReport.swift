import LSTMGradCheck

/// The report as GitHub-flavoured Markdown, to paste into a question or an issue.
enum MarkdownReport {
    static func render(_ r: CheckReport, fixture: Fixture) -> String {
        var s = "### lstm-gradcheck: \(ReportText.headline(fixture))\n\n"
        s += ReportText.reference(r) + "\n\n"
        s += "| param | shape | " + r.methods.map { "\($0.name) (expected \($0.expectation.rawValue))" }.joined(separator: " | ") + " |\n"
        s += "|---|---|" + r.methods.map { _ in "---:|" }.joined() + "\n"
        for (key, shape) in r.tensors {
            s += "| \(key) | \(ReportText.shape(shape)) | " + r.methods.map { m in
                guard let t = m.tensors.first(where: { $0.key == key }) else { return "–" }
                return t.figure + (t.pass ? "" : " ✗")
            }.joined(separator: " | ") + " |\n"
        }
        s += "| **result** | | " + r.methods.map { "**\(ReportText.outcome($0))**" }.joined(separator: " | ") + " |\n\n"
        s += "Largest element error: " + r.methods.compactMap { m in
            m.tensors.max(by: { $0.maxAbsError < $1.maxAbsError }).map {
                "\(m.name) \(sci($0.maxAbsError)) at `\(ReportText.index($0.key, $0.worstIndex))`"
            }
        }.joined(separator: "; ") + ".\n\n"
        s += "**Verdict**\n\n"
        for v in r.verdicts { s += "- \(ReportText.mark(v.status)) \(v.sentence)\n" }
        s += "\n\(r.conclusion)\n"
        return s
    }
}
