/// A mistake on the command line: printed as one line, exit status 2.
struct UsageError: Error, CustomStringConvertible {
    var message: String
    /// The command whose help to point at.
    var command: String?

    var description: String {
        let help = command.map { "lstm-gradcheck \($0) --help" } ?? "lstm-gradcheck --help"
        return "\(message) (see '\(help)')"
    }
}

/// One option a command takes.
struct OptionSpec: Sendable {
    var name: String
    /// The value's placeholder in help (`N`, `FILE`); nil for a flag without a value.
    var value: String?
    var help: String
}

/// The options given to one command, as typed; values are checked by the command.
struct ParsedOptions {
    let command: String
    private(set) var values: [String: String] = [:]
    private(set) var flags: Set<String> = []
    /// Words that are not options, for commands that take them (`notebook cell`).
    private(set) var positionals: [String] = []

    init(command: String, arguments: [String], specs: [OptionSpec], maxPositionals: Int = 0) throws(UsageError) {
        self.command = command
        var k = 0
        while k < arguments.count {
            let arg = arguments[k]
            k += 1
            guard arg.hasPrefix("--"), arg.count > 2 else {
                guard positionals.count < maxPositionals, !arg.hasPrefix("-") else {
                    throw UsageError(message: "unexpected argument '\(arg)'", command: command)
                }
                positionals.append(arg)
                continue
            }
            var name = String(arg.dropFirst(2))
            var inline: String?
            if let eq = name.firstIndex(of: "=") {
                inline = String(name[name.index(after: eq)...])
                name = String(name[..<eq])
            }
            guard let spec = specs.first(where: { $0.name == name }) else {
                throw UsageError(message: "unknown option '--\(name)' for '\(command)'", command: command)
            }
            if spec.value == nil {
                if inline != nil { throw UsageError(message: "option '--\(name)' takes no value", command: command) }
                flags.insert(name)
                continue
            }
            if values[name] != nil {
                throw UsageError(message: "option '--\(name)' given twice", command: command)
            }
            if let inline {
                values[name] = inline
            } else if k < arguments.count {
                values[name] = arguments[k]
                k += 1
            } else {
                throw UsageError(message: "option '--\(name)' needs a value (\(spec.value ?? ""))", command: command)
            }
        }
    }

    func string(_ name: String) -> String? { values[name] }

    func has(_ flag: String) -> Bool { flags.contains(flag) }

    /// A whole number in `range`, or `fallback` when absent.
    func int(_ name: String, default fallback: Int, in range: ClosedRange<Int>) throws(UsageError) -> Int {
        guard let text = values[name] else { return fallback }
        guard let v = Int(text), range.contains(v) else {
            throw UsageError(message: "option '--\(name)' takes a whole number from \(range.lowerBound) to \(range.upperBound), not '\(text)'", command: command)
        }
        return v
    }

    /// A finite positive number, or `fallback` when absent.
    func positive(_ name: String, default fallback: Double) throws(UsageError) -> Double {
        guard let text = values[name] else { return fallback }
        guard let v = Double(text), v.isFinite, v > 0 else {
            throw UsageError(message: "option '--\(name)' takes a finite positive number, not '\(text)'", command: command)
        }
        return v
    }

    /// One of `choices`, or `fallback` when absent.
    func choice(_ name: String, _ choices: [String], default fallback: String) throws(UsageError) -> String {
        guard let text = values[name] else { return fallback }
        guard choices.contains(text) else {
            throw UsageError(message: "option '--\(name)' takes one of \(choices.joined(separator: ", ")), not '\(text)'", command: command)
        }
        return text
    }
}
