import Foundation
import Testing
@testable import lstm_gradcheck

@Suite struct CommandLineTests {
    @Test func defaultRunPrintsTheTableAndTheVerdictAndExitsZero() throws {
        let r = try Tool.run([])
        #expect(r.status == 0)
        #expect(r.stderr.isEmpty)
        #expect(r.stdout.contains("default: n_x 3, n_a 5, n_y 2, T_x 7, m 10, seed 1"))
        for line in ["Wf ", "x ", "Verdict", "per-step is wrong, as expected", "coursera matches"] {
            #expect(r.stdout.contains(line), "missing \(line)")
        }
        // Piped output carries no colour.
        #expect(!r.stdout.contains("\u{1B}["))
    }

    @Test func outputIsByteIdenticalAcrossRuns() throws {
        let a = try Tool.run(["check", "--format", "json", "--seed", "5"]), b = try Tool.run(["check", "--format", "json", "--seed", "5"])
        #expect(a.stdout == b.stdout && !a.stdout.isEmpty)
    }

    @Test func jsonReportFollowsTheSpec() throws {
        let r = try Tool.run(["check", "--format", "json"])
        #expect(r.status == 0)
        let json = try ReportJSON.entry(r.stdout)
        let fixture = try #require(json["fixture"] as? [String: Any])
        #expect(fixture["name"] as? String == "default")
        #expect(fixture["n_x"] as? Int == 3 && fixture["n_a"] as? Int == 5 && fixture["n_y"] as? Int == 2)
        #expect(fixture["steps"] as? Int == 7 && fixture["batch"] as? Int == 10)
        #expect(json["reference"] as? String == "exact")
        let methods = try #require(json["methods"] as? [String: Any])
        #expect(Set(methods.keys) == ["bptt", "coursera", "per-step", "numerical"])
        #expect((methods["numerical"] as? [String: Any])?["expected"] as? String == "reference")
        let bptt = try #require(methods["bptt"] as? [String: Any])
        #expect(bptt["expected"] as? String == "correct" && bptt["matches"] as? Bool == true)
        let params = try #require(bptt["parameters"] as? [String: Any])
        #expect(Set(params.keys) == ["Wf", "bf", "Wi", "bi", "Wc", "bc", "Wo", "bo", "Wy", "by", "a0", "x"])
        let wf = try #require(params["Wf"] as? [String: Any])
        #expect((wf["relative_error"] as? Double ?? 1) < 1e-6)
        #expect((wf["worst_index"] as? [Int])?.count == 2)
        #expect(wf["pass"] as? Bool == true)
        let perStep = try #require(methods["per-step"] as? [String: Any])
        #expect(perStep["expected"] as? String == "wrong" && perStep["matches"] as? Bool == false)
    }

    @Test func markdownHasATable() throws {
        let r = try Tool.run(["check", "--format", "markdown"])
        #expect(r.status == 0)
        #expect(r.stdout.contains("| param | shape | bptt (expected correct) | coursera (expected correct) | per-step (expected wrong) |"))
        #expect(r.stdout.contains("| Wo | 5×8 |"))
    }

    @Test func aMismatchOfACorrectRouteExitsOne() throws {
        // A tolerance below rounding makes even BPTT fail.
        let r = try Tool.run(["check", "--tolerance", "1e-18", "--format", "json"])
        #expect(r.status == 1)
        #expect(r.stdout.contains("\"passed\": false"))
    }

    @Test func perStepMatchesWithASingleStepAndSaysWhy() throws {
        let r = try Tool.run(["check", "--steps", "1"])
        #expect(r.status == 0)
        #expect(r.stdout.contains("per-step matches although it is expected to be wrong: with T_x = 1"))
    }

    @Test func gradsPrintsAGradientFileThatMatchesAcrossRoutes() throws {
        let bptt = try Tool.run(["grads", "--method", "bptt", "--seed", "3"])
        let coursera = try Tool.run(["grads", "--method", "coursera", "--seed", "3"])
        #expect(bptt.status == 0 && coursera.status == 0)
        let a = try #require(try JSONSerialization.jsonObject(with: Data(bptt.stdout.utf8)) as? [String: Any])
        let b = try #require(try JSONSerialization.jsonObject(with: Data(coursera.stdout.utf8)) as? [String: Any])
        #expect(a.keys.sorted() == ["dWc", "dWf", "dWi", "dWo", "dWy", "da0", "dbc", "dbf", "dbi", "dbo", "dby", "dx"])
        let wa = try #require(a["dWo"] as? [[Double]]), wb = try #require(b["dWo"] as? [[Double]])
        #expect(wa.count == 5 && wa[0].count == 8)
        for (ra, rb) in zip(wa, wb) {
            for (x, y) in zip(ra, rb) { #expect(abs(x - y) <= 1e-12 * max(1, abs(x))) }
        }
    }

    @Test func fixtureRoundTripsThroughCheck() throws {
        let generated = try Tool.run(["fixture", "--n-a", "2", "--steps", "3", "--seed", "9", "--name", "mine"])
        #expect(generated.status == 0)
        let path = try Tool.temporaryFile("mine.json", generated.stdout)
        let fromFile = try Tool.run(["check", "--fixture", path, "--format", "json"])
        let direct = try Tool.run(["check", "--n-a", "2", "--steps", "3", "--seed", "9", "--format", "json"])
        #expect(fromFile.status == 0)
        // Same network, same numbers; only the name differs.
        #expect(fromFile.stdout.replacingOccurrences(of: "\"mine\"", with: "\"generated\"") == direct.stdout)
    }

    @Test func helpAndVersion() throws {
        let help = try Tool.run(["--help"])
        #expect(help.status == 0 && help.stdout.hasPrefix("OVERVIEW: ") && help.stdout.contains("SUBCOMMANDS:"))
        let checkHelp = try Tool.run(["check", "--help"])
        #expect(checkHelp.stdout.contains("USAGE: lstm-gradcheck check") && checkHelp.stdout.contains("--tolerance <T>"))
        #expect(try Tool.run(["help", "grads"]).stdout.contains("USAGE: lstm-gradcheck grads"))
        #expect(try Tool.run(["--version"]).stdout == Help.version + "\n")
    }

    @Test func methodsAllShowsTheWholeCatalogueWithLabels() throws {
        let r = try Tool.run(["check", "--methods", "all", "--format", "json"])
        #expect(r.status == 0)
        let json = try ReportJSON.entry(r.stdout)
        let methods = try #require(json["methods"] as? [String: [String: Any]])
        let expected = ["bptt": "correct", "coursera": "correct", "per-step": "wrong", "asker": "wrong",
                        "asker-no-carry": "wrong", "carry-da-only": "wrong", "carry-dc-only": "wrong",
                        "coursera-2018-printed": "wrong", "truncated:2": "wrong", "numerical": "reference"]
        #expect(methods.mapValues { $0["expected"] as? String ?? "" } == expected)
        for (name, m) in methods { #expect((m["matches"] as? Bool) == (expected[name] != "wrong"), "\(name)") }
        let text = try Tool.run(["check", "--methods", "all"])
        // Wide catalogues are printed in blocks that fit a terminal.
        #expect(text.stdout.split(separator: "\n").allSatisfy { $0.count <= 100 || $0.hasPrefix("lstm-gradcheck ·") })
    }

    @Test func truncationTableFallsToTheFloor() throws {
        let r = try Tool.run(["truncation", "--format", "json"])
        #expect(r.status == 0)
        let json = try ReportJSON.entry(r.stdout)
        let rows = try #require(json["truncation"] as? [[String: Any]])
        #expect(rows.count == 7)
        #expect(rows.map { $0["matches"] as? Bool } == [false, false, false, false, false, false, true])
        let wo = rows.compactMap { ($0["relative_error"] as? [String: Double])?["Wo"] }
        #expect(wo.count == 7 && wo[0] > 0.1 && wo[6] < 1e-8)
        #expect(try Tool.run(["truncation"]).stdout.contains("only the full carry reaches it"))
    }

    @Test func notebookCellsReproduceThePrintedValues() throws {
        let cell = try Tool.run(["notebook", "cell"])
        #expect(cell.status == 0)
        #expect(cell.stdout.contains("coursera reproduces all 11 values the notebook printed."))
        #expect(cell.stdout.contains("3.23055911511 ✓"))
        let backward = try Tool.run(["notebook", "backward"])
        #expect(backward.status == 0)
        #expect(backward.stdout.contains("coursera (the notebook's cell in the loop with the carry) reproduces all 13 values the later"))
        #expect(backward.stdout.contains("per-step (the loop without the carry) reproduces 10 of the 13 values the 2018 edition"))
        let bad = try Tool.run(["notebook", "forward"])
        #expect(bad.status == 2 && bad.stderr.contains("say which test cell"))
    }

    @Test func plainRNNHasTheSameReport() throws {
        let r = try Tool.run(["check", "--cell", "rnn", "--format", "json"])
        #expect(r.status == 0)
        let json = try ReportJSON.entry(r.stdout)
        let methods = try #require(json["methods"] as? [String: [String: Any]])
        #expect(methods.mapValues { $0["matches"] as? Bool } == ["bptt": true, "coursera": true, "per-step": false, "numerical": true])
        let params = try #require(methods["bptt"]?["parameters"] as? [String: Any])
        #expect(Set(params.keys) == ["Waa", "Wax", "ba", "Wya", "by", "a0", "x"])
        let grads = try Tool.run(["grads", "--cell", "rnn", "--method", "per-step"])
        #expect(grads.status == 0 && grads.stdout.contains("\"dWaa\""))
        let lstmOnly = try Tool.run(["truncation", "--cell", "rnn"])
        #expect(lstmOnly.status == 2 && lstmOnly.stderr.contains("'truncation' works on the LSTM"))
    }

    @Test func explainSplitsWoAndComparesTheCells() throws {
        let e = try Tool.run(["explain", "--param", "Wo", "--format", "json"])
        #expect(e.status == 0)
        let json = try ReportJSON.entry(e.stdout)
        #expect((json["reconstruction_error"] as? Double ?? 1) < 1e-12)
        #expect((json["steps"] as? [Any])?.count == 7)
        #expect((json["conclusion"] as? String ?? "").contains("make up"))
        try Self.comparisonFollowsItsCurves(cell: "lstm", name: "LSTM", gate: "forget gate averages f = ")
        try Self.comparisonFollowsItsCurves(cell: "gru", name: "GRU", gate: "update gate averages z = ")
        try Self.comparisonFollowsItsCurves(cell: "gru-reset-before", name: "GRU", gate: "update gate averages z = ")
        try Self.comparisonFollowsItsCurves(cell: "lstm", name: "LSTM", gate: "forget gate averages f = ", steps: 30, seed: 3)
        // Curves whose lead changes more than once: every change is told, not only the first.
        try Self.comparisonFollowsItsCurves(cell: "lstm", name: "LSTM", gate: "forget gate averages f = ", steps: 12, seed: 25, more: ["--n-a", "3", "--batch", "2"], changes: 2)
        try Self.comparisonFollowsItsCurves(cell: "lstm", name: "LSTM", gate: "forget gate averages f = ", steps: 100, seed: 6, more: ["--n-a", "2", "--batch", "3"], changes: 3)
        let rnn = try Tool.run(["explain", "--flow", "--compare", "--cell", "rnn"])
        #expect(rnn.status == 2 && rnn.stderr.contains("'--compare' sets a gated cell"))
    }

    /// Parts that do not add up to bptt within 1e-12 are a failed check in words too (exit 1),
    /// with the distances of both from the exact reference and a reason that follows from them;
    /// parts that do are called rounding.
    @Test func aSplitBeyondTheLimitIsCalledAFailedCheck() throws {
        let run = try Tool.run(["explain", "--scale", "20", "--steps", "300", "--format", "json"])
        #expect(run.status == 1)
        let e = try ReportJSON.entry(run.stdout)
        let error = try #require(e["reconstruction_error"] as? Double)
        let bptt = try #require(e["bptt_vs_exact"] as? Double), sum = try #require(e["sum_vs_exact"] as? Double)
        let said = try #require(e["reconstruction"] as? String)
        #expect(error > 1e-12 && said.contains("this check fails") && !said.contains("this is rounding"), "\(said)")
        #expect(said.contains("bptt is off by \(Self.sci(bptt)) relative and Σ parts by \(Self.sci(sum))"), "\(said)")
        // Within a factor 10 of each other here: neither is singled out.
        #expect(max(bptt, sum) < 10 * min(bptt, sum) && said.contains("Neither is ten times closer") && said.contains("up to \(Self.sci(max(bptt, sum, error)))"), "\(said)")
        let text = try Tool.run(["explain", "--scale", "20", "--steps", "300"])
        #expect(text.status == 1 && text.stdout.contains("Σ parts vs bptt: \(Self.sci(error)) relative (above the 1.0e-12"), "\(text.stdout)")
        let fine = try ReportJSON.entry(try Tool.run(["explain", "--format", "json"]).stdout)
        #expect((fine["reconstruction_error"] as? Double ?? 1) <= 1e-12 && (fine["reconstruction"] as? String ?? "").contains("this is rounding") && fine["bptt_vs_exact"] == nil)
    }

    /// The tool's short scientific form (`5.3e-8`, `1.0e0`), written again here.
    static func sci(_ x: Double) -> String {
        let printed = String(format: "%.1e", x)
        let parts = printed.split(separator: "e")
        return "\(parts[0])e\(Int(parts[1])!)"
    }

    /// A split weight whose gradient is exactly zero (dWf of this one-step network, as `grads`
    /// prints it) has no shares: none is printed as a percentage, and the sentence says it is
    /// zero. With every gradient zero (n_y = 1) the run decides nothing: exit 3 with the reason.
    /// Series of zeros draw as the lowest block.
    @Test func aZeroGradientHasNothingToSplit() throws {
        let network = ["--n-x", "2", "--n-a", "2", "--steps", "1", "--batch", "3", "--seed", "5"]
        let grads = try Self.object(try Tool.run(["grads", "--method", "bptt"] + network).stdout)
        let dWf = try #require(grads["dWf"] as? [[Double]])
        #expect(dWf.joined().allSatisfy { $0 == 0 } && (grads["dWi"] as? [[Double]] ?? []).joined().contains { $0 != 0 })
        let wf = try Tool.run(["explain", "--param", "Wf"] + network)
        let said = wf.stdout.replacingOccurrences(of: "\n", with: " ")
        #expect(wf.status == 0 && said.contains("dWf is exactly zero, so there is nothing to split") && !said.contains("make up") && !said.contains("%"), "\(wf.stdout)")
        let json = try ReportJSON.entry(try Tool.run(["explain", "--param", "Wf", "--format", "json"] + network).stdout)
        #expect(json["carried_share"] is NSNull && json["local_share"] is NSNull)

        let ny1 = try Tool.run(["explain", "--n-y", "1"])
        let text = ny1.stdout.replacingOccurrences(of: "\n", with: " ")
        #expect(ny1.status == 3 && text.contains("every gradient is exactly zero (n_y = 1") && text.contains("decides nothing") && !text.contains("%"), "\(ny1.stdout)")
        for line in ny1.stdout.split(separator: "\n") where line.contains("over t:") {
            let blocks = line.split(separator: ":").last!.trimmingCharacters(in: .whitespaces)
            #expect(!blocks.isEmpty && blocks.allSatisfy { $0 == "▁" }, "\(line)")
        }
        let ny1json = try ReportJSON.document(try Tool.run(["explain", "--n-y", "1", "--format", "json"]).stdout)
        #expect(ny1json["exit_status"] as? Int == 3 && ny1json["status"] as? String == "inconclusive")
    }

    /// A negative carried share is told as carried terms pointing against the local ones, and a
    /// small share with a large ‖carried‖ as mostly orthogonal, with the cosine that shows it:
    /// share · ‖total‖ / ‖carried‖, ‖total‖ recomputed from `grads`' dWax, ‖carried‖ as printed.
    @Test func negativeAndSmallSharesAreWordedByTheirNumbers() throws {
        let network = ["--cell", "rnn", "--n-x", "3", "--n-a", "4", "--n-y", "3", "--steps", "10", "--batch", "5", "--seed", "7"]
        let ba = try ReportJSON.entry(try Tool.run(["explain", "--param", "ba", "--format", "json"] + network).stdout)
        let baShare = try #require(ba["carried_share"] as? Double), baLocal = try #require(ba["local_share"] as? Double)
        let baSaid = try #require(ba["conclusion"] as? String)
        #expect(baShare < 0 && baSaid.contains("point against the local ones") && baSaid.contains("is \(Int((baShare * 100).rounded()))% of it")
                && baSaid.contains("alone come to \(Int((baLocal * 100).rounded()))%") && !baSaid.contains("keeps only"), "\(baSaid)")

        let wax = try ReportJSON.entry(try Tool.run(["explain", "--param", "Wax", "--format", "json"] + network).stdout)
        let share = try #require(wax["carried_share"] as? Double)
        let said = try #require(wax["conclusion"] as? String)
        let grads = try Self.object(try Tool.run(["grads", "--method", "bptt"] + network).stdout)
        let total = (try #require(grads["dWax"] as? [[Double]])).joined().reduce(0) { $0 + $1 * $1 }.squareRoot()
        let carriedText = try #require(said.components(separatedBy: "‖carried‖ = ").dropFirst().first?.prefix { $0 != "," })
        let carried = try #require(Double(carriedText))
        let cosineText = try #require(said.components(separatedBy: "(cosine ").dropFirst().first?.prefix { $0 != ")" })
        let cosine = try #require(Double(cosineText))
        #expect(abs(cosine - share * total / carried) < 0.01 && cosine < 0.2 && carried > 0.2 * total, "\(said)")
        #expect(said.contains("mostly orthogonal to dWax") && said.contains("only \(Int((share * 100).rounded()))% of it although"), "\(said)")
    }

    /// `help truncation` names the reference the table is against, as the table itself does.
    @Test func truncationHelpNamesTheReferenceItsTableUses() throws {
        let help = try Tool.run(["help", "truncation"]).stdout.replacingOccurrences(of: "\n", with: " ")
        let table = try Tool.run(["truncation"]).stdout.replacingOccurrences(of: "\n", with: " ")
        #expect(table.contains("against the exact gradient") && !table.contains("numerical"))
        #expect(help.contains("against the exact (forward-mode) gradient") && !help.contains("numerical"), "\(help)")
    }

    /// The RNN beside a network generated with `--scale s` has its weights drawn at s too (the
    /// generator draws Waa, Wax, ba first, so they are those of `fixture --cell rnn --seed S+1
    /// --scale s`): its curve equals `explain --flow` of that RNN given the LSTM's inputs, labels
    /// and output layer, and the sentence says the scale. Beside a fixture it says what it draws.
    @Test func theRNNBesideIsDrawnAtTheGatedNetworksScale() throws {
        let size = ["--n-x", "2", "--n-a", "3", "--steps", "9", "--batch", "2"]
        for scale in ["0.3", "3"] {
            let compare = try Tool.run(["explain", "--flow", "--compare", "--scale", scale, "--seed", "4", "--format", "json"] + size)
            #expect(compare.status == 0)
            let c = try ReportJSON.entry(compare.stdout)
            let beside = try #require((c["rnn"] as? [String: Any])?["by_distance"] as? [Double])
            let lstm = try Self.object(try Tool.run(["fixture", "--scale", scale, "--seed", "4"] + size).stdout)
            var rnn = try Self.object(try Tool.run(["fixture", "--cell", "rnn", "--scale", scale, "--seed", "5"] + size).stdout)
            var parameters = try #require(rnn["parameters"] as? [String: Any])
            let gated = try #require(lstm["parameters"] as? [String: Any])
            parameters["Wya"] = gated["Wy"]
            parameters["by"] = gated["by"]
            rnn["parameters"] = parameters
            for key in ["a0", "x", "y"] { rnn[key] = lstm[key] }
            let path = try Tool.temporaryFile("beside-\(scale).json", String(decoding: try JSONSerialization.data(withJSONObject: rnn), as: UTF8.self))
            let flow = try ReportJSON.entry(try Tool.run(["explain", "--flow", "--fixture", path, "--format", "json"]).stdout)
            let alone = try #require(flow["by_distance"] as? [Double])
            #expect(alone.count == beside.count)
            for (u, v) in zip(alone, beside) { #expect(abs(u - v) <= 1e-12 * max(abs(u), abs(v)), "\(scale): \(alone) vs \(beside)") }
            #expect(c["rnn_weight_scale"] as? Double == Double(scale) && c["same_weight_scale"] as? Bool == true)
            // The text is wrapped: one line.
            let text = try Tool.run(["explain", "--flow", "--compare", "--scale", scale, "--seed", "4"] + size).stdout.replacingOccurrences(of: "\n", with: " ")
            #expect(text.contains("drawn at the same scale as the LSTM's, uniform in [−\(scale), \(scale))"), "\(text)")
        }
        let fixture = try Tool.run(["explain", "--flow", "--compare", "--fixture", Tool.root.appendingPathComponent("Fixtures/default.json").path])
        let said = fixture.stdout.replacingOccurrences(of: "\n", with: " ")
        #expect(fixture.status == 0 && !said.contains("same scale") && said.contains("drawn uniform in [−1, 1); the LSTM's are the fixture's own"), "\(said)")
    }

    static func object(_ text: String) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
    }

    /// `explain --flow --compare` on `cell` over `steps` steps: the conclusion follows the two curves
    /// where both are above 1e-12 of k = 0, read here again from the JSON, and names the gate;
    /// it says the gated cell's path fades only where that cell is behind at the far end. Where
    /// the lead changes it names every stretch of k each curve is ahead over (`changes`, when
    /// given, is how many changes the curves of that network have).
    static func comparisonFollowsItsCurves(cell: String, name: String, gate: String, steps: Int = 100, seed: Int? = nil,
                                           more: [String] = [], changes: Int? = nil) throws {
        let c = try Tool.run(["explain", "--flow", "--compare", "--cell", cell, "--steps", "\(steps)", "--format", "json"]
                             + (seed.map { ["--seed", "\($0)"] } ?? []) + more)
        #expect(c.status == 0)
        let cj = try ReportJSON.entry(c.stdout)
        let gated = try #require((cj[cell == "lstm" ? "lstm" : "gru"] as? [String: Any])?["by_distance"] as? [Double])
        let rnn = try #require((cj["rnn"] as? [String: Any])?["by_distance"] as? [Double])
        #expect(gated.count == steps && rnn.count == steps)
        let a = gated.map { $0 / gated[0] }, b = rnn.map { $0 / rnn[0] }
        var K = 0
        while K + 1 < steps, a[K + 1] >= 1e-12, b[K + 1] >= 1e-12 { K += 1 }
        let ahead = (1...K).map { a[$0] >= b[$0] }
        let conclusion = cj["conclusion"] as? String ?? ""
        if ahead.allSatisfy({ $0 }) {
            #expect(conclusion.contains("\(name) carries gradient further back"))
        } else if ahead.allSatisfy({ !$0 }) {
            #expect(conclusion.contains("the \(name) carries gradient further back does not hold"))
        } else {
            // The stretches of k over which the same curve is ahead, read off the curves.
            var stretches: [(gated: Bool, from: Int, to: Int)] = []
            for k in 1...K {
                if let last = stretches.last, last.gated == ahead[k - 1] { stretches[stretches.count - 1].to = k } else { stretches.append((ahead[k - 1], k, k)) }
            }
            func who(_ gated: Bool) -> String { gated ? name : "plain RNN" }
            #expect(conclusion.contains("mixed"), "\(conclusion)")
            if stretches.count == 2 {
                #expect(conclusion.contains("the \(who(stretches[0].gated))'s gradient is ahead up to k = \(stretches[0].to) and the \(who(stretches[1].gated))'s from k = \(stretches[1].from)"), "\(conclusion)")
            } else {
                #expect(conclusion.contains("the lead changes \(stretches.count - 1) times"), "\(conclusion)")
                let told = stretches.map { "the \(who($0.gated))'s at k = \($0.from)" + ($0.to > $0.from ? "…\($0.to)" : "") }
                #expect(conclusion.contains(told.dropLast().joined(separator: ", ") + " and " + told.last!), "\(conclusion)")
            }
        }
        if let changes { #expect(ahead.indices.dropFirst().filter { ahead[$0] != ahead[$0 - 1] }.count == changes, "\(conclusion)") }
        #expect(conclusion.contains("k = 1…\(K)"), "\(conclusion)")
        #expect(conclusion.contains(gate), "\(conclusion)")
        #expect(!conclusion.contains("fades") || a[K] < b[K], "\(conclusion)")
    }

    @Test(arguments: [
        (["--bogus"], "lstm-gradcheck: error: unknown option '--bogus' for 'check' (see 'lstm-gradcheck check --help')"),
        (["frobnicate"], "lstm-gradcheck: error: unknown subcommand 'frobnicate'; choose from check, verify, grads, fixture, explain, report, truncation, notebook, merge (see 'lstm-gradcheck --help')"),
        (["check", "--methods", "bptt,nope"], "lstm-gradcheck: error: unknown method 'nope'; choose from bptt, coursera, per-step, asker, asker-no-carry, carry-da-only, carry-dc-only, coursera-2018-printed, truncated:K or all (see 'lstm-gradcheck check --help')"),
        (["check", "--format", "yaml"], "lstm-gradcheck: error: option '--format' takes one of text, json, markdown, junit, not 'yaml' (see 'lstm-gradcheck check --help')"),
        // JUnit is for the commands whose reports are tests, and the full check's.
        (["truncation", "--format", "junit"], "lstm-gradcheck: error: option '--format' takes one of text, json, markdown, not 'junit' (see 'lstm-gradcheck truncation --help')"),
        (["check", "--sample", "5", "--format", "junit"], "lstm-gradcheck: error: option '--format' takes text or json with '--sample', not 'junit' (see 'lstm-gradcheck check --help')"),
        (["check", "--n-a", "0"], "lstm-gradcheck: error: option '--n-a' takes a whole number from 1 to 1000000, not '0' (see 'lstm-gradcheck check --help')"),
        (["check", "--n-a", "-3"], "lstm-gradcheck: error: option '--n-a' takes a whole number from 1 to 1000000, not '-3' (see 'lstm-gradcheck check --help')"),
        (["check", "--tolerance", "nan"], "lstm-gradcheck: error: option '--tolerance' takes a finite positive number, not 'nan' (see 'lstm-gradcheck check --help')"),
        (["check", "--steps"], "lstm-gradcheck: error: option '--steps' needs a value (N) (see 'lstm-gradcheck check --help')"),
        (["check", "--n-a", "100000", "--batch", "100000", "--max-memory", "1G"], "lstm-gradcheck: error: command line: sizes: expected at most 1 GiB of working memory (raise --max-memory), found n_x 3, n_a 100000, n_y 2, T_x 7, m 100000 need about "),
        (["check", "--fixture", Tool.root.appendingPathComponent("Fixtures/default.json").path, "--max-memory", "64K"], "lstm-gradcheck: error: \(Tool.root.appendingPathComponent("Fixtures/default.json").path): expected a file of at most 1 KiB (raise --max-memory), found 10 KiB"),
        (["check", "--max-memory", "lots"], "lstm-gradcheck: error: option '--max-memory' takes a size such as 512M or 4G, not 'lots' (see 'lstm-gradcheck check --help')"),
        (["check", "--fixture", "/nonexistent.json"], "lstm-gradcheck: error: /nonexistent.json: expected an existing file, found no such file"),
        // check takes a folder of fixtures (ManyFixturesTests); a command that reads one file does not.
        (["grads", "--fixture", "/tmp"], "lstm-gradcheck: error: /tmp: expected a file, found a directory"),
        (["check", "--fixture", "x.json", "--seed", "2"], "lstm-gradcheck: error: '--seed' cannot be combined with '--fixture' (the fixture fixes the network) (see 'lstm-gradcheck check --help')"),
        // A value or an option close to a known one names it.
        (["check", "--format", "jsn"], "lstm-gradcheck: error: option '--format' takes one of text, json, markdown, junit, not 'jsn'; did you mean 'json'? (see 'lstm-gradcheck check --help')"),
        (["check", "--reference", "Exact"], "lstm-gradcheck: error: option '--reference' takes one of exact, numerical, not 'Exact'; did you mean 'exact'? (see 'lstm-gradcheck check --help')"),
        (["check", "--precision", "float16"], "lstm-gradcheck: error: option '--precision' takes one of float64, float32, not 'float16' (see 'lstm-gradcheck check --help')"),
        (["check", "--methods", "bptt,per_step"], "lstm-gradcheck: error: unknown method 'per_step'; choose from bptt, coursera, per-step, asker, asker-no-carry, carry-da-only, carry-dc-only, coursera-2018-printed, truncated:K or all; did you mean 'per-step'? (see 'lstm-gradcheck check --help')"),
        (["check", "--fixtre", "a.json"], "lstm-gradcheck: error: unknown option '--fixtre' for 'check'; did you mean '--fixture'? (see 'lstm-gradcheck check --help')"),
        (["chekc"], "lstm-gradcheck: error: unknown subcommand 'chekc'; choose from check, verify, grads, fixture, explain, report, truncation, notebook, merge; did you mean 'check'? (see 'lstm-gradcheck --help')"),
        (["notebook", "cel"], "lstm-gradcheck: error: say which test cell: 'notebook cell' or 'notebook backward', not 'cel'; did you mean 'cell'? (see 'lstm-gradcheck notebook --help')"),
        (["explain", "--compare"], "lstm-gradcheck: error: --compare goes with --flow (see 'lstm-gradcheck explain --help')"),
        (["explain", "--flow", "--param", "Wo"], "lstm-gradcheck: error: '--param' cannot be combined with '--flow' (--flow shows the flow of the whole gradient, not one weight's split) (see 'lstm-gradcheck explain --help')"),
        (["explain", "--format", "markdown"], "lstm-gradcheck: error: option '--format' takes one of text, json, not 'markdown' (see 'lstm-gradcheck explain --help')"),
        (["check", "--quiet", "--format", "json"], "lstm-gradcheck: error: '--quiet' cannot be combined with '--format json' (see 'lstm-gradcheck check --help')"),
        (["verify", "--fixture", "a.json", "--grads", "a.npz", "--quiet", "--format", "junit"], "lstm-gradcheck: error: '--quiet' cannot be combined with '--format junit' (see 'lstm-gradcheck verify --help')"),
        (["grads", "--fixture", "a.json", "--fixture", "b.json"], "lstm-gradcheck: error: option '--fixture' given twice (see 'lstm-gradcheck grads --help')"),
        // Run control (RunControlTests): threads, budget, sample, projection, finite differences.
        (["check", "--threads", "0"], "lstm-gradcheck: error: option '--threads' takes a whole number from 1 to 4096, not '0'"),
        (["check", "--threads", "two"], "lstm-gradcheck: error: option '--threads' takes a whole number from 1 to 4096, not 'two'"),
        (["report", "--out", "x.html", "--threads", "-1"], "lstm-gradcheck: error: option '--threads' takes a whole number from 1 to 4096, not '-1'"),
        (["check", "--budget", "soon"], "lstm-gradcheck: error: option '--budget' takes a duration such as 500ms, 30s, 2m or 1h (at most 100h), not 'soon'"),
        (["check", "--budget", "0s"], "lstm-gradcheck: error: option '--budget' takes a duration such as 500ms, 30s, 2m or 1h (at most 100h), not '0s'"),
        (["check", "--budget", "-2m"], "lstm-gradcheck: error: option '--budget' takes a duration such as 500ms, 30s, 2m or 1h (at most 100h), not '-2m'"),
        (["check", "--budget", "101h"], "lstm-gradcheck: error: option '--budget' takes a duration such as 500ms, 30s, 2m or 1h (at most 100h), not '101h'"),
        (["check", "--sample", "0"], "lstm-gradcheck: error: option '--sample' takes a whole number from 1 to 1000000000, not '0'"),
        (["check", "--sample", "3", "--projection"], "lstm-gradcheck: error: '--sample' and '--projection' cannot be combined"),
        (["check", "--projection", "--reference", "exact"], "lstm-gradcheck: error: '--reference' cannot be combined with '--projection'"),
        (["check", "--sample", "2", "--detail"], "lstm-gradcheck: error: '--detail' cannot be combined with '--sample'"),
        (["check", "--sample", "2", "--format", "markdown"], "lstm-gradcheck: error: option '--format' takes text or json with '--sample', not 'markdown'"),
        (["check", "--projection", "--cell", "rnn"], "lstm-gradcheck: error: 'check' works on the LSTM; default-rnn is a plain RNN (cell rnn)"),
        (["check", "--reference", "numerical", "--fd", "none"], "lstm-gradcheck: error: '--fd none' leaves '--reference numerical' nothing to check against"),
        (["grads", "--method", "numerical", "--threads", "0"], "lstm-gradcheck: error: option '--threads' takes a whole number from 1 to 4096, not '0'"),
    ])
    func badUsageIsOneLineAndStatusTwo(_ arguments: [String], _ message: String) throws {
        let r = try Tool.run(arguments)
        #expect(r.status == 2)
        #expect(r.stdout.isEmpty)
        // One line: the message (the memory figure's digits are left to the estimate).
        #expect(r.stderr.hasPrefix(message) && r.stderr.hasSuffix("\n") && r.stderr.filter { $0 == "\n" }.count == 1, "\(r.stderr)")
    }

    @Test(arguments: [
        ("empty.json", "", "expected a JSON document, found an empty file"),
        ("truncated.json", "{\"parameters\": {\"Wf\": [[1, 2", "line 1, column 29 (in parameters.Wf[0]): expected ',' or ']' after an array element, found the end of the file"),
        ("nan.json", "{\"x\": NaN}", "x: expected finite numbers, found NaN (line 1, column 7)"),
        ("huge.json", "{\"x\": 1e400}", "x: expected finite numbers, found 1e400, beyond Double's range (line 1, column 7)"),
        ("python.json", "{\"x\": [[[1.5, None]]]}", "line 1, column 15 (in x[0][0][1]): expected a JSON value, found 'None' (JSON writes true, false and null)"),
        ("array.json", "[1, 2]", "expected a JSON object with \"parameters\", \"x\" and \"y\" or \"da\", found an array of 2"),
    ])
    func badFilesAreOneLineAndStatusTwo(_ name: String, _ contents: String, _ fragment: String) throws {
        let path = try Tool.temporaryFile(name, contents)
        let r = try Tool.run(["check", "--fixture", path])
        #expect(r.status == 2)
        #expect(r.stdout.isEmpty)
        #expect(r.stderr.hasPrefix("lstm-gradcheck: error: \(path): "))
        #expect(r.stderr.contains(fragment), "\(r.stderr)")
        #expect(r.stderr.filter { $0 == "\n" }.count == 1)
    }
}
