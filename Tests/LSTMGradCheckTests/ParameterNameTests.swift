import Testing
@testable import LSTMGradCheck

/// A parameter's name is its key in fixture and gradient files: the notebooks' names, written
/// out here by hand, in report order; each read back to its parameter, printed as itself.
@Suite struct ParameterNameTests {
    static let lstm = ["Wf", "bf", "Wi", "bi", "Wc", "bc", "Wo", "bo", "Wy", "by"]
    static let rnn = ["Waa", "Wax", "ba", "Wya", "by"]

    func roundTrip<C: Cell>(_: C.Type, _ names: [String]) {
        #expect(C.Parameter.allCases.map(\.name) == names)
        for (k, p) in C.Parameter.allCases.enumerated() {
            #expect(p.index == k)
            #expect("\(p)" == names[k])
            #expect(Input<C>(name: names[k]) == .parameter(p))
            #expect(Input<C>.parameter(p).gradientName == "d" + names[k])
        }
        // Names are exact: no other case, no prefix, no other cell's.
        for wrong in names.map({ $0.lowercased() }) + names.map({ $0 + "x" }) + ["", "W", "dWf"] where !names.contains(wrong) {
            #expect(Input<C>(name: wrong) == nil, "\(wrong)")
        }
    }

    @Test func eachCellsNames() {
        roundTrip(LSTM.self, Self.lstm)
        roundTrip(RNN.self, Self.rnn)
        roundTrip(GRU.self, GRUTests.parameterNames)
        roundTrip(GRUResetBefore.self, ["Wir", "Wiz", "Win", "Whr", "Whz", "Whn", "br", "bz", "bn", "Wy", "by"])
        #expect(Input<LSTM>(name: "Waa") == nil && Input<RNN>(name: "Wf") == nil)
    }
}
