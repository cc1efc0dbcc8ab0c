import Foundation
import Testing
@testable import LSTMGradCheck

/// A recurrent weight of the wrong shape is refused with the shape H says, H read from the
/// other tensors: a transposed weight's own axes would give H = 4H (`H × 4H = 16 × 64` for a
/// 16 × 4 weight whose H is 4).
@Suite struct RecurrentWeightShapeTests {
    /// The refusal of the shipped fixture `stem` with parameter `key` replaced by zeros of `shape`
    /// and the top-level members in `drop` removed.
    func refusal(_ stem: String, _ key: String, _ shape: [Int], drop: [String] = [], parameters dropped: [String] = []) throws -> String? {
        let path = LayoutTests.path(stem)
        guard case .object(var members) = try FileAccess.json(try FileAccess.read(path), source: path) else { return "not an object" }
        LayoutTests.setParameter(&members, key, LayoutTests.zeros(shape))
        for k in drop { LayoutTests.set(&members, k, nil) }
        for k in dropped { LayoutTests.setParameter(&members, k, nil) }
        do {
            _ = try FixtureFile.decode(.object(members), source: "f.json", defaultName: "f")
            return nil
        } catch {
            return error.description
        }
    }

    @Test func aTransposedRecurrentWeightIsToldItsShape() throws {
        // The fixtures' H is 4 (h0 is N × H = 3 × 4); an LSTM stacks 4H = 16, a GRU 3H = 12.
        #expect(try refusal("cs231n-lstm", "Wh", [16, 4]) == "f.json: parameters.Wh: expected a matrix of shape H × 4H = 4 × 16, found 16 × 4")
        #expect(try refusal("keras-lstm", "recurrent_kernel", [16, 4])
            == "f.json: parameters.recurrent_kernel: expected a matrix of shape H × 4H = 4 × 16, found 16 × 4")
        #expect(try refusal("pytorch-lstm", "weight_hh_l0", [4, 16])
            == "f.json: parameters.weight_hh_l0: expected a matrix of shape 4H × H = 16 × 4, found 4 × 16")
        #expect(try refusal("pytorch-gru", "weight_hh_l0", [4, 12])
            == "f.json: parameters.weight_hh_l0: expected a matrix of shape 3H × H = 12 × 4, found 4 × 12")
        #expect(try refusal("keras-gru", "recurrent_kernel", [12, 4])
            == "f.json: parameters.recurrent_kernel: expected a matrix of shape H × 3H = 4 × 12, found 12 × 4")
    }

    @Test func hIsReadFromTheStatesWhenTheInputWeightCannotSay() throws {
        // Without the input weight, H comes from h0, then from the upstream gradient.
        #expect(try refusal("cs231n-lstm", "Wh", [16, 4], parameters: ["Wx"]) == "f.json: parameters.Wh: expected a matrix of shape H × 4H = 4 × 16, found 16 × 4")
        #expect(try refusal("cs231n-lstm", "Wh", [16, 4], drop: ["h0"], parameters: ["Wx"])
            == "f.json: parameters.Wh: expected a matrix of shape H × 4H = 4 × 16, found 16 × 4")
        // Nothing else says H: the weight's own rows do, as before.
        #expect(try refusal("cs231n-lstm", "Wh", [4, 15], drop: ["h0", "dout"], parameters: ["Wx"])
            == "f.json: parameters.Wh: expected a matrix of shape H × 4H = 4 × 16, found 4 × 15")
    }
}
