import Foundation
import Testing

/// `verify` and `check` through the built binary on fixtures in a framework's layout
/// (`Fixtures/layouts/`), with the NumPy reference's gradients in the layout's names.
@Suite struct LayoutVerifyTests {
    static let folder = Tool.root.appendingPathComponent("Fixtures/layouts")

    /// One route of an expected file as a gradient file of its own, with `rename` applied to its
    /// keys and the keys in `dropping` left out.
    static func gradientFile(_ stem: String, _ route: String, rename: [String: String] = [:], dropping: Set<String> = []) throws -> String {
        let data = try Data(contentsOf: folder.appendingPathComponent("expected/\(stem).expected.json"))
        let expected = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        var tensors = try #require(expected[route] as? [String: Any]).filter { !dropping.contains($0.key) }
        for (from, to) in rename { tensors[to] = tensors.removeValue(forKey: from) }
        let json = try JSONSerialization.data(withJSONObject: tensors)
        let name = "\(stem)-\(route)-\((rename.map { "\($0.key)=\($0.value)" } + dropping.sorted()).joined(separator: ",")).json"
        return try Tool.temporaryFile(name.replacingOccurrences(of: "/", with: "_"), String(decoding: json, as: UTF8.self))
    }

    static func verify(_ stem: String, _ grads: String, _ options: [String] = []) throws -> (status: Int32, gradients: [String: [String: Any]], verdict: String) {
        let r = try Tool.run(["verify", "--fixture", folder.appendingPathComponent("\(stem).json").path, "--grads", grads, "--format", "json"] + options)
        #expect(r.stderr.isEmpty, "\(r.stderr)")
        let report = try ReportJSON.entry(r.stdout)
        return (r.status, try #require(report["gradients"] as? [String: [String: Any]]), report["verdict"] as? String ?? "")
    }

    /// cs231n's lstm_backward returns dx, dh0, dWx, dWh, db: NumPy's five right gradients of the
    /// captioning fixture pass, the temporal affine layer's reported as not checked; its five
    /// per-step gradients fail; and --keys asking for dW_vocab makes it required.
    @Test func theCaptioningOutputLayersGradientsAreOptional() throws {
        let stem = "cs231n-lstm-captioning", vocab: Set = ["dW_vocab", "db_vocab"]
        let right = try Self.verify(stem, try Self.gradientFile(stem, "gradients", dropping: vocab))
        #expect(right.status == 0)
        for (key, t) in right.gradients {
            #expect(t["status"] as? String == (vocab.contains(key) ? "not-checked" : "matches"), "\(key)")
        }
        #expect(right.verdict.hasPrefix("All 5 provided gradients match the exact gradient. Not checked: dW_vocab and db_vocab (not required"))
        let perStep = try Self.verify(stem, try Self.gradientFile(stem, "per-step", dropping: vocab))
        #expect(perStep.status == 1)
        #expect(perStep.gradients.filter { $0.value["status"] as? String == "mismatch" }.count == 5)
        let asked = try Self.verify(stem, try Self.gradientFile(stem, "gradients", dropping: vocab), ["--keys", "dx,dW_vocab"])
        #expect(asked.status == 1)
        #expect(asked.gradients["dW_vocab"]?["status"] as? String == "missing")
        #expect(asked.gradients["db_vocab"]?["status"] as? String == "not-checked")
    }

    /// A framework's key without its layer suffix, behind a module path, or a parameter's name
    /// without the `d`, in place of the gradient's key: bad input naming the key meant.
    @Test(arguments: [
        ("pytorch-lstm", "weight_hh_l0", "weight_hh"), ("pytorch-lstm", "weight_hh_l0", "rnn.weight_hh_l0"),
        ("pytorch-lstm", "bias_ih_l0", "lstm.bias_ih_l0.grad"), ("pytorch-gru", "weight_ih_l0", "weight_ih"),
        ("cs231n-lstm", "dWx", "Wx"), ("cs231n-rnn", "dh0", "h0"), ("keras-lstm", "recurrent_kernel", "lstm/recurrent_kernel"),
    ])
    func aSlipOfAGradientKeyNamesTheKeyMeant(_ stem: String, _ meant: String, _ slip: String) throws {
        let file = try Self.gradientFile(stem, "gradients", rename: [meant: slip])
        let r = try Tool.run(["verify", "--fixture", Self.folder.appendingPathComponent("\(stem).json").path, "--grads", file])
        #expect(r.status == 2 && r.stdout.isEmpty)
        #expect(r.stderr.hasPrefix("lstm-gradcheck: error: \(file): \(slip): expected a known "), "\(r.stderr)")
        #expect(r.stderr.hasSuffix("found an unknown key (did you mean \"\(meant)\"?)\n"), "\(r.stderr)")
        #expect(r.stderr.split(separator: "\n").count == 1)
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
