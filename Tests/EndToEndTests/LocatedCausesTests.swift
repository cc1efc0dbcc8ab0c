import Foundation
import Testing

/// What `verify` prints, through the binary, for files that are wrong everywhere: one block per
/// cause listing the tensors it covers (text and Markdown alike, as many as the JSON's causes,
/// which cover every wrong tensor once), under 60 lines of text, and a whole file scaled by one
/// factor or all zeros said so in one block — in Coursera's layout and the frameworks'.
@Suite struct LocatedCausesTests {
    /// A generated fixture of `layout` (random sizes from `seed`) and its right gradients, as files.
    static func network(_ layout: String, seed: Int) throws -> (fixture: String, right: [String: Any]) {
        var g = seed
        func next(_ n: Int) -> Int {
            g = (g &* 1_103_515_245 &+ 12345) & 0x7FFF_FFFF
            return (g >> 8) % n
        }
        let sizes = ["--n-x", "\(1 + next(4))", "--n-a", "\(2 + next(4))", "--steps", "\(2 + next(5))", "--batch", "\(1 + next(4))",
                     "--seed", "\(seed)"]
        let fixture = try Tool.run(["fixture"] + (layout == "coursera" ? [] : ["--layout", layout]) + sizes)
        #expect(fixture.status == 0, "\(fixture.stderr)")
        let path = try Tool.temporaryFile("located-\(layout)-\(seed)-\(UUID().uuidString).json", fixture.stdout)
        let grads = try Tool.run(["grads", "--fixture", path, "--method", "bptt"])
        #expect(grads.status == 0, "\(grads.stderr)")
        return (path, try #require(try JSONSerialization.jsonObject(with: Data(grads.stdout.utf8)) as? [String: Any]))
    }

    /// Every number of a nested JSON array through `f` (its flat index beside it).
    static func map(_ value: Any, _ f: (Int, Double) -> Double) -> Any {
        var k = 0
        func walk(_ v: Any) -> Any {
            if let a = v as? [Any] { return a.map(walk) }
            defer { k += 1 }
            return f(k, (v as? NSNumber)?.doubleValue ?? 0)
        }
        return walk(value)
    }

    /// `verify` of `grads` against `fixture` in text, Markdown and JSON.
    static func verify(_ fixture: String, _ grads: [String: Any]) throws -> (text: String, markdown: String, causes: [[String: Any]], wrong: Set<String>) {
        let path = try Tool.temporaryFile("located-grads-\(UUID().uuidString).json", String(decoding: try JSONSerialization.data(withJSONObject: grads), as: UTF8.self))
        func run(_ format: String) throws -> String {
            let r = try Tool.run(["verify", "--fixture", fixture, "--grads", path, "--format", format], environment: ["NO_COLOR": "1"])
            #expect(r.status == 1, "\(r.stdout)\(r.stderr)")
            return r.stdout
        }
        let report = try ReportJSON.entry(try run("json"))
        let gradients = try #require(report["gradients"] as? [String: [String: Any]])
        let wrong = Set(gradients.filter { $0.value["status"] as? String == "mismatch" }.keys)
        return (try run("text"), try run("markdown"), try #require(report["causes"] as? [[String: Any]]), wrong)
    }

    /// One block per cause in every renderer, each wrong tensor in exactly one, under 60 lines of text.
    static func expectGrouped(_ r: (text: String, markdown: String, causes: [[String: Any]], wrong: Set<String>), _ context: String) {
        let covered = r.causes.flatMap { $0["tensors"] as? [String] ?? [] }
        #expect(covered.count == Set(covered).count && Set(covered) == r.wrong, "\(context): \(covered) vs \(r.wrong)")
        let lines = r.text.split(separator: "\n", omittingEmptySubsequences: false)
        #expect(lines.count < 60, "\(context): \(lines.count) lines\n\(r.text)")
        #expect(lines.filter { $0.hasSuffix(": MISMATCH") }.count == r.causes.count, "\(context)\n\(r.text)")
        #expect(r.markdown.split(separator: "\n").filter { $0.hasPrefix("**") }.count == r.causes.count, "\(context)\n\(r.markdown)")
    }

    @Test(arguments: ["coursera", "cs231n", "pytorch", "keras"])
    func aFullyWrongFileIsShortAndGroupedByCause(_ layout: String) throws {
        for seed in [3, 11] {
            let (fixture, right) = try Self.network(layout, seed: seed)
            let keys = right.keys.sorted()
            let context = "\(layout) seed \(seed)"

            // Every tensor times 2: one cause, the whole file's.
            let doubled = try Self.verify(fixture, right.mapValues { Self.map($0) { $1 * 2 } })
            Self.expectGrouped(doubled, "\(context) doubled")
            #expect(doubled.causes.count == 1 && (doubled.causes.first?["finding"] as? String)?.hasPrefix("Every tensor of the file is the right gradient times 2") == true,
                    "\(context): \(doubled.causes)")

            // All zeros: one cause, the whole file's.
            let zeros = try Self.verify(fixture, right.mapValues { Self.map($0) { _, _ in 0 } })
            Self.expectGrouped(zeros, "\(context) zeros")
            #expect(zeros.causes.count == 1 && (zeros.causes.first?["finding"] as? String)?.hasPrefix("Every tensor of the file is all zeros") == true,
                    "\(context): \(zeros.causes)")

            // Wrong everywhere, in several ways at once: a tensor of zeros, two scaled by different
            // factors, the rest with noise.
            var mixed: [String: Any] = [:]
            for (n, key) in keys.enumerated() {
                let value = right[key] ?? []
                switch n {
                case 0: mixed[key] = Self.map(value) { _, _ in 0 }
                case 1: mixed[key] = Self.map(value) { $1 * 3 }
                case 2: mixed[key] = Self.map(value) { $1 * -1.5 }
                default: mixed[key] = Self.map(value) { k, v in v + 0.3 * sin(Double(k * 7 + n) * 1.7) + 0.05 }
                }
            }
            let several = try Self.verify(fixture, mixed)
            Self.expectGrouped(several, "\(context) mixed")
            #expect(several.wrong == Set(keys), "\(context): \(several.wrong)")
        }
    }

    /// Coursera's softmax dz doubled on its way into da: every tensor but dWy and dby twice the
    /// right one — one block, not ten.
    @Test func everyTensorButTheOutputLayersDoubledIsOneBlock() throws {
        let (fixture, right) = try Self.network("coursera", seed: 5)
        var doubled = right
        for key in right.keys where key != "dWy" && key != "dby" { doubled[key] = Self.map(right[key] ?? []) { $1 * 2 } }
        let r = try Self.verify(fixture, doubled)
        Self.expectGrouped(r, "coursera")
        #expect(r.causes.count == 1, "\(r.causes)")
        #expect((r.causes.first?["finding"] as? String)?.contains("while the output layer's dWy and dby match") == true, "\(r.causes)")
    }
}
