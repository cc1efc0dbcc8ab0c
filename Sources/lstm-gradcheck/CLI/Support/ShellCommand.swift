import Foundation

/// One run of a user's shell command (`/bin/sh -c`), held to a deadline and stopped by Ctrl-C.
/// Foundation's `Process` starts the shell as the leader of a process group of its own, so a
/// terminal's Ctrl-C does not reach it and killing the group stops whatever it started too.
/// Its output goes to files, not pipes: a program it left running in the background cannot hold
/// a pipe open and stall the wait.
enum ShellCommand {
    enum Ending: Equatable {
        case exited(Int32)
        case signalled(Int32)
        case timedOut
        case interrupted
    }

    /// Runs `command`, its standard output and error written to `stdout` and `stderr`, its
    /// standard input empty. Returns once it has ended and every process of its group is gone.
    static func run(_ command: String, timeout: Double, stdout: URL, stderr: URL) throws -> Ending {
        for file in [stdout, stderr] { _ = FileManager.default.createFile(atPath: file.path, contents: nil) }
        let out = try FileHandle(forWritingTo: stdout), err = try FileHandle(forWritingTo: stderr)
        defer {
            try? out.close()
            try? err.close()
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        process.arguments = ["-c", command]
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = out
        process.standardError = err
        let ended = DispatchSemaphore(value: 0)
        process.terminationHandler = { _ in ended.signal() }
        // Ctrl-C sets a flag instead of killing this process, so the group can be stopped first.
        Interrupt.install()
        try process.run()
        let group = process.processIdentifier
        let deadline = DispatchTime.now() + timeout
        var ending: Ending?
        while ended.wait(timeout: .now() + .milliseconds(20)) == .timedOut {
            if Interrupt.requested {
                ending = .interrupted
            } else if DispatchTime.now() >= deadline {
                ending = .timedOut
            }
            if ending != nil {
                kill(-group, SIGKILL)
                ended.wait()
                break
            }
        }
        // Whatever the command left running in its group is stopped with it.
        kill(-group, SIGKILL)
        if let ending { return ending }
        return process.terminationReason == .uncaughtSignal ? .signalled(process.terminationStatus) : .exited(process.terminationStatus)
    }
}
