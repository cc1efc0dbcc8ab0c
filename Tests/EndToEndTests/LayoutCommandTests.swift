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
}
