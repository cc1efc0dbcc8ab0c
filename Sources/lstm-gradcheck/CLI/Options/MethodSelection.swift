import LSTMGradCheck

/// `--methods`: the derivations to check, resolved against each network's cell.
enum MethodSelection: Sendable {
    /// The cell's core methods (no `--methods`).
    case core
    /// The whole catalogue (`--methods all`).
    case all
    /// A comma-separated list, in the order given.
    case named([String])

    static let spec = OptionSpec(name: "methods", value: "LIST", help: "Comma-separated derivations to check, from \(derivationNames), or all for the whole catalogue (default bptt,coursera,per-step).")

    static let derivationNames = LSTM.methodNames.filter { $0 != Method<LSTM>.numerical.name }.joined(separator: ", ")

    /// The word that asks for the whole catalogue.
    static let everything = "all"

    init(_ p: ParsedArguments, spec: OptionSpec = spec) {
        guard let text = p.string(spec) else {
            self = .core
            return
        }
        self = text == Self.everything ? .all
            : .named(text.split(separator: ",", omittingEmptySubsequences: false).map { String($0).trimmingSpaces })
    }

    /// The methods for cell `C` on `steps` steps; an unknown name is a usage error of `command`.
    func methods<C: Cell>(_: C.Type, steps: Int, command: String) throws(UsageError) -> [Method<C>] {
        switch self {
        case .core: return C.coreMethods
        case .all: return C.catalogue(steps: steps)
        case .named(let names):
            let numerical = Method<C>.numerical.name
            var methods: [Method<C>] = []
            for name in names {
                guard name != numerical, let m = C.method(named: name, steps: steps) else {
                    let hint = name == numerical ? " (numerical is the reference every method is compared with)" : ""
                    let names = C.methodNames.filter { $0 != numerical }
                    throw UsageError(.unknownMethod(name, hint: hint, choices: names.joined(separator: ", ") + " or \(Self.everything)",
                                                    suggestion: name == numerical ? nil : Suggestion.closest(to: name, in: names)), command: command)
                }
                if !methods.contains(where: { $0.name == m.name }) { methods.append(m) }
            }
            return methods
        }
    }
}

extension String {
    var trimmingSpaces: String {
        var s = Substring(self)
        while s.first == " " { s = s.dropFirst() }
        while s.last == " " { s = s.dropLast() }
        return String(s)
    }
}
