import Foundation
import Testing

/// `verify` and `check` through the built binary on fixtures in a framework's layout
/// (`Fixtures/layouts/`), with the NumPy reference's gradients in the layout's names.
@Suite struct LayoutVerifyTests {
    static let folder = Tool.root.appendingPathComponent("Fixtures/layouts")

    /// One route of an expected file as a gradient file of its own, with `rename` applied to its keys.
    static func gradientFile(_ stem: String, _ route: String, rename: [String: String] = [:]) throws -> String {
        let data = try Data(contentsOf: folder.appendingPathComponent("expected/\(stem).expected.json"))
        let expected = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        var tensors = try #require(expected[route] as? [String: Any])
        for (from, to) in rename { tensors[to] = tensors.removeValue(forKey: from) }
        let json = try JSONSerialization.data(withJSONObject: tensors)
        return try Tool.temporaryFile("\(stem)-\(route)-\(rename.count).json", String(decoding: json, as: UTF8.self))
    }

    static func verify(_ stem: String, _ grads: String) throws -> (status: Int32, gradients: [String: [String: Any]]) {
        let r = try Tool.run(["verify", "--fixture", folder.appendingPathComponent("\(stem).json").path, "--grads", grads, "--format", "json"])
        #expect(r.stderr.isEmpty, "\(r.stderr)")
        let report = try ReportJSON.entry(r.stdout)
        return (r.status, try #require(report["gradients"] as? [String: [String: Any]]))
    }

    @Test(arguments: ["cs231n-lstm", "cs231n-rnn", "pytorch-lstm-batch-first", "keras-lstm"])
    func verifyReadsTheLayoutsNames(_ stem: String) throws {
        let right = try Self.verify(stem, try Self.gradientFile(stem, "gradients"))
        #expect(right.status == 0)
        #expect(right.gradients.values.allSatisfy { $0["status"] as? String == "matches" })
        let perStep = try Self.verify(stem, try Self.gradientFile(stem, "per-step"))
        #expect(perStep.status == 1)
        for (key, t) in perStep.gradients {
            #expect((t["diagnosis"] as? [String: Any])?["kind"] as? String == "per-step", "\(stem) \(key)")
        }
    }

    @Test func gateOrderAndSlipsThroughTheBinary() throws {
        let mixed = try Self.verify("pytorch-lstm", try Self.gradientFile("pytorch-lstm", "gate-order-mixed"))
        #expect(mixed.status == 1)
        for key in ["weight_ih_l0", "weight_hh_l0", "bias_ih_l0", "bias_hh_l0"] {
            #expect((mixed.gradients[key]?["diagnosis"] as? [String: Any])?["kind"] as? String == "gate-order", "\(key)")
        }
        let slip = try Self.gradientFile("cs231n-lstm", "gradients", rename: ["dWh": "dwh"])
        let r = try Tool.run(["verify", "--fixture", Self.folder.appendingPathComponent("cs231n-lstm.json").path, "--grads", slip])
        #expect(r.status == 2 && r.stdout.isEmpty)
        #expect(r.stderr == "lstm-gradcheck: error: \(slip): dwh: expected a known cs231n gradient: one of dx, dh0, dWx, dWh, db, found an unknown key (did you mean \"dWh\"?)\n")
    }

    @Test func checkRunsOnALayoutFixture() throws {
        let r = try Tool.run(["check", "--fixture", Self.folder.appendingPathComponent("cs231n-lstm-captioning.json").path])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.hasPrefix("lstm-gradcheck · cs231n-lstm-captioning (cs231n layout): N 3, T 5, D 3, H 4, V 4, masked captions"))
    }
}
