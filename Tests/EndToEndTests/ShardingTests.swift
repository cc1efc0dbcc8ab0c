import Foundation
import Testing

/// `--shard K/N` and `merge`, through the built binary: the merged parts print the unsharded
/// run's bytes, and a set that is not one whole run is refused with status 2.
@Suite struct ShardingTests {
    /// Small random networks of `cell`, from a fixed seed: the size flags and the seed.
    static func networks(_ cell: String, count: Int) -> [[String]] {
        var state: UInt64 = cell == "lstm" ? 11 : 12
        func next(_ n: Int) -> Int {   // SplitMix64, written out so the test leans on nothing it checks
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return Int((z ^ (z >> 31)) % UInt64(n))
        }
        return (0..<count).map { _ in
            ["--cell", cell, "--n-x", "\(1 + next(3))", "--n-a", "\(1 + next(4))", "--n-y", "\(2 + next(2))",
             "--steps", "\(1 + next(5))", "--batch", "\(1 + next(3))", "--seed", "\(next(1000))"]
        }
    }

    /// A fresh folder for one test's parts.
    static func folder() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("lstm-gradcheck-shards-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    /// Runs `command` with `--shard k/n` for each k, writing each part to `dir`; returns the paths.
    static func parts(_ command: [String], n: Int, in dir: URL, prefix: String = "part") throws -> [String] {
        try (1...n).map { k in
            let r = try Tool.run(command + ["--shard", "\(k)/\(n)"])
            #expect(r.status == 0 && r.stderr.isEmpty, "\(command) --shard \(k)/\(n): \(r.stderr)")
            let path = dir.appendingPathComponent("\(prefix)-\(k)-of-\(n).json").path
            try r.stdout.write(toFile: path, atomically: true, encoding: .utf8)
            return path
        }
    }

    /// Any order: reversed, then the first moved to the back.
    static func shuffled(_ paths: [String]) -> [String] {
        let r = Array(paths.reversed())
        return r.count > 2 ? Array(r.dropFirst()) + [r[0]] : r
    }

    @Test(arguments: ["lstm", "rnn"])
    func mergedGradientsAreTheUnshardedBytes(_ cell: String) throws {
        let dir = try Self.folder()
        defer { try? FileManager.default.removeItem(at: dir) }
        for network in Self.networks(cell, count: 4) {
            let command = ["grads", "--method", "numerical"] + network
            let whole = try Tool.run(command)
            #expect(whole.status == 0)
            for n in [1, 2, 3, 5] {
                let paths = try Self.parts(command, n: n, in: dir)
                let merged = try Tool.run(["merge"] + Self.shuffled(paths))
                #expect(merged.status == 0 && merged.stderr.isEmpty, "\(network) N \(n): \(merged.stderr)")
                #expect(merged.stdout == whole.stdout, "\(network) N \(n)")
            }
        }
    }

    /// The notebook's upstream-gradient API with a given c0: no output layer, one more input.
    @Test func mergedGradientsOfAFixtureAreTheUnshardedBytes() throws {
        let dir = try Self.folder()
        defer { try? FileManager.default.removeItem(at: dir) }
        let command = ["grads", "--method", "numerical", "--fixture", Tool.root.appendingPathComponent("Fixtures/upstream-da.json").path]
        let whole = try Tool.run(command)
        let merged = try Tool.run(["merge"] + Self.shuffled(try Self.parts(command, n: 3, in: dir)))
        #expect(whole.status == 0 && merged.status == 0 && merged.stdout == whole.stdout)
    }

    /// A fixture in a framework's layout: the merged gradient file is in its names, as the
    /// unsharded one is (`weight_hh_l0`, batch-first `input`), byte for byte.
    @Test(arguments: [["--layout", "pytorch", "--batch-first"], ["--layout", "cs231n"], ["--layout", "keras", "--cell", "gru"]])
    func mergedGradientsOfALayoutFixtureSpeakItsLayout(_ layout: [String]) throws {
        let dir = try Self.folder()
        defer { try? FileManager.default.removeItem(at: dir) }
        let fixture = dir.appendingPathComponent("layout.json")
        try Tool.run(["fixture", "--n-a", "3", "--steps", "4", "--batch", "2"] + layout).stdout.write(to: fixture, atomically: true, encoding: .utf8)
        let command = ["grads", "--method", "numerical", "--fixture", fixture.path]
        let whole = try Tool.run(command)
        let merged = try Tool.run(["merge"] + Self.shuffled(try Self.parts(command, n: 3, in: dir)))
        #expect(whole.status == 0 && merged.status == 0 && merged.stdout == whole.stdout, "\(merged.stderr)")
        #expect(!whole.stdout.contains("\"dWf\""))
    }

    /// A sharded check: the finite differences in parts, the rest in merge; the report and the
    /// exit status are the unsharded check's, in every format.
    @Test(arguments: [
        ["--format", "json"],
        ["--cell", "rnn", "--format", "json"],
        ["--methods", "all", "--format", "markdown"],
        ["--reference", "numerical", "--heatmap", "Wo", "--detail"],
        ["--fd", "richardson", "--n-a", "2", "--steps", "3", "--batch", "2", "--format", "json"],
        ["--tolerance", "1e-18", "--format", "json", "--seed", "4"],
        ["--tolerance", "1e-18", "--format", "junit"],
    ])
    func mergedCheckIsTheUnshardedReport(_ options: [String]) throws {
        let dir = try Self.folder()
        defer { try? FileManager.default.removeItem(at: dir) }
        // Small networks (as the golden outputs run them): a debug build checks slowly.
        let command = ["check"] + options + Self.sizes(except: options)
        let whole = try Tool.run(command, environment: ["NO_COLOR": "1"])
        for n in [2, 3] {
            let merged = try Tool.run(["merge"] + Self.shuffled(try Self.parts(command, n: n, in: dir)), environment: ["NO_COLOR": "1"])
            #expect(merged.status == whole.status, "\(options) N \(n): \(merged.stderr)")
            #expect(merged.stdout == whole.stdout, "\(options) N \(n)")
        }
    }

    /// `--n-x 2 --n-a 3 --steps 4 --batch 3`, but for the sizes `options` give.
    static func sizes(except options: [String]) -> [String] {
        [("--n-x", "2"), ("--n-a", "3"), ("--steps", "4"), ("--batch", "3")].filter { !options.contains($0.0) }.flatMap { [$0.0, $0.1] }
    }

    @Test func incompleteOrMixedSetsAreRefused() throws {
        let dir = try Self.folder()
        defer { try? FileManager.default.removeItem(at: dir) }
        let base = ["grads", "--method", "numerical", "--n-a", "3", "--steps", "4"]
        let three = try Self.parts(base + ["--seed", "1"], n: 3, in: dir, prefix: "a")
        let other = try Self.parts(base + ["--seed", "2"], n: 3, in: dir, prefix: "b")
        let two = try Self.parts(base + ["--seed", "1"], n: 2, in: dir, prefix: "c")
        let check = try Self.parts(["check", "--n-a", "3", "--steps", "4", "--batch", "3", "--seed", "1"], n: 3, in: dir, prefix: "d")
        let gradientFile = dir.appendingPathComponent("grads.json").path
        try (try Tool.run(base)).stdout.write(toFile: gradientFile, atomically: true, encoding: .utf8)
        let cases: [([String], String)] = [
            ([three[0], three[2]], "shard 2/3 is missing: given 1/3 (\(three[0])), 3/3 (\(three[2]))"),
            ([three[0], three[1], three[1], three[2]], "\(three[1]): shard 2/3 again (\(three[1]) holds it too)"),
            ([three[0], other[1], three[2]], "\(other[1]): from another network or run: fingerprint "),
            ([three[0], three[1], two[1]], "\(two[1]): shard 2/2, but \(three[0]) is shard 1/3: parts of splits into different numbers of shards"),
            ([three[0], check[1], three[2]], "\(check[1]): a part of 'check', but \(three[0]) is a part of 'grads'"),
            ([gradientFile], "\(gradientFile): expected a shard part written by 'lstm-gradcheck … --shard K/N', found a JSON object without \"lstm-gradcheck\": \"shard part\""),
            ([], "merge needs the part files of every shard"),
        ]
        for (paths, message) in cases {
            let r = try Tool.run(["merge"] + paths)
            #expect(r.status == 2, "\(message)")
            #expect(r.stdout.isEmpty)
            #expect(r.stderr.hasPrefix("lstm-gradcheck: error: " + message) && r.stderr.filter { $0 == "\n" }.count == 1, "\(r.stderr)")
        }
    }

    @Test(arguments: [
        (["grads", "--method", "numerical", "--shard", "0/3"], "option '--shard' takes K/N, the K-th of N shards with 1 ≤ K ≤ N ≤ 1000000 (e.g. 2/3), not '0/3'"),
        (["grads", "--method", "numerical", "--shard", "4/3"], "option '--shard' takes K/N"),
        (["grads", "--method", "numerical", "--shard", "2"], "option '--shard' takes K/N"),
        (["grads", "--method", "numerical", "--shard", "1/-2"], "option '--shard' takes K/N"),
        (["grads", "--method", "bptt", "--shard", "1/2"], "'--shard' splits the finite differences: it goes with '--method numerical', not 'bptt'"),
        (["check", "--sample", "5", "--shard", "1/2"], "'--shard' cannot be combined with '--sample'"),
        (["check", "--fd", "none", "--shard", "1/2"], "'--shard' splits the finite differences, which '--fd none' leaves out"),
        (["check", "--heatmap", "Wq", "--shard", "1/2"], "option '--heatmap' takes one of Wf, bf"),
    ])
    func badShardOptionsAreStatusTwo(_ arguments: [String], _ message: String) throws {
        let r = try Tool.run(arguments)
        #expect(r.status == 2 && r.stdout.isEmpty)
        #expect(r.stderr.hasPrefix("lstm-gradcheck: error: " + message), "\(r.stderr)")
    }

    /// A part says which shard it is, of which network, and holds its elements' values.
    @Test func aPartStatesItsShardAndFingerprint() throws {
        let r = try Tool.run(["grads", "--method", "numerical", "--shard", "2/3"])
        let json = try #require(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any])
        #expect(json["lstm-gradcheck"] as? String == "shard part" && json["version"] as? Int == 1)
        #expect(json["shard"] as? String == "2/3" && json["command"] as? String == "grads")
        #expect((json["fingerprint"] as? String)?.count == 16)
        let network = try #require(json["network"] as? [String: Any])
        #expect(network["name"] as? String == "default" && network["n_a"] as? Int == 5)
        let ranges = try #require(json["elements"] as? [[Int]])
        let held = ranges.reduce(0) { $0 + $1[1] - $1[0] }
        #expect((json["values"] as? [Double])?.count == held && held > 0)
    }
}
