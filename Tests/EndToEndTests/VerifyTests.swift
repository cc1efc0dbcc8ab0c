import Foundation
import Testing

/// Vectors/verify/, written by Vectors/make_verify_files.py: a fixture, gradient files
/// with one known mistake each (JSON, .npz, compressed .npz, .npy folders), bad files,
/// and manifest.json saying what verify must find in each.
enum VerifyFiles {
    static let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("Vectors").appendingPathComponent("verify")
    static let fixture = path("fixture.json")

    static func path(_ name: String) -> String { folder.appendingPathComponent(name).path }

    /// One file of one manifest case.
    struct Case: Sendable, CustomTestStringConvertible {
        var name: String
        var file: String
        var status: Int32
        /// Diagnosis kind by file key for the tensors the mistake touches; the rest must match.
        var diagnoses: [String: String]
        var testDescription: String { file }
    }

    /// Empty when the manifest cannot be read; `manifestCoversTheCatalogueAndEveryForm` then fails.
    static let cases: [Case] = {
        guard let data = try? Data(contentsOf: folder.appendingPathComponent("manifest.json")),
              let manifest = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
              let entries = manifest["cases"] as? [[String: Any]] else { return [] }
        return entries.flatMap { entry in
            (entry["files"] as? [String] ?? []).map {
                Case(name: entry["case"] as? String ?? "", file: $0, status: Int32(entry["status"] as? Int ?? -1),
                     diagnoses: entry["diagnoses"] as? [String: String] ?? [:])
            }
        }
    }()

    static let keys: Set = ["dWf", "dbf", "dWi", "dbi", "dWc", "dbc", "dWo", "dbo", "dWy", "dby", "da0", "dx"]

    /// `verify --format json` on `grads`: the exit status and the parsed report.
    static func verify(_ grads: String) throws -> (status: Int32, report: [String: Any], gradients: [String: [String: Any]]) {
        let r = try Tool.run(["verify", "--fixture", fixture, "--grads", grads, "--format", "json"])
        #expect(r.stderr.isEmpty, "\(r.stderr)")
        let report = try ReportJSON.entry(r.stdout)
        let gradients = try #require(report["gradients"] as? [String: [String: Any]])
        #expect(Set(gradients.keys) == keys)
        return (r.status, report, gradients)
    }
}


@Suite struct VerifyTests {
    @Test func manifestCoversTheCatalogueAndEveryForm() {
        let kinds = Set(VerifyFiles.cases.flatMap(\.diagnoses.values))
        #expect(kinds == ["per-step", "carry-da-only", "carry-dc-only", "asker", "asker-no-carry", "coursera-2018-printed",
                          "truncated:2", "truncated:3", "sign", "mean-over-batch", "mean-over-time", "mean-over-both",
                          "gate-swap", "transpose", "shifted-step"])
        // 16 wrong cases in .json, .npz and compressed .npz, four also as .npy folders and
        // per-step in float32; the right gradients in seven forms.
        #expect(Set(VerifyFiles.cases.map(\.name)).count == 17)
        #expect(VerifyFiles.cases.count == 16 * 3 + 4 + 1 + 7)
        #expect(VerifyFiles.cases.filter { $0.status == 0 }.map(\.file).sorted() == [
            "correct.compressed.npz", "correct.f4-be.npy", "correct.f4.compressed.npz", "correct.f4.npz",
            "correct.fortran.npy", "correct.json", "correct.npz"])
    }

    @Test(arguments: VerifyFiles.cases)
    func verifyNamesEachMistake(_ c: VerifyFiles.Case) throws {
        let (status, report, gradients) = try VerifyFiles.verify(VerifyFiles.path(c.file))
        #expect(status == c.status)
        #expect(report["passed"] as? Bool == (c.status == 0))
        #expect(report["ignored_keys"] as? [String] == [])
        let singlePrecision = c.file.contains(".f4")
        for (key, t) in gradients {
            let tolerance = try #require(t["tolerance"] as? Double)
            #expect(tolerance == (singlePrecision ? 1e-4 : 1e-6), "\(key)")
            #expect(t["single_precision"] as? Bool == singlePrecision, "\(key)")
            if let kind = c.diagnoses[key] {
                #expect(t["status"] as? String == "mismatch", "\(key)")
                let diagnosis = try #require(t["diagnosis"] as? [String: Any], "\(key)")
                #expect(diagnosis["kind"] as? String == kind, "\(key)")
                #expect((diagnosis["evidence"] as? Double ?? 1) <= tolerance, "\(key)")
                // A transposed weight's shape gives it away, and turned back its values are
                // right: the entry says how it was stored and shows no figures that would call
                // it right; every other mistake is far off, the transpose of the square (3×3) da0 too.
                if kind == "transpose" && key != "da0" {
                    #expect(t["stored"] as? String == "transposed", "\(key)")
                    #expect(t["relative_error"] == nil && t["max_abs_error"] == nil && t["worst_index"] == nil, "\(key)")
                } else {
                    let error = try #require(t["relative_error"] as? Double)
                    #expect(error > 1e-3, "\(key): \(error)")
                    #expect(t["stored"] == nil, "\(key)")
                }
            } else {
                let error = try #require(t["relative_error"] as? Double)
                #expect(t["status"] as? String == "matches", "\(key)")
                #expect(t["diagnosis"] == nil, "\(key)")
                #expect(error <= tolerance, "\(key): \(error)")
            }
        }
    }

    @Test func tiesGoToTheMistakeThatExplainsTheFile() throws {
        // carry-dc-only's dWo and dbo are exactly per-step's (the output gate never sees
        // dc): the other eight tensors settle it.
        let (_, _, gradients) = try VerifyFiles.verify(VerifyFiles.path("carry-dc-only.json"))
        let dWo = try #require(gradients["dWo"]?["diagnosis"] as? [String: Any])
        #expect(dWo["kind"] as? String == "carry-dc-only")
        // Equal up to the rounding of two computations of the same gradient.
        #expect((dWo["evidence"] as? Double ?? 1) <= 1e-15)
        #expect(dWo["finding"] as? String == "dWo equals what carry-dc-only gives: dc_prev is carried but da_prev is not.")
    }

    @Test func anExtraKeyIsListedAndIgnored() throws {
        let (status, report, gradients) = try VerifyFiles.verify(VerifyFiles.path("extra-key.npz"))
        #expect(status == 0)
        #expect(report["ignored_keys"] as? [String] == ["loss"])
        #expect(gradients.values.allSatisfy { $0["status"] as? String == "matches" })
    }

    /// Extra keys are listed and ignored whatever they hold (`np.savez(out, **grads, epoch=3)`,
    /// a NaN loss, a string, a JSON note, an int `.npy` beside the gradients); the same content
    /// under a wanted key, or under a slip for one the file lacks, is bad input (exit 2, one line).
    @Test(.enabled(if: Tool.pythonWithNumPy, "needs python3 with NumPy"))
    func extraKeysOfAnyContentAreIgnoredButWantedOnesAreNot() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("lstm-gradcheck-extra-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let script = """
            import json, os, sys, numpy as np
            g = dict(np.load(sys.argv[1]))
            np.savez("int.npz", **g, epoch=3)
            np.savez("nan.npz", **g, loss=np.nan)
            np.savez_compressed("str.npz", **g, note=np.array("adam, lr=0.01"))
            j = json.load(open(sys.argv[2])); j["note"] = "run 3"; j["meta"] = {"epoch": 3}
            json.dump(j, open("note.json", "w"))
            os.mkdir("folder")
            for k, v in g.items(): np.save("folder/" + k + ".npy", v)
            np.save("folder/loss.npy", np.array(3))
            bad = dict(g); bad["dWf"] = bad["dWf"].copy(); bad["dWf"][1, 2] = np.nan
            np.savez("nan-dWf.npz", **bad)
            bad = dict(g); bad["dbf"] = np.arange(3)
            np.savez("int-dbf.npz", **bad)
            slip = dict(g); del slip["dWf"]; slip["dwf"] = np.array(["x"])
            np.savez("slip.npz", **slip)
            """
        let python = try Tool.run(URL(fileURLWithPath: "/usr/bin/env"),
                                  ["python3", "-c", script, VerifyFiles.path("correct.npz"), VerifyFiles.path("correct.json")], in: dir)
        #expect(python.status == 0, "\(python.stderr)")
        for (file, ignored) in [("int.npz", ["epoch"]), ("nan.npz", ["loss"]), ("str.npz", ["note"]), ("note.json", ["note", "meta"]),
                                ("folder", ["loss"])] {
            let (status, report, gradients) = try VerifyFiles.verify(dir.appendingPathComponent(file).path)
            #expect(status == 0, "\(file)")
            #expect(report["ignored_keys"] as? [String] == ignored, "\(file)")
            #expect(gradients.values.allSatisfy { $0["status"] as? String == "matches" }, "\(file)")
            let text = try Tool.run(["verify", "--fixture", VerifyFiles.fixture, "--grads", dir.appendingPathComponent(file).path])
            #expect(text.stdout.contains("Ignored (not gradients of this network): \(ignored.joined(separator: ", "))"), "\(file)")
        }
        for (file, message) in [("nan-dWf.npz", "dWf[1, 2]: expected finite numbers, found nan"),
                                ("int-dbf.npz", "dbf.npy: expected a float64 or float32 array, found dtype '<i8'"),
                                ("slip.npz", "dwf.npy: expected a float64 or float32 array, found dtype '<U1' (did you mean \"dWf\"?)")] {
            let path = dir.appendingPathComponent(file).path
            let r = try Tool.run(["verify", "--fixture", VerifyFiles.fixture, "--grads", path])
            #expect(r.status == 2, "\(file)")
            #expect(r.stdout.isEmpty, "\(file)")
            #expect(r.stderr == "lstm-gradcheck: error: \(path): \(message)\n")
        }
    }

    /// A gate copied rather than swapped (dWf, dbf = the right dWi, dbi, which are right too)
    /// is no exchange: every renderer's grouped finding says what each tensor's does; a real
    /// exchange (gate-swap.npz) still says "exchanged".
    @Test(.enabled(if: Tool.pythonWithNumPy, "needs python3 with NumPy"))
    func aCopiedGateIsNotCalledAnExchange() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("lstm-gradcheck-copy-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let script = """
            import sys, numpy as np
            g = dict(np.load(sys.argv[1]))
            g["dWf"], g["dbf"] = g["dWi"].copy(), g["dbi"].copy()
            np.savez("copied.npz", **g)
            """
        let python = try Tool.run(URL(fileURLWithPath: "/usr/bin/env"), ["python3", "-c", script, VerifyFiles.path("correct.npz")], in: dir)
        #expect(python.status == 0, "\(python.stderr)")
        let copied = dir.appendingPathComponent("copied.npz").path
        let (status, report, gradients) = try VerifyFiles.verify(copied)
        #expect(status == 1)
        let grouped = "dWf holds the right gradient of dWi and dbf that of dbi: the forget gate's gradients are the input gate's (copied, not exchanged)."
        let causes = try #require(report["causes"] as? [[String: Any]])
        #expect(causes.count == 1)
        #expect(causes.first?["finding"] as? String == grouped)
        #expect((gradients["dWf"]?["diagnosis"] as? [String: Any])?["finding"] as? String
                == "dWf is the right gradient of dWi: the forget gate's gradient is the input gate's (copied, not exchanged).")
        #expect(gradients["dWi"]?["status"] as? String == "matches" && gradients["dbi"]?["status"] as? String == "matches")
        for format in ["text", "markdown"] {
            let r = try Tool.run(["verify", "--fixture", VerifyFiles.fixture, "--grads", copied, "--format", format])
            #expect(r.status == 1)
            #expect(!r.stdout.contains("exchanged:") && !r.stdout.contains("one another's"), "\(format)")
            #expect(r.stdout.replacingOccurrences(of: "\n    ", with: " ").contains(grouped), "\(format)")
        }
        let (_, swapped, _) = try VerifyFiles.verify(VerifyFiles.path("gate-swap.npz"))
        let swap = try #require((swapped["causes"] as? [[String: Any]])?.first?["finding"] as? String)
        #expect(swap.hasSuffix("hold one another's right gradients: the gates are exchanged."), "\(swap)")
    }

    /// A weight stored transposed (dWf as 11 × 6 for a 6 × 11 gradient, made by NumPy from
    /// correct.npz) is a mismatch whose row says so in every format: the stored shape, "transposed"
    /// where a relative error would be, no max error and no worst elements that would call it right.
    @Test(.enabled(if: Tool.pythonWithNumPy, "needs python3 with NumPy"))
    func aTransposedTensorsRowFollowsItsStatus() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("lstm-gradcheck-transposed-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let script = """
            import sys, numpy as np
            g = dict(np.load(sys.argv[1]))
            g["dWc"] = np.ascontiguousarray(g["dWc"].T)
            np.savez("transposed.npz", **g)
            print(*g["dWc"].shape)
            """
        let python = try Tool.run(URL(fileURLWithPath: "/usr/bin/env"), ["python3", "-c", script, VerifyFiles.path("correct.npz")], in: dir)
        #expect(python.status == 0, "\(python.stderr)")
        let stored = python.stdout.split(separator: " ").compactMap { Int($0.trimmingCharacters(in: .whitespacesAndNewlines)) }
        #expect(stored.count == 2 && stored[0] != stored[1])
        let file = dir.appendingPathComponent("transposed.npz").path
        let (status, _, gradients) = try VerifyFiles.verify(file)
        #expect(status == 1)
        let dWc = try #require(gradients["dWc"])
        #expect(dWc["status"] as? String == "mismatch")
        #expect(dWc["stored"] as? String == "transposed")
        #expect(dWc["stored_shape"] as? [Int] == stored)
        #expect(dWc["relative_error"] == nil && dWc["max_abs_error"] == nil && dWc["worst_index"] == nil)
        #expect((dWc["diagnosis"] as? [String: Any])?["kind"] as? String == "transpose")
        let storedText = "\(stored[0])×\(stored[1])", right = "\(stored[1])×\(stored[0])"
        let text = try Tool.run(["verify", "--fixture", VerifyFiles.fixture, "--grads", file])
        let row = try #require(text.stdout.split(separator: "\n").first { $0.hasPrefix("Wc ") })
        #expect(row.split(separator: " ", omittingEmptySubsequences: true).map(String.init)
                == ["Wc", "dWc", "\(storedText),", "not", right, "transposed", "-", "MISMATCH"], "\(row)")
        #expect(!text.stdout.contains("yours"))
        #expect(text.stdout.replacingOccurrences(of: "\n    ", with: " ")
            .contains("worst elements (dWc): none — stored transposed (\(storedText)), its values read back are right; only the arrangement is wrong."))
        let markdown = try Tool.run(["verify", "--fixture", VerifyFiles.fixture, "--grads", file, "--format", "markdown"])
        #expect(markdown.stdout.contains("| Wc | dWc | \(storedText), not \(right) | transposed | – | MISMATCH |"))
        #expect(!markdown.stdout.contains("yours"))
        #expect(markdown.stdout.contains("- worst elements (dWc): none — stored transposed"))
    }

    /// The Markdown output lists the ignored keys and, per cause, the worst elements with their
    /// indices, as the text does; the worst element is the one NumPy finds between the file and
    /// the right gradients (correct.npz).
    @Test(.enabled(if: Tool.pythonWithNumPy, "needs python3 with NumPy"))
    func markdownShowsTheIgnoredKeysAndTheWorstElements() throws {
        let extra = try Tool.run(["verify", "--fixture", VerifyFiles.fixture, "--grads", VerifyFiles.path("extra-key.npz"), "--format", "markdown"])
        #expect(extra.status == 0)
        #expect(extra.stdout.contains("\nIgnored (not gradients of this network): `loss`\n"))

        let file = VerifyFiles.path("per-step.npz")
        let markdown = try Tool.run(["verify", "--fixture", VerifyFiles.fixture, "--grads", file, "--format", "markdown"])
        let text = try Tool.run(["verify", "--fixture", VerifyFiles.fixture, "--grads", file])
        #expect(markdown.status == 1 && text.status == 1)
        let line = try #require(markdown.stdout.split(separator: "\n").first { $0.hasPrefix("- worst elements (") })
        let key = String(line.dropFirst("- worst elements (".count).prefix { $0 != ")" })
        #expect(text.stdout.replacingOccurrences(of: "\n    ", with: " ").contains(line.dropFirst(2)))
        let script = """
            import sys, numpy as np
            g, r = np.load(sys.argv[1])[sys.argv[3]], np.load(sys.argv[2])[sys.argv[3]]
            k = np.unravel_index(np.argmax(np.abs(g - r)), g.shape)
            print("%s[%s] yours %.6g, right %.6g" % (sys.argv[3], ", ".join(map(str, k)), g[k], r[k]))
            """
        let python = try Tool.run(URL(fileURLWithPath: "/usr/bin/env"), ["python3", "-c", script, file, VerifyFiles.path("correct.npz"), key])
        #expect(python.status == 0, "\(python.stderr)")
        let worst = python.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(line.hasPrefix("- worst elements (\(key)): \(worst);"), "\(line) vs \(worst)")
    }

    /// A file with only some of the gradients fails: each required one it lacks is named
    /// missing; the output layer's, which the notebook's lstm_backward does not compute, is
    /// not required and reported as not checked.
    @Test(arguments: [("subset.npz", ["dWf", "dbf", "dWy", "dx"]), ("single/dWo.npy", ["dWo"])])
    func missingKeysFailTheFile(_ file: String, _ provided: [String]) throws {
        let (status, report, gradients) = try VerifyFiles.verify(VerifyFiles.path(file))
        #expect(status == 1)
        #expect(report["passed"] as? Bool == false)
        #expect((report["verdict"] as? String ?? "").contains("MISSING"))
        for (key, t) in gradients {
            if provided.contains(key) {
                #expect(t["status"] as? String == "matches", "\(key)")
                #expect((t["relative_error"] as? Double ?? 1) < 1e-6, "\(key)")
            } else {
                #expect(t["status"] as? String == (["dWy", "dby"].contains(key) ? "not-checked" : "missing"), "\(key)")
                #expect(t["relative_error"] == nil, "\(key)")
            }
        }
    }

    @Test(arguments: [
        ("bad/shape.npz", "dWc: expected shape 3 × 5, found 3 × 4"),
        ("bad/nan/dWf.npy", "dWf[1, 2]: expected finite numbers, found nan"),
        ("bad/int64/dWf.npy", "expected a float64 or float32 array, found dtype '<i8'"),
        ("bad/truncated.npz", "expected a zip archive (.npz) ending in an end-of-central-directory record, found none (truncated, or not a zip archive)"),
    ])
    func badGradientFilesAreOneLineAndStatusTwo(_ file: String, _ message: String) throws {
        let path = VerifyFiles.path(file)
        let r = try Tool.run(["verify", "--fixture", VerifyFiles.fixture, "--grads", path, "--format", "json"])
        #expect(r.status == 2)
        #expect(r.stdout.isEmpty)
        #expect(r.stderr == "lstm-gradcheck: error: \(path): \(message)\n")
    }

    /// With one class the softmax is identically 1 and every gradient exactly zero: a file of
    /// zeros decides nothing. Exit 3 in every format; no tensor reads as a match (text and
    /// Markdown rows, JSON statuses, JUnit skipped), no "All … match", the reason said once.
    @Test(arguments: ["lstm", "rnn", "gru"])
    func zeroGradientsOnAOneClassFixtureDecideNothingInEveryFormat(_ cell: String) throws {
        let fixture = try Tool.temporaryFile("one-class-\(cell).json",
                                             try Tool.run(["fixture", "--cell", cell, "--n-y", "1", "--steps", "3", "--seed", "4"]).stdout)
        // The file's keys and shapes from grads; every value zero, as a constant loss's gradient is.
        let shapes = try #require(try JSONSerialization.jsonObject(
            with: Data(try Tool.run(["grads", "--fixture", fixture, "--method", "bptt"]).stdout.utf8)) as? [String: Any])
        func zero(_ v: Any) -> Any { (v as? [Any])?.map(zero) ?? 0.0 }
        let zeros = try Tool.temporaryFile("one-class-\(cell)-zeros.json",
                                           String(decoding: try JSONSerialization.data(withJSONObject: shapes.mapValues(zero)), as: UTF8.self))
        let args = ["verify", "--fixture", fixture, "--grads", zeros]
        let reason = "n_y = 1: with one class the softmax is identically 1"
        for format in ["text", "markdown"] {
            let r = try Tool.run(args + ["--format", format], environment: ["NO_COLOR": "1"])
            #expect(r.status == 3, "\(format): \(r.stderr)")
            let rows = r.stdout.split(separator: "\n").filter { line in shapes.keys.contains { line.contains(" \($0) ") } }
            #expect(rows.count == shapes.count && rows.allSatisfy { $0.hasSuffix("inconclusive") || $0.hasSuffix("inconclusive |") }, "\(format)")
            #expect(!r.stdout.contains("match"), "\(format): \(r.stdout)")
            #expect(r.stdout.components(separatedBy: reason).count == 2, "\(format): the reason once")
            #expect(r.stdout.contains("NOTHING DECIDED: the \(shapes.count) provided gradients equal the exact gradient, but every gradient"), "\(format)")
        }
        let json = try Tool.run(args + ["--format", "json"])
        #expect(json.status == 3)
        let report = try ReportJSON.entry(json.stdout)
        let gradients = try #require(report["gradients"] as? [String: [String: Any]])
        #expect(Set(gradients.keys) == Set(shapes.keys))
        #expect(gradients.values.allSatisfy { $0["status"] as? String == "inconclusive" })
        #expect(report["passed"] as? Bool == false)
        #expect((report["verdict"] as? String)?.components(separatedBy: reason).count == 2)
        let (_, root) = try JUnitTests.run(args)
        let suite = try #require(root.all("testsuite").first)
        #expect(suite.int("failures") == 0 && suite.int("skipped") == shapes.count)
    }

    /// An empty --keys would require nothing: bad usage, one line naming the option.
    @Test(arguments: ["", "dWf,,dbf", "dWf,"])
    func anEmptyKeysListIsBadUsage(_ keys: String) throws {
        let r = try Tool.run(["verify", "--fixture", VerifyFiles.fixture, "--grads", VerifyFiles.path("correct.npz"), "--keys", keys])
        #expect(r.status == 2 && r.stdout.isEmpty)
        #expect(r.stderr == "lstm-gradcheck: error: option '--keys' takes a comma-separated list of gradient names (e.g. dWf,dbf,dx), not '\(keys)' (see 'lstm-gradcheck verify --help')\n")
    }

    // Skipped where python3 or NumPy is missing: the snippet is Python, the tool is not.
    @Test(.enabled(if: Tool.pythonWithNumPy, "needs python3 with NumPy"))
    func readmeSnippetWritesGradientsVerifyReads() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("lstm-gradcheck-readme-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        try FileManager.default.copyItem(atPath: VerifyFiles.fixture, toPath: dir.appendingPathComponent("fixture.json").path)
        let snippet = VerifyFiles.folder.deletingLastPathComponent().appendingPathComponent("readme_snippet.py").path
        // The README shows exactly the lines this test runs.
        let script = try String(contentsOfFile: snippet, encoding: .utf8)
        let shown = script.components(separatedBy: "# README begins\n")[1].components(separatedBy: "# README ends")[0]
        let readme = try String(contentsOf: Tool.root.appendingPathComponent("README.md"), encoding: .utf8)
        #expect(readme.contains("```python\n" + shown + "```"))
        let python = try Tool.run(URL(fileURLWithPath: "/usr/bin/env"), ["python3", snippet], in: dir)
        #expect(python.status == 0, "\(python.stderr)")

        // The stand-in learner's loop drops the carry: the ten tensors it reaches are per-step's.
        let (status, _, gradients) = try VerifyFiles.verify(dir.appendingPathComponent("my_grads.npz").path)
        #expect(status == 1)
        for (key, t) in gradients {
            let kind = (t["diagnosis"] as? [String: Any])?["kind"] as? String
            #expect(kind == (["dWy", "dby"].contains(key) ? nil : "per-step"), "\(key)")
            #expect(t["status"] as? String == (["dWy", "dby"].contains(key) ? "matches" : "mismatch"), "\(key)")
        }
    }
}
