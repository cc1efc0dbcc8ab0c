import Foundation

/// The built `lstm-gradcheck`, run as a user runs it.
enum Tool {
    /// Beside the test bundle in SwiftPM's build folder, unless LSTM_GRADCHECK_BIN names another.
    static let path: String = {
        if let p = ProcessInfo.processInfo.environment["LSTM_GRADCHECK_BIN"] { return p }
        let exe = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
        return exe.deletingLastPathComponent().appendingPathComponent("lstm-gradcheck").path
    }()

    /// Whether python3 with NumPy is here, for the tests that run Python (skipped without it);
    /// looked up once.
    static let pythonWithNumPy = (try? run(URL(fileURLWithPath: "/usr/bin/env"), ["python3", "-c", "import numpy"]).status == 0) ?? false

    /// The repository's root, for Fixtures/.
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    struct Result {
        var status: Int32
        var stdout: String
        var stderr: String
    }

    static func run(_ arguments: [String], environment: [String: String] = [:], input: Data? = nil) throws -> Result {
        try run(URL(fileURLWithPath: path), arguments, environment: environment, input: input)
    }

    /// Any program (the README's Python snippet too), in `directory` when given, with `input`
    /// on its standard input (none when nil).
    static func run(_ executable: URL, _ arguments: [String], environment: [String: String] = [:],
                    in directory: URL? = nil, input: Data? = nil) throws -> Result {
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        process.currentDirectoryURL = directory
        var env = ProcessInfo.processInfo.environment
        // GitHub annotations only where a test asks for them: the suite may run in a GitHub Actions job.
        env["GITHUB_ACTIONS"] = nil
        env.merge(environment) { $1 }
        process.environment = env
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        let stdin = Pipe()
        if input != nil { process.standardInput = stdin }
        try process.run()
        if let input {
            // Small inputs: the pipe's buffer holds them, so writing before reading cannot stall.
            stdin.fileHandleForWriting.write(input)
            try stdin.fileHandleForWriting.close()
        }
        // Read before waiting so a large output cannot fill the pipe and stall the child.
        let o = out.fileHandleForReading.readDataToEndOfFile()
        let e = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Result(status: process.terminationStatus, stdout: String(decoding: o, as: UTF8.self), stderr: String(decoding: e, as: UTF8.self))
    }

    static func temporaryFile(_ name: String, _ contents: String) throws -> String {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("lstm-gradcheck-tests-\(ProcessInfo.processInfo.processIdentifier)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let url = dir.appendingPathComponent(name)
        try contents.write(to: url, atomically: true, encoding: .utf8)
        return url.path
    }
}
