import LSTMGradCheck

extension Battery: ArgumentChoice {}

/// `verify --exec CMD` and what goes with it: which battery, in which cell and layout, and how
/// long one run of CMD may take.
struct ExecOptions: Sendable {
    static let fixturePlaceholder = "{fixture}"
    static let outPlaceholder = "{out}"

    static let execSpec = OptionSpec(name: "exec", value: "CMD", help: "Test your implementation instead of one file: run CMD (by /bin/sh -c) once per fixture of a battery, {fixture} replaced by the path of a fixture file and {out} by a path ending in .npz where CMD writes its gradients (.npz, .npy or JSON, told apart by content), and verify each.")
    static let batterySpec = OptionSpec(name: "battery", value: "BATTERY", help: "With --exec: default (the notebook's API: labels y, c0 = 0; eight corner cases: default, T_x 1, batch 1, long sequence, saturated gates, near-converged, n_y > n_a, large batch) or upstream (lstm_backward(da, caches): an upstream da over every step, no output layer). --fixture adds your own fixtures to it.",
                                        completion: .choices(Battery.allCases.map(\.rawValue)))
    static let timeoutSpec = OptionSpec(name: "timeout", value: "SECONDS", help: "With --exec: stop a run of CMD that takes longer than SECONDS (default \(Int(defaultTimeout))). A run that times out, exits non-zero or writes nothing stops the verify with status 2.")
    static let cellSpec = OptionSpec(name: "cell", value: "CELL", help: "With --exec: the battery's cell, lstm (default), rnn (the course's plain RNN) or gru.",
                                     completion: .choices(CellKind.allCases.map(\.rawValue)))
    static let specs = [execSpec, batterySpec, timeoutSpec, cellSpec]

    /// `--exec` replaces `--grads`; the rest mean nothing without it. (`--layout` also says how
    /// `--fixture` files are read, and goes with either.)
    static func rules(grads: OptionSpec) -> [OptionRule] {
        [.exclusive(execSpec, grads)] + [batterySpec, timeoutSpec, cellSpec].map { .requires($0, execSpec) }
    }

    static let defaultTimeout = 60.0

    /// CMD as given: it names the run in reports, so they do not depend on where its files were.
    var command: String
    var battery: Battery
    /// Seconds.
    var timeout: Double
    var cell: CellKind
    var layout: Layout

    /// Nil without `--exec`.
    init?(_ p: ParsedArguments) throws(UsageError) {
        guard let command = p.string(Self.execSpec) else { return nil }
        for placeholder in [Self.fixturePlaceholder, Self.outPlaceholder] where !command.contains(placeholder) {
            throw UsageError(.invalidValue(option: Self.execSpec.name, expected: "a command holding {fixture} (the fixture to read) and {out} (where to write the gradients)",
                                           value: command, suggestion: nil), command: p.command)
        }
        self.command = command
        cell = try p.choice(Self.cellSpec, default: .lstm)
        // The battery's fixtures, and the gradients CMD writes, in this layout's names and shapes.
        layout = try NetworkOptions.layout(p) ?? .coursera
        try NetworkOptions.check(layout, holds: cell, command: p.command)
        // A framework's fixtures have no labels loss the notebook's API could be tested on.
        battery = try p.choice(Self.batterySpec, default: layout == .coursera ? .default : .upstream)
        if battery == .default && layout != .coursera {
            throw UsageError(.incompatibleValues("'--battery default' is the notebook's API with labels y, which the \(layout.rawValue) layout does not express: its fixtures carry an upstream gradient (--battery upstream)"), command: p.command)
        }
        timeout = try p.positive(Self.timeoutSpec) ?? Self.defaultTimeout
        guard timeout <= RunOptions.longestBudget else {
            throw UsageError(.invalidValue(option: Self.timeoutSpec.name, expected: "a number of seconds up to \(Int(RunOptions.longestBudget))", value: p.string(Self.timeoutSpec) ?? "", suggestion: nil), command: p.command)
        }
    }

    /// The battery's fixtures in the cell and layout asked for. A framework layout's battery is
    /// the upstream one, whose `da` the layout keeps: its seed draws nothing.
    func fixtures() throws(InputError) -> [Fixture] {
        var out: [Fixture] = []
        for fixture in battery.fixtures(cell: cell) {
            out.append(layout == .coursera ? fixture : try layout.defaultForm(of: fixture, seed: 0))
        }
        return out
    }
}
