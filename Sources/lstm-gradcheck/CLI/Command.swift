/// A subcommand: its help is its documentation.
struct Command: Sendable {
    var name: String
    /// One line, shown in the tool's command list and atop the command's help.
    var abstract: String
    /// A paragraph or two for `--help`.
    var discussion: String
    var usage: String
    var options: [OptionSpec]
    /// How many bare words it takes after its name.
    var maxPositionals = 0
    var run: @Sendable (ParsedOptions, Output) throws -> Int32
}

/// Exit statuses, as SPEC.md fixes them.
enum ExitStatus {
    static let success: Int32 = 0
    static let mismatch: Int32 = 1
    static let badInput: Int32 = 2
    static let inconclusive: Int32 = 3
    /// Stopped by Ctrl-C (128 + SIGINT, as shells report it).
    static let interrupted: Int32 = 130
}

/// Where results go, and whether they may be coloured.
struct Output: Sendable {
    var colour: Bool
    var write: @Sendable (String) -> Void
}
