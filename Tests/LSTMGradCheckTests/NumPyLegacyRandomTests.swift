import Foundation
import Testing
@testable import LSTMGradCheck

/// One seed's NumPy streams from `Vectors/numpy_legacy_random.json`, doubles as IEEE-754 bit patterns.
private struct SeedVectors: Sendable {
    var seed: UInt32
    var uint32: [UInt32]
    var randomSample: [UInt64]
    var randn: [UInt64]
}

/// What `Vectors/make_numpy_legacy_vectors.py` wrote with NumPy.
private struct NumPyVectors: Sendable {
    var seeds: [SeedVectors]
    var notebookSeed: UInt32
    var notebookFirst: [UInt64]
    var notebookSecond: [UInt64]
}

private struct MalformedVectors: Error {
    var field: String
}

private func bitPatterns(_ value: Any?, _ field: String) throws -> [UInt64] {
    guard let strings = value as? [String] else { throw MalformedVectors(field: field) }
    return try strings.map {
        guard $0.hasPrefix("0x"), let bits = UInt64($0.dropFirst(2), radix: 16) else {
            throw MalformedVectors(field: field)
        }
        return bits
    }
}

private func loadVectors() throws -> NumPyVectors {
    let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("Vectors/numpy_legacy_random.json")
    let root = try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as? [String: Any]
    guard let seeds = root?["seeds"] as? [[String: Any]],
          let notebook = root?["notebook"] as? [String: Any],
          let notebookSeed = notebook["seed"] as? NSNumber
    else { throw MalformedVectors(field: "root") }
    return NumPyVectors(
        seeds: try seeds.map { entry in
            guard let seed = entry["seed"] as? NSNumber, let raw = entry["uint32"] as? [NSNumber] else {
                throw MalformedVectors(field: "seed/uint32")
            }
            return SeedVectors(seed: seed.uint32Value, uint32: raw.map(\.uint32Value),
                               randomSample: try bitPatterns(entry["random_sample"], "random_sample"),
                               randn: try bitPatterns(entry["randn"], "randn"))
        },
        notebookSeed: notebookSeed.uint32Value,
        notebookFirst: try bitPatterns(notebook["randn_3x10_first5"], "randn_3x10_first5"),
        notebookSecond: try bitPatterns(notebook["randn_5x10_first5"], "randn_5x10_first5"))
}

@Suite struct NumPyLegacyRandomTests {
    static let seeds: [UInt32] = [0, 1, 2, 42, 12345, 4_294_967_295]

    private func vectors(for seed: UInt32) throws -> SeedVectors {
        try #require(try loadVectors().seeds.first { $0.seed == seed })
    }

    @Test(arguments: seeds) func rawOutputsMatchNumPy(seed: UInt32) throws {
        let expected = try vectors(for: seed)
        #expect(expected.uint32.count == 10)
        var g = NumPyLegacyRandom(seed: seed)
        #expect(expected.uint32.map { _ in g.nextUInt32() } == expected.uint32)
    }

    @Test(arguments: seeds) func randomSampleMatchesNumPyBitForBit(seed: UInt32) throws {
        let expected = try vectors(for: seed)
        #expect(expected.randomSample.count == 200)
        var g = NumPyLegacyRandom(seed: seed)
        #expect(expected.randomSample.map { _ in g.randomSample().bitPattern } == expected.randomSample)
    }

    @Test(arguments: seeds) func randnMatchesNumPyBitForBit(seed: UInt32) throws {
        let expected = try vectors(for: seed)
        #expect(expected.randn.count == 1000)
        var g = NumPyLegacyRandom(seed: seed)
        #expect(expected.randn.map { _ in g.gauss().bitPattern } == expected.randn)
    }

    /// The notebook's cell: `seed(1)`, `randn(3, 10)`, then `randn(5, 10)` continuing the stream.
    @Test func notebookSequenceMatchesNumPy() throws {
        let v = try loadVectors()
        var g = NumPyLegacyRandom(seed: v.notebookSeed)
        let first = g.randn(3, 10)
        let second = g.randn(5, 10)
        #expect(first.count == 30 && second.count == 50)
        #expect(first.prefix(5).map(\.bitPattern) == v.notebookFirst)
        #expect(second.prefix(5).map(\.bitPattern) == v.notebookSecond)
    }

    /// Every seed in the generator script is checked, so none is dropped silently.
    @Test func vectorsCoverEverySeed() throws {
        #expect(try loadVectors().seeds.map(\.seed) == Self.seeds)
    }

    /// The cached second value of a polar pair carries over between calls, as NumPy's `has_gauss`.
    @Test func gaussCacheCarriesAcrossCalls() {
        var split = NumPyLegacyRandom(seed: 7)
        var whole = NumPyLegacyRandom(seed: 7)
        let joined = split.randn(3) + split.randn(2)
        #expect(joined.map(\.bitPattern) == whole.randn(5).map(\.bitPattern))
        #expect(split.gauss().bitPattern == whole.gauss().bitPattern)
    }

    /// Shapes fill in C order with the product of the dimensions; no shape is one draw.
    @Test func randnCountsFollowTheShape() {
        var g = NumPyLegacyRandom(seed: 0)
        #expect(g.randn(2, 3, 4).count == 24)
        #expect(g.randn().count == 1)
        #expect(g.randn(0, 5).isEmpty)
    }
}
