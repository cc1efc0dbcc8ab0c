import Foundation
import Testing
@testable import LSTMGradCheck

/// Every key of every shipped fixture (Coursera's and each layout's, every cell), misspelt,
/// is refused with the key it was meant to be: the project rule's "did you mean".
@Suite struct MisspeltKeyTests {
    /// The shipped fixtures: Coursera's own and every layout's.
    static let files: [String] = {
        let top = repositoryFolder.appendingPathComponent("Fixtures")
        let layouts = top.appendingPathComponent("layouts")
        return ["default.json", "rnn-default.json"].map { top.appendingPathComponent($0).path }
            + jsonFileNames(in: layouts).map { layouts.appendingPathComponent($0).path }
    }()

    /// The error `json` is refused with, or nil.
    func refusal(_ json: JSONValue) -> InputError? {
        do {
            _ = try FixtureFile.decode(json, source: "f.json", defaultName: "f")
            return nil
        } catch {
            return error
        }
    }

    /// `json` with the member `key` of the object at `parent` (top level when nil) renamed.
    func renamed(_ json: JSONValue, _ key: String, to newKey: String, in parent: String? = nil) -> JSONValue {
        func rename(_ value: JSONValue) -> JSONValue {
            guard case .object(let members) = value else { return value }
            return .object(members.map { $0.key == key ? JSONMember(newKey, $0.value) : $0 })
        }
        guard let parent else { return rename(json) }
        guard case .object(let members) = json else { return json }
        return .object(members.map { $0.key == parent ? JSONMember(parent, rename($0.value)) : $0 })
    }

    func keys(_ value: JSONValue?) -> [String] {
        guard case .object(let members)? = value else { return [] }
        return members.map(\.key)
    }

    @Test(arguments: files)
    func everyKeyMisspeltIsRefusedWithTheKeyItWasMeantToBe(_ path: String) throws {
        let json = try FileAccess.json(try FileAccess.read(path), source: path)
        #expect(refusal(json) == nil, "\(path) is read as it is")
        var checked = 0
        for parent in [nil, "parameters", "dims"] as [String?] {
            let names = parent.map { keys(json[$0]) } ?? keys(json)
            for key in names {
                // One letter doubled: one edit away from the key, and further from every other.
                let slip = key + String(key.last!)
                let error = try #require(refusal(renamed(json, key, to: slip, in: parent)), "\(path): \(slip) accepted")
                #expect(error.key == (parent.map { "\($0)." } ?? "") + slip, "\(path): \(error)")
                #expect(error.found?.hasSuffix("(did you mean \"\(key)\"?)") == true, "\(path): \(error)")
                #expect(!error.description.contains("\n"))
                checked += 1
            }
        }
        #expect(checked >= 8)
    }

    @Test func coursera() throws {
        let path = repositoryFolder.appendingPathComponent("Fixtures/default.json").path
        let json = try FileAccess.json(try FileAccess.read(path), source: path)
        // The audit's two: `nx` for `n_x` (one edit), `params` for `parameters` (an abbreviation).
        #expect(refusal(renamed(json, "n_x", to: "nx", in: "dims"))?.description
            == "f.json: dims.nx: expected a known size: one of n_x, n_a, n_y, steps, T_x, batch, m, found an unknown key (did you mean \"n_x\"?)")
        #expect(refusal(renamed(json, "parameters", to: "params"))?.description
            == "f.json: params: expected a known fixture key: one of name, description, layout, cell, dims, parameters, a0, c0, x, y, da, expect, found an unknown key (did you mean \"parameters\"?)")
        #expect(refusal(renamed(json, "description", to: "desc"))?.found == "an unknown key (did you mean \"description\"?)")
        // Nothing near: no suggestion.
        #expect(refusal(renamed(json, "a0", to: "hidden"))?.found == "an unknown key")
    }

    @Test func layouts() throws {
        func read(_ stem: String) throws -> JSONValue {
            let path = repositoryFolder.appendingPathComponent("Fixtures/layouts/\(stem).json").path
            return try FileAccess.json(try FileAccess.read(path), source: path)
        }
        let torch = try read("pytorch-lstm"), keras = try read("keras-gru"), cs = try read("cs231n-lstm")
        #expect(refusal(renamed(torch, "parameters", to: "params"))?.found == "an unknown key (did you mean \"parameters\"?)")
        #expect(refusal(renamed(torch, "grad_output", to: "grad_out"))?.found == "an unknown key (did you mean \"grad_output\"?)")
        #expect(refusal(renamed(keras, "recurrent_kernel", to: "recurrent", in: "parameters"))?.description
            == "f.json: parameters.recurrent: expected a known keras gru-reset-before parameter: one of kernel, recurrent_kernel, bias, found an unknown key (did you mean \"recurrent_kernel\"?)")
        // A misspelt "cell" in a GRU's file is said as such, not as the LSTM it leaves.
        #expect(refusal(renamed(keras, "cell", to: "cel"))?.description
            == "f.json: cel: expected a known keras fixture key: one of name, description, layout, cell, parameters, inputs, h0, c0, grad_output, found an unknown key (did you mean \"cell\"?)")
        // Another layout's name, not near one of this layout's, is said to be so.
        #expect(refusal(renamed(cs, "Wx", to: "kernel", in: "parameters"))?.found
            == "an unknown key (\"kernel\" is the keras layout's name, and this file is in the cs231n layout)")
    }

    @Test func aMisspeltCellOrLayoutValue() throws {
        let path = repositoryFolder.appendingPathComponent("Fixtures/layouts/cs231n-lstm.json").path
        guard case .object(var members) = try FileAccess.json(try FileAccess.read(path), source: path) else {
            Issue.record("not an object")
            return
        }
        let k = try #require(members.firstIndex { $0.key == "cell" })
        members[k].value = .string("lsmt")
        #expect(refusal(.object(members))?.description
            == "f.json: cell: expected \"lstm\" or \"rnn\" or \"gru\" or \"gru-reset-before\", found \"lsmt\" (did you mean \"lstm\"?)")
        members[k].value = .string("mlp")
        #expect(refusal(.object(members))?.found == "\"mlp\"")
    }

    @Test func suggestions() {
        let names = ["name", "description", "layout", "cell", "dims", "parameters", "a0", "c0", "x", "y", "da", "expect"]
        #expect(InputError.suggestion("params", in: names) == "parameters")
        #expect(InputError.suggestion("param", in: names) == "parameters")
        #expect(InputError.suggestion("Parameters", in: names) == "parameters")
        #expect(InputError.suggestion("desc", in: names) == "description")
        #expect(InputError.suggestion("A0", in: names) == "a0")
        // Two names one edit away: the one that begins with more of the slip.
        #expect(InputError.suggestion("Wyaa", in: ["Waa", "Wax", "Wya", "ba", "by"]) == "Wya")
        #expect(InputError.suggestion("Waaa", in: ["Waa", "Wax", "Wya", "ba", "by"]) == "Waa")
        // Too short to abbreviate, or letters out of order, or two names it could shorten.
        #expect(InputError.suggestion("pm", in: names) == nil)
        #expect(InputError.suggestion("par", in: names) == "parameters")
        #expect(InputError.suggestion("weights", in: names) == nil)
        #expect(InputError.suggestion("whh", in: ["weight_ih_l0", "weight_hh_l0"]) == nil)
        #expect(InputError.suggestion("w_hh", in: ["weight_ih_l0", "weight_hh_l0"]) == "weight_hh_l0")
    }
}
