/// Which options go together, as values: each command lists its rules beside its specs, and
/// they are checked, in order, before any value is read.
enum OptionRule: Sendable {
    /// `option` cannot be given with `other`: "'--option' cannot be combined with '--other' (reason)".
    /// `unless`: the combination is allowed when one of these is given too.
    case conflict(OptionSpec, with: OptionSpec, reason: String? = nil, unless: [OptionSpec] = [])
    /// Two ways of doing one thing: "'--a' and '--b' cannot be combined".
    case exclusive(OptionSpec, OptionSpec)
    /// `option` means nothing without `other`: "--option goes with --other".
    case requires(OptionSpec, OptionSpec)

    func check(_ p: ParsedArguments) throws(UsageError) {
        switch self {
        case .conflict(let option, let other, let reason, let unless):
            if p.has(option) && p.has(other) && !unless.contains(where: p.has) {
                throw UsageError(.conflict(option.name, with: other.name, reason: reason), command: p.command)
            }
        case .exclusive(let a, let b):
            if p.has(a) && p.has(b) { throw UsageError(.exclusive(a.name, b.name), command: p.command) }
        case .requires(let option, let other):
            if p.has(option) && !p.has(other) { throw UsageError(.requires(option.name, other.name), command: p.command) }
        }
    }

    /// Every option of `others` conflicts with `option`, checked in the order given.
    static func conflicts(_ others: [OptionSpec], with option: OptionSpec, reason: String? = nil) -> [OptionRule] {
        others.map { .conflict($0, with: option, reason: reason) }
    }
}
