import LSTMGradCheck

/// `--format junit`: the reports of `check` and `verify` as JUnit XML, the test report format
/// CI systems read (Jenkins, GitLab, GitHub reporters). The shape follows the schema those
/// accept (Jenkins' junit-10.xsd, kept in Tests/EndToEndTests/JUnitSchema and validated against
/// in JUnitTests): one `<testsuites>` holding one `<testsuite>` per fixture, named after it;
/// one `<testcase>` per method × tensor for `check` (classname the method, name the tensor)
/// and per tensor of the user's file for `verify` (classname the fixture, so that the cases of a
/// run over many fixtures stay apart in reporters that key a case by classname and name).
///
/// Read from the typed reports alone, never from rendered text. `failures` is non-zero exactly
/// when the run's exit status is 1, and a run that exits 3 has a skipped case (a report that
/// comes to either with no tensor to blame gets one case for the whole report, `report`).
enum JUnitReport {
    struct Suite: Sendable {
        var name: String
        var cases: [Case]
        /// The report's closing sentences: a reader of the CI report sees them beside the cases.
        var conclusion: String
    }

    struct Case: Sendable {
        var classname: String
        var name: String
        var result: Result
        /// What a passing case is worth knowing (a wrong derivation that differs, as expected).
        var note: String? = nil
    }

    enum Result: Sendable, Equatable {
        case passed
        /// `type` a word for machines (`mismatch`, `missing`, `non-finite`); `message` one line
        /// with the figures and the diagnosis; `detail` the element's text.
        case failure(type: String, message: String, detail: String)
        /// Not decided. `<skipped>` rather than `<error>`: JUnit's error means the test itself
        /// broke (an exception, a crash), which would send a reader looking for a bug in the
        /// tool; an undecided tensor is a verdict the reference cannot give on this network,
        /// as a test skipped for a stated reason. The job still fails, on exit status 3.
        case skipped(message: String)
    }

    // MARK: check

    /// A check's suite: a failure for each tensor of a derivation expected to be correct that
    /// the reference contradicts; skipped for each it could not decide (the finite differences
    /// never fail a case: they are the reference, not under test, and do not decide the status).
    static func suite(_ r: CheckReport) -> Suite {
        let verdicts = r.verdicts
        var cases: [Case] = []
        for m in r.methods {
            let sentence = verdicts.first { $0.method == m.name }?.sentence ?? ""
            for t in m.tensors {
                var c = Case(classname: m.name, name: t.key, result: .passed)
                switch (m.expectation, t.verdict) {
                case (_, .pass):
                    break
                case (.correct, .fail):
                    c.result = .failure(type: t.nonFinite == nil ? "mismatch" : "non-finite",
                                        message: figures(t, against: "the \(r.reference) gradient") + ": " + (t.note ?? sentence),
                                        detail: "max |g − r| \(number(t.maxAbsError)) at \(t.worstIndex). \(sentence)")
                case (.wrong, .fail):
                    c.note = figures(t, against: "the \(r.reference) gradient") + ": wrong, as this derivation is expected to be."
                case (.reference, _):
                    c.note = "\(t.verdict.rawValue): " + figures(t, against: "the exact gradient") + (t.note.map { ": \($0)" } ?? "")
                case (_, .inconclusive):
                    c.result = .skipped(message: "not decided: " + (t.note ?? sentence))
                }
                cases.append(c)
            }
        }
        return reconciled(Suite(name: r.name, cases: cases, conclusion: r.conclusion), outcome: Outcome(r.status))
    }

    // MARK: verify

    /// A verify run's suite: a failure for each wrong or missing tensor, with its diagnosis;
    /// skipped for each not checked or not decided.
    static func suite(_ r: VerifyReport) -> Suite {
        let cases = r.tensors.map { t -> Case in
            var c = Case(classname: r.name, name: t.fileKey, result: .passed)
            switch t.status {
            case .matches:
                break
            case .inconclusive:
                c.result = .skipped(message: "not decided: \(r.vacuous ?? "the \(r.reference) gradient decides nothing on this fixture")")
            case .mismatch:
                // Right once read back (stored transposed…): its figures would say it is right; its stored shape says why not.
                let comparison = t.rightOnceReadBack
                    ? "stored as \((t.storedShape ?? []).map(String.init).joined(separator: " × ")) where the gradient is \(t.shape.map(String.init).joined(separator: " × "))"
                    : t.comparison.map { figures($0, bound: t.tolerance, against: "the \(r.reference) gradient") } ?? "wrong"
                let diagnosis = t.diagnosis?.finding ?? r.causes.first { $0.tensors.contains(t.fileKey) }?.finding ?? ""
                let fix = t.diagnosis?.fix ?? r.causes.first { $0.tensors.contains(t.fileKey) }?.fix
                c.result = .failure(type: t.comparison?.nonFinite == nil ? "mismatch" : "non-finite",
                                    message: comparison + (diagnosis.isEmpty ? "" : ": " + diagnosis),
                                    detail: [(t.rightOnceReadBack ? [] : t.worstElements).prefix(3).map { "at \($0.index) yours \(number($0.user)), right \(number($0.reference))" }
                                        .joined(separator: "; "), fix.map { "Fix: \($0)" } ?? ""].filter { !$0.isEmpty }.joined(separator: ". "))
            case .missing:
                c.result = .failure(type: "missing", message: "\(t.fileKey) is required and not in \(r.source)", detail: "")
            case .notChecked:
                c.result = .skipped(message: "not checked: \(t.fileKey) is not in \(r.source) and not required")
            }
            return c
        }
        return reconciled(Suite(name: r.name, cases: cases, conclusion: r.conclusion), outcome: Outcome(r.status))
    }

    // MARK: the document

    /// `<testsuites>` around `suites`. Every `time` is 0: the output must be the same bytes on
    /// every run (the golden tests and `make same-builds` compare them), and a measured time
    /// would differ each time; the schema requires no real figure, and CI systems show 0 s.
    static func document(_ suites: [Suite]) -> String {
        let all = suites.flatMap(\.cases)
        // junit-10.xsd gives <testsuites> no `skipped` attribute (each <testsuite> has one).
        var s = #"<?xml version="1.0" encoding="UTF-8"?>"# + "\n"
        s += "<testsuites name=\"lstm-gradcheck\" tests=\"\(all.count)\" failures=\"\(count(all, failures: true))\" errors=\"0\" time=\"0\">\n"
        for suite in suites {
            s += "  <testsuite name=\"\(escaped(suite.name))\" tests=\"\(suite.cases.count)\" failures=\"\(count(suite.cases, failures: true))\""
                + " errors=\"0\" skipped=\"\(count(suite.cases, failures: false))\" time=\"0\">\n"
            for c in suite.cases {
                s += "    <testcase classname=\"\(escaped(c.classname))\" name=\"\(escaped(c.name))\" time=\"0\""
                switch c.result {
                case .passed where c.note == nil:
                    s += "/>\n"
                    continue
                case .passed:
                    s += ">\n"
                case .failure(let type, let message, let detail):
                    s += ">\n      <failure type=\"\(escaped(type))\" message=\"\(escaped(message))\">\(escaped(detail))</failure>\n"
                case .skipped(let message):
                    s += ">\n      <skipped message=\"\(escaped(message))\"/>\n"
                }
                if let note = c.note { s += "      <system-out>\(escaped(note))</system-out>\n" }
                s += "    </testcase>\n"
            }
            s += "    <system-out>\(escaped(suite.conclusion))</system-out>\n  </testsuite>\n"
        }
        return s + "</testsuites>\n"
    }

    /// `text` as XML 1.0 character data or an attribute value: the five markup characters as
    /// entities; tab, newline and carriage return as character references (an attribute's
    /// would otherwise be read back as spaces); any other character XML 1.0 does not allow
    /// (other control characters, U+FFFE, U+FFFF) as U+FFFD, since no reference can carry it.
    static func escaped(_ text: String) -> String {
        text.replacingScalars { scalar in
            switch scalar {
            case "&": return "&amp;"
            case "<": return "&lt;"
            case ">": return "&gt;"
            case "\"": return "&quot;"
            case "'": return "&apos;"
            case "\t": return "&#9;"
            case "\n": return "&#10;"
            case "\r": return "&#13;"
            case _ where scalar.value < 0x20 || scalar.value == 0xFFFE || scalar.value == 0xFFFF: return "\u{FFFD}"
            default: return nil
            }
        }
    }

    // MARK: helpers

    /// `relative error 0.067 > bound 1e-06 against the exact gradient`, the figures written as
    /// the JSON report writes them, so a reader can match the two.
    private static func figures(_ t: TensorComparison, bound: Double? = nil, against reference: String) -> String {
        let b = bound ?? t.threshold
        let relation = t.relativeError > b ? ">" : "≤"
        return "relative error \(number(t.relativeError)) \(relation) bound \(number(b)) against \(reference)"
    }

    /// A number as the JSON report prints it.
    private static func number(_ x: Double) -> String { JSON.serialize(.number(x), pretty: false) }

    private static func count(_ cases: [Case], failures: Bool) -> Int {
        cases.filter {
            switch $0.result {
            case .failure: return failures
            case .skipped: return !failures
            case .passed: return false
            }
        }.count
    }

    /// `suite`, with one case for the whole report when it comes to `outcome` with no case to
    /// show it (a budget that stopped the run, a file holding nothing required), so that the
    /// counts always tell what the exit status tells.
    private static func reconciled(_ suite: Suite, outcome: Outcome) -> Suite {
        var suite = suite
        switch outcome {
        case .mismatch where count(suite.cases, failures: true) == 0:
            suite.cases.append(Case(classname: suite.name, name: "report", result: .failure(type: "mismatch", message: suite.conclusion, detail: "")))
        case .undecided where count(suite.cases, failures: false) == 0:
            suite.cases.append(Case(classname: suite.name, name: "report", result: .skipped(message: suite.conclusion)))
        default:
            break
        }
        return suite
    }
}
