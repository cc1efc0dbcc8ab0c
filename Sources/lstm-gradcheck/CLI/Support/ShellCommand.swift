import Foundation
import LSTMGradCheck

/// One run of a user's shell command (`/bin/sh -c`), held to a deadline and stopped by Ctrl-C.
/// The shell starts as the leader of a process group of its own, so a terminal's Ctrl-C does
/// not reach it and killing the group stops whatever it started too. The command has ended when
/// the shell has exited (`waitpid`), whatever it left running in the background: those are
/// stopped with the group, and hold nothing that the wait depends on (output goes to files).
enum ShellCommand {
    enum Ending: Equatable {
        case exited(Int32)
        case signalled(Int32)
        case timedOut
        case interrupted
    }

    /// Runs `command`, its standard output and error written to `stdout` and `stderr`, its
    /// standard input empty. Returns once the shell has exited and its process group is stopped.
    static func run(_ command: String, timeout: Double, stdout: URL, stderr: URL) throws -> Ending {
        for file in [stdout, stderr] { _ = FileManager.default.createFile(atPath: file.path, contents: nil) }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, stdout.path, O_WRONLY | O_TRUNC, 0)
        posix_spawn_file_actions_addopen(&actions, 2, stderr.path, O_WRONLY | O_TRUNC, 0)
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        // A group of its own, no signal blocked, and SIGPIPE as a shell expects it.
        var none = sigset_t(), pipe = sigset_t()
        sigemptyset(&none)
        sigemptyset(&pipe)
        sigaddset(&pipe, SIGPIPE)
        posix_spawnattr_setpgroup(&attributes, 0)
        posix_spawnattr_setsigmask(&attributes, &none)
        posix_spawnattr_setsigdefault(&attributes, &pipe)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))
        let words = [String](["/bin/sh", "-c", command]).map { strdup($0) }
        let environment = ProcessInfo.processInfo.environment.map { strdup("\($0.key)=\($0.value)") }
        defer { (words + environment).forEach { free($0) } }
        // Ctrl-C sets a flag instead of killing this process, so the group can be stopped first.
        Interrupt.install()
        var pid: pid_t = 0
        let spawned = posix_spawn(&pid, "/bin/sh", &actions, &attributes, words + [nil], environment + [nil])
        guard spawned == 0 else {
            throw InputError(source: "--exec", expected: "a command /bin/sh can run", found: String(cString: strerror(spawned)))
        }
        let deadline = DispatchTime.now() + timeout
        var status: Int32 = 0
        var ending: Ending?
        while waitpid(pid, &status, WNOHANG) == 0 {
            if Interrupt.requested {
                ending = .interrupted
            } else if DispatchTime.now() >= deadline {
                ending = .timedOut
            }
            if ending != nil {
                kill(-pid, SIGKILL)
                while waitpid(pid, &status, 0) == -1 && errno == EINTR {}
                break
            }
            usleep(20_000)
        }
        // Whatever the command left running in its group is stopped with it.
        kill(-pid, SIGKILL)
        if let ending { return ending }
        // POSIX's WIFSIGNALED and WTERMSIG, which Swift does not import: the low 7 bits.
        let signal = status & 0x7f
        return signal != 0 ? .signalled(signal) : .exited((status >> 8) & 0xff)
    }
}
