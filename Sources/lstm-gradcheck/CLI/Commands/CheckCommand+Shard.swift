import LSTMGradCheck

/// `check --shard K/N`: the finite differences of shard K, with the check's settings and the
/// network, for `merge` to finish the check (`MergeCommand.swift`).
extension CheckCommand {
    /// The options of `check` that decide what it prints, in a fixed order, with their values
    /// as given: what a part carries to `merge` (the network travels as a fixture beside them).
    static let settingValues = [MethodSelection.spec, OutputFormat.reportSpec, DecisionOptions.referenceSpec, DecisionOptions.fdSpec,
                                DecisionOptions.precisionSpec, DecisionOptions.toleranceSpec, heatmapSpec]
    static let settingFlags = [detailSpec, ManyFixtures.quietSpec]

    static func settings(_ p: ParsedArguments) -> [String] {
        settingValues.flatMap { spec in p.string(spec).map { ["--\(spec.name)", $0] } ?? [] }
            + settingFlags.filter(p.has).map { "--\($0.name)" }
    }

    /// The part file of shard `shard` of the check of the one network in `loaded`.
    func shardPart(_ loaded: [FixtureFiles.Loaded], _ shard: Shard, _ out: Output) throws -> Outcome {
        guard loaded.count == 1, let fixture = loaded.first?.fixture else {
            throw UsageError(.incompatibleValues("'--shard' splits the check of one network; \(loaded.count) fixtures were given"), command: Self.name)
        }
        try validate(fixture)
        let request = FiniteDifferences.Request.estimate(setup.decision.checkOptions.scheme)
        func part<P: CellProblem>(_ p: P) throws -> JSONValue {
            let (selection, results) = try shard.compute(p.typed, request, run: setup.runOptions)
            let extra = JSONValue.object([
                JSONMember("options", .array(settings.map { .string($0) })),
                JSONMember("fixture", try FixtureFile.encode(fixture)),
            ])
            return shard.part("check", p.typed, name: fixture.name, context: Shard.checkContext(fixture, settings, request),
                              selection, results, withErrors: true, extra: extra)
        }
        out.write(JSON.serialize(try part(fixture.network)) + "\n")
        return .matches
    }
}
