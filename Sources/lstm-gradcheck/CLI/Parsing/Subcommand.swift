/// One option a command takes. The same value drives parsing, `--help`, the completion
/// scripts and the manual, so they cannot drift apart.
struct OptionSpec: Sendable {
    var name: String
    /// The value's placeholder in help (`N`, `FILE`); nil for a flag without a value.
    var value: String?
    var help: String
    /// Whether it may be given more than once (`--fixture a.json --fixture b.json`).
    var repeatable = false
    /// What a shell should offer for its value.
    var completion: ValueCompletion = .none

    /// `--name` or `--name <VALUE>`, as help and the manual show it.
    var label: String { "--\(name)" + (value.map { " <\($0)>" } ?? "") }

    /// Whether two specs are the same option (their help may differ between commands).
    func same(as other: OptionSpec) -> Bool { name == other.name }
}

/// What a shell completes an option's value (or a positional word) with.
enum ValueCompletion: Sendable, Equatable {
    case none
    /// One of these words.
    case choices([String])
    /// A path to a file (or folder) to read.
    case file
    /// A path to write.
    case outputFile
}

/// A word a command takes after its name (`notebook cell`).
struct Positional: Sendable {
    /// Its placeholder (`TEST`).
    var name: String
    var choices: [String]
    /// Completes "say which …" when the word is missing or not one of `choices`.
    var what: String
}

/// What `--help`, the completion scripts and the manual say about a command.
struct CommandConfiguration: Sendable {
    var name: String
    /// One line, shown in the tool's command list and atop the command's help.
    var abstract: String
    /// A paragraph or two for `--help`.
    var discussion: String
    var usage: String
    var positional: Positional? = nil
}

/// A subcommand as a typed value: its options are parsed once, from the strings, into the
/// conforming struct's fields (typed enums, numbers, paths), and `run` works on those alone.
protocol Subcommand: Sendable {
    static var configuration: CommandConfiguration { get }
    /// Every option, in the order help lists them.
    static var options: [OptionSpec] { get }
    /// Which options exclude or need which others; checked before any value is read.
    static var rules: [OptionRule] { get }
    /// How many words after the command's name it takes (`merge PART…`: any number).
    static var maxPositionals: Int { get }
    /// Reads the typed options; a value out of range or not among the choices is a usage error.
    init(_ arguments: ParsedArguments) throws(UsageError)
    /// Runs the command and says what it came to. Throws `UsageError`, `InputError` (bad input)
    /// or `Interrupted`.
    func run(_ out: Output) throws -> Outcome
}

extension Subcommand {
    static var rules: [OptionRule] { [] }

    static var maxPositionals: Int { configuration.positional == nil ? 0 : 1 }

    static var name: String { configuration.name }

    /// Parses `arguments` (the words after the command's name) against the specs and the rules.
    static func parse(_ arguments: [String]) throws(UsageError) -> Self {
        let parsed = try ParsedArguments(command: name, arguments: arguments, specs: options,
                                         positionals: maxPositionals)
        for rule in rules { try rule.check(parsed) }
        return try Self(parsed)
    }

    /// Parses `arguments` and runs the command.
    static func parseAndRun(_ arguments: [String], _ out: Output) throws -> Outcome {
        try parse(arguments).run(out)
    }
}

/// Where results go, and whether they may be coloured.
struct Output: Sendable {
    var colour: Bool
    var write: @Sendable (String) -> Void
}
