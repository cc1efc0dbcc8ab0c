import LSTMGradCheck

/// The line that ends `verify --exec`'s text: how many fixtures match, then the others grouped
/// by what is wrong in them, so one mistake seen on several fixtures is said once:
/// `6/8 fixtures match; T_x 1 and long sequence (T_x 40): dWf, dbf wrong — per-step`.
enum BatterySummary {
    static func line(_ results: [(name: String, report: VerifyReport)]) -> String {
        let matching = results.filter { $0.report.status == .passed }.count
        var groups: [(what: String, names: [String])] = []
        for (name, report) in results where report.status != .passed {
            let what = report.status == .inconclusive ? "nothing decided (every gradient is zero)" : wrong(report)
            if let k = groups.firstIndex(where: { $0.what == what }) {
                groups[k].names.append(name)
            } else {
                groups.append((what, [name]))
            }
        }
        return (["\(matching)/\(results.count) fixtures match"] + groups.map { "\(list($0.names)): \($0.what)" }).joined(separator: "; ")
    }

    /// `dWf, dbf wrong — per-step + dby missing`.
    private static func wrong(_ report: VerifyReport) -> String {
        let failures = VerifyRender.failures(report)
        return failures.isEmpty ? "nothing required was checked" : failures.joined(separator: " + ")
    }
}
