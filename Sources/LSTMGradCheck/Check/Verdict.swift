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
        /// Expected wrong, yet within tolerance on this network.
        case matchesAnyway = "matches-anyway"
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
            let failing = m.tensors.filter { !$0.pass }
            switch (m.expectation, m.matches) {
            case (.correct, true):
                let worst = m.tensors.max { $0.relativeError < $1.relativeError }
                let figure = worst.map { "worst relative error \(sci($0.relativeError)) in \($0.key)" } ?? "no tensors"
                return Verdict(method: m.name, status: .confirmed,
                               sentence: "\(m.name) matches the \(reference) gradient (\(figure)): \(reason)")
            case (.correct, false):
                return Verdict(method: m.name, status: .failed,
                               sentence: "\(m.name) does NOT match, though it should: \(describe(failing)). A derivation expected to be correct that fails is a bug.")
            case (.wrong, false):
                let right = m.tensors.filter(\.pass).map(\.key)
                let rightText = right.isEmpty ? "" : " Right: \(right.joined(separator: ", "))."
                return Verdict(method: m.name, status: .wrongAsExpected,
                               sentence: "\(m.name) is wrong, as expected: \(reason) Wrong: \(describe(failing)).\(rightText)")
            case (.wrong, true):
                let why = dims.steps == 1
                    ? "with T_x = 1 there is no earlier step for a gradient to be carried to, so dropping the carry changes nothing"
                    : "on this network what it gets wrong stays within the tolerance \(sci(tolerance))"
                return Verdict(method: m.name, status: .matchesAnyway,
                               sentence: "\(m.name) matches although it is expected to be wrong: \(why).")
            }
        }
    }

    /// The closing sentence.
    public var conclusion: String {
        let failed = methods.filter { $0.expectation == .correct && !$0.matches }.map(\.name)
        if !failed.isEmpty {
            return "MISMATCH: \(failed.joined(separator: ", ")) should match the \(reference) gradient and does not."
        }
        let correct = methods.filter { $0.expectation == .correct }.map(\.name)
        let wrong = methods.filter { $0.expectation == .wrong && !$0.matches }.map(\.name)
        var s = correct.isEmpty ? "No derivation expected to be correct was run." :
            "\(list(correct)) \(correct.count == 1 ? "matches" : "match") the \(reference) gradient."
        if !wrong.isEmpty {
            s += " \(list(wrong)) \(wrong.count == 1 ? "does" : "do") not, as expected."
        }
        if correct.contains("coursera") {
            let carried = cell == "rnn" ? "da_prev" : "da_prev and dc_prev"
            s += " The notebook's per-cell formulas are the local terms; its loop carrying \(carried) back and summing dW over t is backpropagation through time."
        }
        return s
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
    return String(format: "%.1e", x).replacingOccurrences(of: "e-0", with: "e-").replacingOccurrences(of: "e+0", with: "e+").replacingOccurrences(of: "e+", with: "e")
}
