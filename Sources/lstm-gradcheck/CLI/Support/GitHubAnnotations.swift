import Foundation

/// Failures as GitHub Actions annotations: in a GitHub Actions job (`GITHUB_ACTIONS=true`) each
/// failure is also one `::error` line on standard error, which GitHub shows on the run's summary
/// and beside a pull request's checks. Standard output is unchanged.
enum GitHubAnnotations {
    static var enabled: Bool { ProcessInfo.processInfo.environment["GITHUB_ACTIONS"] == "true" }

    /// `::error title=lstm-gradcheck::<fixture>: <failure>`.
    static func error(fixture: String, _ failure: String) -> String {
        "::error title=lstm-gradcheck::" + escape("\(fixture): \(failure)")
    }

    /// The message as GitHub's workflow commands need it: `%`, CR and LF as `%25`, `%0D`, `%0A`
    /// (a raw line break would end the command).
    static func escape(_ message: String) -> String {
        message.replacingScalars { scalar in
            switch scalar {
            case "%": return "%25"
            case "\r": return "%0D"
            case "\n": return "%0A"
            default: return nil
            }
        }
    }

    /// Writes the failures of `reports` when enabled.
    static func write(_ reports: [FixtureReport]) {
        write(reports.flatMap { r in r.failures.map { (r.name, $0) } })
    }

    /// Writes one line per (fixture, failure) when enabled.
    static func write(_ failures: [(fixture: String, failure: String)]) {
        guard enabled, !failures.isEmpty else { return }
        FileHandle.standardError.write(Data(failures.map { error(fixture: $0.fixture, $0.failure) + "\n" }.joined().utf8))
    }
}
