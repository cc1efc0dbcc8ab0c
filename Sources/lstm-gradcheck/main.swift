import Foundation
import LSTMGradCheck

/// Runs the command line and returns the exit status. Every error a user can cause
/// ends here as one line on standard error and status 2.
func runMain(_ arguments: [String]) -> Int32 {
    let isTerminal = isatty(STDOUT_FILENO) == 1
    let noColour = ProcessInfo.processInfo.environment["NO_COLOR"].map { !$0.isEmpty } ?? false
    let out = Output(colour: isTerminal && !noColour, write: { FileHandle.standardOutput.write(Data($0.utf8)) })
    do {
        var args = arguments
        if args.first == "help" {
            args.removeFirst()
            args.append("--help")
        }
        if args == ["--version"] {
            out.write(Help.version + "\n")
            return ExitStatus.success
        }
        let command: Command
        if let first = args.first, !first.hasPrefix("-") {
            guard let c = Commands.named(first) else {
                throw UsageError(message: "unknown subcommand '\(first)'; choose from \(Commands.all.map(\.name).joined(separator: ", "))", command: nil)
            }
            command = c
            args.removeFirst()
        } else if args.contains("--help") || args.contains("-h") {
            out.write(Help.tool())
            return ExitStatus.success
        } else {
            command = Commands.check
        }
        if args.contains("--help") || args.contains("-h") {
            out.write(Help.command(command))
            return ExitStatus.success
        }
        let options = try ParsedOptions(command: command.name, arguments: args, specs: command.options,
                                        maxPositionals: command.maxPositionals)
        return try command.run(options, out)
    } catch let interruption as Interrupted {
        FileHandle.standardError.write(Data("lstm-gradcheck: \(interruption)\n".utf8))
        return interruption.status
    } catch let error as UsageError {
        fail("\(error)")
    } catch let error as InputError {
        fail("\(error)")
    } catch {
        fail("\(error)")
    }
    return ExitStatus.badInput
}

func fail(_ message: String) {
    FileHandle.standardError.write(Data("lstm-gradcheck: error: \(message)\n".utf8))
}

exit(runMain(Array(CommandLine.arguments.dropFirst())))
