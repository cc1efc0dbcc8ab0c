import Testing
@testable import LSTMGradCheck

/// The two checks for networks too large to check every element, each given the gradients of
/// every derivation in the catalogue: they must name exactly the tensors the derivation gets wrong.
@Suite struct SampledAndProjectionTests {
    static let problem = Problem<LSTM, Double>.random(Dims(n_x: 4, n_a: 6, n_y: 3, steps: 6, batch: 3), seed: 19)
    static let upstream = upstreamProblem(Dims(n_x: 3, n_a: 4, n_y: 0, steps: 6, batch: 2), window: 6, seed: 23, withC0: true)
    static let exact = BPTT.definition(problem)

    /// The tensors a route gets wrong, from the exact gradient: far off (> 1e-4) or equal to
    /// rounding (< 1e-9), never in between, so the expectation is unambiguous.
    static func wrongTensors(_ g: Gradients<LSTM>, _ exact: Gradients<LSTM>) -> Set<String> {
        var wrong = Set<String>()
        for key in exact.keys {
            let e = relativeError(g[key]!, exact[key]!)
            #expect(e < 1e-9 || e > 1e-4, "\(key): \(e) is neither right nor clearly wrong")
            if e > 1e-4 { wrong.insert(key) }
        }
        return wrong
    }

    static var routes: [String] { LSTM.catalogue(steps: 6).map(\.name) }

    @Test(arguments: routes)
    func samplingNamesTheWrongTensors(_ name: String) {
        let g = LSTM.method(named: name, steps: 6)!.compute(Self.problem)
        let report = SampledCheck.run(Self.problem, candidate: g, samples: 8, seed: 3, control: RunControl(threads: 2))
        #expect(report.stop == nil && report.tensors.count == Self.problem.inputs.count)
        #expect(report.selection == .sample(count: 8, seed: 3))
        #expect(Set(report.wrong) == Self.wrongTensors(g, Self.exact))
        #expect(report.passed == (LSTM.method(named: name, steps: 6)!.expectation == .correct))
        for t in report.methods[0].tensors {
            #expect(t.checked == min(8, Self.problem.shape(of: t.key).reduce(1, *)), "\(t.key)")
            if t.pass { #expect(t.relativeError < 1e-7, "\(t.key): \(t.relativeError)") }
        }
    }

    @Test(arguments: routes)
    func projectionNamesTheWrongTensors(_ name: String) {
        let g = LSTM.method(named: name, steps: 6)!.compute(Self.problem)
        let report = ProjectionCheck.run(Self.problem, candidate: g, seed: 5, control: RunControl(threads: 2))
        let wrong = Self.wrongTensors(g, Self.exact)
        #expect(report.stop == nil)
        #expect(Set(report.findings.map(\.key.name)) == wrong)
        #expect(report.passed == wrong.isEmpty)
        // Group testing: about two probes per wrong tensor per halving, far fewer than one per element.
        #expect(report.passes <= 2 + 2 * 12 + 2 * 4 + 2 * 3)
    }

    @Test func projectionBracketsTheWrongSteps() {
        // With a loss at every step, dropping the carry leaves dx right only at the last step,
        // and truncation to K steps leaves it right at the last K.
        for (name, steps) in [("per-step", 0...4), ("truncated:2", 0...3), ("carry-dc-only", 0...4)] {
            let g = LSTM.method(named: name, steps: 6)!.compute(Self.problem)
            let x = ProjectionCheck.run(Self.problem, candidate: g).findings.first { $0.key == .x }
            #expect(x?.steps == steps, "\(name)")
        }
        // Only the first four steps' hidden states reach an upstream loss of four steps.
        var p = Self.upstream
        guard case .upstream(let da) = p.target else { return }
        p.target = .upstream(Array(da.prefix(4)))
        let g = Method<LSTM>.perStep.compute(p)
        #expect(ProjectionCheck.run(p, candidate: g).findings.first { $0.key == .x }?.steps == 0...2)
    }

    @Test func gateWeightsAreSplitIntoRecurrentAndInputColumns() {
        // A wrong gradient in the columns acting on x_t only.
        var g = Self.exact
        var wo = g["Wo"]!
        let K = 6 + 4
        for flat in wo.data.indices where flat % K >= 6 { wo.data[flat] *= 1.01 }
        g["Wo"] = wo
        let report = ProjectionCheck.run(Self.problem, candidate: g)
        #expect(report.findings.map(\.key.name) == ["Wo"])
        #expect(report.findings.first?.columns == .input)
    }

    @Test func upstreamTargetsWithC0() {
        let exact = BPTT.definition(Self.upstream)
        for route in [Method<LSTM>.bptt, .perStep, .carryDaOnly] {
            let g = route.compute(Self.upstream)
            let wrong = Self.wrongTensors(g, exact)
            #expect(Set(SampledCheck.run(Self.upstream, candidate: g, samples: 8).wrong) == wrong, "\(route.name)")
            #expect(Set(ProjectionCheck.run(Self.upstream, candidate: g).findings.map(\.key.name)) == wrong, "\(route.name)")
        }
    }

    @Test func theSampleIsReproducibleAndDistinct() {
        let keys = Self.problem.inputs
        let a = Selection.sample(Self.problem, keys: keys, count: 10, seed: 7)
        #expect(a == Selection.sample(Self.problem, keys: keys, count: 10, seed: 7))
        #expect(a != Selection.sample(Self.problem, keys: keys, count: 10, seed: 8))
        for (key, sample) in zip(keys, a) {
            let n = Self.problem.shape(of: key).reduce(1, *)
            #expect(sample.count == min(10, n) && Set(sample).count == sample.count && sample.allSatisfy { $0 < n })
        }
    }

    @Test func aMissingTensorIsReportedNotChecked() {
        var g = Self.exact
        g["by"] = Tensor(zeros: [7, 1])   // the wrong shape
        var partial = Gradients<LSTM>()
        for key in g.keys where key != "Wf" { partial[key] = g[key]! }
        let sampled = SampledCheck.run(Self.problem, candidate: partial, samples: 4)
        #expect(!sampled.tensors.contains { ["Wf", "by"].contains($0.key) } && sampled.tensors.count == Self.problem.inputs.count - 2)
        #expect(sampled.passed)
        #expect(ProjectionCheck.run(Self.problem, candidate: partial).missing == ["Wf", "by"])
    }

    @Test func aPastDeadlineStopsBoth() {
        let control = RunControl(threads: 1, deadline: .now - .seconds(1))
        let sampled = SampledCheck.run(Self.problem, candidate: Self.exact, samples: 4, control: control)
        #expect(sampled.stop == .deadline && !sampled.passed && sampled.methods[0].tensors.allSatisfy { $0.checked == 0 })
        let projected = ProjectionCheck.run(Self.problem, candidate: Self.exact, control: RunControl(isCancelled: { true }))
        #expect(projected.stop == .cancelled && projected.probes.isEmpty && !projected.passed)
        // The report of every method: the first stopped, the rest not run, nothing decided.
        let report = GradCheck.projected(Self.problem, name: "test", methods: [.bptt, .perStep], control: RunControl(isCancelled: { true }))
        #expect(report.stop == .cancelled && report.status == .inconclusive)
        #expect(report.methods.map { $0.projection == nil } == [false, true] && report.methods.allSatisfy { $0.outcome == .inconclusive })
    }
}
