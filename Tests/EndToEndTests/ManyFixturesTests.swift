import Foundation
import Testing
@testable import lstm_gradcheck

/// `check` and `verify` over several fixtures: `--fixture` repeated, a folder, `-`; each report
/// in turn, one summary line, `--quiet`, the worst status; bad input before any output.
@Suite struct ManyFixturesTests {
    /// Small networks: every run here takes a fraction of a second.
    static let small = ["--n-x", "2", "--n-a", "3", "--steps", "3", "--batch", "2"]

    /// A fresh folder holding `a.json` and `b.json` (seeds 1 and 2), the right gradients of `a`
    /// and per-step's (wrong) of `b` in `grads/`, named after the fixtures.
    static func folder() throws -> URL {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("lstm-gradcheck-many-\(UUID().uuidString)")
        let fixtures = dir.appendingPathComponent("fixtures"), grads = dir.appendingPathComponent("grads")
        try FileManager.default.createDirectory(at: fixtures, withIntermediateDirectories: true)
        try FileManager.default.createDirectory(at: grads, withIntermediateDirectories: true)
        for (name, seed, method) in [("a", "1", "bptt"), ("b", "2", "per-step")] {
            let fixture = try Tool.run(["fixture", "--seed", seed, "--name", name] + small)
            #expect(fixture.status == 0)
            let path = fixtures.appendingPathComponent("\(name).json")
            try Data(fixture.stdout.utf8).write(to: path)
            let g = try Tool.run(["grads", "--fixture", path.path, "--method", method])
            #expect(g.status == 0)
            try Data(g.stdout.utf8).write(to: grads.appendingPathComponent("\(name).json"))
        }
        return dir
    }

    @Test func checkRunsAFolderInNameOrderThenEachFixtureGivenAndEndsWithASummary() throws {
        let dir = try Self.folder()
        defer { try? FileManager.default.removeItem(at: dir) }
        let fixtures = dir.appendingPathComponent("fixtures").path
        let noiseFloor = Tool.root.appendingPathComponent("Fixtures/noise-floor.json").path
        let args = ["check", "--reference", "numerical"]
        let r = try Tool.run(args + ["--fixture", fixtures, "--fixture", noiseFloor])
        // noise-floor cannot be decided by finite differences: 3 beats 0.
        #expect(r.status == 3 && r.stderr.isEmpty, "\(r.stderr)")
        // Each report is exactly what checking its fixture alone prints, in order, a blank line apart.
        let alone = try ["\(fixtures)/a.json", "\(fixtures)/b.json", noiseFloor].map { try Tool.run(args + ["--fixture", $0]).stdout }
        #expect(r.stdout == alone.joined(separator: "\n") + "\n3 fixtures: 2 match, 1 inconclusive (noise-floor)\n")
    }

    @Test func verifyPairsGradientsInOrderOrByFileNameAndTakesTheWorstStatus() throws {
        let dir = try Self.folder()
        defer { try? FileManager.default.removeItem(at: dir) }
        func f(_ name: String) -> String { dir.appendingPathComponent("fixtures/\(name).json").path }
        func g(_ name: String) -> String { dir.appendingPathComponent("grads/\(name).json").path }
        let inOrder = try Tool.run(["verify", "--fixture", f("a"), "--grads", g("a"), "--fixture", f("b"), "--grads", g("b")])
        #expect(inOrder.status == 1 && inOrder.stderr.isEmpty)
        #expect(inOrder.stdout.hasSuffix("\n\n2 fixtures: 1 match, 1 mismatch (b)\n"))
        #expect(inOrder.stdout.contains("All 12 provided gradients match") && inOrder.stdout.contains("per-step gives: nothing is carried back"))
        // A folder of fixtures with one folder of gradients, matched by file name: the same run.
        let byName = try Tool.run(["verify", "--fixture", dir.appendingPathComponent("fixtures").path, "--grads", dir.appendingPathComponent("grads").path])
        #expect(byName.status == 1 && byName.stdout == inOrder.stdout)
        // Several --fixture with one --grads folder: matched by name too.
        let mixed = try Tool.run(["verify", "--fixture", f("a"), "--fixture", f("b"), "--grads", dir.appendingPathComponent("grads").path])
        #expect(mixed.status == 1 && mixed.stdout == inOrder.stdout)
        // Both right: status 0.
        let right = try Tool.run(["verify", "--fixture", f("a"), "--grads", g("a"), "--fixture", f("a"), "--grads", g("a")])
        #expect(right.status == 0 && right.stdout.hasSuffix("\n2 fixtures: 2 match\n"))
    }

    /// Fixtures that share a name (every `fixture` without `--name` is "generated") are told
    /// apart by their files in the summary and in JUnit; a name used once stays as it is.
    @Test func fixturesWithOneNameAreToldApartByTheirFiles() throws {
        let dir = try Self.folder()
        defer { try? FileManager.default.removeItem(at: dir) }
        let fixtures = dir.appendingPathComponent("fixtures"), grads = dir.appendingPathComponent("grads")
        for (name, seed, method) in [("c", "3", "bptt"), ("d", "4", "per-step")] {
            let fixture = try Tool.run(["fixture", "--seed", seed] + Self.small)
            let path = fixtures.appendingPathComponent("\(name).json")
            try Data(fixture.stdout.utf8).write(to: path)
            let g = try Tool.run(["grads", "--fixture", path.path, "--method", method])
            try Data(g.stdout.utf8).write(to: grads.appendingPathComponent("\(name).json"))
        }
        let args = ["verify", "--fixture", fixtures.path, "--grads", grads.path]
        let text = try Tool.run(args + ["--quiet"])
        #expect(text.status == 1)
        let summary = try #require(text.stdout.split(separator: "\n").last)
        #expect(summary.hasPrefix("4 fixtures: 2 match, 2 mismatch (b, generated (\(fixtures.path)/d.json))"), "\(summary)")
        let junit = try Tool.run(args + ["--format", "junit"])
        for name in ["a", "b", "generated (\(fixtures.path)/c.json)", "generated (\(fixtures.path)/d.json)"] {
            #expect(junit.stdout.components(separatedBy: "<testsuite name=\"\(name)\"").count == 2, "\(name)")
        }
    }

    @Test func quietPrintsOnlyWhatDoesNotMatchAndTheSummary() throws {
        let dir = try Self.folder()
        defer { try? FileManager.default.removeItem(at: dir) }
        func f(_ name: String) -> String { dir.appendingPathComponent("fixtures/\(name).json").path }
        func g(_ name: String) -> String { dir.appendingPathComponent("grads/\(name).json").path }
        let quiet = try Tool.run(["verify", "--fixture", f("a"), "--grads", g("a"), "--fixture", f("b"), "--grads", g("b"), "--quiet"])
        let b = try Tool.run(["verify", "--fixture", f("b"), "--grads", g("b")])
        #expect(quiet.status == 1 && b.status == 1)
        #expect(quiet.stdout == b.stdout + "\n2 fixtures: 1 match, 1 mismatch (b)\n")
        // Everything matches: the summary alone, also for one fixture.
        let one = try Tool.run(["check", "--fixture", f("a"), "--quiet"])
        #expect(one.status == 0 && one.stdout == "1 fixture: 1 match\n")
    }

    @Test func jsonHoldsEveryReportAndMarkdownIsEachDocumentInTurn() throws {
        let dir = try Self.folder()
        defer { try? FileManager.default.removeItem(at: dir) }
        let fixtures = dir.appendingPathComponent("fixtures").path
        let json = try Tool.run(["check", "--fixture", fixtures, "--format", "json"])
        #expect(json.status == 0)
        let document = try ReportJSON.document(json.stdout)
        #expect(Set(document.keys) == ["schema", "command", "status", "exit_status", "fixtures"])
        #expect(document["command"] as? String == "check" && document["status"] as? String == "passed" && document["exit_status"] as? Int == 0)
        let reports = try ReportJSON.fixtures(json.stdout)
        #expect(reports.compactMap { ($0["fixture"] as? [String: Any])?["name"] as? String } == ["a", "b"])
        // One fixture: the same envelope, its one entry the same as in the run over both.
        let one = try Tool.run(["check", "--fixture", "\(fixtures)/a.json", "--format", "json"])
        let single = try ReportJSON.document(one.stdout)
        #expect(Set(single.keys) == Set(document.keys))
        func canonical(_ object: Any) throws -> Data { try JSONSerialization.data(withJSONObject: object, options: .sortedKeys) }
        #expect(try canonical(ReportJSON.entry(one.stdout)) == canonical(reports[0]))

        let markdown = try Tool.run(["check", "--fixture", fixtures, "--format", "markdown"])
        let alone = try ["a", "b"].map { try Tool.run(["check", "--fixture", "\(fixtures)/\($0).json", "--format", "markdown"]).stdout }
        #expect(markdown.status == 0 && markdown.stdout == alone.joined(separator: "\n"))
    }

    @Test func aFixtureOnStandardInput() throws {
        let fixture = try Tool.run(["fixture", "--name", "piped"] + Self.small)
        let r = try Tool.run(["check", "--fixture", "-", "--format", "json"], input: Data(fixture.stdout.utf8))
        #expect(r.status == 0, "\(r.stderr)")
        let direct = try Tool.run(["check", "--format", "json"] + Self.small)
        #expect(r.stdout.replacingOccurrences(of: "\"piped\"", with: "\"generated\"") == direct.stdout)
        // Every command that reads one fixture reads it from - too.
        let grads = try Tool.run(["grads", "--fixture", "-"], input: Data(fixture.stdout.utf8))
        let generated = try Tool.run(["grads"] + Self.small)
        #expect(grads.status == 0 && grads.stdout == generated.stdout)
        let twice = try Tool.run(["check", "--fixture", "-", "--fixture", "-"], input: Data(fixture.stdout.utf8))
        #expect(twice.status == 2 && twice.stdout.isEmpty)
        #expect(twice.stderr == "lstm-gradcheck: error: '-' (standard input) can be read once; it was given twice (see 'lstm-gradcheck check --help')\n")
        let empty = try Tool.run(["check", "--fixture", "-"], input: Data())
        #expect(empty.status == 2 && empty.stderr == "lstm-gradcheck: error: standard input: expected a JSON document, found nothing\n")
    }

    /// Bad input anywhere is status 2 for the whole run, reported before any output.
    @Test func badInputStopsTheRunBeforeAnyOutput() throws {
        let dir = try Self.folder()
        defer { try? FileManager.default.removeItem(at: dir) }
        let fixtures = dir.appendingPathComponent("fixtures"), grads = dir.appendingPathComponent("grads")
        func refused(_ arguments: [String], _ message: String) throws {
            let r = try Tool.run(arguments)
            #expect(r.status == 2 && r.stdout.isEmpty, "\(arguments)")
            #expect(r.stderr == "lstm-gradcheck: error: \(message)\n", "\(arguments)")
        }
        let empty = dir.appendingPathComponent("empty")
        try FileManager.default.createDirectory(at: empty, withIntermediateDirectories: true)
        try refused(["check", "--fixture", empty.path], "\(empty.path): expected a fixture file, or a folder holding .json fixtures, found a folder with none")
        // An RNN among LSTMs, for a check only the LSTM has: named, before anything runs.
        let rnn = Tool.root.appendingPathComponent("Fixtures/rnn-default.json").path
        try refused(["check", "--fixture", fixtures.path, "--fixture", rnn, "--sample", "2"],
                    "\(rnn): 'check' works on the LSTM; rnn-default is a plain RNN (cell rnn) (see 'lstm-gradcheck check --help')")
        // A fixture with no gradients in the folder is named.
        try FileManager.default.removeItem(at: grads.appendingPathComponent("b.json"))
        try refused(["verify", "--fixture", fixtures.path, "--grads", grads.path],
                    "\(fixtures.path)/b.json: expected its gradients in \(grads.path) as b.npz, b.json, b.npy or a folder b, found none")
        try refused(["verify", "--fixture", "a.json", "--fixture", "b.json", "--fixture", "c.json", "--grads", "x", "--grads", "y"],
                    "verify takes one --grads per --fixture (in order), or one --grads FOLDER holding each fixture's gradients under its file name; found 3 --fixture and 2 --grads (see 'lstm-gradcheck verify --help')")
        // A broken file sorted after good ones: nothing of theirs is printed.
        try Data("{\"x\": [[[1]]], ".utf8).write(to: fixtures.appendingPathComponent("c.json"))
        let broken = try Tool.run(["check", "--fixture", fixtures.path])
        #expect(broken.status == 2 && broken.stdout.isEmpty)
        #expect(broken.stderr.hasPrefix("lstm-gradcheck: error: \(fixtures.path)/c.json: line 1, column ") && broken.stderr.contains("expected a string key, found the end of the file"), "\(broken.stderr)")
    }

    /// The one mapping from outcomes to statuses, and the worst of several: 1 beats 3 beats 0.
    @Test func outcomesAndTheirStatuses() {
        #expect(Outcome.allCases.map(exitStatus(for:)) == [0, 1, 2, 3, 130])
        #expect(Outcome.worst([Outcome.matches, .undecided, .mismatch, .matches]) == .mismatch)
        #expect(Outcome.worst([Outcome.undecided, .matches]) == .undecided)
        #expect(Outcome.worst([Outcome]()) == .matches)
    }
}
