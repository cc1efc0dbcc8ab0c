import LSTMGradCheck

/// `--threads` and `--budget`: how a long check runs and when it gives up, with Ctrl-C and
/// the progress bar wired into the `RunControl` the library polls.
struct RunOptions: Sendable {
    static let threadsSpec = OptionSpec(name: "threads", value: "N", help: "Worker threads for the exact reference, the finite differences, --sample and --projection (default all \(RunControl.allCores) cores here); the output is the same for any N.")
    static let budgetSpec = OptionSpec(name: "budget", value: "DURATION", help: "Stop the run once DURATION has passed, e.g. 500ms, 30s, 2m or 1h: the report says what was finished, and the exit status is 3 unless something already mismatched.")
    static let specs = [threadsSpec, budgetSpec]

    /// The longest budget: beyond it a run is not limited in any useful sense.
    static let longestBudget = 360_000.0

    var threads: Int
    /// Seconds.
    var budget: Double?
    /// When the run began, for the deadline.
    private let start = ContinuousClock.now

    init(_ p: ParsedArguments) throws(UsageError) {
        threads = try p.int(Self.threadsSpec, default: RunControl.allCores, in: 1...4096)
        budget = try p.string(Self.budgetSpec).map { (text) throws(UsageError) in try Self.seconds(text, command: p.command) }
    }

    /// The run's `RunControl`, with a progress bar when standard error is a terminal, naming
    /// each phase the library reports and then `detail` (`shard 2/3`), if given. The deadline
    /// counts from when the options were read: one budget for the run.
    func control(detail: String? = nil) -> (RunControl, ProgressBar?) {
        // Only runs that poll the flag catch Ctrl-C; every other command dies on it as usual.
        Interrupt.install()
        var control = RunControl(threads: threads, isCancelled: { Interrupt.requested })
        if let budget { control.deadline = start + .seconds(budget) }
        let bar = ProgressBar.onTerminal(detail: detail)
        if let bar { control.progress = { bar.update($0, $1, $2) } }
        return (control, bar)
    }

    /// `500ms`, `30s`, `2m`, `1h` (or a bare number of seconds) as seconds.
    static func seconds(_ text: String, command: String?) throws(UsageError) -> Double {
        let units: [(String, Double)] = [("ms", 1e-3), ("s", 1), ("m", 60), ("h", 3600)]
        let (digits, unit) = units.first { text.hasSuffix($0.0) }.map { (String(text.dropLast($0.0.count)), $0.1) } ?? (text, 1)
        guard let v = Double(digits), v.isFinite, v > 0, v * unit <= longestBudget, digits.first != "+" else {
            throw UsageError(.invalidValue(option: budgetSpec.name, expected: "a duration such as 500ms, 30s, 2m or 1h (at most \(Int(longestBudget / 3600))h)", value: text, suggestion: nil), command: command)
        }
        return v * unit
    }
}
