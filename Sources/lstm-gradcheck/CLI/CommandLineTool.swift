import Foundation
import LSTMGradCheck

/// The executable: finds the subcommand, parses its options into its typed value, runs it,
/// and turns what happened into an outcome. Every error a user can cause ends here as one
/// line on standard error.
enum CommandLineTool {
    /// The subcommands, in the order help lists them; the first runs when none is named.
    static let commands: [any Subcommand.Type] = [
        CheckCommand.self, VerifyCommand.self, GradsCommand.self, FixtureCommand.self,
        ExplainCommand.self, ReportCommand.self, TruncationCommand.self, NotebookCommand.self,
        MergeCommand.self,
    ]

    static func command(named name: String) -> (any Subcommand.Type)? { commands.first { $0.name == name } }

    /// Which shell a completion script is for.
    enum Shell: String, ArgumentChoice {
        case bash, zsh, fish
    }

    static let versionSpec = OptionSpec(name: "version", value: nil, help: "Show the version.")
    static let completionSpec = OptionSpec(name: "generate-completion-script", value: "SHELL", help: "Print a completion script for bash, zsh or fish, made from the same option lists as this help (the README says where to put it).",
                                           completion: .choices(Shell.allCases.map(\.rawValue)))
    static let manualSpec = OptionSpec(name: "generate-manual", value: nil, help: "Print the manual page (roff) that 'make install' installs; read it with: lstm-gradcheck --generate-manual | man -l -")
    /// The tool's own options (with `-h, --help`), valid only without a subcommand.
    static let options = [versionSpec, completionSpec, manualSpec]
    static let rules: [OptionRule] = [.exclusive(versionSpec, completionSpec), .exclusive(versionSpec, manualSpec),
                                      .exclusive(completionSpec, manualSpec)]

    /// Runs the command line; prints errors; returns what the run came to.
    static func main(_ arguments: [String]) -> Outcome {
        let isTerminal = isatty(STDOUT_FILENO) == 1
        let noColour = ProcessInfo.processInfo.environment["NO_COLOR"].map { !$0.isEmpty } ?? false
        let out = Output(colour: isTerminal && !noColour, write: { FileHandle.standardOutput.write(Data($0.utf8)) })
        do {
            return try run(arguments, out)
        } catch let interruption as Interrupted {
            FileHandle.standardError.write(Data("lstm-gradcheck: \(interruption)\n".utf8))
            return interruption.outcome
        } catch {
            // UsageError and InputError describe themselves in one line.
            FileHandle.standardError.write(Data("lstm-gradcheck: error: \(error)\n".utf8))
            return .badInput
        }
    }

    static func run(_ arguments: [String], _ out: Output) throws -> Outcome {
        var args = arguments
        if args.first == "help" {
            args.removeFirst()
            args.append("--help")
        }
        let asksForHelp = args.contains("--help") || args.contains("-h")
        if let first = args.first, !first.hasPrefix("-") {
            guard let subcommand = command(named: first) else {
                let names = commands.map { $0.name }
                throw UsageError(.unknownSubcommand(first, choices: names, suggestion: Suggestion.closest(to: first, in: names)), command: nil)
            }
            if asksForHelp {
                out.write(Help.command(subcommand))
                return .matches
            }
            return try subcommand.parseAndRun(Array(args.dropFirst()), out)
        }
        if asksForHelp {
            out.write(Help.tool())
            return .matches
        }
        if let first = args.first, options.contains(where: { first == "--\($0.name)" || first.hasPrefix("--\($0.name)=") }) {
            return try runToolOption(args, out)
        }
        return try CheckCommand.parseAndRun(args, out)
    }

    /// `--version`, `--generate-completion-script SHELL`, `--generate-manual`.
    private static func runToolOption(_ args: [String], _ out: Output) throws -> Outcome {
        let p = try ParsedArguments(command: nil, arguments: args, specs: options)
        for rule in rules { try rule.check(p) }
        if p.has(completionSpec) {
            out.write(CompletionScript.script(for: try p.choice(completionSpec, default: Shell.bash)))
        } else if p.has(manualSpec) {
            out.write(Manual.page())
        } else {
            out.write(Help.version + "\n")
        }
        return .matches
    }
}
