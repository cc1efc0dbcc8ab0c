import Foundation
import Testing

@Suite struct GoldenOutputTests {
    // Golden outputs: representative commands, every subcommand and format, whose exit status,
    // standard output and standard error (and, for `report`, the page written) must not change by
    // a single byte. Each command's record is one file in `Golden/`; `GOLDEN_UPDATE=1 swift test
    // --filter GoldenOutputTests` rewrites them (and fails, so that an update never passes silently).
    //
    // The commands run in a fresh temporary folder holding a link to the repository's `Fixtures/`,
    // so most paths they print are relative; the folder's own path, where it appears, is written
    // as `<TMP>` (the repository's as `<ROOT>`). Colour is off (NO_COLOR=1). The networks are small
    // so that the whole run takes a few seconds in a debug build.
    //
    // The files were recorded on x86-64 Linux; the last digits depend on the platform's maths
    // library (and Richardson's on x87's 80-bit floats), so elsewhere record them before a change.

    struct Case: Sendable {
        /// The golden file's name, without `.txt`.
        var name: String
        /// The arguments; `<TMP>` stands for the temporary folder's absolute path.
        var arguments: [String]
        /// Also write standard output to this file in the temporary folder, for later commands.
        var savesStdoutAs: String? = nil
        /// Files (in the temporary folder) the command writes, whose bytes are part of the record.
        var writes: [String] = []
    }

    /// A small network: every route, reference and renderer in a fraction of a second.
    static let small = ["--n-x", "2", "--n-a", "3", "--steps", "4", "--batch", "3"]

    static let cases: [Case] = [
        // check, the default subcommand: formats, cells, references, precision, catalogue, large-network modes.
        Case(name: "01-default-no-subcommand", arguments: small),
        Case(name: "02-check-json", arguments: ["check"] + small + ["--format", "json"]),
        Case(name: "03-check-markdown-methods-all", arguments: ["check"] + small + ["--methods", "all", "--format", "markdown"]),
        Case(name: "04-check-rnn-generated", arguments: ["check", "--cell", "rnn"] + small),
        Case(name: "05-check-rnn-fixture-json", arguments: ["check", "--fixture", "Fixtures/rnn-default.json", "--format", "json"]),
        Case(name: "06-check-reference-numerical", arguments: ["check"] + small + ["--reference", "numerical"]),
        Case(name: "07-check-fd-richardson", arguments: ["check", "--fd", "richardson", "--n-x", "2", "--n-a", "2", "--steps", "3", "--batch", "2"]),
        Case(name: "08-check-float32", arguments: ["check"] + small + ["--precision", "float32"]),
        Case(name: "09-check-sample", arguments: ["check"] + small + ["--sample", "5"]),
        Case(name: "10-check-projection-methods-all", arguments: ["check"] + small + ["--projection", "--methods", "all"]),
        Case(name: "11-check-heatmap-detail", arguments: ["check"] + small + ["--heatmap", "Wo", "--detail"]),
        // fixture and grads: their outputs are the inputs of verify below.
        Case(name: "12-fixture", arguments: ["fixture"] + small, savesStdoutAs: "fixture.json"),
        Case(name: "13-grads-bptt", arguments: ["grads"] + small + ["--method", "bptt"], savesStdoutAs: "right.json"),
        Case(name: "14-grads-per-step", arguments: ["grads"] + small + ["--method", "per-step"], savesStdoutAs: "wrong.json"),
        Case(name: "15-verify-right", arguments: ["verify", "--fixture", "fixture.json", "--grads", "right.json"]),
        Case(name: "16-verify-wrong", arguments: ["verify", "--fixture", "fixture.json", "--grads", "wrong.json"]),
        Case(name: "17-verify-wrong-json", arguments: ["verify", "--fixture", "<TMP>/fixture.json", "--grads", "<TMP>/wrong.json", "--format", "json"]),
        Case(name: "18-verify-wrong-markdown", arguments: ["verify", "--fixture", "fixture.json", "--grads", "wrong.json", "--format", "markdown"]),
        Case(name: "19-explain-param-wo", arguments: ["explain", "--param", "Wo"] + small),
        Case(name: "20-explain-flow", arguments: ["explain", "--flow"] + small),
        Case(name: "21-explain-flow-compare-json", arguments: ["explain", "--flow", "--compare"] + small + ["--format", "json"]),
        Case(name: "22-truncation", arguments: ["truncation"] + small),
        Case(name: "23-truncation-json", arguments: ["truncation"] + small + ["--format", "json"]),
        Case(name: "24-notebook-cell", arguments: ["notebook", "cell"]),
        Case(name: "25-notebook-backward", arguments: ["notebook", "backward"]),
        Case(name: "26-notebook-cell-json", arguments: ["notebook", "cell", "--format", "json"]),
        Case(name: "27-report-out", arguments: ["report", "--out", "<TMP>/report.html"] + small, writes: ["report.html"]),
        // Bad input: the message on standard error and exit status 2.
        Case(name: "28-error-misspelled-option", arguments: ["check", "--stpes", "3"]),
        Case(name: "29-error-steps-zero", arguments: ["check", "--steps", "0"]),
        Case(name: "30-error-missing-fixture", arguments: ["check", "--fixture", "Fixtures/missing.json"]),
        // JUnit XML: a check that passes, and verify's failures with their diagnoses.
        Case(name: "31-check-junit", arguments: ["check"] + small + ["--format", "junit"]),
        Case(name: "32-verify-wrong-junit", arguments: ["verify", "--fixture", "fixture.json", "--grads", "wrong.json", "--format", "junit"]),
    ]

    static let folder = Tool.root.appendingPathComponent("Tests/EndToEndTests/Golden")
    static let tmpToken = "<TMP>"

    /// Intended changes: `GOLDEN_UPDATE=1 swift test --filter GoldenOutputTests`, then review `git diff`.
    @Test func outputsMatchTheGoldenFiles() throws {
        let updating = ProcessInfo.processInfo.environment["GOLDEN_UPDATE"] == "1"
        let fm = FileManager.default
        let tmp = fm.temporaryDirectory.appendingPathComponent("lstm-gradcheck-golden-\(ProcessInfo.processInfo.processIdentifier)-\(UUID().uuidString.prefix(8))")
        try fm.createDirectory(at: tmp, withIntermediateDirectories: true)
        defer { try? fm.removeItem(at: tmp) }
        try fm.createSymbolicLink(at: tmp.appendingPathComponent("Fixtures"), withDestinationURL: Tool.root.appendingPathComponent("Fixtures"))

        // Longest first, so that a path inside another is never half replaced.
        let replacements = [(tmp.path, Self.tmpToken), (tmp.resolvingSymlinksInPath().path, Self.tmpToken),
                            (Tool.root.path, "<ROOT>"), (Tool.root.resolvingSymlinksInPath().path, "<ROOT>")]
            .sorted { $0.0.count > $1.0.count }
        func scrub(_ s: String) -> String {
            replacements.reduce(s) { $0.replacingOccurrences(of: $1.0, with: $1.1) }
        }

        var updated: [String] = []
        for c in Self.cases {
            let arguments = c.arguments.map { $0.replacingOccurrences(of: Self.tmpToken, with: tmp.path) }
            let r = try Tool.run(URL(fileURLWithPath: Tool.path), arguments, environment: ["NO_COLOR": "1"], in: tmp)
            if let name = c.savesStdoutAs {
                try Data(r.stdout.utf8).write(to: tmp.appendingPathComponent(name))
            }
            var record = "$ lstm-gradcheck \(c.arguments.map(Self.quoted).joined(separator: " "))\n"
            record += "status: \(r.status)\n"
            record += Self.section("--- stdout", scrub(r.stdout))
            record += Self.section("--- stderr", scrub(r.stderr))
            for name in c.writes {
                let url = tmp.appendingPathComponent(name)
                let contents = (try? Data(contentsOf: url)).map { String(decoding: $0, as: UTF8.self) }
                record += Self.section("--- file \(Self.tmpToken)/\(name)", contents.map(scrub) ?? "(not written)\n")
            }

            let file = Self.folder.appendingPathComponent(c.name + ".txt")
            let golden = try? Data(contentsOf: file)
            if golden == Data(record.utf8) { continue }
            if updating {
                try fm.createDirectory(at: Self.folder, withIntermediateDirectories: true)
                try Data(record.utf8).write(to: file)
                updated.append(c.name)
            } else if let golden {
                Issue.record("\(Self.firstDifference(name: c.name, arguments: c.arguments, expected: String(decoding: golden, as: UTF8.self), actual: record))")
            } else {
                Issue.record("Golden/\(c.name).txt is missing (lstm-gradcheck \(c.arguments.joined(separator: " "))); run with GOLDEN_UPDATE=1 to write it")
            }
        }

        // A golden file no command writes any more is a renamed or dropped command.
        let known = Set(Self.cases.map { $0.name + ".txt" })
        let present = ((try? fm.contentsOfDirectory(atPath: Self.folder.path)) ?? []).filter { $0.hasSuffix(".txt") }
        for stale in present.sorted() where !known.contains(stale) {
            if updating {
                try fm.removeItem(at: Self.folder.appendingPathComponent(stale))
                updated.append("\(stale) (removed)")
            } else {
                Issue.record("Golden/\(stale) belongs to no command; run with GOLDEN_UPDATE=1 to remove it")
            }
        }

        if updating {
            let message = updated.isEmpty
                ? "GOLDEN_UPDATE=1: all \(Self.cases.count) golden files were already up to date; nothing rewritten. Run without GOLDEN_UPDATE to pass."
                : "GOLDEN_UPDATE=1: updated \(updated.count) golden file(s) in Tests/EndToEndTests/Golden: \(updated.joined(separator: ", ")). Review the diff and run without GOLDEN_UPDATE to pass."
            Issue.record("\(message)")
        }
    }

    /// A header line, then the text; a text not ending in a newline is marked, so it differs from one that does.
    static func section(_ header: String, _ text: String) -> String {
        header + "\n" + text + (text.isEmpty || text.hasSuffix("\n") ? "" : "\n\\ no newline at end\n")
    }

    /// An argument as a shell would need it.
    static func quoted(_ argument: String) -> String {
        let plain = !argument.isEmpty && argument.unicodeScalars.allSatisfy {
            CharacterSet.alphanumerics.contains($0) || "-_./:=,<>".unicodeScalars.contains($0)
        }
        return plain ? argument : "'" + argument.replacingOccurrences(of: "'", with: "'\\''") + "'"
    }

    /// The command and the first differing line, with the line before it, in unified-diff style.
    static func firstDifference(name: String, arguments: [String], expected: String, actual: String) -> String {
        let e = expected.split(separator: "\n", omittingEmptySubsequences: false)
        let a = actual.split(separator: "\n", omittingEmptySubsequences: false)
        var i = 0
        while i < e.count && i < a.count && e[i].utf8.elementsEqual(a[i].utf8) { i += 1 }
        var lines = ["golden output differs: lstm-gradcheck \(arguments.map(quoted).joined(separator: " "))",
                     "--- Tests/EndToEndTests/Golden/\(name).txt", "+++ actual",
                     "@@ -\(i + 1) +\(i + 1) @@ (first difference at line \(i + 1))"]
        if i > 0 { lines.append(" " + e[i - 1]) }
        if i == e.count && i == a.count {
            lines.append("(the lines are the same; the files differ in length or encoding)")
        } else {
            lines.append(i < e.count ? "-" + e[i] : "-(end of file)")
            lines.append(i < a.count ? "+" + a[i] : "+(end of output)")
        }
        lines.append("(GOLDEN_UPDATE=1 rewrites the golden files if the change is intended)")
        return lines.joined(separator: "\n")
    }
}
