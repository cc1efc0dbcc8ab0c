import Foundation
import Testing

/// python3 with torch, which the cross-check with `torch.nn.GRU` needs; looked up once.
private let pythonWithTorch = (try? Tool.run(URL(fileURLWithPath: "/usr/bin/env"), ["python3", "-c", "import torch"]).status == 0) ?? false

/// The GRU in PyTorch's and Keras' layouts through the binary: `fixture --layout L --cell C`,
/// `grads` in the layout's names, `verify` passing the right gradients, naming the missing carry
/// in the layout's names, and naming a gate order mixed up; PyTorch refuses Keras' reset-before GRU.
@Suite struct GRULayoutCommandTests {
    /// (layout, --cell, the gradient file's keys in order, the stacked tensors and their gate axis).
    static let cases: [(layout: String, cell: String, keys: [String], stacked: [String: Int])] = [
        ("pytorch", "gru", ["weight_ih_l0", "weight_hh_l0", "bias_ih_l0", "bias_hh_l0", "input", "h0"],
         ["weight_ih_l0": 0, "weight_hh_l0": 0, "bias_ih_l0": 0, "bias_hh_l0": 0]),
        ("keras", "gru", ["kernel", "recurrent_kernel", "bias", "inputs", "h0"], ["kernel": 1, "recurrent_kernel": 1, "bias": 1]),
        ("keras", "gru-reset-before", ["kernel", "recurrent_kernel", "bias", "inputs", "h0"], ["kernel": 1, "recurrent_kernel": 1, "bias": 0]),
    ]
    static let H = 4

    static func object(_ text: String) throws -> [String: Any] {
        let json = try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
        // A report's one fixture entry (`ReportJSON`); any other document as it is.
        return (json["fixtures"] as? [[String: Any]])?.first ?? json
    }

    /// Blocks 0 and 1 (of H) of `value` exchanged along `axis`: a backward stacking the first two
    /// gates the other way round (PyTorch's z, r, n; Keras' r, z, h).
    static func swapFirstTwoBlocks(_ value: Any, axis: Int) -> Any {
        func swapped(_ list: [Any]) -> [Any] { Array(list[H..<(2 * H)] + list[0..<H] + list[(2 * H)...]) }
        guard let list = value as? [Any] else { return value }
        return axis == 0 ? swapped(list) : list.map { ($0 as? [Any]).map(swapped) ?? $0 }
    }

    @Test(arguments: cases.indices)
    func aGRULayoutFixtureFromFixtureToVerdict(_ k: Int) throws {
        let c = Self.cases[k], tag = "gru-\(c.layout)-\(c.cell)"
        let fixture = try Tool.run(["fixture", "--layout", c.layout, "--cell", c.cell, "--n-a", "\(Self.H)", "--steps", "5", "--batch", "3"])
        #expect(fixture.status == 0, "\(fixture.stderr)")
        let f = try Self.object(fixture.stdout)
        #expect(f["layout"] as? String == c.layout && f["cell"] as? String == "gru")
        #expect(f["reset_after"] as? Bool == (c.cell == "gru-reset-before" ? false : nil))
        let path = try Tool.temporaryFile("\(tag)-fixture.json", fixture.stdout)
        func grads(_ method: String) throws -> String {
            let g = try Tool.run(["grads", "--fixture", path, "--method", method])
            #expect(g.status == 0, "\(g.stderr)")
            return g.stdout
        }
        let right = try grads("bptt")
        let keys = try #require(try JSONSerialization.jsonObject(with: Data(right.utf8)) as? [String: Any]).keys
        #expect(Set(keys) == Set(c.keys), "\(keys.sorted())")
        #expect(c.keys.compactMap { key in right.range(of: "\"\(key)\"")?.lowerBound } == c.keys.compactMap { key in right.range(of: "\"\(key)\"")?.lowerBound }.sorted())
        let pass = try Tool.run(["verify", "--fixture", path, "--grads", try Tool.temporaryFile("\(tag)-right.json", right)])
        #expect(pass.status == 0, "\(pass.stdout)\(pass.stderr)")

        // Nothing carried back: exit 1, the carry named in the layout's names.
        let perStep = try Tool.temporaryFile("\(tag)-per-step.json", try grads("per-step"))
        let wrong = try Tool.run(["verify", "--fixture", path, "--grads", perStep, "--format", "json"])
        #expect(wrong.status == 1)
        let causes = try #require(try Self.object(wrong.stdout)["causes"] as? [[String: Any]])
        #expect(causes.contains { $0["kind"] as? String == "per-step" }, "\(causes)")
        let text = try Tool.run(["verify", "--fixture", path, "--grads", perStep], environment: ["NO_COLOR": "1"])
        #expect(text.status == 1 && text.stdout.contains("grad_output[t]"), "\(text.stdout)")

        // The first two gates stacked the other way round in every stacked gradient.
        var mixed = try Self.object(right)
        for (key, axis) in c.stacked { mixed[key] = Self.swapFirstTwoBlocks(mixed[key] as Any, axis: axis) }
        let mixedPath = try Tool.temporaryFile("\(tag)-mixed.json", String(decoding: try JSONSerialization.data(withJSONObject: mixed), as: UTF8.self))
        let order = try Tool.run(["verify", "--fixture", path, "--grads", mixedPath, "--format", "json"])
        #expect(order.status == 1)
        let orderCauses = try #require(try Self.object(order.stdout)["causes"] as? [[String: Any]])
        #expect(orderCauses.contains { $0["kind"] as? String == "gate-order" }, "\(orderCauses)")
    }

    /// Where torch is installed, `Fixtures/tools/layouts_torch.py` rebuilds the GRU fixtures'
    /// expected gradients with `torch.nn.GRU` itself (and Keras' equations in torch operations):
    /// every route to 1e-12.
    @Test(.enabled(if: pythonWithTorch)) func torchAgreesWithTheExpectedGRUGradients() throws {
        let stems = ["pytorch-gru", "keras-gru", "keras-gru-reset-after"]
        let r = try Tool.run(URL(fileURLWithPath: "/usr/bin/env"),
                             ["python3", "Fixtures/tools/layouts_torch.py"] + stems.map { "Fixtures/layouts/\($0).json" }, in: Tool.root)
        #expect(r.status == 0, "\(r.stdout)\(r.stderr)")
        #expect(r.stdout.contains("PASS pytorch-gru (torch.nn.GRU; gradients, per-step, gate-order-mixed)"), "\(r.stdout)")
        #expect(r.stdout.split(separator: "\n").last == "3 passed, 0 failed", "\(r.stdout)")
    }

    @Test func pytorchRefusesKerasResetBeforeGRU() throws {
        let r = try Tool.run(["fixture", "--layout", "pytorch", "--cell", "gru-reset-before"])
        #expect(r.status == 2 && r.stdout.isEmpty)
        #expect(r.stderr.contains("the pytorch layout does not stack a gru-reset-before's gates; '--cell gru-reset-before' goes with '--layout coursera' or '--layout keras'") && r.stderr.split(separator: "\n").count == 1, "\(r.stderr)")
        let cs231n = try Tool.run(["fixture", "--layout", "cs231n", "--cell", "gru"])
        #expect(cs231n.status == 2 && cs231n.stderr.split(separator: "\n").count == 1, "\(cs231n.stderr)")
    }

    /// The reset-before GRU has every route the GRU has: bptt and the carried loop match, per-step does not.
    @Test func checkTheResetBeforeGRU() throws {
        let r = try Tool.run(["check", "--cell", "gru-reset-before", "--format", "json"])
        #expect(r.status == 0, "\(r.stderr)")
        let methods = try #require(try Self.object(r.stdout)["methods"] as? [String: [String: Any]])
        let verdicts = methods.mapValues { $0["matches"] as? Bool }
        #expect(verdicts["bptt"] == true && verdicts["coursera"] == true && verdicts["per-step"] == false, "\(verdicts)")
    }
}
