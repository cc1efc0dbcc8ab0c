import Foundation

exit(exitStatus(for: CommandLineTool.main(Array(CommandLine.arguments.dropFirst()))))
