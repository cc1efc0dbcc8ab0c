import Foundation
import Testing
@testable import lstm_gradcheck

/// --threads, --budget, --sample, --projection and Ctrl-C, through the built binary (their bad
/// values are rows of `CommandLineTests.badUsageIsOneLineAndStatusTwo`).
@Suite struct RunControlTests {
    /// Big enough that the finite differences are split into many pieces (several seconds in
    /// a debug build), small enough for the suite.
    static let network = ["--n-x", "4", "--n-a", "12", "--n-y", "3", "--steps", "10", "--batch", "3"]
    static let small = ["--n-x", "4", "--n-a", "8", "--n-y", "3", "--steps", "8", "--batch", "3"]
    /// Big enough that `--reference numerical` takes seconds in a debug build on a fast CPU
    /// (4.4 s for check, 6.2 s for report on an Intel Xeon), so an interrupt at 0.5 s lands mid-run.
    static let slow = ["--n-x", "8", "--n-a", "32", "--n-y", "6", "--steps", "20", "--batch", "4"]

    /// Issue 8: the pieces of work land in different orders on different thread counts, and
    /// every byte of the report must not care: the exact reference's tangents and the finite
    /// differences are both split.
    @Test(arguments: ["text", "json"], ["exact", "numerical"])
    func theSameBytesOnAnyThreadCount(_ format: String, _ reference: String) throws {
        let base = ["check", "--reference", reference, "--format", format] + Self.network
        let one = try Tool.run(base + ["--threads", "1"])
        #expect(one.status == 0 && !one.stdout.isEmpty)
        for threads in [["--threads", "2"], []] {
            let other = try Tool.run(base + threads)
            #expect(other.status == 0)
            #expect(other.stdout == one.stdout, "\(threads)")
        }
    }

    /// A budget that has passed before the finite differences start: nothing is decided,
    /// nothing is guessed, status 3, and the report says so.
    @Test func aSpentBudgetIsInconclusive() throws {
        let r = try Tool.run(["check", "--reference", "numerical", "--budget", "1ms", "--format", "json"] + Self.small)
        #expect(r.status == 3)
        let json = try ReportJSON.entry(r.stdout)
        #expect(json["stopped"] as? String == "deadline" && json["status"] as? String == "inconclusive")
        let unfinished = try #require(json["unfinished"] as? [String])
        #expect(unfinished.last == "x")
        #expect((json["conclusion"] as? String ?? "").contains("stopped at its time budget"))
        let text = try Tool.run(["check", "--reference", "numerical", "--budget", "1ms"] + Self.small)
        #expect(text.status == 3 && text.stdout.contains("the run stopped at its time budget"))
    }

    /// The sampled check against the full check's verdicts (every element, against the exact
    /// gradient): the same tensors are wrong, and the same seed draws the same elements.
    /// A budget that passes while the exact reference is computed: nothing can be compared.
    @Test func aBudgetSpentOnTheExactReferenceIsInconclusive() throws {
        let r = try Tool.run(["check", "--budget", "1ms", "--format", "json"] + Self.small)
        #expect(r.status == 3)
        let json = try ReportJSON.entry(r.stdout)
        #expect(json["stopped"] as? String == "deadline")
        #expect((json["conclusion"] as? String ?? "").contains("before the exact reference was complete; nothing was checked"))
    }

    /// A gradient file needs every element: a budget that stops the finite differences writes
    /// nothing and says how far they got.
    @Test func gradsUnderASpentBudgetWritesNothing() throws {
        let r = try Tool.run(["grads", "--method", "numerical", "--budget", "1ms"] + Self.network)
        #expect(r.status == 3 && r.stdout.isEmpty)
        #expect(r.stderr.hasPrefix("lstm-gradcheck: stopped at its time budget (--budget); finished "))
        #expect(r.stderr.hasSuffix("% of the finite differences; nothing written\n") && r.stderr.filter { $0 == "\n" }.count == 1)
    }

    /// `--fd none`: the exact reference alone, no numerical column, the same verdicts.
    @Test func withoutFiniteDifferencesTheVerdictsStand() throws {
        let with = try Tool.run(["check", "--format", "json"] + Self.small)
        let without = try Tool.run(["check", "--format", "json", "--fd", "none"] + Self.small)
        #expect(with.status == 0 && without.status == 0)
        let a = try ReportJSON.entry(with.stdout)
        let b = try ReportJSON.entry(without.stdout)
        let methodsA = try #require(a["methods"] as? [String: Any]), methodsB = try #require(b["methods"] as? [String: Any])
        #expect(methodsA["numerical"] != nil && methodsB["numerical"] == nil)
        #expect(Set(methodsB.keys) == Set(methodsA.keys).subtracting(["numerical"]))
        for name in methodsB.keys {
            let ma = try #require(methodsA[name] as? [String: Any]), mb = try #require(methodsB[name] as? [String: Any])
            #expect(ma["matches"] as? Bool == mb["matches"] as? Bool, "\(name)")
        }
    }

    @Test func aSampleFindsWhatTheFullCheckFinds() throws {
        let arguments = ["check", "--sample", "4", "--seed", "3", "--format", "json", "--methods", "bptt,per-step,truncated:2"]
        let r = try Tool.run(arguments)
        #expect(r.status == 0)
        #expect(try Tool.run(arguments).stdout == r.stdout)
        let sampled = try ReportJSON.entry(r.stdout)
        let full = try Tool.run(["check", "--seed", "3", "--format", "json", "--methods", "bptt,per-step,truncated:2"])
        let fullJSON = try ReportJSON.entry(full.stdout)
        let methods = try #require(sampled["methods"] as? [String: [String: Any]])
        let fullMethods = try #require(fullJSON["methods"] as? [String: [String: Any]])
        for name in ["bptt", "per-step", "truncated:2"] {
            let parameters = try #require(methods[name]?["parameters"] as? [String: [String: Any]])
            let fullParameters = try #require(fullMethods[name]?["parameters"] as? [String: [String: Any]])
            for (key, p) in parameters {
                #expect(p["pass"] as? Bool == fullParameters[key]?["pass"] as? Bool, "\(name) \(key)")
                let size = (fullParameters[key]?["worst_index"] as? [Int]).map { _ in 1 } ?? 0
                #expect((p["checked"] as? Int ?? 0) >= size && (p["checked"] as? Int ?? 0) <= 4)
            }
        }
        #expect(methods["bptt"]?["matches"] as? Bool == true && methods["per-step"]?["matches"] as? Bool == false)
        // A tolerance below the finite differences' own error fails even bptt: status 1.
        #expect(try Tool.run(["check", "--sample", "4", "--tolerance", "1e-18"]).status == 1)
    }

    /// The projection check against the full check: a method fails exactly when the full check
    /// finds a wrong tensor, and the tensors it names are those the full check calls wrong.
    @Test func theProjectionNamesTheTensorsTheFullCheckFails() throws {
        let methods = "bptt,coursera,per-step,carry-da-only,truncated:3"
        let r = try Tool.run(["check", "--projection", "--format", "json", "--methods", methods])
        #expect(r.status == 0)
        let projection = try ReportJSON.entry(r.stdout)
        let full = try Tool.run(["check", "--format", "json", "--methods", methods])
        let fullJSON = try ReportJSON.entry(full.stdout)
        let projected = try #require(projection["methods"] as? [String: [String: Any]])
        let checked = try #require(fullJSON["methods"] as? [String: [String: Any]])
        for name in methods.split(separator: ",").map(String.init) {
            let parameters = try #require(checked[name]?["parameters"] as? [String: [String: Any]])
            let wrong = Set(parameters.filter { $0.value["pass"] as? Bool == false }.map(\.key))
            let findings = try #require(projected[name]?["findings"] as? [[String: Any]])
            #expect(Set(findings.compactMap { $0["key"] as? String }) == wrong, "\(name)")
            #expect(projected[name]?["matches"] as? Bool == wrong.isEmpty, "\(name)")
        }
        let text = try Tool.run(["check", "--projection", "--methods", methods])
        #expect(text.stdout.contains("x (steps 0…") && text.stdout.contains("Every method expected to be correct matches"))
    }

    /// Ctrl-C half a second into a run that takes several: out within two seconds, status 130,
    /// one line saying what was finished, and neither the page nor its temporary file left.
    @Test(arguments: [["report", "--reference", "numerical"], ["check", "--reference", "numerical"]])
    func ctrlCStopsPromptlyAndLeavesNothing(_ command: [String]) throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("lstm-gradcheck-sigint-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let out = command[0] == "report" ? ["--out", folder.appendingPathComponent("page.html").path] : []
        let process = Process()
        process.executableURL = URL(fileURLWithPath: Tool.path)
        process.arguments = command + out + Self.slow
        let stdout = Pipe(), stderr = Pipe()
        process.standardOutput = stdout
        process.standardError = stderr
        try process.run()
        Thread.sleep(forTimeInterval: 0.5)
        #expect(process.isRunning, "the run should take longer than half a second")
        let sent = ContinuousClock.now
        process.interrupt()
        let errors = stderr.fileHandleForReading.readDataToEndOfFile()
        let printed = stdout.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        #expect(ContinuousClock.now - sent < .seconds(2))
        #expect(process.terminationStatus == 130 && process.terminationReason == .exit)
        let line = String(decoding: errors, as: UTF8.self)
        #expect(line.hasPrefix("lstm-gradcheck: interrupted; finished ") && line.hasSuffix("; nothing written\n"), "\(line)")
        #expect(line.filter { $0 == "\n" }.count == 1)
        #expect(printed.isEmpty)
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path).isEmpty)
    }

    @Test func theProgressBarLine() {
        // A quarter done in 3.7 s: three quarters left at that rate, 11.1 s.
        #expect(ProgressBar.line("finite differences", done: 1, total: 4, seconds: 3.7, width: 8)
                == "finite differences [██······] 25% · 3 s elapsed · ~11 s left")
        #expect(ProgressBar.line("exact reference", done: 13, total: 25, seconds: 3.2, width: 4)
                == "exact reference [██··] 52% · 3 s elapsed · ~3 s left")
        // Nothing done yet: no rate, so no time left to tell.
        #expect(ProgressBar.line("error estimates", done: 0, total: 10, seconds: 1.5, width: 4)
                == "error estimates [····] 0% · 1 s elapsed · ? left")
        #expect(ProgressBar.line("e", done: 4, total: 4, seconds: 2.2, width: 4) == "e [████] 100% · 2 s elapsed · ~0 s left")
        #expect(ProgressBar.line("x", done: 9, total: 0, seconds: 0, width: 2) == "x [··] 0% · 0 s elapsed · ? left")
    }

    /// Off a terminal (as here, a pipe) the bar never draws, however long the run.
    @Test func noProgressOffATerminal() throws {
        let r = try Tool.run(["check", "--reference", "numerical"] + Self.network)
        #expect(r.status == 0 && r.stderr.isEmpty)
    }
}
