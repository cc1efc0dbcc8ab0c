import Foundation
import Testing
@testable import LSTMGradCheck

/// The inputs of the fuzz targets (Tests/Fuzz, `make fuzz`) replayed through the readers the
/// way each target's entry point calls them: the committed seed corpora, and under
/// Vectors/fuzz/TARGET/ every input that once crashed a reader. A reader that traps ends the
/// whole test run, so getting to the expectations is most of the check.
struct FuzzRegressionTests {
    enum Target: String, CaseIterable, Sendable {
        case fixtureJSON = "fixture-json", gradientJSON = "gradient-json", npy, npz, inflate, shardJSON = "shard-json"
    }

    private static let tests = URL(fileURLWithPath: #filePath).deletingLastPathComponent()

    /// The files of `folder`, sorted so failures name the same file on every machine.
    private static func files(in folder: URL) throws -> [URL] {
        try FileManager.default.contentsOfDirectory(at: folder, includingPropertiesForKeys: nil)
            .sorted { $0.lastPathComponent < $1.lastPathComponent }
    }

    /// What the target's reader throws for `bytes`, or nil when it accepts them; the caps
    /// are the fuzz entry points' own. JSON goes through `FileAccess.json`, as the tool reads
    /// it, so that its syntax errors are InputErrors too.
    private static func error(reading bytes: [UInt8], as target: Target) -> (any Error)? {
        do {
            switch target {
            case .fixtureJSON:
                _ = try FixtureFile.decode(try FileAccess.json(bytes, source: "fuzz"), source: "fuzz", defaultName: "fuzz")
            case .gradientJSON:
                // A member that is no gradient is kept with its reason (verify decides whether it
                // needs it): the first such reason is what the reader refused.
                if let refused = try GradientFile.decode(try FileAccess.json(bytes, source: "fuzz"), source: "fuzz").unreadable.first {
                    return refused.reason
                }
            case .npy: _ = try NumPyFile.readNPY(bytes, source: "fuzz", maxElements: 1 << 20)
            case .npz: _ = try NumPyFile.readNPZ(bytes, source: "fuzz", maxBytes: 1 << 24, maxElements: 1 << 20)
            case .inflate:
                let output = try Inflate.decompress(bytes[...], expectedSize: nil, limit: 1 << 24)
                _ = try Inflate.decompress(bytes[...], expectedSize: output.count, limit: 1 << 24)
            case .shardJSON:
                let part = try ShardFile.decode(try FileAccess.json(bytes, source: "fuzz"), source: "fuzz", maxElements: 1 << 20)
                if let merged = try? ShardFile.merge([("fuzz", part)]) { _ = try ShardFile.gradientFile(merged.values, of: part) }
            }
            return nil
        } catch {
            return error
        }
    }

    /// Every seed, valid or broken, goes through its reader without trapping.
    @Test(arguments: Target.allCases)
    func seedCorpusReplaysWithoutATrap(_ target: Target) throws {
        let corpus = Self.tests.deletingLastPathComponent().appendingPathComponent("Fuzz/corpus/\(target.rawValue)")
        let files = try Self.files(in: corpus)
        #expect(!files.isEmpty, "no seed corpus at \(corpus.path)")
        for file in files {
            _ = Self.error(reading: [UInt8](try Data(contentsOf: file)), as: target)
        }
    }

    private static func crashingInput(_ target: Target, _ name: String) throws -> [UInt8] {
        [UInt8](try Data(contentsOf: tests.appendingPathComponent("Vectors/fuzz/\(target.rawValue)/\(name)")))
    }

    /// Every input that once crashed a reader, in the folder of the target that found it: the
    /// reader now accepts it or refuses it with its own error (an InputError; inflate's
    /// Failure, which the .npz reader turns into one).
    @Test func crashingInputsNoLongerTrap() throws {
        let folders = try Self.files(in: Self.tests.appendingPathComponent("Vectors/fuzz"))
        #expect(!folders.isEmpty)
        for folder in folders {
            let target = try #require(Target(rawValue: folder.lastPathComponent), "\(folder.path) names no fuzz target")
            for file in try Self.files(in: folder) {
                let error = Self.error(reading: [UInt8](try Data(contentsOf: file)), as: target)
                #expect(error == nil || error is InputError || (target == .inflate && error is Inflate.Failure),
                        "\(target.rawValue)/\(file.lastPathComponent): \(String(describing: error))")
            }
        }
    }

    /// A ragged array whose first elements claim 10^19 (more than Int counts) or 4·10^9 elements
    /// trapped or exhausted memory when that claim was reserved up front.
    @Test func raggedSpineIsRefusedAsRagged() throws {
        let overflow = Self.error(reading: try Self.crashingInput(.gradientJSON, "ragged-spine-overflows-int.json"), as: .gradientJSON)
        #expect((overflow as? InputError)?.expected.contains("ragged") == true)
        let huge = Self.error(reading: try Self.crashingInput(.fixtureJSON, "ragged-spine-claims-32-gb.json"), as: .fixtureJSON)
        #expect((huge as? InputError)?.expected.contains("ragged") == true)
    }
}
