import Foundation
import Testing
@testable import LSTMGradCheck

/// What `verify` requires of a file in every layout, what it reads as a slip for a wanted
/// key, and how a fixture that decides nothing is reported, on generated networks.
@Suite struct VerifyCompletenessTests {
    static func verify<C: Cell>(_ p: Problem<C, Double>, _ files: [(key: String, tensor: Tensor)], keys: [String]? = nil,
                                form: LayoutForm = LayoutForm(.cs231n)) throws -> VerifyReport {
        try Verify.run(p, name: "f", user: try LayoutTests.userFile(files, "completeness"), reference: exact(p),
                       referenceName: "exact", tolerance: 1e-6, keys: keys, form: form)
    }

    static func statuses(_ r: VerifyReport) -> [String: VerifiedTensor.Status] {
        Dictionary(uniqueKeysWithValues: r.tensors.map { ($0.fileKey, $0.status) })
    }

    /// With one class every gradient is exactly zero (the softmax is identically 1): gradients
    /// that equal it are inconclusive, never a match, and the conclusion says why once.
    @Test(arguments: [CellKind.lstm, .rnn, .gru])
    func zeroGradientsOnAFixtureThatDecidesNothingAreInconclusive(_ kind: CellKind) throws {
        func check<C: Cell>(_: C.Type) throws {
            let p = Problem<C, Double>.random(Dims(n_x: 3, n_a: 4, n_y: 1, steps: 3, batch: 5), seed: 4)
            let zeros = p.inputs.map { (key: $0.gradientName, tensor: Tensor(zeros: p.shape(of: $0))) }
            let r = try Self.verify(p, zeros, form: .coursera)
            #expect(r.status == .inconclusive)
            #expect(r.tensors.allSatisfy { $0.status == .inconclusive })
            #expect(!r.conclusion.contains("match"))
            #expect(r.conclusion == "NOTHING DECIDED: the \(zeros.count) provided gradients equal the exact gradient, but every gradient of this network is exactly zero (n_y = 1: with one class the softmax is identically 1, so the loss is constant), so no derivation can be told from another.")
            // A gradient that is not zero there is wrong, and the rest still decide nothing.
            var one = zeros
            one[0].tensor.data[0] = 1e-3
            let wrong = try Self.verify(p, one, form: .coursera)
            #expect(wrong.status == .mismatch)
            #expect(Self.statuses(wrong)[one[0].key] == .mismatch)
            #expect(wrong.tensors.filter { $0.status == .inconclusive }.count == zeros.count - 1)
            #expect(wrong.conclusion.hasPrefix("1 of the \(zeros.count) provided gradients is wrong: \(one[0].key). NOTHING DECIDED: "))
        }
        switch kind {
        case .lstm: try check(LSTM.self)
        case .rnn: try check(RNN.self)
        default: try check(GRU.self)
        }
    }
}
