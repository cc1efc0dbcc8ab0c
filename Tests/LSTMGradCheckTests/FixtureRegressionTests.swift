import Foundation
import Testing
@testable import LSTMGradCheck

/// Every committed fixture: the routes against finite differences, and against the
/// gradients an independent NumPy implementation (Fixtures/tools/lstm_numpy.py)
/// computed for the same file, committed in Fixtures/expected/.
@Suite struct FixtureRegressionTests {
    static let folder = repositoryFolder.appendingPathComponent("Fixtures")

    static let fixtures = jsonFileNames(in: folder)

    @Test func thereAreFixturesToCheck() {
        #expect(Self.fixtures.count >= 5)
    }

    /// Each fixture's `"expect"` member says what the report must give under each reference;
    /// the exact reference must also put bptt and coursera within 1e-12 of itself.
    @Test(arguments: fixtures)
    func verdictsAreTheOnesEachFixtureExpects(_ file: String) throws {
        let path = Self.folder.appendingPathComponent(file).path
        let fixture = try FixtureFile.read(path)
        let json = try FileAccess.json(try FileAccess.read(path), source: path)
        guard case .object(let references) = try #require(json["expect"], "\(file) says nothing it expects") else {
            Issue.record("\(file): expect is not an object")
            return
        }
        for reference in references {
            guard case .object(let wanted) = reference.value,
                  let kind = CheckOptions.Reference(rawValue: reference.key) else {
                Issue.record("\(file): expect.\(reference.key)")
                continue
            }
            let options = CheckOptions(reference: kind)
            func check<P: CellProblem>(_ p: P) -> CheckReport {
                let extra = wanted.map(\.key).filter { $0.hasPrefix("truncated:") }.compactMap { P.C.method(named: $0, steps: p.dims.steps) }
                return GradCheck.check(p.typed, name: fixture.name, methods: P.C.coreMethods + extra, options: options)
            }
            let report = check(fixture.network)
            for w in wanted {
                let m = try #require(report.methods.first { $0.name == w.key }, "\(file): no \(w.key)")
                #expect(w.value == .string(m.outcome.rawValue), "\(file) \(reference.key): \(w.key) is \(m.outcome.rawValue)")
            }
            if kind == .exact {
                for name in ["bptt", "coursera"] {
                    let worst = report.methods.first { $0.name == name }?.worst?.relativeError ?? 1
                    #expect(worst <= 1e-12, "\(file): \(name) is \(worst) from the exact gradient")
                }
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
        func compare<P: CellProblem>(_ p: P) throws {
            let routes_: [(name: String, against: String, tolerance: Double, method: Method<P.C>)] = [
                ("bptt", "bptt", 1e-10, P.C.bptt), ("coursera", "bptt", 1e-10, P.C.method(named: "coursera", steps: p.dims.steps)!),
                ("per-step", "per-step", 1e-10, P.C.method(named: "per-step", steps: p.dims.steps)!), ("numerical", "numerical", 1e-6, .numerical)]
            for (name, key, tolerance, method) in routes_ {
                let ours = method.compute(p.typed)
                let theirs = try #require(routes[key], "\(stem): no \(key) in the expected file")
                for input in ours.inputs {
                    let fileKey = input.gradientName
                    let value = try #require(theirs[fileKey], "\(stem): \(key) has no \(fileKey)")
                    let t = try JSONArrays.tensor(value, source: expectedPath, key: fileKey)
                    let g = try #require(ours[input])
                    #expect(t.shape == g.shape, "\(stem) \(fileKey)")
                    #expect(relativeError(g, t) <= tolerance, "\(stem): \(name) \(fileKey) vs NumPy \(key): \(relativeError(g, t))")
                }
            }
        }
        try compare(fixture.network)
    }
}
