import Foundation
import Testing
@testable import LSTMGradCheck

/// Shards of a finite-difference run: the slicing, the selection through both backends, the
/// fingerprint, and the part file's reading and merging.
@Suite struct ShardsTests {
    /// Every element in exactly one slice, in order, each slice one run of numbers.
    static func expectPartition(_ slices: [ElementSelection], count: Int, _ comment: Comment) {
        #expect(slices.flatMap(\.numbers) == Array(0..<count), comment)
        #expect(slices.allSatisfy { $0.ranges.count <= 1 }, comment)
    }

    @Test func equalCostsGiveSizesWithinOneOfEachOther() {
        for count in [0, 1, 2, 5, 7, 100, 1001] {
            for n in [1, 2, 3, 5, 8, 13, 200] {
                let slices = Shards.slices(costs: Array(repeating: 1, count: count), count: n)
                #expect(slices.count == n)
                Self.expectPartition(slices, count: count, "count \(count), N \(n)")
                let sizes = slices.map(\.count)
                #expect(sizes.max()! - sizes.min()! <= 1, "count \(count), N \(n): \(sizes)")
            }
        }
    }

    /// Unequal costs: each slice's cost is within one element's cost of total/N, and the same
    /// costs and N always give the same slices.
    @Test func costsAreBalancedWithinTheLargestElement() {
        var g = SeededGenerator(seed: 17)
        for trial in 0..<200 {
            let count = g.index(300), costs = (0..<count).map { _ in 1 + g.index(trial % 2 == 0 ? 10 : 1000) }
            let n = 1 + g.index(9)
            let slices = Shards.slices(costs: costs, count: n)
            Self.expectPartition(slices, count: count, "trial \(trial)")
            #expect(slices == Shards.slices(costs: costs, count: n))
            let total = Double(costs.reduce(0, +)), largest = Double(costs.max() ?? 0)
            for s in slices {
                let cost = Double(s.numbers.reduce(0) { $0 + costs[$1] })
                #expect(abs(cost - total / Double(n)) <= largest, "trial \(trial): \(cost) of \(total) / \(n)")
            }
        }
    }

    /// The batched kernel's costs: a gate weight runs 2m columns over every step, an x element
    /// of step t two columns over T − t steps; the large network's three shards cost within
    /// one weight of a third each.
    @Test func theLSTMCostsFollowTheKernel() {
        let d = Dims(n_x: 2, n_a: 3, n_y: 2, steps: 4, batch: 5)
        let p = Problem<LSTM, Double>.random(d, seed: 3)
        let costs = LSTM.finiteDifferenceCosts(p, .central())
        #expect(costs.count == FiniteDifferences.elementCount(p))
        #expect(costs[0] == 2 * 5 * 4)   // Wf[0, 0]
        let x = p.inputs.firstIndex(of: .x)!, xStart = p.inputs[..<x].reduce(0) { $0 + p.shape(of: $1).reduce(1, *) }
        #expect(Array(costs[xStart..<(xStart + 4)]) == [8, 6, 4, 2])   // x[0, 0, t] for t = 0…3
        #expect(LSTM.finiteDifferenceCosts(p, .estimate(.richardson)) == Array(repeating: 1, count: costs.count))
        #expect(RNN.finiteDifferenceCosts(Problem<RNN, Double>.random(d, seed: 3), .central()).allSatisfy { $0 == 1 })
        let large = Problem<LSTM, Double>.random(Dims(n_x: 32, n_a: 64, n_y: 32, steps: 50, batch: 8), seed: 1)
        let all = LSTM.finiteDifferenceCosts(large, .central()), total = all.reduce(0, +)
        for s in Shards.plan(large, .central(), count: 3) {
            #expect(abs(s.numbers.reduce(0) { $0 + all[$1] } - total / 3) <= all.max()!)
        }
    }

    @Test func aSelectionIsTheUnionOfItsRanges() {
        let s = ElementSelection([5..<7, 0..<2, 1..<3, 7..<9, 12..<12, 20..<21])
        #expect(s.ranges == [0..<3, 5..<9, 20..<21])
        #expect(s.count == 8)
        #expect(s.numbers(in: 2..<6) == [2, 5])
        #expect(ElementSelection([]).numbers.isEmpty)
    }

    /// An element's result does not depend on which others are computed with it: every shard of
    /// the batched central differences (plain and with estimates), the element-by-element ones
    /// (Richardson, the RNN) and the RNN's estimate gives the whole run's bits.
    @Test(arguments: ShardsTests.requests)
    func shardsGiveTheWholeRunsBits(_ label: String) {
        let request = Self.request(label)
        let problems = namedProblems(count: 4, seed: 71)
        for (name, p) in problems.sorted(by: { $0.key < $1.key }) {
            Self.expectShardsEqualWhole(p, request, "\(label), \(name)")
        }
        for d in randomDims(count: 4, seed: 72) {
            Self.expectShardsEqualWhole(Problem<RNN, Double>.random(d, seed: 5), request, "\(label), rnn \(d)")
        }
    }

    static let requests = ["central", "central estimate", "richardson estimate"]

    static func request(_ label: String) -> FiniteDifferences.Request {
        switch label {
        case "central": return .central()
        case "central estimate": return .estimate(.central)
        default: return .estimate(.richardson)
        }
    }

    static func expectShardsEqualWhole<C: Cell>(_ p: Problem<C, Double>, _ request: FiniteDifferences.Request, _ comment: String) {
        let whole = FiniteDifferences.elements(p, request, control: RunControl(threads: 2))
        #expect(whole.isComplete && whole.numbers == Array(0..<FiniteDifferences.elementCount(p)))
        func bits(_ v: [Double?]) -> [UInt64?] { v.map { $0?.bitPattern } }
        for n in [2, 3, 5] {
            var values: [Double?] = [], errors: [Double?] = [], numbers: [Int] = []
            for selection in Shards.plan(p, request, count: n) {
                let part = FiniteDifferences.elements(p, request.selecting(selection), control: RunControl(threads: 1))
                #expect(part.numbers == selection.numbers && part.isComplete)
                numbers += part.numbers
                values += part.values
                errors += part.errors
            }
            #expect(numbers == whole.numbers, "\(comment), N \(n)")
            #expect(bits(values) == bits(whole.values), "\(comment), N \(n)")
            #expect(bits(errors) == bits(whole.errors), "\(comment), N \(n)")
        }
        // A scattered selection too, not only the planned runs of numbers.
        var g = SeededGenerator(seed: 3)
        let scattered = ElementSelection(whole.numbers.filter { _ in g.index(3) == 0 }.map { $0..<($0 + 1) })
        let part = FiniteDifferences.elements(p, request.selecting(scattered))
        #expect(bits(part.values) == bits(scattered.numbers.map { whole.values[$0] }), "\(comment), scattered")
    }

    /// Gathering every element's results gives `estimate`'s tensors.
    @Test func gatheringTheElementsIsTheEstimate() {
        let p = Problem<LSTM, Double>.random(Dims(n_x: 2, n_a: 3, n_y: 2, steps: 4, batch: 3), seed: 4)
        let gathered = NumericalGradient(p, FiniteDifferences.elements(p, .estimate(.central)))
        #expect(gathered == FiniteDifferences.estimate(p, scheme: .central))
    }

    @Test func theFingerprintIsStableAndSeesEveryBit() {
        let p = Problem<LSTM, Double>.random(Dims(n_x: 2, n_a: 3, n_y: 2, steps: 4, batch: 3), seed: 4)
        let f = Shards.fingerprint(p, context: "grads")
        #expect(f == Shards.fingerprint(Problem<LSTM, Double>.random(Dims(n_x: 2, n_a: 3, n_y: 2, steps: 4, batch: 3), seed: 4), context: "grads"))
        #expect(Shards.hex(f).count == 16)
        #expect(Shards.hex(0xab) == "00000000000000ab")
        #expect(f != Shards.fingerprint(p, context: "check"))
        var q = p
        q.set(.x, 5, to: q.tensor(.x).data[5].nextUp)
        #expect(f != Shards.fingerprint(q, context: "grads"))
        var r = p
        if case .labels(var labels) = r.target {
            labels[0][0] = 1 - labels[0][0]
            r.target = .labels(labels)
        }
        #expect(f != Shards.fingerprint(r, context: "grads"))
        let rnn = Problem<RNN, Double>.random(Dims(n_x: 2, n_a: 3, n_y: 2, steps: 4, batch: 3), seed: 4)
        #expect(f != Shards.fingerprint(rnn, context: "grads"))
        // FNV-1a's published test vector: "a" (without our terminating 0).
        var h = FNV1a()
        h.add(byte: 0x61)
        #expect(h.value == 0xaf63_dc4c_8601_ec8c)
    }

    static func parts(_ n: Int, fingerprint: String = "00000000000000ff", command: String = "grads") -> [(source: String, part: ShardPart)] {
        let inputs = [ShardPart.ShapedInput(name: "Waa", shape: [2, 2]), ShardPart.ShapedInput(name: "x", shape: [1, 2, 3])]
        let slices = Shards.slices(costs: Array(repeating: 1, count: 10), count: n)
        return slices.enumerated().map { k, s in
            ("part-\(k + 1).json", ShardPart(command: command, fingerprint: fingerprint, index: k + 1, count: n, name: "t", cell: .rnn,
                                            dims: Dims(n_x: 1, n_a: 2, n_y: 0, steps: 3, batch: 2), inputs: inputs,
                                            elements: s.ranges, values: s.numbers.map { Double($0) / 4 }))
        }
    }

    @Test func aPartReadsBackAsWritten() throws {
        for (source, part) in Self.parts(3) {
            var p = part
            p.values[0] = -0.0
            p.errors = p.values.map { $0 * 1e-300 }
            p.extra = .object([JSONMember("options", .array([.string("--format")]))])
            let text = JSON.serialize(ShardFile.encode(p))
            let back = try ShardFile.decode(try JSON.parse(text), source: source)
            #expect(back == p)
            #expect(back.values[0].sign == .minus)
        }
    }

    @Test func mergeJoinsAWholeSetInAnyOrder() throws {
        var parts = Self.parts(3)
        parts.reverse()
        let merged = try ShardFile.merge(parts)
        #expect(merged.values == (0..<10).map { Double($0) / 4 })
        #expect(merged.errors == nil)
        let file = try ShardFile.gradientFile(merged.values, of: parts[0].part)
        #expect(file["dWaa"] == .array([.array([.number(0), .number(0.25)]), .array([.number(0.5), .number(0.75)])]))
    }

    @Test func mergeRefusesAnythingButOneWholeSet() {
        func message(_ parts: [(source: String, part: ShardPart)]) -> String {
            do { _ = try ShardFile.merge(parts); return "" } catch { return error.message }
        }
        let three = Self.parts(3)
        #expect(message([three[0], three[2]]) == "shard 2/3 is missing: given 1/3 (part-1.json), 3/3 (part-3.json)")
        #expect(message(three + [three[1]]) == "part-2.json: shard 2/3 again (part-2.json holds it too)")
        #expect(message([three[0], Self.parts(3, fingerprint: "00000000000000fe")[1], three[2]])
                == "part-2.json: from another network or run: fingerprint 00000000000000fe, but part-1.json has 00000000000000ff")
        #expect(message([three[0], Self.parts(2)[1]])
                == "part-2.json: shard 2/2, but part-1.json is shard 1/3: parts of splits into different numbers of shards")
        #expect(message([three[0], Self.parts(3, command: "check")[1]]) == "part-2.json: a part of 'check', but part-1.json is a part of 'grads'")
        var overlapping = three
        overlapping[1].part.elements = [3..<8]
        overlapping[1].part.values = [1, 2, 3, 4, 5]
        #expect(message(overlapping) == "part-2.json: elements 3…3 also in part-1.json")
        var short = three
        short[2].part.elements = [7..<9]
        short[2].part.values = [1, 2]
        #expect(message(short) == "elements 9…9 of 10 are in no part")
        #expect(message([]) == "no parts to merge")
    }

    @Test func badPartsAreNamedWithTheKey() {
        func error(_ text: String) -> String {
            do { _ = try ShardFile.decode(try JSON.parse(text), source: "p.json"); return "" } catch { return "\(error)" }
        }
        #expect(error(#"{"dWf": [[1]]}"#) == #"p.json: expected a shard part written by 'lstm-gradcheck … --shard K/N', found a JSON object without "lstm-gradcheck": "shard part""#)
        #expect(error("[1, 2]") == "p.json: expected a shard part written by 'lstm-gradcheck … --shard K/N', found an array of 2")
        var good = JSON.serialize(ShardFile.encode(Self.parts(3)[1].part))
        #expect(error(good) == "")
        #expect(error(good.replacingOccurrences(of: #""version": 1"#, with: #""version": 2"#))
                == "p.json: version: expected 1, the part format of this lstm-gradcheck, found 2")
        #expect(error(good.replacingOccurrences(of: #""shard": "2/3""#, with: #""shard": "4/3""#))
                == #"p.json: shard: expected K/N with 1 ≤ K ≤ N, found "4/3""#)
        good = good.replacingOccurrences(of: "[4, 7]", with: "[4, 11]")
        #expect(error(good) == "p.json: elements[0]: expected a pair [first, end) of element numbers, ascending, within the 10 elements, found an array of 2")
    }
}
