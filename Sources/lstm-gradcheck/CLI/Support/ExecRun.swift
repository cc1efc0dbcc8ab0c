import Foundation
import LSTMGradCheck

/// A run of `verify --exec`'s command that gave nothing to verify: it exited non-zero, was
/// stopped at its timeout, or wrote no gradients. Bad input (status 2) for the whole verify,
/// said with the fixture it ran on and the last lines it wrote to standard error.
struct ExecFailure: Error, CustomStringConvertible {
    var fixture: String
    /// What happened, as a phrase: "exited with status 3".
    var what: String
    var stderrTail: [String]

    /// How many of the command's last standard-error lines are shown.
    static let shownLines = 5

    /// The sentence a CI annotation carries.
    var summary: String { "your command \(what)" + (stderrTail.last.map { ": \($0)" } ?? "") }

    var description: String {
        var s = "\(fixture): your command \(what)"
        if stderrTail.isEmpty { return s + " (it wrote nothing on standard error)" }
        s += "; its last lines on standard error:"
        for line in stderrTail { s += "\n  " + line }
        return s
    }
}

/// The private folder where `verify --exec` writes each fixture and its command writes the
/// gradients, removed when the run ends, however it ends.
final class ExecFolder {
    let url: URL

    init() throws {
        var template = Array(FileManager.default.temporaryDirectory.appendingPathComponent("lstm-gradcheck-exec.XXXXXX").path.utf8CString)
        guard let made = mkdtemp(&template) else {
            throw InputError(source: FileManager.default.temporaryDirectory.path, expected: "a writable folder for the fixtures of --exec",
                             found: "a folder cannot be made there")
        }
        url = URL(fileURLWithPath: String(cString: made))
    }

    func file(_ name: String) -> URL { url.appendingPathComponent(name) }

    deinit { try? FileManager.default.removeItem(at: url) }
}

extension ExecOptions {
    /// Writes `fixture` (the `index`-th of the run) into `folder`, runs the command on it and
    /// reads the gradients it wrote. Throws `ExecFailure` when it wrote none, `Interrupted` on Ctrl-C.
    func run(_ fixture: Fixture, index: Int, in folder: ExecFolder, limits: Limits) throws -> UserGradients {
        let fixturePath = folder.file("fixture-\(index + 1).json"), outPath = folder.file("gradients-\(index + 1).npz")
        try Data((JSON.serialize(try FixtureFile.encode(fixture)) + "\n").utf8).write(to: fixturePath)
        let line = command.replacingOccurrences(of: Self.fixturePlaceholder, with: Self.shellWord(fixturePath.path))
            .replacingOccurrences(of: Self.outPlaceholder, with: Self.shellWord(outPath.path))
        let stderrPath = folder.file("stderr-\(index + 1).txt")
        let ending = try ShellCommand.run(line, timeout: timeout, stdout: folder.file("stdout-\(index + 1).txt"), stderr: stderrPath)
        func failure(_ what: String) -> ExecFailure {
            // The temporary paths as the command line spelled them, so messages do not vary by run.
            let lines = ((try? String(contentsOf: stderrPath, encoding: .utf8)) ?? "")
                .replacingOccurrences(of: fixturePath.path, with: Self.fixturePlaceholder)
                .replacingOccurrences(of: outPath.path, with: Self.outPlaceholder)
                .split(whereSeparator: \.isNewline).map(String.init).filter { !$0.allSatisfy(\.isWhitespace) }
            return ExecFailure(fixture: fixture.name, what: what, stderrTail: Array(lines.suffix(ExecFailure.shownLines)))
        }
        switch ending {
        case .interrupted: throw Interrupted(finished: "nothing (its run of your command was stopped)")
        case .timedOut:
            let seconds = timeout == timeout.rounded() ? String(Int(timeout)) : String(timeout)
            throw failure("did not finish within its timeout of \(seconds) s (--timeout)")
        case .signalled(let signal): throw failure("was killed by signal \(signal)")
        case .exited(let status) where status != 0: throw failure("exited with status \(status)")
        case .exited: break
        }
        // A folder (of .npy files) has a size too.
        let size = (try? FileManager.default.attributesOfItem(atPath: outPath.path)[.size] as? Int) ?? nil
        guard let size, size > 0 else {
            throw failure(size == nil ? "exited with status 0 but wrote nothing to {out}" : "exited with status 0 but left {out} empty")
        }
        return try GradientFile.read(contentsOf: outPath.path, source: "the gradients your command wrote for \(fixture.name)", limits: limits)
    }

    /// `path` as one shell word: as it is when it holds nothing the shell would read, else quoted.
    static func shellWord(_ path: String) -> String {
        let plain = path.unicodeScalars.allSatisfy { CharacterSet.alphanumerics.contains($0) || "/._-+".unicodeScalars.contains($0) }
        return plain ? path : "'" + path.replacingOccurrences(of: "'", with: "'\\''") + "'"
    }
}
