import Foundation
import Testing

/// `--cell gru` through the built binary: check, explain, fixture, grads and verify.
@Suite struct GRUCommandLineTests {
    static let inputs: Set<String> = ["Wir", "Wiz", "Win", "Whr", "Whz", "Whn", "bir", "biz", "bin", "bhr", "bhz", "bhn", "Wy", "by", "a0", "x"]

    /// A fixture or gradient file printed.
    func json(_ r: Tool.Result) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any], "not JSON: \(r.stdout.prefix(200)) \(r.stderr)")
    }

    /// The one fixture's entry of a report.
    func report(_ r: Tool.Result) throws -> [String: Any] { try ReportJSON.entry(r.stdout) }

    @Test func checkFindsBPTTAndCourseraRightAndPerStepWrong() throws {
        let r = try Tool.run(["check", "--cell", "gru", "--format", "json"])
        #expect(r.status == 0, "\(r.stderr)")
        let report = try report(r)
        #expect((report["fixture"] as? [String: Any])?["name"] as? String == "default-gru")
        let methods = try #require(report["methods"] as? [String: [String: Any]])
        #expect(methods.mapValues { $0["outcome"] as? String } == ["bptt": "matches", "coursera": "matches", "per-step": "mismatch", "numerical": "matches"])
        #expect(methods.mapValues { $0["expected"] as? String } == ["bptt": "correct", "coursera": "correct", "per-step": "wrong", "numerical": "reference"])
        for name in ["bptt", "coursera"] {
            let params = try #require(methods[name]?["parameters"] as? [String: [String: Any]])
            #expect(Set(params.keys) == Self.inputs)
            for (key, t) in params { #expect((t["relative_error"] as? Double ?? 1) < 1e-12, "\(name) \(key)") }
        }
        #expect(report["passed"] as? Bool == true)
        let text = try Tool.run(["check", "--cell", "gru"])
        #expect(text.status == 0 && text.stdout.contains("per-step is wrong, as expected") && text.stdout.contains("coursera matches"))
    }

    @Test func explainSplitsAGRUWeightAndShowsTheFlow() throws {
        let e = try Tool.run(["explain", "--cell", "gru", "--param", "Whn", "--format", "json"])
        #expect(e.status == 0, "\(e.stderr)")
        let split = try report(e)
        #expect((split["reconstruction_error"] as? Double ?? 1) < 1e-12)
        #expect((split["steps"] as? [Any])?.count == 7)
        let text = try Tool.run(["explain", "--cell", "gru", "--param", "Whn"])
        #expect(text.status == 0 && text.stdout.contains("Whn"))
        // Without --param: the first recurrent parameter, Wir.
        let byDefault = try Tool.run(["explain", "--cell", "gru", "--format", "json"])
        #expect(byDefault.status == 0)
        #expect(try report(byDefault)["parameter"] as? String == "Wir")
        #expect(try report(e)["parameter"] as? String == "Whn")
        let flow = try Tool.run(["explain", "--flow", "--cell", "gru"])
        #expect(flow.status == 0 && !flow.stdout.isEmpty, "\(flow.stderr)")
        let flowJSON = try report(try Tool.run(["explain", "--flow", "--cell", "gru", "--format", "json"]))
        #expect((flowJSON["hidden"] as? [Double])?.count == 7)
    }

    @Test func fixtureRoundTripsAndVerifyDiagnosesPerStep() throws {
        let fixture = try Tool.run(["fixture", "--cell", "gru"])
        #expect(fixture.status == 0)
        let f = try json(fixture)
        #expect(f["cell"] as? String == "gru")
        #expect(Set((f["parameters"] as? [String: Any])?.keys.map { $0 } ?? []) == Self.inputs.subtracting(["a0", "x"]))
        let path = try Tool.temporaryFile("gru-fixture.json", fixture.stdout)
        // The fixture holds the very network: its check reports the same numbers.
        let fromFile = try Tool.run(["check", "--fixture", path, "--format", "json"])
        let generated = try Tool.run(["check", "--cell", "gru", "--format", "json"])
        #expect(fromFile.status == 0, "\(fromFile.stderr)")
        let a = try #require(try report(fromFile)["methods"] as? NSDictionary), b = try #require(try report(generated)["methods"] as? NSDictionary)
        #expect(a == b)

        let right = try Tool.run(["grads", "--cell", "gru", "--method", "bptt"])
        #expect(right.status == 0)
        #expect(Set(try json(right).keys) == Set(Self.inputs.map { "d" + $0 }))
        let rightPath = try Tool.temporaryFile("gru-right.json", right.stdout)
        let ok = try Tool.run(["verify", "--fixture", path, "--grads", rightPath, "--format", "json"])
        #expect(ok.status == 0, "\(ok.stdout) \(ok.stderr)")
        #expect(try report(ok)["passed"] as? Bool == true)

        let wrong = try Tool.run(["grads", "--cell", "gru", "--method", "per-step"])
        let wrongPath = try Tool.temporaryFile("gru-wrong.json", wrong.stdout)
        let bad = try Tool.run(["verify", "--fixture", path, "--grads", wrongPath, "--format", "json"])
        #expect(bad.status == 1, "\(bad.stderr)")
        let gradients = try #require(try report(bad)["gradients"] as? [String: [String: Any]])
        let diagnosed = gradients.compactMapValues { ($0["diagnosis"] as? [String: Any])?["kind"] as? String }
        // Every wrong tensor is per-step's; the output layer matches (its gradient has no carry).
        #expect(!diagnosed.isEmpty && diagnosed.values.allSatisfy { $0 == "per-step" }, "\(diagnosed)")
        #expect(gradients["dWy"]?["status"] as? String == "matches" && gradients["dby"]?["status"] as? String == "matches")
        #expect(gradients["dWhn"]?["status"] as? String == "mismatch")
        let text = try Tool.run(["verify", "--fixture", path, "--grads", wrongPath])
        #expect(text.status == 1 && text.stdout.contains("per-step"))
    }
}
