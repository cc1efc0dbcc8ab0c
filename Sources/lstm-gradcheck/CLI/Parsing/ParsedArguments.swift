/// The words of one command, sorted against its option specs: which flags were given and the
/// strings given to each option. Commands read them once, through the typed accessors below,
/// into their options structs; nothing downstream sees a string the user typed as an option.
struct ParsedArguments {
    /// The subcommand; nil for the tool's own options.
    let command: String?
    private var values: [String: [String]] = [:]
    private var flags: Set<String> = []
    /// Words that are not options, for commands that take them (`notebook cell`).
    private(set) var positionals: [String] = []

    init(command: String?, arguments: [String], specs: [OptionSpec], positionals maxPositionals: Int = 0) throws(UsageError) {
        self.command = command
        var k = 0
        while k < arguments.count {
            let arg = arguments[k]
            k += 1
            guard arg.hasPrefix("--"), arg.count > 2 else {
                guard positionals.count < maxPositionals, !arg.hasPrefix("-") else {
                    throw UsageError(.unexpectedArgument(arg), command: command)
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
                throw UsageError(.unknownOption(name, suggestion: Suggestion.closest(to: name, in: specs.map(\.name))), command: command)
            }
            guard let placeholder = spec.value else {
                if inline != nil { throw UsageError(.flagTakesNoValue(name), command: command) }
                flags.insert(name)
                continue
            }
            if values[name] != nil && !spec.repeatable {
                throw UsageError(.givenTwice(name), command: command)
            }
            if let inline {
                values[name, default: []].append(inline)
            } else if k < arguments.count {
                values[name, default: []].append(arguments[k])
                k += 1
            } else {
                throw UsageError(.missingValue(name, placeholder: placeholder), command: command)
            }
        }
    }

    /// Whether `spec` was given (a flag, or an option with a value).
    func has(_ spec: OptionSpec) -> Bool { flags.contains(spec.name) || values[spec.name] != nil }

    /// The value of a single-valued option, if given.
    func string(_ spec: OptionSpec) -> String? { values[spec.name]?.first }

    /// Every value of a repeatable option, in the order given.
    func strings(_ spec: OptionSpec) -> [String] { values[spec.name] ?? [] }

    private func invalid(_ spec: OptionSpec, _ expected: String, _ text: String, suggestion: String? = nil) -> UsageError {
        UsageError(.invalidValue(option: spec.name, expected: expected, value: text, suggestion: suggestion), command: command)
    }

    /// A whole number in `range`, or `fallback` when absent.
    func int(_ spec: OptionSpec, default fallback: Int, in range: ClosedRange<Int>) throws(UsageError) -> Int {
        guard let text = string(spec) else { return fallback }
        guard let v = Int(text), range.contains(v) else {
            throw invalid(spec, "a whole number from \(range.lowerBound) to \(range.upperBound)", text)
        }
        return v
    }

    /// A whole number in `range`, or nil when absent.
    func int(_ spec: OptionSpec, in range: ClosedRange<Int>) throws(UsageError) -> Int? {
        has(spec) ? try int(spec, default: 0, in: range) : nil
    }

    /// A finite positive number, or nil when absent.
    func positive(_ spec: OptionSpec) throws(UsageError) -> Double? {
        guard let text = string(spec) else { return nil }
        guard let v = Double(text), v.isFinite, v > 0 else {
            throw invalid(spec, "a finite positive number", text)
        }
        return v
    }

    /// One of `choices` (by default every case), or `fallback` when absent; a value that is
    /// not one of them names them all, and the one it is a slip of.
    func choice<E: ArgumentChoice>(_ spec: OptionSpec, among choices: [E] = Array(E.allCases), default fallback: E) throws(UsageError) -> E {
        guard let text = string(spec) else { return fallback }
        return try choice(text, for: spec, among: choices)
    }

    func choice<E: ArgumentChoice>(_ text: String, for spec: OptionSpec, among choices: [E] = Array(E.allCases)) throws(UsageError) -> E {
        if let value = choices.first(where: { $0.rawValue == text }) { return value }
        throw oneOf(spec, choices.map(\.rawValue), text)
    }

    private func oneOf(_ spec: OptionSpec, _ names: [String], _ text: String) -> UsageError {
        UsageError.notOneOf(names, text, for: spec, command: command)
    }
}

/// An option value from a fixed list: the raw values are the spellings on the command line.
protocol ArgumentChoice: RawRepresentable, CaseIterable, Sendable where RawValue == String {}
