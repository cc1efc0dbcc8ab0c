import Foundation
import Testing
@testable import lstm_gradcheck

/// `verify --exec CMD`: the user's implementation run on each fixture of the battery. The
/// implementations are the tool itself (`grads` writes a gradient file: `bptt` is right,
/// `per-step` carries nothing back) and small shell commands, so no test needs Python.
@Suite struct ExecBatteryTests {
    static let names = ["default", "T_x 1", "batch 1", "long sequence (T_x 40)", "saturated gates", "near-converged", "n_y > n_a", "large batch"]

    /// An implementation that prints the gradients of `method` as JSON into `{out}` (a path ending
    /// in .npz: the file is read by its content).
    static func grads(_ method: String) -> String { "'\(Tool.path)' grads --fixture {fixture} --method \(method) > {out}" }

    static func verify(_ command: String, _ more: [String] = [], environment: [String: String] = [:]) throws -> Tool.Result {
        try Tool.run(["verify", "--exec", command] + more, environment: environment)
    }

    @Test func aRightImplementationMatchesEveryFixtureAndTheOutputIsTheSameEachRun() throws {
        let r = try Self.verify(Self.grads("bptt"))
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stderr.isEmpty)
        for name in Self.names {
            #expect(r.stdout.contains("verify \(Self.grads("bptt")) against \(name): "), "\(name)")
        }
        #expect(r.stdout.hasSuffix("\n8/8 fixtures match\n"))
        // The fixtures and gradients were temporary files: nothing but the command as typed (which
        // names the tool, wherever the checkout is) names a path.
        let shown = r.stdout.replacingOccurrences(of: Self.grads("bptt"), with: "CMD")
        #expect(!shown.contains("lstm-gradcheck-exec") && !shown.contains(FileManager.default.temporaryDirectory.path))
        #expect(try Self.verify(Self.grads("bptt")).stdout == r.stdout)
    }

    @Test func nothingCarriedBackIsDiagnosedOnEveryFixtureButTheSingleStep() throws {
        let json = try Self.verify(Self.grads("per-step"), ["--format", "json"])
        #expect(json.status == 1 && json.stderr.isEmpty)
        let reports = try ReportJSON.fixtures(json.stdout)
        #expect(reports.compactMap { ($0["fixture"] as? [String: Any])?["name"] as? String } == Self.names)
        for report in reports {
            let name = (report["fixture"] as? [String: Any])?["name"] as? String ?? ""
            // At T_x = 1 there is nothing to carry: per-step is exact there.
            #expect(report["passed"] as? Bool == (name == "T_x 1"), "\(name)")
            if name == "T_x 1" { continue }
            let gradients = try #require(report["gradients"] as? [String: [String: Any]])
            let dWf = try #require(gradients["dWf"]?["diagnosis"] as? [String: Any])
            #expect(dWf["kind"] as? String == "per-step", "\(name)")
        }

        let text = try Self.verify(Self.grads("per-step"), ["--quiet"], environment: ["GITHUB_ACTIONS": "true"])
        #expect(text.status == 1)
        let summary = try #require(text.stdout.split(separator: "\n").last)
        #expect(summary == "1/8 fixtures match; default, batch 1, long sequence (T_x 40), saturated gates, near-converged, n_y > n_a and large batch: "
            + "dWf, dbf, dWi, dbi, dWc, dbc, dWo, dbo, da0, dx wrong — per-step")
        // --quiet: the matching fixture's report is left out.
        #expect(!text.stdout.contains("against T_x 1:") && text.stdout.contains("against batch 1:"))
        // One annotation per failing fixture, on standard error.
        let annotations = text.stderr.split(separator: "\n")
        #expect(annotations.count == 7)
        #expect(annotations.first == "::error title=lstm-gradcheck::default: dWf, dbf, dWi, dbi, dWc, dbc, dWo, dbo, da0, dx wrong — per-step")
        #expect(annotations.allSatisfy { $0.hasPrefix("::error title=lstm-gradcheck::") && $0.hasSuffix("wrong — per-step") })
    }

    @Test func aCrashStopsTheRunWithItsMessage() throws {
        let crash = "echo 'boom: shapes (5,10) and (3,10) not aligned' >&2; exit 3 # {fixture} {out}"
        let r = try Self.verify(crash)
        #expect(r.status == 2 && r.stdout.isEmpty)
        #expect(r.stderr == "lstm-gradcheck: error: default: your command exited with status 3; its last lines on standard error:\n"
            + "  boom: shapes (5,10) and (3,10) not aligned\n")
        let annotated = try Self.verify(crash, environment: ["GITHUB_ACTIONS": "true"])
        #expect(annotated.stderr.hasPrefix("::error title=lstm-gradcheck::default: your command exited with status 3: boom: shapes (5,10) and (3,10) not aligned\n"))
    }

    @Test func onlyTheLastLinesOfStandardErrorAreShownAndTheTemporaryPathsAreNamedAsInTheCommand() throws {
        let r = try Self.verify("for k in 1 2 3 4 5 6 7; do echo line $k >&2; done; echo cannot read {fixture} >&2; exit 1 # {out}")
        #expect(r.status == 2)
        #expect(r.stderr.hasSuffix("  line 4\n  line 5\n  line 6\n  line 7\n  cannot read {fixture}\n"), "\(r.stderr)")
        #expect(!r.stderr.contains("line 3"))
    }

    @Test func aRunPastItsTimeoutIsStopped() throws {
        let start = ContinuousClock.now
        let r = try Self.verify("sleep 5 # {fixture} {out}", ["--timeout", "1"])
        #expect(ContinuousClock.now - start < .seconds(4))
        #expect(r.status == 2 && r.stdout.isEmpty)
        #expect(r.stderr.hasPrefix("lstm-gradcheck: error: default: your command did not finish within its timeout of 1 s (--timeout)"), "\(r.stderr)")
    }

    /// A command that leaves a program running in the background has ended when its shell has:
    /// the wait is not held to that program (nor to the timeout), and the program is stopped.
    @Test func aProgramLeftInTheBackgroundNeitherHoldsTheRunNorOutlivesIt() throws {
        let mark = FileManager.default.temporaryDirectory.appendingPathComponent("lstm-gradcheck-background-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: mark) }
        let start = ContinuousClock.now
        let r = try Self.verify(Self.grads("bptt") + "; (sleep 2; touch '\(mark.path)') >/dev/null 2>&1 &", ["--timeout", "10"])
        #expect(r.status == 0 && r.stdout.hasSuffix("\n8/8 fixtures match\n"), "\(r.stderr)")
        #expect(ContinuousClock.now - start < .seconds(10))
        Thread.sleep(forTimeInterval: 3)
        #expect(!FileManager.default.fileExists(atPath: mark.path))
    }

    @Test func aRunThatWritesNothingIsBadInput() throws {
        let r = try Self.verify("true {fixture} {out}")
        #expect(r.status == 2 && r.stdout.isEmpty)
        #expect(r.stderr.hasPrefix("lstm-gradcheck: error: default: your command exited with status 0 but wrote nothing to {out}"), "\(r.stderr)")
        let empty = try Self.verify(": > {out} # {fixture}")
        #expect(empty.status == 2 && empty.stderr.contains("left {out} empty"), "\(empty.stderr)")
        let garbage = try Self.verify("echo not json > {out} # {fixture}")
        #expect(garbage.status == 2 && garbage.stderr.hasPrefix("lstm-gradcheck: error: the gradients your command wrote for default: "), "\(garbage.stderr)")
    }

    @Test func theUsersOwnFixturesJoinTheBatteryUnderTheirPaths() throws {
        let own = Tool.root.appendingPathComponent("Fixtures/upstream-da.json").path
        let r = try Self.verify(Self.grads("bptt"), ["--fixture", own, "--quiet"])
        #expect(r.status == 0 && r.stdout == "9/9 fixtures match\n", "\(r.stdout)\(r.stderr)")
        let wrong = try Self.verify(Self.grads("per-step"), ["--fixture", own, "--format", "json"])
        let last = try #require(try ReportJSON.fixtures(wrong.stdout).last)
        #expect((last["fixture"] as? [String: Any])?["name"] as? String == own && last["passed"] as? Bool == false)
    }

    @Test func theUpstreamBatteryAndTheLayouts() throws {
        for extra in [["--battery", "upstream"], ["--layout", "pytorch"], ["--cell", "rnn"]] {
            let r = try Self.verify(Self.grads("bptt"), extra + ["--quiet"])
            #expect(r.status == 0 && r.stdout == "8/8 fixtures match\n", "\(extra): \(r.stdout)\(r.stderr)")
        }
        let upstream = try Self.verify(Self.grads("bptt"), ["--battery", "upstream"])
        #expect(upstream.stdout.contains("against n_x > n_a: n_x 6, n_a 2, T_x 5, m 4, upstream da over T' = 5"))
    }

    @Test(arguments: [
        (["--battery", "upstream"], "--battery goes with --exec"),
        (["--exec", "x {fixture}"], "option '--exec' takes a command holding {fixture}"),
        (["--exec", "x {fixture} {out}", "--grads", "g.json"], "'--exec' and '--grads' cannot be combined"),
        (["--exec", "x {fixture} {out}", "--layout", "keras", "--battery", "default"], "'--battery default' is the notebook's API with labels y"),
        (["--exec", "x {fixture} {out}", "--cell", "gru", "--layout", "cs231n"], "the cs231n layout does not stack a gru's gates"),
        (["--exec", "x {fixture} {out}", "--timeout", "-1"], "option '--timeout' takes"),
    ])
    func unsupportedCombinationsAreOneLineAndStatusTwo(_ arguments: [String], _ message: String) throws {
        let r = try Tool.run(["verify"] + arguments)
        #expect(r.status == 2 && r.stdout.isEmpty)
        #expect(r.stderr.hasPrefix("lstm-gradcheck: error: \(message)") && r.stderr.filter { $0 == "\n" }.count == 1, "\(r.stderr)")
    }

    /// Ctrl-C while the command runs: it is stopped too (it is in a process group of its own,
    /// which a terminal's Ctrl-C would not reach), status 130, the temporary folder removed.
    @Test func ctrlCStopsTheCommandToo() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("lstm-gradcheck-exec-sigint-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let pidFile = folder.appendingPathComponent("pid")
        // Its own temporary folder, to see the run's removed (other tests run beside this one).
        let temporary = folder.appendingPathComponent("tmp")
        try FileManager.default.createDirectory(at: temporary, withIntermediateDirectories: true)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: Tool.path)
        process.arguments = ["verify", "--exec", "sleep 30 & echo $! > '\(pidFile.path)'; wait # {fixture} {out}"]
        process.environment = ProcessInfo.processInfo.environment.merging(["TMPDIR": temporary.path]) { $1 }
        let stderr = Pipe()
        process.standardOutput = FileHandle.nullDevice
        process.standardError = stderr
        try process.run()
        var waited = 0
        while !FileManager.default.fileExists(atPath: pidFile.path) && waited < 100 {
            Thread.sleep(forTimeInterval: 0.05)
            waited += 1
        }
        Thread.sleep(forTimeInterval: 0.2)
        let sleeper = try #require(Int32(String(contentsOf: pidFile, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)))
        #expect(try FileManager.default.contentsOfDirectory(atPath: temporary.path).map { $0.prefix(20) } == ["lstm-gradcheck-exec."])
        let sent = ContinuousClock.now
        process.interrupt()
        let line = String(decoding: stderr.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        #expect(ContinuousClock.now - sent < .seconds(2))
        #expect(process.terminationStatus == 130)
        #expect(line == "lstm-gradcheck: interrupted; finished none of the 8 fixtures and, of default, nothing (its run of your command was stopped); nothing written\n")
        // The command's own child is gone with it (or dead and not yet reaped by init).
        var gone = false
        for _ in 0..<20 where !gone {
            let stat = try? String(contentsOfFile: "/proc/\(sleeper)/stat", encoding: .utf8)
            gone = stat == nil || stat?.components(separatedBy: ") ").last?.first == "Z"
            if !gone { Thread.sleep(forTimeInterval: 0.05) }
        }
        #expect(gone)
        #expect(try FileManager.default.contentsOfDirectory(atPath: temporary.path).isEmpty)
    }
}


@Suite struct ExecBatteryNumPyTests {
    /// The README's `my_lstm.py` (Vectors/my_lstm.py, the README's lines around a right learner).
    @Test(.enabled(if: Tool.pythonWithNumPy, "python3 with NumPy is not installed"))
    func theReadmesProgramMatchesEveryFixture() throws {
        let program = VerifyFiles.folder.deletingLastPathComponent().appendingPathComponent("my_lstm.py").path
        let script = try String(contentsOfFile: program, encoding: .utf8)
        let shown = script.components(separatedBy: "# README begins\n")[1].components(separatedBy: "# README ends")[0]
        let readme = try String(contentsOf: Tool.root.appendingPathComponent("README.md"), encoding: .utf8)
        #expect(readme.contains("```python\n" + shown + "```"))
        #expect(readme.contains("verify --exec 'python3 my_lstm.py {fixture} {out}'"))
        let r = try Tool.run(["verify", "--exec", "python3 '\(program)' {fixture} {out}", "--quiet"])
        #expect(r.status == 0 && r.stdout == "8/8 fixtures match\n", "\(r.stdout)\(r.stderr)")
    }

    /// A right backward pass written as the textbook writes it (Vectors/textbook_lstm.py: the
    /// softmax gradient `y_hat - onehot(y)`, which cancels where y_hat is near 1) matches every
    /// fixture: no battery fixture is so converged that float64 rounding alone fails it.
    @Test(.enabled(if: Tool.pythonWithNumPy, "python3 with NumPy is not installed"))
    func aTextbookBackwardPassMatchesEveryFixture() throws {
        let program = VerifyFiles.folder.deletingLastPathComponent().appendingPathComponent("textbook_lstm.py").path
        let r = try Tool.run(["verify", "--exec", "python3 '\(program)' {fixture} {out}", "--quiet"])
        #expect(r.status == 0 && r.stdout == "8/8 fixtures match\n", "\(r.stdout)\(r.stderr)")
    }

    @Test(.enabled(if: Tool.pythonWithNumPy, "python3 with NumPy is not installed"))
    func theIndependentNumPyLSTMMatchesTheUpstreamBattery() throws {
        let tools = Tool.root.appendingPathComponent("Fixtures/tools").path
        let program = "import sys; sys.path.insert(0, '\(tools)'); import numpy as np, lstm_numpy as m; "
            + "np.savez(sys.argv[2], **m.bptt_gradients(m.load_fixture(sys.argv[1]))[1])"
        let r = try Tool.run(["verify", "--exec", "python3 -c \"\(program)\" {fixture} {out}", "--battery", "upstream", "--quiet"])
        #expect(r.status == 0 && r.stdout == "8/8 fixtures match\n", "\(r.stdout)\(r.stderr)")
    }
}
