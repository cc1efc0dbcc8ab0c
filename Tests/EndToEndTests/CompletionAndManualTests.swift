import Foundation
import Testing
@testable import lstm_gradcheck

/// `--generate-completion-script` and `--generate-manual`: made from the same option specs as
/// `--help`, so every subcommand and every option of each appears in all of them.
@Suite struct CompletionAndManualTests {
    /// A program on the PATH, or nil (the test that needs it is then skipped).
    static func program(_ name: String) -> String? {
        (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin").split(separator: ":")
            .map { "\($0)/\(name)" }.first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    static let bash = program("bash"), zsh = program("zsh"), fish = program("fish"), man = program("man")

    /// Every subcommand's options, from the specs, with `--help`.
    static let options: [String: [String]] = Dictionary(uniqueKeysWithValues: CommandLineTool.commands.map {
        ($0.name, $0.options.map { "--" + $0.name } + ["--help"])
    })

    /// The options `lstm-gradcheck COMMAND --help` lists (`--name <VALUE>` or `-h, --help` at the
    /// start of a line), in order.
    static func helpOptions(_ command: String?) throws -> [String] {
        let r = try Tool.run((command.map { [$0] } ?? []) + ["--help"])
        #expect(r.status == 0)
        let section = r.stdout.components(separatedBy: "OPTIONS:\n")[1].components(separatedBy: "\n\n")[0]
        return section.split(separator: "\n").compactMap { line -> String? in
            guard line.hasPrefix("  -") else { return nil }
            // The label runs to the two spaces before the help (or to the end of its own line).
            let label = String(line.dropFirst(2)).components(separatedBy: "  ")[0]
            return label == "-h, --help" ? "--help" : String(label.split(separator: " ")[0])
        }
    }

    @Test func helpListsExactlyTheSpecsOptions() throws {
        #expect(Set(Self.options.keys) == ["check", "verify", "grads", "fixture", "explain", "report", "truncation", "notebook", "merge"])
        for (command, options) in Self.options {
            #expect(try Self.helpOptions(command) == options, "\(command)")
        }
        #expect(try Self.helpOptions(nil) == ["--version", "--generate-completion-script", "--generate-manual", "--help"])
    }

    static func script(_ shell: String) throws -> String {
        let r = try Tool.run(["--generate-completion-script", shell])
        #expect(r.status == 0 && r.stderr.isEmpty)
        return r.stdout
    }

    /// The lines of `script` that belong to `command`, as each shell's script lays them out.
    static func section(_ script: String, shell: String, command: String) -> String {
        switch shell {
        case "bash":
            return script.split(separator: "\n").filter { $0.hasPrefix("        \(command)) options=") }.joined(separator: "\n")
        case "zsh":
            return script.components(separatedBy: "_lstm_gradcheck_\(command)() {")[1].components(separatedBy: "\n}")[0]
        default:
            return script.split(separator: "\n").filter { $0.contains("'__fish_seen_subcommand_from \(command)'") }.joined(separator: "\n")
        }
    }

    @Test(arguments: ["bash", "zsh", "fish"])
    func everyScriptHasEverySubcommandAndEachOfItsOptions(_ shell: String) throws {
        let script = try Self.script(shell)
        for (command, options) in Self.options {
            #expect(script.contains(command), "\(shell): \(command)")
            let section = Self.section(script, shell: shell, command: command)
            for option in options {
                // bash and zsh spell the option; fish names it without its dashes (`-l fixture`).
                let spelled = shell == "fish" ? "-l \(option.dropFirst(2)) " : option
                #expect(section.contains(spelled), "\(shell): \(command) \(option)")
            }
        }
        for option in ["--version", "--generate-completion-script", "--generate-manual"] {
            #expect(script.contains(shell == "fish" ? "-l \(option.dropFirst(2)) " : option), "\(shell): \(option)")
        }
    }

    @Test func anUnknownShellIsBadUsage() throws {
        let r = try Tool.run(["--generate-completion-script", "bassh"])
        #expect(r.status == 2 && r.stdout.isEmpty)
        #expect(r.stderr == "lstm-gradcheck: error: option '--generate-completion-script' takes one of bash, zsh, fish, not 'bassh'; did you mean 'bash'? (see 'lstm-gradcheck --help')\n")
    }

    /// A script file, for the shells to read.
    static func saved(_ shell: String) throws -> String {
        try Tool.temporaryFile("completion.\(shell)", try script(shell))
    }

    @Test(.enabled(if: bash != nil, "needs bash"))
    func bashAcceptsItsScriptAndCompletesFromIt() throws {
        let path = try Self.saved("bash")
        #expect(try Tool.run(URL(fileURLWithPath: Self.bash!), ["-n", path]).status == 0)
        // What the completion function offers for a command line, the cursor in its last word.
        func complete(_ words: [String]) throws -> [String] {
            let array = words.map { "'\($0)'" }.joined(separator: " ")
            let r = try Tool.run(URL(fileURLWithPath: Self.bash!), ["-c", "source '\(path)'; COMP_WORDS=(\(array)); COMP_CWORD=\(words.count - 1); _lstm_gradcheck; printf '%s\\n' \"${COMPREPLY[@]}\""])
            #expect(r.status == 0, "\(r.stderr)")
            return r.stdout.split(separator: "\n").map(String.init)
        }
        #expect(try complete(["lstm-gradcheck", "ch"]) == ["check"])
        #expect(try complete(["lstm-gradcheck", "check", "--fo"]) == ["--format"])
        #expect(try complete(["lstm-gradcheck", "check", "--format", ""]) == ["text", "json", "markdown", "junit"])
        #expect(try complete(["lstm-gradcheck", "verify", "--format", "j"]) == ["json", "junit"])
        #expect(try complete(["lstm-gradcheck", "truncation", "--format", ""]) == ["text", "json", "markdown"])
        #expect(try complete(["lstm-gradcheck", "explain", "--format", ""]) == ["text", "json"])
        #expect(try complete(["lstm-gradcheck", "check", "--reference", "n"]) == ["numerical"])
        #expect(try complete(["lstm-gradcheck", "notebook", ""]) == ["cell", "backward"])
        #expect(try complete(["lstm-gradcheck", "--generate-completion-script", "z"]) == ["zsh"])
        #expect(try complete(["lstm-gradcheck", "check", "--steps", ""]) == [])
    }

    @Test(.enabled(if: zsh != nil, "needs zsh"))
    func zshAcceptsItsScript() throws {
        let r = try Tool.run(URL(fileURLWithPath: Self.zsh!), ["-n", try Self.saved("zsh")])
        #expect(r.status == 0, "\(r.stderr)")
    }

    @Test(.enabled(if: fish != nil, "needs fish"))
    func fishAcceptsItsScriptAndCompletesFromIt() throws {
        let path = try Self.saved("fish")
        let r = try Tool.run(URL(fileURLWithPath: Self.fish!), ["-n", path])
        #expect(r.status == 0, "\(r.stderr)")
        // What fish offers for a command line (`complete -C`), without the descriptions.
        func complete(_ line: String) throws -> [String] {
            let r = try Tool.run(URL(fileURLWithPath: Self.fish!), ["-c", "source '\(path)'; complete -C '\(line)'"])
            #expect(r.status == 0, "\(r.stderr)")
            return r.stdout.split(separator: "\n").map { String($0.split(separator: "\t")[0]) }.sorted()
        }
        #expect(try complete("lstm-gradcheck ch") == ["check"])
        #expect(try complete("lstm-gradcheck check --fo") == ["--format"])
        #expect(try complete("lstm-gradcheck explain --format ") == ["json", "text"])
        #expect(try complete("lstm-gradcheck notebook ") == ["backward", "cell"])
    }

    static func manual() throws -> String {
        let r = try Tool.run(["--generate-manual"])
        #expect(r.status == 0 && r.stderr.isEmpty)
        return r.stdout
    }

    @Test func theManualHasEverySubcommandOptionAndExitStatus() throws {
        let page = try Self.manual()
        #expect(page.contains(".TH LSTM\\-GRADCHECK 1"))
        for (command, options) in Self.options {
            let section = page.components(separatedBy: ".SS \(command)")
            #expect(section.count == 2, "\(command)")
            let body = section.last?.components(separatedBy: ".SS ")[0].components(separatedBy: ".SH ")[0] ?? ""
            for option in options where option != "--help" {
                #expect(body.contains("\\fB" + option.replacingOccurrences(of: "-", with: "\\-") + "\\fR"), "\(command) \(option)")
            }
        }
        for status in [0, 1, 2, 3, 130] { #expect(page.contains(".TP\n.B \(status)\n"), "\(status)") }
        // roff: no line may start with a control character it did not mean.
        for line in page.split(separator: "\n") where line.hasPrefix(".") || line.hasPrefix("'") {
            #expect(line.hasPrefix(".\\\"") || line.range(of: #"^\.(TH|SH|SS|TP|PP|B|br|nh)( |$)"#, options: .regularExpression) != nil, "\(line)")
        }
    }

    /// Rendered by man-db (groff), where it is installed: every option of every command shows.
    @Test(.enabled(if: man != nil, "needs man"))
    func manRendersTheManual() throws {
        let path = try Tool.temporaryFile("lstm-gradcheck.1", try Self.manual())
        let r = try Tool.run(URL(fileURLWithPath: Self.man!), ["-l", "-E", "ascii", path],
                             environment: ["MANPAGER": "cat", "PAGER": "cat", "MANWIDTH": "100", "LANG": "C", "LC_ALL": "C"])
        #expect(r.status == 0, "\(r.stderr)")
        // groff's complaints (a bad request, a broken escape) go to standard error.
        #expect(!r.stderr.contains("warning") && !r.stderr.contains("error"), "\(r.stderr)")
        #expect(r.stdout.contains("EXIT STATUS") && r.stdout.contains("lstm-gradcheck - settle, with numbers"))
        for options in Self.options.values {
            for option in options where option != "--help" { #expect(r.stdout.contains(option), "\(option)") }
        }
    }

    /// `make install` puts the binary in $(PREFIX)/bin and the manual in $(PREFIX)/share/man/man1,
    /// under DESTDIR (a dry run: the release build it needs is not made here).
    @Test(.enabled(if: program("make") != nil, "needs make"))
    func makeInstallPutsTheBinaryAndTheManual() throws {
        let r = try Tool.run(URL(fileURLWithPath: Self.program("make")!), ["-n", "-C", Tool.root.path, "install", "DESTDIR=/stage", "PREFIX=/opt/x"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.contains("/stage/opt/x/bin/lstm-gradcheck"))
        #expect(r.stdout.contains("--generate-manual"))
        #expect(r.stdout.contains("/stage/opt/x/share/man/man1/lstm-gradcheck.1"))
    }
}
