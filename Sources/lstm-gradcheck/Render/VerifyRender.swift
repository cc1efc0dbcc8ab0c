import Foundation
import LSTMGradCheck

/// The verify report: a table of the user's tensors, then each mismatch with its
/// worst elements and diagnosis, then the verdict.
enum VerifyRender {
    static func verdict(_ r: VerifyReport) -> String { r.conclusion }

    /// What is wrong in `r`, one line per cause and one for the missing tensors, each naming
    /// its file keys (`dWf, dbf wrong — per-step`, `dWy missing`). Empty when nothing is.
    static func failures(_ r: VerifyReport) -> [String] {
        let missing = r.tensors.filter { $0.status == .missing }.map(\.fileKey)
        return r.causes.map { "\($0.tensors.joined(separator: ", ")) wrong — \($0.kind?.name ?? "not a known mistake")" }
            + (missing.isEmpty ? [] : ["\(missing.joined(separator: ", ")) missing"])
    }

    static func text(_ r: VerifyReport, fixture: Fixture, colour: Bool) -> String {
        let style = Style(enabled: colour)
        var s = style.bold("lstm-gradcheck · verify \(r.source) against \(ReportText.headline(fixture))") + "\n"
        s += wrap("Reference: \(r.reference) gradient. A tensor passes when its relative error ‖g − r‖ / (‖g‖ + ‖r‖) is at most \(sci(r.tolerance)) (\(sci(Verify.singlePrecisionTolerance)) for single-precision arrays).", indent: 0) + "\n\n"
        var table = Table<VerifiedTensor.Status>(header: ["param", "file key", "shape", "relative error", "max |g − r|", "result"],
                                                 align: [.left, .left, .left, .right, .right, .left])
        for t in r.tensors {
            let c = t.comparison
            table.append([t.key, t.fileKey, shape(t), relativeError(t) ?? "-", maxError(t) ?? "-", result(t)],
                         tags: [nil, nil, nil, nil, nil, t.status])
        }
        table.style = { _, _, status, text in
            switch status {
            case nil: return text
            case .matches?: return style.green(text)
            case .mismatch?: return style.red(text)
            case .inconclusive?: return style.yellow(text)
            case .missing?: return style.red(text)
            case .notChecked?: return style.dim(text)
            }
        }
        s += table.render()
        if !r.extraKeys.isEmpty { s += "\nIgnored (not gradients of this network): \(r.extraKeys.joined(separator: ", "))\n" }
        // One block per cause, however many tensors it covers.
        for cause in r.causes {
            s += "\n" + style.bold(cause.tensors.joined(separator: ", ") + ": MISMATCH") + "\n"
            let covered = r.tensors.filter { cause.tensors.contains($0.fileKey) }
            if let t = worstCovered(covered) {
                s += wrap(worstElements(t), indent: 4).dropFirst(2) + "\n"
            }
            s += wrap("diagnosis: \(cause.finding)" + (cause.evidence.map { " (evidence: \($0))" } ?? ""), indent: 4).dropFirst(2) + "\n"
            if let fix = cause.fix { s += wrap("fix: \(fix)", indent: 4).dropFirst(2) + "\n" }
        }
        return s + "\n" + wrap(verdict(r), indent: 0) + "\n"
    }

    static func markdown(_ r: VerifyReport, fixture: Fixture) -> String {
        var s = "### lstm-gradcheck: verify `\(r.source)` against \(ReportText.headline(fixture))\n\n"
        s += "| param | file key | shape | relative error | max \\|g − r\\| | result |\n|---|---|---|---:|---:|---|\n"
        for t in r.tensors {
            s += "| \(t.key) | \(t.fileKey) | \(shape(t)) | \(relativeError(t) ?? "–") | \(maxError(t) ?? "–") | \(result(t)) |\n"
        }
        if !r.extraKeys.isEmpty { s += "\nIgnored (not gradients of this network): \(r.extraKeys.map { "`\($0)`" }.joined(separator: ", "))\n" }
        for cause in r.causes {
            s += "\n**\(cause.tensors.joined(separator: ", "))**: \(cause.finding)" + (cause.evidence.map { " (evidence: \($0))" } ?? "")
                + (cause.fix.map { " Fix: \($0)" } ?? "") + "\n"
            if let t = worstCovered(r.tensors.filter { cause.tensors.contains($0.fileKey) }) {
                s += "\n- " + worstElements(t).replacingOccurrences(of: "|", with: "\\|") + "\n"
            }
        }
        return s + "\n\(verdict(r))\n"
    }

    static func json(_ r: VerifyReport) -> JSONValue {
        .object([
            JSONReport.fixture(name: r.name, dims: r.dims),
            JSONMember("source", .string(r.source)),
            JSONMember("reference", .string(r.reference)),
            JSONMember("tolerance", .number(r.tolerance)),
            JSONMember("gradients", .object(r.tensors.map { t in
                var m: [JSONMember] = [JSONMember("status", .string(t.status.rawValue))]
                if let stored = t.stored, let storedShape = t.storedShape {
                    m += [JSONMember("stored", .string(storedName(stored))),
                          JSONMember("stored_shape", .array(storedShape.map { .number(Double($0)) }))]
                }
                if let c = t.comparison {
                    // Right once read back: the figures of the tensor read back would say it is right.
                    if !t.rightOnceReadBack {
                        m += [JSONMember("relative_error", .number(c.relativeError)), JSONMember("max_abs_error", .number(c.maxAbsError)),
                              JSONMember("worst_index", .array(c.worstIndex.map { .number(Double($0)) }))]
                    }
                    m += [JSONMember("tolerance", .number(t.tolerance)), JSONMember("single_precision", .bool(t.singlePrecision))]
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
            JSONMember("causes", .array(r.causes.map { c in
                .object([JSONMember("tensors", .array(c.tensors.map(JSONValue.string))), JSONMember("kind", c.kind.map { .string($0.name) } ?? .string("located")),
                         JSONMember("finding", .string(c.finding))]
                        + (c.evidence.map { [JSONMember("evidence", .string($0))] } ?? []) + (c.fix.map { [JSONMember("fix", .string($0))] } ?? []))
            })),
            JSONMember("power", .object([JSONMember("caught", .array(r.power.caught.map(JSONValue.string))),
                                         JSONMember("unnoticed", .array(r.power.unnoticed.map(JSONValue.string)))])),
            JSONMember("passed", .bool(r.passed)),
            JSONReport.status(Outcome(r.status)),
            JSONMember("verdict", .string(verdict(r))),
        ])
    }

    /// The shape as the file stored it, with the right one beside it when they differ.
    private static func shape(_ t: VerifiedTensor) -> String {
        let right = t.shape.map(String.init).joined(separator: "×")
        guard let stored = t.storedShape else { return right }
        return stored.map(String.init).joined(separator: "×") + ", not " + right
    }

    /// How a tensor was stored, in the table and in JSON's `stored`.
    private static func storedName(_ kind: DiagnosisKind) -> String {
        switch kind {
        case .transpose: return "transposed"
        case .unsummedBatch: return "per example"
        case .axisOrder: return "batch and time exchanged"
        default: return kind.name
        }
    }

    /// The relative error as the row shows it: for a tensor right once read back, how it was
    /// stored (`transposed`), since the figure of the tensor read back says nothing against it.
    private static func relativeError(_ t: VerifiedTensor) -> String? {
        guard let c = t.comparison else { return nil }
        if t.rightOnceReadBack, let stored = t.stored { return storedName(stored) }
        return sci(c.relativeError) + (t.stored == nil ? "" : " (read back)")
    }

    private static func maxError(_ t: VerifiedTensor) -> String? {
        guard let c = t.comparison, !t.rightOnceReadBack else { return nil }
        return sci(c.maxAbsError)
    }

    /// The tensor of a cause whose worst elements are shown: the furthest from the reference,
    /// any tensor with wrong values before one right once read back.
    private static func worstCovered(_ covered: [VerifiedTensor]) -> VerifiedTensor? {
        covered.max(by: { a, b in
            (a.rightOnceReadBack ? 0 : 1, a.comparison?.relativeError ?? 0) < (b.rightOnceReadBack ? 0 : 1, b.comparison?.relativeError ?? 0)
        })
    }

    /// `worst elements (dWf): dWf[0, 6] yours …, right …; …`, or why there are none to show.
    private static func worstElements(_ t: VerifiedTensor) -> String {
        if t.rightOnceReadBack, let stored = t.stored {
            let shape = (t.storedShape ?? []).map(String.init).joined(separator: "×")
            return "worst elements (\(t.fileKey)): none — stored \(storedName(stored)) (\(shape)), its values read back are right; only the arrangement is wrong."
        }
        return "worst elements (\(t.fileKey)\(t.stored == nil ? "" : ", read back")): " + t.worstElements.prefix(3).map {
            "\(ReportText.index(t.fileKey, $0.index)) yours \(num($0.user)), right \(num($0.reference))"
        }.joined(separator: "; ")
    }

    private static func result(_ t: VerifiedTensor) -> String {
        switch t.status {
        case .matches: return "match"
        case .mismatch: return "MISMATCH"
        case .inconclusive: return "inconclusive"
        case .missing: return "MISSING"
        case .notChecked: return "not checked"
        }
    }

    private static func num(_ v: Double) -> String { String(format: "%.6g", v) }
}
