import LSTMGradCheck

/// A mistake on the command line, as a value: what went wrong and where to look. Printed as
/// one line (`description`); the run's outcome is bad input, exit status 2.
struct UsageError: Error, CustomStringConvertible {
    enum Problem: Sendable {
        case unknownSubcommand(String, choices: [String], suggestion: String?)
        case unknownOption(String, suggestion: String?)
        case flagTakesNoValue(String)
        case missingValue(String, placeholder: String)
        case givenTwice(String)
        case unexpectedArgument(String)
        /// `--option` given `value`, which is not `expected` (a phrase: "one of text, json").
        case invalidValue(option: String, expected: String, value: String, suggestion: String?)
        /// Two options that exclude each other: "'--a' cannot be combined with '--b'".
        case conflict(String, with: String, reason: String?)
        /// Two ways of doing one thing: "'--a' and '--b' cannot be combined".
        case exclusive(String, String)
        /// An option that means nothing without another: "--compare goes with --flow".
        case requires(String, String)
        /// Two values that cannot go together, in words.
        case incompatibleValues(String)
        /// Options a command cannot run without: "verify needs --fixture FILE and --grads PATH".
        case missingOptions(command: String, [String])
        /// A required word after the command's name was missing or not one of `choices`.
        case missingPositional(description: String, given: String?, suggestion: String?)
        /// An unknown method name, with the catalogue.
        case unknownMethod(String, hint: String, choices: String, suggestion: String?)
        /// A command that only the LSTM has, on another cell's network.
        case lstmOnly(command: String, network: String, cell: CellKind)
        /// More gradient files than fixtures, or fewer.
        case unpaired(fixtures: Int, grads: Int)
        /// `-` (standard input) named twice: it can be read once.
        case standardInputTwice
        case refusingToOverwriteInput(String)
        case exists(String)
    }

    var problem: Problem
    /// The command whose help to point at; nil for the tool's.
    var command: String?
    /// The fixture the mistake shows in, when a run has several (`--heatmap Wo` on an RNN's).
    var fixture: String?

    init(_ problem: Problem, command: String?) {
        self.problem = problem
        self.command = command
    }

    var message: String {
        func did(_ s: String?) -> String { s.map { "; did you mean '\($0)'?" } ?? "" }
        switch problem {
        case .unknownSubcommand(let name, let choices, let suggestion):
            return "unknown subcommand '\(name)'; choose from \(choices.joined(separator: ", "))\(did(suggestion))"
        case .unknownOption(let name, let suggestion):
            return "unknown option '--\(name)' for '\(command ?? "lstm-gradcheck")'\(did(suggestion.map { "--" + $0 }))"
        case .flagTakesNoValue(let name):
            return "option '--\(name)' takes no value"
        case .missingValue(let name, let placeholder):
            return "option '--\(name)' needs a value (\(placeholder))"
        case .givenTwice(let name):
            return "option '--\(name)' given twice"
        case .unexpectedArgument(let word):
            return "unexpected argument '\(word)'"
        case .invalidValue(let option, let expected, let value, let suggestion):
            return "option '--\(option)' takes \(expected), not '\(value)'\(did(suggestion))"
        case .conflict(let option, let other, let reason):
            return "'--\(option)' cannot be combined with '--\(other)'" + (reason.map { " (\($0))" } ?? "")
        case .exclusive(let a, let b):
            return "'--\(a)' and '--\(b)' cannot be combined"
        case .requires(let option, let other):
            return "--\(option) goes with --\(other)"
        case .incompatibleValues(let words):
            return words
        case .missingOptions(let command, let options):
            return "\(command) needs \(options.joined(separator: " and "))"
        case .missingPositional(let description, let given, let suggestion):
            return "say which \(description)" + (given.map { ", not '\($0)'" } ?? "") + did(suggestion)
        case .unknownMethod(let name, let hint, let choices, let suggestion):
            return "unknown method '\(name)'\(hint); choose from \(choices)\(did(suggestion))"
        case .lstmOnly(let command, let network, let cell):
            return "'\(command)' works on the LSTM; \(network) is " + (cell == .rnn ? "a plain RNN (cell rnn)" : "cell \(cell.rawValue)")
        case .unpaired(let fixtures, let grads):
            return "verify takes one --grads per --fixture (in order), or one --grads FOLDER holding each fixture's "
                + "gradients under its file name; found \(fixtures) --fixture and \(grads) --grads"
        case .standardInputTwice:
            return "'-' (standard input) can be read once; it was given twice"
        case .refusingToOverwriteInput(let path):
            return "refusing to write over the input \(path)"
        case .exists(let path):
            return "\(path) exists; pass --force to replace it"
        }
    }

    var description: String {
        let help = command.map { "lstm-gradcheck \($0) --help" } ?? "lstm-gradcheck --help"
        return (fixture.map { "\($0): " } ?? "") + "\(message) (see '\(help)')"
    }
}

extension UsageError {
    /// `text` given to `spec` is not one of `names`: lists them, and the one it is a slip of.
    static func notOneOf(_ names: [String], _ text: String, for spec: OptionSpec, command: String?) -> UsageError {
        UsageError(.invalidValue(option: spec.name, expected: "one of \(names.joined(separator: ", "))", value: text,
                                 suggestion: Suggestion.closest(to: text, in: names)), command: command)
    }

    /// `text` if it is one of `names` (known only once a network is read: `--heatmap Wo`), else the error.
    static func checkName(_ text: String, for spec: OptionSpec, among names: [String], command: String) throws(UsageError) -> String {
        guard names.contains(text) else { throw notOneOf(names, text, for: spec, command: command) }
        return text
    }
}
