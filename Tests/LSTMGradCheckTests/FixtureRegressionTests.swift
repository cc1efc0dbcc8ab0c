import Foundation
import Testing
@testable import LSTMGradCheck

/// Every committed fixture: the routes against finite differences, and against the
/// gradients an independent NumPy implementation (Fixtures/tools/lstm_numpy.py)
/// computed for the same file, committed in Fixtures/expected/.
@Suite struct FixtureRegressionTests {
    static let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("Fixtures")

    static let fixtures: [String] = {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []
        return names.filter { $0.hasSuffix(".json") }.sorted()
    }()

    @Test func thereAreFixturesToCheck() {
        #expect(Self.fixtures.count >= 5)
    }

    @Test(arguments: fixtures)
    func routesMatchFiniteDifferencesAsExpected(_ file: String) throws {
        let fixture = try FixtureFile.read(Self.folder.appendingPathComponent(file).path)
        let report = GradCheck.check(fixture.problem, name: fixture.name, methods: LSTMMethod.core)
        for m in report.methods {
            switch m.name {
            case "per-step":
                // Exact with one step; wrong whenever there is an earlier step to carry to.
                #expect(m.matches == (fixture.problem.dims.steps == 1), "\(file): per-step")
            default:
                #expect(m.matches, "\(file): \(m.name) worst \(m.worst.map { "\($0.key) \($0.relativeError)" } ?? "-")")
            }
        }
    }

    @Test(arguments: fixtures)
    func routesAgreeWithTheIndependentNumPyImplementation(_ file: String) throws {
        let fixture = try FixtureFile.read(Self.folder.appendingPathComponent(file).path)
        let stem = String(file.dropLast(".json".count))
        let expectedPath = Self.folder.appendingPathComponent("expected/\(stem).expected.json").path
        let expected = try FileAccess.json(try FileAccess.read(expectedPath), source: expectedPath)
        let routes = try #require(expected["routes"])
        // Analytic routes agree to rounding; the numerical ones each carry their own
        // finite-difference error (~1e-9), so they agree to a looser bound.
        let pairs: [(LSTMMethod, String, Double)] = [(.bptt, "bptt", 1e-10), (.coursera, "bptt", 1e-10),
                                                 (.perStep, "per-step", 1e-10), (.numerical, "numerical", 1e-6)]
        for (method, key, tolerance) in pairs {
            let ours = method.compute(fixture.problem)
            let theirs = try #require(routes[key], "\(stem): no \(key) in the expected file")
            for name in ours.keys {
                let fileKey = GradientFile.fileKey(name)
                let value = try #require(theirs[fileKey], "\(stem): \(key) has no \(fileKey)")
                let t = try JSONArrays.tensor(value, source: expectedPath, key: fileKey)
                let g = try #require(ours[name])
                #expect(t.shape == g.shape, "\(stem) \(fileKey)")
                #expect(relativeError(g, t) <= tolerance, "\(stem): \(method.name) \(fileKey) vs NumPy \(key): \(relativeError(g, t))")
            }
        }
    }
}
