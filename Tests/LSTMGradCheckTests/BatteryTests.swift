import Foundation
import Testing
@testable import LSTMGradCheck

/// The battery `verify --exec` runs: which corner cases, drawn how, and that each is one.
@Suite struct BatteryTests {
    @Test func theCornerCasesInOrder() {
        #expect(Battery.default.members.map(\.name) == ["default", "T_x 1", "batch 1", "long sequence (T_x 40)", "saturated gates",
                                                        "near-converged", "n_y > n_a", "large batch"])
        #expect(Battery.upstream.members.map(\.name)[6] == "n_x > n_a")
        let byName = Dictionary(uniqueKeysWithValues: Battery.default.members.map { ($0.name, $0.dims) })
        #expect(byName["T_x 1"]?.steps == 1 && byName["batch 1"]?.batch == 1 && byName["long sequence (T_x 40)"]?.steps == 40)
        #expect(byName["large batch"]!.batch > 32)
        #expect(byName["n_y > n_a"].map { $0.n_y > $0.n_a } == true)
        let wide = Battery.upstream.members[6].dims
        #expect(wide.n_x > wide.n_a)
    }

    /// Its default member is the tool's default network, bit for bit.
    @Test func theDefaultIsTheBuiltInNetwork() throws {
        let first = try #require(Battery.default.fixtures(cell: .lstm).first?.network as? Problem<LSTM, Double>)
        let builtIn = Problem<LSTM, Double>.random(Dims(n_x: 3, n_a: 5, n_y: 2, steps: 7, batch: 10), seed: 1)
        #expect(first.loss == builtIn.loss && first.weights[.Wf].storage == builtIn.weights[.Wf].storage && first.target == builtIn.target)
    }

    @Test func theNotebooksAPIs() throws {
        for fixture in Battery.default.fixtures(cell: .lstm) {
            let p = try #require(fixture.network as? Problem<LSTM, Double>)
            guard case .labels = p.target else { Issue.record("\(fixture.name): not labels"); continue }
            #expect(!p.hasC0 && p.c0.storage.allSatisfy { $0 == 0 }, "\(fixture.name)")
        }
        for fixture in Battery.upstream.fixtures(cell: .lstm) {
            let p = try #require(fixture.network as? Problem<LSTM, Double>)
            guard case .upstream(let da) = p.target else { Issue.record("\(fixture.name): no da"); continue }
            #expect(da.count == p.dims.steps && !p.hasOutputLayer && !p.hasC0, "\(fixture.name)")
        }
    }

    /// Each case is what its name says: saturated gates are saturated, near-converged gradients tiny.
    @Test func eachCaseIsTheCornerItNames() throws {
        func problem(_ battery: Battery, _ name: String) throws -> Problem<LSTM, Double> {
            try #require(battery.fixtures(cell: .lstm).first { $0.name == name }?.network as? Problem<LSTM, Double>)
        }
        func largest(_ p: Problem<LSTM, Double>) throws -> Double {
            let g = try ExactGradient.gradients(p)
            return g.inputs.compactMap { g[$0]?.data.map(abs).max() }.max() ?? 0
        }
        #expect(try largest(problem(.default, "near-converged")) < 1e-5)
        #expect(try largest(problem(.upstream, "near-converged")) < 1e-6)
        #expect(try largest(problem(.default, "default")) > 1e-2)
        let saturated = try problem(.default, "saturated gates")
        #expect(saturated.weights[.Wf].storage.map(abs).max()! > 5)
    }

    @Test func theSameFixturesEveryTime() throws {
        for battery in Battery.allCases {
            let once = try battery.fixtures(cell: .lstm).map { JSON.serialize(try FixtureFile.encode($0)) }
            let again = try battery.fixtures(cell: .lstm).map { JSON.serialize(try FixtureFile.encode($0)) }
            #expect(once == again)
        }
    }

    /// `verify --exec` reads what a program wrote by its content: JSON or an archive under any name.
    @Test func gradientsAreReadByContent() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("battery-tests-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let archive = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Vectors/npy/savez.npz")
        let disguised = folder.appendingPathComponent("out.json")
        try FileManager.default.copyItem(at: archive, to: disguised)
        let read = try GradientFile.read(contentsOf: disguised.path, source: "the output")
        #expect(read.source == "the output")
        #expect(read.tensors.map(\.key) == (try GradientFile.read(archive.path)).tensors.map(\.key))
        let json = folder.appendingPathComponent("out.npz")
        try Data(#"{"dbf": [[1], [2]]}"#.utf8).write(to: json)
        #expect(try GradientFile.read(contentsOf: json.path, source: "the output").tensors.map(\.tensor.data) == [[1, 2]])
        try Data("[1,".utf8).write(to: json)
        #expect(throws: InputError.self) { try GradientFile.read(contentsOf: json.path, source: "the output") }
        do {
            _ = try GradientFile.read(contentsOf: json.path, source: "the output")
        } catch {
            #expect(error.source == "the output")
        }
    }
}
