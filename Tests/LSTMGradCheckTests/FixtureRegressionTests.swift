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
        let report: CheckReport
        switch fixture.network {
        case .lstm(let p): report = GradCheck.check(p, name: fixture.name, methods: LSTMMethod.core)
        case .rnn(let p): report = GradCheck.check(p, name: fixture.name, methods: RNNMethod.core)
        }
        #expect(report.methods.map(\.name) == ["bptt", "coursera", "per-step", "numerical"])
        for m in report.methods {
            switch m.name {
            case "numerical":
                // The finite differences sit within their own error estimate of the exact gradient.
                #expect(m.matches, "\(file): numerical \(m.worst.map { "\($0.key) \($0.relativeError)" } ?? "-")")
            case "per-step":
                // Exact with one step; wrong whenever there is an earlier step to carry to.
                #expect(m.matches == (fixture.network.dims.steps == 1), "\(file): per-step")
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
        let computed: [(name: String, against: String, tolerance: Double, gradients: Gradients)]
        switch fixture.network {
        case .lstm(let p):
            computed = [("bptt", "bptt", 1e-10, LSTMMethod.bptt.compute(p)), ("coursera", "bptt", 1e-10, LSTMMethod.coursera.compute(p)),
                        ("per-step", "per-step", 1e-10, LSTMMethod.perStep.compute(p)), ("numerical", "numerical", 1e-6, LSTMMethod.numerical.compute(p))]
        case .rnn(let p):
            computed = [("bptt", "bptt", 1e-10, RNNMethod.bptt.compute(p)), ("coursera", "bptt", 1e-10, RNNMethod.coursera.compute(p)),
                        ("per-step", "per-step", 1e-10, RNNMethod.perStep.compute(p)), ("numerical", "numerical", 1e-6, RNNMethod.numerical.compute(p))]
        }
        for (name, key, tolerance, ours) in computed {
            let theirs = try #require(routes[key], "\(stem): no \(key) in the expected file")
            for input in ours.keys {
                let fileKey = GradientFile.fileKey(input)
                let value = try #require(theirs[fileKey], "\(stem): \(key) has no \(fileKey)")
                let t = try JSONArrays.tensor(value, source: expectedPath, key: fileKey)
                let g = try #require(ours[input])
                #expect(t.shape == g.shape, "\(stem) \(fileKey)")
                #expect(relativeError(g, t) <= tolerance, "\(stem): \(name) \(fileKey) vs NumPy \(key): \(relativeError(g, t))")
            }
        }
    }
}
