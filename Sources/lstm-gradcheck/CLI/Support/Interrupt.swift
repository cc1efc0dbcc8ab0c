import Foundation

/// Ctrl-C as a request: the first SIGINT sets a flag that `RunControl.isCancelled` polls, so
/// a long run stops within a step, says what it finished and exits 130 without leaving a
/// partial file; a second SIGINT kills at once (the handler resets itself).
enum Interrupt {
    /// Written by the handler, read by the workers. A `sig_atomic_t` behind a pointer made
    /// before the handler is installed: the handler touches nothing that could allocate or lock.
    nonisolated(unsafe) private static let flag: UnsafeMutablePointer<sig_atomic_t> = {
        let p = UnsafeMutablePointer<sig_atomic_t>.allocate(capacity: 1)
        p.initialize(to: 0)
        return p
    }()

    static func install() {
        _ = flag
        // A parent may hand SIGINT down blocked (Foundation's Process does); the workers
        // started later inherit this thread's mask.
        var set = sigset_t()
        sigemptyset(&set)
        sigaddset(&set, SIGINT)
        sigprocmask(SIG_UNBLOCK, &set, nil)
        signal(SIGINT) { _ in
            Interrupt.flag.pointee = 1
            signal(SIGINT, SIG_DFL)
        }
    }

    static var requested: Bool { flag.pointee != 0 }
}

/// A run stopped by Ctrl-C (status 130), or by its budget where a partial result would be
/// no result (status 3): one line on standard error saying what it had finished.
struct Interrupted: Error, CustomStringConvertible {
    /// What was done, as a phrase: "the exact reference and Wf, bf of the finite differences".
    var finished: String
    var byBudget = false

    var description: String {
        "\(byBudget ? "stopped at its time budget (--budget)" : "interrupted"); finished \(finished); nothing written"
    }

    var outcome: Outcome { byBudget ? .undecided : .interrupted }

    /// The same stop, inside a run over `total` fixtures that had finished `done` and was on `current`.
    func during(_ current: String, after done: [String], of total: Int) -> Interrupted {
        let before = done.isEmpty ? "none of the \(total) fixtures" : "\(done.count) of \(total) fixtures (\(done.joined(separator: ", ")))"
        return Interrupted(finished: "\(before) and, of \(current), \(finished)", byBudget: byBudget)
    }
}
