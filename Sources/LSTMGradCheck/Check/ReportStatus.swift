/// What a whole report comes to — a check, a verify — and so the exit status: the one
/// outcome type every command maps through one function.
public enum ReportStatus: String, Sendable {
    /// Everything expected to be correct matches (status 0).
    case passed
    /// Something expected to be correct does not, or is missing (status 1).
    case mismatch
    /// Nothing mismatched, but something could not be decided (status 3).
    case inconclusive
}
