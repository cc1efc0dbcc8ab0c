import Foundation

/// The verdict in plain words, built once so that every renderer says the same.
public struct Verdict: Sendable {
    public enum Status: String, Sendable {
        /// Expected correct and matches.
        case confirmed
        /// Expected wrong and does not match: the mistake is real and measurable.
        case wrongAsExpected = "wrong-as-expected"
        /// Expected correct and does not match: a bug.
        case failed
        /// Expected wrong, yet within its bound on this network.
        case matchesAnyway = "matches-anyway"
        /// The reference could not decide.
        case inconclusive
        /// The finite differences measured against the exact gradient.
        case reference
    }

    public var method: String
    public var status: Status
    public var sentence: String
}

extension CheckReport {
    /// One verdict per method, in report order.
    public var verdicts: [Verdict] {
        methods.map { m in
            let reason = m.reason
            let failing = m.tensors.filter { $0.verdict == .fail }
            if m.expectation == .reference {
                let worst = m.worst.map { "\(sci($0.relativeError)) in \($0.key)" } ?? "0"
                let undecided = m.tensors.filter { $0.verdict == .inconclusive }
                if failing.isEmpty, let first = undecided.first {
                    // An estimate too large (or not finite) measures nothing: no "within" is claimed.
                    return Verdict(method: m.name, status: .inconclusive,
                                   sentence: "The finite-difference gradient is \(worst) from the exact one at worst, but cannot be judged in \(undecided.map(\.key).joined(separator: ", ")): \(first.note ?? "its own error estimate is too large").")
                }
                let estimate = m.tensors.map(\.referenceError).max() ?? 0
                let within = failing.isEmpty ? "within its own error estimate (up to \(sci(estimate)))"
                    : "beyond its own error estimate in \(failing.map(\.key).joined(separator: ", "))"
                return Verdict(method: m.name, status: .reference,
                               sentence: "The finite-difference gradient is \(worst) from the exact one at worst, \(within): \(reason)")
            }
            switch (m.expectation, m.outcome) {
            case (_, .inconclusive):
                let notes = m.tensors.filter { $0.verdict == .inconclusive }
                if notes.isEmpty {
                    return Verdict(method: m.name, status: .inconclusive,
                                   sentence: "\(m.name) was not checked: the run stopped at its time budget before the finite differences finished a tensor.")
                }
                return Verdict(method: m.name, status: .inconclusive,
                               sentence: "\(m.name) could not be decided for \(notes.map(\.key).joined(separator: ", ")): \(notes.first?.note ?? "the reference is too uncertain")."
                                   + (options.reference == .numerical ? " Run with --reference exact to decide." : ""))
            case (.correct, .matches):
                let figure = m.worst.map { "worst relative error \(sci($0.relativeError)) in \($0.key), within \(sci($0.threshold))" } ?? "no tensors"
                return Verdict(method: m.name, status: .confirmed,
                               sentence: "\(m.name) matches the \(reference) gradient (\(figure)): \(reason)")
            case (.correct, _):
                return Verdict(method: m.name, status: .failed,
                               sentence: "\(m.name) does NOT match, though it should: \(describe(failing)). A derivation expected to be correct that fails is a bug.")
            case (_, .mismatch):
                let right = m.tensors.filter(\.pass).map(\.key)
                let rightText = right.isEmpty ? "" : " Right: \(right.joined(separator: ", "))."
                return Verdict(method: m.name, status: .wrongAsExpected,
                               sentence: "\(m.name) is wrong, as expected: \(reason) Wrong: \(describe(failing)).\(rightText)")
            case (_, .matches):
                let why = dims.steps == 1
                    ? "with T_x = 1 there is no earlier step for a gradient to be carried to, so dropping the carry changes nothing"
                    : "on this network what it gets wrong stays within the bounds"
                return Verdict(method: m.name, status: .matchesAnyway,
                               sentence: "\(m.name) matches although it is expected to be wrong: \(why).")
            }
        }
    }

    /// The closing sentence.
    public var conclusion: String {
        let derivations = methods.filter { $0.expectation != .reference }
        let failed = derivations.filter { $0.expectation == .correct && $0.outcome == .mismatch }.map(\.name)
        if !failed.isEmpty {
            return "MISMATCH: \(list(failed)) should match the \(reference) gradient and \(failed.count == 1 ? "does" : "do") not."
        }
        let undecided = derivations.filter { $0.outcome == .inconclusive }.map(\.name)
        let correct = derivations.filter { $0.expectation == .correct && $0.matches }.map(\.name)
        let wrong = derivations.filter { $0.expectation == .wrong && $0.outcome == .mismatch }.map(\.name)
        var sentences: [String] = []
        if !correct.isEmpty {
            sentences.append("\(list(correct)) \(correct.count == 1 ? "matches" : "match") the \(reference) gradient.")
        }
        if !wrong.isEmpty {
            sentences.append("\(list(wrong)) \(wrong.count == 1 ? "does" : "do") not, as expected.")
        }
        if !undecided.isEmpty {
            sentences.append("INCONCLUSIVE: the \(reference) gradient could not decide \(list(undecided)).")
        }
        if stop != nil && stoppedInExactReference {
            sentences.append("INCONCLUSIVE: the run stopped at its time budget before the exact reference was complete; nothing was checked.")
        } else if stop != nil {
            let missing = unfinished.isEmpty ? "" : " before the finite differences reached \(list(unfinished))"
            sentences.append("INCONCLUSIVE: the run stopped at its time budget\(missing)"
                + (options.reference == .numerical && !unfinished.isEmpty ? ", so those tensors were not checked." : "."))
        }
        sentences += derivations.filter { $0.expectation == .correct && $0.matches }.compactMap(\.lesson)
        if let why = vacuous {
            sentences.append("NOTHING DECIDED: \(why).")
        } else if !correct.isEmpty, let power = power.sentence {
            sentences.append(power)
        }
        return sentences.joined(separator: " ")
    }

    private func describe(_ failing: [TensorComparison]) -> String {
        failing.sorted { $0.relativeError > $1.relativeError }
            .map { "\($0.key) (\(sci($0.relativeError)))" }
            .joined(separator: ", ")
    }

    private func list(_ names: [String]) -> String {
        names.count <= 2 ? names.joined(separator: " and ")
            : names.dropLast().joined(separator: ", ") + " and " + names[names.count - 1]
    }
}

/// `3.2e-10`: two significant digits in scientific notation, the figure people quote.
public func sci(_ x: Double) -> String {
    if x == 0 { return "0" }
    if !x.isFinite { return "\(x)" }
    // C's %.1e (rounded from the exact binary value), its exponent then written as a plain
    // integer: 3.7e-01 → 3.7e-1, 3.2e+00 → 3.2e0, 1.0e+100 → 1.0e100.
    var buffer = [CChar](repeating: 0, count: 32)
    let length = withVaList([x]) { vsnprintf(&buffer, buffer.count, "%.1e", $0) }
    let printed = String(decoding: buffer.prefix(Int(max(length, 0))).map { UInt8(bitPattern: $0) }, as: UTF8.self)
    guard let e = printed.firstIndex(of: "e"), let exponent = Int(printed[printed.index(after: e)...]) else { return printed }
    return "\(printed[..<e])e\(exponent)"
}
