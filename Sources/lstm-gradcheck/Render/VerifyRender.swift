import Foundation
import LSTMGradCheck

/// The verify report: a table of the user's tensors, then each mismatch with its
/// worst elements and diagnosis, then the verdict.
enum VerifyRender {
    static func verdict(_ r: VerifyReport) -> String {
        let provided = r.tensors.filter { $0.status != .notProvided }
        let wrong = provided.filter { $0.status == .mismatch }.map(\.fileKey)
        let missing = r.tensors.filter { $0.status == .notProvided }.map(\.fileKey)
        var s = provided.isEmpty ? "None of the gradients this network has was found in \(r.source)."
            : wrong.isEmpty ? "All \(provided.count) provided gradients match the \(r.reference) gradient."
            : "\(wrong.count) of the \(provided.count) provided gradients \(wrong.count == 1 ? "is" : "are") wrong: \(wrong.joined(separator: ", "))."
        if !missing.isEmpty { s += " Not provided: \(missing.joined(separator: ", "))." }
        return s
    }

    static func text(_ r: VerifyReport, fixture: Fixture, colour: Bool) -> String {
        let style = Style(enabled: colour)
        var s = style.bold("lstm-gradcheck · verify \(r.source) against \(ReportText.headline(fixture))") + "\n"
        s += wrap("Reference: \(r.reference) gradient. A tensor passes when its relative error ‖g − r‖ / (‖g‖ + ‖r‖) is at most \(sci(r.tolerance)) (\(sci(Verify.singlePrecisionTolerance)) for single-precision arrays).", indent: 0) + "\n\n"
        var table = Table<VerifiedTensor.Status>(header: ["param", "file key", "shape", "relative error", "max |g − r|", "result"],
                                                 align: [.left, .left, .left, .right, .right, .left])
        for t in r.tensors {
            let c = t.comparison
            table.append([t.key, t.fileKey, ReportText.shape(fixture, t.key), c.map { sci($0.relativeError) } ?? "-",
                          c.map { sci($0.maxAbsError) } ?? "-", result(t)],
                         tags: [nil, nil, nil, nil, nil, t.status])
        }
        table.style = { _, _, status, text in
            switch status {
            case nil: return text
            case .matches?: return style.green(text)
            case .mismatch?: return style.red(text)
            case .notProvided?: return style.dim(text)
            }
        }
        s += table.render()
        if !r.extraKeys.isEmpty { s += "\nIgnored (not gradients of this network): \(r.extraKeys.joined(separator: ", "))\n" }
        // Tensors wrong for the same reason are explained once.
        var groups: [(diagnosis: Diagnosis?, tensors: [VerifiedTensor])] = []
        for t in r.tensors where t.status == .mismatch {
            if let d = t.diagnosis, let k = groups.firstIndex(where: { $0.diagnosis?.kind == d.kind }) {
                groups[k].tensors.append(t)
            } else {
                groups.append((t.diagnosis, [t]))
            }
        }
        for (diagnosis, tensors) in groups {
            let names = tensors.map(\.fileKey).joined(separator: ", ")
            s += "\n" + style.bold(names + ": MISMATCH") + "\n"
            if let t = tensors.max(by: { ($0.comparison?.relativeError ?? 0) < ($1.comparison?.relativeError ?? 0) }) {
                s += wrap("worst elements (\(t.fileKey)): " + t.worstElements.prefix(3).map {
                    "\(ReportText.index(t.fileKey, $0.index)) yours \(num($0.user)), right \(num($0.reference))"
                }.joined(separator: "; "), indent: 4).dropFirst(2) + "\n"
            }
            if let d = diagnosis {
                let finding = tensors.count == 1 ? d.finding : d.finding.replacingOccurrences(of: tensors[0].fileKey + " ", with: "each ", options: .anchored)
                let evidence = tensors.compactMap { $0.diagnosis?.evidence }.max() ?? d.evidence
                let proof = evidence == 0 ? "it equals that mistake's gradient exactly" : "within \(sci(evidence)) relative of that mistake's gradient"
                s += wrap("diagnosis: \(finding) (evidence: \(proof))", indent: 4).dropFirst(2) + "\n"
                s += wrap("fix: \(d.fix)", indent: 4).dropFirst(2) + "\n"
            } else {
                s += wrap("diagnosis: no known mistake matches (the catalogue of wrong derivations, a sign, a mean instead of a sum, swapped gates, a transpose, an index shifted by one step); start from the worst elements above.", indent: 4).dropFirst(2) + "\n"
            }
        }
        return s + "\n" + wrap(verdict(r), indent: 0) + "\n"
    }

    static func markdown(_ r: VerifyReport, fixture: Fixture) -> String {
        var s = "### lstm-gradcheck: verify `\(r.source)` against \(ReportText.headline(fixture))\n\n"
        s += "| param | file key | shape | relative error | max \\|g − r\\| | result |\n|---|---|---|---:|---:|---|\n"
        for t in r.tensors {
            s += "| \(t.key) | \(t.fileKey) | \(ReportText.shape(fixture, t.key)) | \(t.comparison.map { sci($0.relativeError) } ?? "–") | \(t.comparison.map { sci($0.maxAbsError) } ?? "–") | \(result(t)) |\n"
        }
        for t in r.tensors where t.status == .mismatch {
            s += "\n**\(t.fileKey)**: " + (t.diagnosis.map { "\($0.finding) Fix: \($0.fix)" } ?? "no known mistake matches.") + "\n"
        }
        return s + "\n\(verdict(r))\n"
    }

    static func json(_ r: VerifyReport) -> JSONValue {
        .object([
            JSONMember("fixture", .string(r.name)),
            JSONMember("source", .string(r.source)),
            JSONMember("reference", .string(r.reference)),
            JSONMember("tolerance", .number(r.tolerance)),
            JSONMember("gradients", .object(r.tensors.map { t in
                var m: [JSONMember] = [JSONMember("status", .string(t.status.rawValue))]
                if let c = t.comparison {
                    m += [JSONMember("relative_error", .number(c.relativeError)), JSONMember("max_abs_error", .number(c.maxAbsError)),
                          JSONMember("worst_index", .array(c.worstIndex.map { .number(Double($0)) })),
                          JSONMember("tolerance", .number(t.tolerance)), JSONMember("single_precision", .bool(t.singlePrecision))]
                }
                if let d = t.diagnosis {
                    m.append(JSONMember("diagnosis", .object([
                        JSONMember("kind", .string(d.kind.name)), JSONMember("evidence", .number(d.evidence)),
                        JSONMember("finding", .string(d.finding)), JSONMember("fix", .string(d.fix)),
                    ])))
                }
                return JSONMember(t.fileKey, .object(m))
            })),
            JSONMember("ignored_keys", .array(r.extraKeys.map(JSONValue.string))),
            JSONMember("passed", .bool(r.passed)),
            JSONMember("verdict", .string(verdict(r))),
        ])
    }

    private static func result(_ t: VerifiedTensor) -> String {
        switch t.status {
        case .matches: return "match"
        case .mismatch: return "MISMATCH"
        case .notProvided: return "not provided"
        }
    }

    private static func num(_ v: Double) -> String { String(format: "%.6g", v) }
}
