/// One reason behind some of a file's wrong tensors, stated once for all of them: a known
/// mistake (`kind`), or, where none matches, what the structure of the error shows. Every
/// sentence carries the numbers it rests on; what the numbers do not support is not said.
public struct Cause: Sendable {
    /// The known mistake, or nil for a located or unexplained error.
    public var kind: DiagnosisKind?
    /// The file keys it covers, in report order.
    public var tensors: [String]
    public var finding: String
    /// The numbers behind the finding.
    public var evidence: String?
    public var fix: String?

    /// The causes of `tensors`' mismatches: each known mistake once, then, for the tensors no
    /// known mistake explains, what their errors show in the file (`view`) (`Locator`).
    static func group<C: Cell>(_ tensors: [VerifiedTensor], problem: Problem<C, Double>, reference: Gradients<C>,
                               view: FileView<C>) -> [Cause] {
        let wrong = tensors.filter { $0.status == .mismatch }
        var causes: [Cause] = []
        var kinds: [DiagnosisKind] = []
        for t in wrong { if let k = t.diagnosis?.kind, !kinds.contains(k) { kinds.append(k) } }
        for kind in kinds {
            let members = wrong.filter { $0.diagnosis?.kind == kind }
            let diagnoses = members.compactMap(\.diagnosis)
            let names = members.map(\.fileKey)
            let finding: String
            if members.count == 1 {
                finding = diagnoses[0].finding
            } else if kind == .gateSwap {
                finding = gateSwapFinding(diagnoses)
            } else if Set(diagnoses.map(\.predicate)).count == 1 {
                finding = "Each of \(list(names)) \(diagnoses[0].predicate)"
            } else if case let rests = zip(diagnoses, names).map({ d, name in d.finding.hasPrefix(name + " ") ? String(d.finding.dropFirst(name.count + 1)) : d.finding }),
                      Set(rests).count == 1 {
                // Findings written whole (a layout's) that differ only in the tensor they name.
                finding = "Each of \(list(names)) \(rests[0])"
            } else {
                finding = diagnoses.map(\.finding).joined(separator: " ")
            }
            let worst = diagnoses.map(\.evidence).max() ?? 0
            causes.append(Cause(kind: kind, tensors: names, finding: finding,
                                evidence: worst == 0 ? "equal to that mistake's gradient exactly" : "within \(sci(worst)) relative of that mistake's gradient",
                                fix: diagnoses[0].fix))
        }
        let unexplained = wrong.filter { $0.diagnosis == nil }
        if !unexplained.isEmpty {
            causes += Locator(problem: problem, reference: reference, view: view, tensors: tensors).locate(unexplained)
        }
        return causes
    }
}

extension Cause {
    /// The gate swaps of a file in one sentence, true to each tensor's: tensors holding one
    /// another's right gradients are exchanged gates; a tensor holding another's whose
    /// counterpart does not hold its in return is a copy ("dWf holds the right gradient of dWi
    /// and dbf that of dbi: the forget gate's gradients are the input gate's").
    static func gateSwapFinding(_ diagnoses: [Diagnosis]) -> String {
        let pairs = diagnoses.compactMap { d in d.counterpart.map { (d.subject, $0) } }
        let held = Dictionary(pairs, uniquingKeysWith: { a, _ in a })
        let cycles = pairs.map { Diagnosis.swapCycle($0.0, held) }
        let exchanged = zip(pairs, cycles).filter { $1 == 2 }.map(\.0.0)
        let rotated = zip(pairs, cycles).filter { $1 != nil && $1 != 2 }.map(\.0)
        let copies = zip(pairs, cycles).filter { $1 == nil }.map(\.0)
        func holds(_ pairs: [(String, String)]) -> String {
            list(pairs.enumerated().map { k, p in k == 0 ? "\(p.0) holds the right gradient of \(p.1)" : "\(p.0) that of \(p.1)" })
        }
        let others = exchanged.isEmpty ? 0 : 1
        var sentences: [String] = []
        if !exchanged.isEmpty {
            sentences.append("\(list(exchanged)) hold one another's right gradients: \(rotated.isEmpty && copies.isEmpty ? "the" : "those") gates are exchanged.")
        }
        if !rotated.isEmpty {
            sentences.append("\(holds(rotated)): \(others + (copies.isEmpty ? 0 : 1) == 0 ? "the" : "those") gates' gradients are rotated.")
        }
        if !copies.isEmpty {
            var gates: [(String, String, Int)] = []
            for (mine, theirs) in copies.map({ (Diagnosis.gateName($0.0), Diagnosis.gateName($0.1)) }) {
                if let k = gates.firstIndex(where: { $0.0 == mine && $0.1 == theirs }) { gates[k].2 += 1 } else { gates.append((mine, theirs, 1)) }
            }
            let said = gates.map { "the \($0.0) gate's \($0.2 == 1 ? "gradient is" : "gradients are") the \($0.1) gate's" }
            sentences.append("\(holds(copies)): \(list(said)) (copied, not exchanged).")
        }
        return sentences.joined(separator: " ")
    }
}

/// `a, b and c`.
public func list(_ names: [String]) -> String {
    names.count <= 2 ? names.joined(separator: " and ") : names.dropLast().joined(separator: ", ") + " and " + names[names.count - 1]
}
