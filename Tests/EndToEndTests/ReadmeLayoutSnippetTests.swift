import Foundation
import Testing

/// The README's PyTorch and Keras snippets, from your code to a verdict, run as the cs231n one
/// is (`LayoutCommandTests.theReadmeCs231nSnippetFromFixtureToVerdict`): each snippet's lines,
/// exactly as the README shows them, stand in a Python file under a learner's NumPy LSTM in
/// that framework's equations, written apart from the tool. On a fixture `fixture --layout L`
/// wrote, the right implementation passes `verify` (exit 0, every gradient matches); the same
/// implementation reading the gate blocks in cs231n's order (i, f, o, g) is refused (exit 1),
/// every gradient diagnosed `gate-order`.
@Suite struct ReadmeLayoutSnippetTests {
    @Test(.enabled(if: Tool.pythonWithNumPy, "needs python3 with NumPy"), arguments: [
        ("pytorch", ["weight_ih_l0", "weight_hh_l0", "bias_ih_l0", "bias_hh_l0", "input", "h0", "c0"]),
        ("keras", ["kernel", "recurrent_kernel", "bias", "inputs", "h0", "c0"]),
    ])
    func theReadmeSnippetFromFixtureToVerdict(_ layout: String, _ keys: [String]) throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("lstm-gradcheck-\(layout)-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let fixture = try Tool.run(["fixture", "--layout", layout, "--seed", "1"])
        #expect(fixture.status == 0, "\(fixture.stderr)")
        let fixturePath = dir.appendingPathComponent("fixture.json").path
        try fixture.stdout.write(toFile: fixturePath, atomically: true, encoding: .utf8)

        let snippet = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Vectors/readme_\(layout)_snippet.py").path
        let script = try String(contentsOfFile: snippet, encoding: .utf8)
        let shown = script.components(separatedBy: "# README begins\n")[1].components(separatedBy: "# README ends")[0]
        #expect(shown.split(separator: "\n").count == 6, "import and five lines")
        #expect(shown.contains("fixture --layout \(layout) > fixture.json"))
        let readme = try String(contentsOf: Tool.root.appendingPathComponent("README.md"), encoding: .utf8)
        #expect(readme.contains("```python\n" + shown + "```"), "the README shows the snippet's lines")
        // The README's commands around it, as typed.
        #expect(readme.contains("lstm-gradcheck fixture --layout \(layout) --seed 1 > fixture.json"))

        let grads = dir.appendingPathComponent("my_grads.npz").path
        for mixed in [false, true] {
            try? FileManager.default.removeItem(atPath: grads)
            let python = try Tool.run(URL(fileURLWithPath: "/usr/bin/env"), ["python3", snippet], environment: ["MIXED": mixed ? "1" : "0"], in: dir)
            #expect(python.status == 0, "\(python.stderr)")
            #expect(FileManager.default.fileExists(atPath: grads))
            let text = try Tool.run(["verify", "--fixture", fixturePath, "--grads", grads])
            #expect(text.status == (mixed ? 1 : 0), "\(text.stdout)\(text.stderr)")
            let r = try Tool.run(["verify", "--fixture", fixturePath, "--grads", grads, "--format", "json"])
            #expect(r.status == (mixed ? 1 : 0), "\(r.stdout)\(r.stderr)")
            let report = try ReportJSON.entry(r.stdout)
            let gradients = try #require(report["gradients"] as? [String: [String: Any]])
            #expect(Set(gradients.keys) == Set(keys))
            for (key, g) in gradients {
                #expect(g["status"] as? String == (mixed ? "mismatch" : "matches"), "\(key): \(g)")
                let kind = (g["diagnosis"] as? [String: Any])?["kind"] as? String
                #expect(kind == (mixed ? "gate-order" : nil), "\(key): \(g)")
            }
        }
    }
}
