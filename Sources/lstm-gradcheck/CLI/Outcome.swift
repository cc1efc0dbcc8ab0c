import LSTMGradCheck

/// What a run came to. Every command returns one (bad input and interruptions arrive as
/// errors and are mapped to one), and `exitStatus(for:)` alone turns it into a number.
enum Outcome: Sendable, Equatable, CaseIterable {
    /// Every method expected to be correct matches (every provided gradient, for verify).
    case matches
    /// One expected to be correct does not.
    case mismatch
    /// Bad usage or bad input: nothing was run.
    case badInput
    /// Nothing mismatched, but a verdict could not be decided (or `--budget` stopped the run).
    case undecided
    /// Stopped by Ctrl-C.
    case interrupted

    init(_ status: ReportStatus) {
        switch status {
        case .passed: self = .matches
        case .mismatch: self = .mismatch
        case .inconclusive: self = .undecided
        }
    }

    /// The status a printed report names (`ReportStatus`'s words): a run that printed a report
    /// matched, mismatched or was not decided (bad input and interruptions print none).
    var reportStatus: ReportStatus {
        switch self {
        case .matches: return .passed
        case .mismatch: return .mismatch
        case .undecided, .badInput, .interrupted: return .inconclusive
        }
    }

    /// How bad it is, for combining the outcomes of several fixtures: a mismatch beats an
    /// undecided verdict, which beats a match.
    private var severity: Int {
        switch self {
        case .matches: return 0
        case .undecided: return 1
        case .mismatch: return 2
        case .badInput: return 3
        case .interrupted: return 4
        }
    }

    /// The worst of `outcomes` (a match when there are none).
    static func worst<S: Sequence<Outcome>>(_ outcomes: S) -> Outcome {
        outcomes.max { $0.severity < $1.severity } ?? .matches
    }
}

/// The process's exit status for `outcome`: 0 matches, 1 mismatch, 2 bad input, 3 undecided,
/// 130 interrupted (128 + SIGINT, as shells report it).
func exitStatus(for outcome: Outcome) -> Int32 {
    switch outcome {
    case .matches: return 0
    case .mismatch: return 1
    case .badInput: return 2
    case .undecided: return 3
    case .interrupted: return 130
    }
}
