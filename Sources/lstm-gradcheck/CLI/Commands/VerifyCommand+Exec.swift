import LSTMGradCheck

/// `verify --exec CMD`: the user's implementation run on every fixture of a battery (and their
/// own `--fixture`s), each result verified as a gradient file is, one summary line naming what
/// failed where.
extension VerifyCommand {
    func runExec(_ exec: ExecOptions, _ out: Output) throws -> Outcome {
        // Everything is read and generated before the first run: bad input stops it before any.
        var fixtures = try exec.fixtures()
        for loaded in try FixtureFiles.load(self.fixtures, limits: limits) {
            // The user's own are named by the file they gave, never by a temporary copy.
            var fixture = loaded.fixture
            fixture.name = loaded.label
            fixtures.append(fixture)
        }
        let folder = try ExecFolder()
        var verified: [(name: String, report: VerifyReport)] = []
        let reports = try ManyFixtures.each(Array(fixtures.enumerated()), name: \.element.name) { index, fixture in
            let user: UserGradients
            do {
                user = try exec.run(fixture, index: index, in: folder, limits: limits)
            } catch let failure as ExecFailure {
                GitHubAnnotations.write([(fixture: failure.fixture, failure: failure.summary)])
                throw failure
            }
            var report = try verify(fixture, user)
            // The report names the command as given: the file it wrote was a temporary one.
            report.source = exec.command
            if Interrupt.requested { throw Interrupted(finished: "its run of your command, not its verify") }
            verified.append((fixture.name, report))
            return render(report, fixture, colour: out.colour)
        }
        out.write(ManyFixtures.output(reports, command: Self.name, format: format, quiet: quiet, summary: BatterySummary.line(verified)))
        GitHubAnnotations.write(reports)
        return Outcome.worst(reports.map(\.outcome))
    }
}
