import Foundation
import Testing

/// From `fixture --layout L` to a verdict through the binary: the gradients `grads` writes for a
/// layout fixture carry the layout's own names, pass `verify` when right, and are diagnosed as
/// the missing carry when nothing is carried back.
@Suite struct LayoutCommandTests {
    static let expectedKeys = [
        "cs231n": ["dx", "dh0", "dWx", "dWh", "db"],
        "pytorch": ["weight_ih_l0", "weight_hh_l0", "bias_ih_l0", "bias_hh_l0", "input", "h0", "c0"],
        "keras": ["kernel", "recurrent_kernel", "bias", "inputs", "h0", "c0"],
    ]

    @Test(arguments: ["cs231n", "pytorch", "keras"])
    func aLayoutFixtureFromFixtureToVerdict(_ layout: String) throws {
        let fixture = try Tool.run(["fixture", "--layout", layout, "--n-a", "4", "--steps", "5", "--batch", "3"])
        #expect(fixture.status == 0, "\(fixture.stderr)")
        let json = try #require(try JSONSerialization.jsonObject(with: Data(fixture.stdout.utf8)) as? [String: Any])
        #expect(json["layout"] as? String == layout)
        let path = try Tool.temporaryFile("\(layout)-fixture.json", fixture.stdout)
        func grads(_ method: String) throws -> String {
            let g = try Tool.run(["grads", "--fixture", path, "--method", method])
            #expect(g.status == 0, "\(g.stderr)")
            return try Tool.temporaryFile("\(layout)-\(method).json", g.stdout)
        }
        let right = try grads("bptt")
        let keys = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: right))) as? [String: Any]).keys
        #expect(Set(keys).isSuperset(of: Set(Self.expectedKeys[layout]!.filter { !(layout != "cs231n" && ($0 == "h0" || $0 == "c0")) })), "\(keys.sorted())")
        let pass = try Tool.run(["verify", "--fixture", path, "--grads", right, "--format", "json"], environment: ["NO_COLOR": "1"])
        #expect(pass.status == 0, "\(pass.stdout)\(pass.stderr)")
        let wrong = try Tool.run(["verify", "--fixture", path, "--grads", try grads("per-step"), "--format", "json"])
        #expect(wrong.status == 1)
        let report = try ReportJSON.entry(wrong.stdout)
        let causes = try #require(report["causes"] as? [[String: Any]])
        #expect(causes.contains { $0["kind"] as? String == "per-step" }, "\(causes)")
    }

    /// `check --layout L` reports the layout's own tensors: each row's relative error is the one
    /// measured, outside the tool, between the files `grads --layout L` writes for the route and
    /// for bptt (themselves held to an independent NumPy implementation in LayoutTests).
    @Test(arguments: ["cs231n", "pytorch", "keras"])
    func checkTablesSpeakTheLayout(_ layout: String) throws {
        let network = ["--layout", layout, "--n-a", "4", "--steps", "5", "--batch", "3"]
        let r = try Tool.run(["check", "--methods", "bptt,per-step", "--format", "json"] + network)
        #expect(r.status == 0, "\(r.stderr)")
        let report = try ReportJSON.entry(r.stdout)
        let methods = try #require(report["methods"] as? [String: [String: Any]])
        let rows = try #require(methods["per-step"]?["parameters"] as? [String: [String: Any]])
        func file(_ method: String) throws -> [String: [Double]] {
            let g = try Tool.run(["grads", "--method", method] + network)
            #expect(g.status == 0, "\(g.stderr)")
            let json = try #require(try JSONSerialization.jsonObject(with: Data(g.stdout.utf8)) as? [String: Any])
            return json.mapValues(Self.flat)
        }
        let right = try file("bptt"), perStep = try file("per-step")
        // The rows are the file's tensors: gradient keys without cs231n's "d".
        let rowName = { (key: String) in layout == "cs231n" ? String(key.dropFirst()) : key }
        #expect(Set(rows.keys) == Set(right.keys.map(rowName)), "\(rows.keys.sorted())")
        for (key, r) in right {
            let g = try #require(perStep[key])
            let distance = Self.norm(zip(g, r).map { $0 - $1 }) / (Self.norm(g) + Self.norm(r))
            let reported = try #require(rows[rowName(key)]?["relative_error"] as? Double)
            #expect(abs(reported - distance) <= 1e-9 * distance, "\(key): \(reported) vs \(distance)")
            #expect(distance > 1e-2)
        }
        let text = try Tool.run(["check"] + network, environment: ["NO_COLOR": "1"])
        #expect(text.stdout.contains("(\(layout) layout)"))
        for key in right.keys { #expect(text.stdout.contains("\n" + rowName(key) + " ")) }
    }

    /// A file without its "layout" key is read in the layout its keys are of, with one line on
    /// standard error saying so; the report is the one of the file with the key. `--layout`
    /// asks for a layout, and one the file contradicts is bad input.
    @Test func theLayoutIsDetectedOrAskedFor() throws {
        let fixture = try Tool.run(["fixture", "--layout", "pytorch", "--n-a", "3", "--steps", "4", "--batch", "2"])
        var json = try #require(try JSONSerialization.jsonObject(with: Data(fixture.stdout.utf8)) as? [String: Any])
        let withKey = try Tool.temporaryFile("pytorch-with-key.json", fixture.stdout)
        json["layout"] = nil
        let bare = try Tool.temporaryFile("pytorch-bare.json", String(decoding: try JSONSerialization.data(withJSONObject: json), as: UTF8.self))
        let told = try Tool.run(["check", "--fixture", bare, "--format", "json"])
        let said = try Tool.run(["check", "--fixture", withKey, "--format", "json"])
        #expect(told.status == 0 && said.status == 0)
        #expect(told.stderr.hasPrefix("lstm-gradcheck: \(bare): no \"layout\" key; read in the pytorch layout, whose keys it has ("))
        #expect(told.stderr.filter { $0 == "\n" }.count == 1 && said.stderr.isEmpty)
        #expect(told.stdout.replacingOccurrences(of: "pytorch-bare", with: "x") == said.stdout.replacingOccurrences(of: "pytorch-with-key", with: "x"))
        let asked = try Tool.run(["check", "--fixture", bare, "--layout", "pytorch", "--format", "json"])
        #expect(asked.stderr.isEmpty && asked.status == 0)
        let contradicted = try Tool.run(["verify", "--fixture", withKey, "--grads", withKey, "--layout", "keras"])
        #expect(contradicted.status == 2)
        #expect(contradicted.stderr == "lstm-gradcheck: error: \(withKey): layout: expected \"keras\" (from --layout), found \"pytorch\"\n")
        // Gradients in another layout's names than the fixture's are refused, saying whose they are.
        let cs231nGrads = try Tool.temporaryFile("cs231n-grads.json", try Tool.run(["grads", "--layout", "cs231n", "--method", "bptt"]).stdout)
        let coursera = Tool.root.appendingPathComponent("Fixtures/default.json").path
        let mixed = try Tool.run(["verify", "--fixture", coursera, "--grads", cs231nGrads])
        #expect(mixed.status == 2 && mixed.stderr.contains("expected the coursera layout's gradient names, as the fixture's (dWf") && mixed.stderr.contains("found the cs231n layout's (dx dh0 dWx dWh db)"), "\(mixed.stderr)")
        // A generated network in a layout that cannot hold its cell is refused, naming those that can.
        let gru = try Tool.run(["check", "--layout", "cs231n", "--cell", "gru"])
        #expect(gru.status == 2 && gru.stdout.isEmpty)
        #expect(gru.stderr.hasPrefix("lstm-gradcheck: error: the cs231n layout does not stack a gru's gates; '--cell gru' goes with '--layout coursera', '--layout pytorch' or '--layout keras'"))
    }

    /// `explain --layout L --param` splits a stacked tensor: the parts add up, and the local
    /// parts are what per-step computes for that tensor (from its gradient file).
    @Test func explainSplitsAStackedTensor() throws {
        let network = ["--layout", "cs231n", "--n-a", "4", "--steps", "5", "--batch", "3"]
        let r = try Tool.run(["explain", "--param", "Wh", "--format", "json"] + network)
        #expect(r.status == 0, "\(r.stderr)")
        let split = try ReportJSON.entry(r.stdout)
        #expect(try #require(split["reconstruction_error"] as? Double) < 1e-12)
        func file(_ method: String) throws -> [Double] {
            let g = try Tool.run(["grads", "--method", method] + network)
            let json = try #require(try JSONSerialization.jsonObject(with: Data(g.stdout.utf8)) as? [String: Any])
            return Self.flat(try #require(json["dWh"]))
        }
        // The local parts summed are per-step's dWh; their share is its projection on bptt's.
        let local = try file("per-step"), total = try file("bptt")
        let share = zip(local, total).reduce(0) { $0 + $1.0 * $1.1 } / total.reduce(0) { $0 + $1 * $1 }
        let reported = try #require(split["local_share"] as? Double)
        #expect(abs(reported - share) <= 1e-12, "\(reported) vs \(share)")
        #expect(split["parameter"] as? String == "Wh")
        let bad = try Tool.run(["explain", "--param", "Wo"] + network)
        #expect(bad.status == 2 && bad.stderr.contains("'Wo'"))
    }

    static func flat(_ value: Any) -> [Double] {
        if let array = value as? [Any] { return array.flatMap(flat) }
        return [(value as? NSNumber)?.doubleValue ?? .nan]
    }

    static func norm(_ v: [Double]) -> Double { v.reduce(0) { $0 + $1 * $1 }.squareRoot() }

    /// The README's cs231n snippet, run on a fixture `fixture --layout cs231n` wrote, with a
    /// learner's lstm_forward/lstm_backward in the assignment's style written apart from the
    /// tool: right, verify passes; reading the gates as i, f, g, o, or only stacking their
    /// gradients so in the backward pass, every tensor is diagnosed as that gate order. The
    /// README shows exactly the snippet's lines.
    @Test(.enabled(if: Tool.pythonWithNumPy, "needs python3 with NumPy"))
    func theReadmeCs231nSnippetFromFixtureToVerdict() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("lstm-gradcheck-cs231n-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let fixture = try Tool.run(["fixture", "--layout", "cs231n", "--seed", "1"])
        try fixture.stdout.write(to: dir.appendingPathComponent("fixture.json"), atomically: true, encoding: .utf8)
        let snippet = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Vectors/readme_cs231n_snippet.py").path
        let script = try String(contentsOfFile: snippet, encoding: .utf8)
        let shown = script.components(separatedBy: "# README begins\n")[1].components(separatedBy: "# README ends")[0]
        let readme = try String(contentsOf: Tool.root.appendingPathComponent("README.md"), encoding: .utf8)
        #expect(readme.contains("```python\n" + shown + "```"))
        let grads = dir.appendingPathComponent("my_grads.npz").path
        let fixturePath = dir.appendingPathComponent("fixture.json").path
        for mode in ["0", "1", "backward"] {
            let mixed = mode != "0"
            let python = try Tool.run(URL(fileURLWithPath: "/usr/bin/env"), ["python3", snippet], environment: ["MIXED": mode], in: dir)
            #expect(python.status == 0, "\(python.stderr)")
            let r = try Tool.run(["verify", "--fixture", fixturePath, "--grads", grads, "--format", "json"])
            #expect(r.status == (mixed ? 1 : 0), "\(r.stdout)")
            let report = try ReportJSON.entry(r.stdout)
            let gradients = try #require(report["gradients"] as? [String: [String: Any]])
            #expect(Set(gradients.keys) == ["dx", "dh0", "dWx", "dWh", "db"])
            for (key, g) in gradients {
                let kind = (g["diagnosis"] as? [String: Any])?["kind"] as? String
                #expect(kind == (mixed ? "gate-order" : nil), "\(key): \(g)")
            }
            if mode == "backward" {
                let causes = try #require(report["causes"] as? [[String: Any]])
                #expect(causes.count == 1, "\(causes)")
                #expect((causes.first?["finding"] as? String)?.contains("a backward pass gives that stacks the gate gradients as i, f, g, o behind a forward pass that splits the pre-activation i, f, o, g") == true, "\(causes)")
            }
        }
    }

    /// A bias gradient left with one entry per example (the sum over the batch forgotten) is a
    /// mismatch diagnosed as such, in Coursera's layout (n_a × m for dbf) and in cs231n's (N × 4H
    /// for db), when its sum over the batch is right; the other tensors still match.
    @Test(arguments: [("coursera", "dbf"), ("cs231n", "db")])
    func aBiasGradientNotSummedOverTheBatch(_ layout: String, _ key: String) throws {
        let network = ["--layout", layout, "--n-a", "3", "--steps", "4", "--batch", "5"]
        let fixture = try Tool.temporaryFile("unsummed-\(layout).json", try Tool.run(["fixture"] + network).stdout)
        let grads = try Tool.run(["grads", "--fixture", fixture, "--method", "bptt"])
        var json = try #require(try JSONSerialization.jsonObject(with: Data(grads.stdout.utf8)) as? [String: Any])
        let right = Self.flat(try #require(json[key]))
        // Each example's share: one fifth of the sum, per example, on the batch axis.
        let perExample = right.map { $0 / 5 }
        json[key] = layout == "cs231n" ? Array(repeating: perExample, count: 5) : perExample.map { Array(repeating: $0, count: 5) }
        let file = try Tool.temporaryFile("unsummed-\(layout)-grads.json", String(decoding: try JSONSerialization.data(withJSONObject: json), as: UTF8.self))
        let r = try Tool.run(["verify", "--fixture", fixture, "--grads", file, "--format", "json"])
        #expect(r.status == 1, "\(r.stdout)\(r.stderr)")
        let gradients = try #require(try ReportJSON.entry(r.stdout)["gradients"] as? [String: [String: Any]])
        for (name, g) in gradients {
            let kind = (g["diagnosis"] as? [String: Any])?["kind"] as? String
            #expect(kind == (name == key ? "unsummed-batch" : nil), "\(name): \(g)")
            #expect(g["status"] as? String == (name == key ? "mismatch" : "matches"), "\(name)")
        }
    }

    /// `--batch-first` makes a generated PyTorch network batch-first: the fixture says so, its
    /// sequences are (N, T, ·), the gradients `grads` writes follow, `verify` passes them, and
    /// the check of the same network is the time-major one's, figure for figure.
    @Test func batchFirstPyTorchNetworks() throws {
        let network = ["--layout", "pytorch", "--n-x", "2", "--n-a", "3", "--steps", "4", "--batch", "5"]
        let fixture = try Tool.run(["fixture", "--batch-first"] + network)
        let json = try #require(try JSONSerialization.jsonObject(with: Data(fixture.stdout.utf8)) as? [String: Any])
        #expect(json["batch_first"] as? Bool == true)
        #expect((json["input"] as? [[[Double]]]).map { [$0.count, $0[0].count, $0[0][0].count] } == [5, 4, 2])
        let path = try Tool.temporaryFile("batch-first.json", fixture.stdout)
        let grads = try Tool.run(["grads", "--fixture", path, "--method", "bptt"])
        let g = try #require(try JSONSerialization.jsonObject(with: Data(grads.stdout.utf8)) as? [String: Any])
        #expect((g["input"] as? [[[Double]]]).map { [$0.count, $0[0].count] } == [5, 4])
        let verified = try Tool.run(["verify", "--fixture", path, "--grads", try Tool.temporaryFile("batch-first-grads.json", grads.stdout)])
        #expect(verified.status == 0, "\(verified.stdout)")
        let first = try ReportJSON.entry(try Tool.run(["check", "--batch-first", "--format", "json"] + network).stdout)
        let major = try ReportJSON.entry(try Tool.run(["check", "--format", "json"] + network).stdout)
        let a = try #require((first["methods"] as? [String: [String: Any]])?["per-step"]?["parameters"] as? [String: [String: Any]])
        let b = try #require((major["methods"] as? [String: [String: Any]])?["per-step"]?["parameters"] as? [String: [String: Any]])
        #expect(a.mapValues { $0["relative_error"] as? Double } == b.mapValues { $0["relative_error"] as? Double })
        let refused = try Tool.run(["check", "--batch-first"])
        #expect(refused.status == 2 && refused.stderr.contains("add '--layout pytorch'"))
    }
}
