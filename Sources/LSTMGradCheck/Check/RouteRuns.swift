/// The routes' gradients a check needs, begun as soon as it starts, beside the references (they
/// need neither): each method in float64 and, where it has one, in float32, and the derivations
/// `Power` decides (those among the methods are not run again). Each run depends on its method
/// alone, so the results are the same whatever the threads (`Workers.Started`).
struct RouteRuns<C: Cell>: Sendable {
    private let runs: Workers.Started<Gradients<C>>
    private let methodCount: Int
    /// Per method, where its float32 run is among `runs`; per derivation of `power`, where its float64 run is.
    private let singles: [Int?], powers: [Int]

    init(_ problem: Problem<C, Double>, methods: [Method<C>], power derivations: [Method<C>], threads: Int) {
        var runs = methods.map(\.compute)
        func add(_ run: @escaping @Sendable (Problem<C, Double>) -> Gradients<C>) -> Int {
            runs.append(run)
            return runs.count - 1
        }
        singles = methods.map { $0.computeSingle.map(add) }
        powers = derivations.map { d in methods.firstIndex { $0.name == d.name } ?? add(d.compute) }
        methodCount = methods.count
        let all = runs
        self.runs = Workers.Started(all.count, threads: threads) { all[$0](problem) }
    }

    /// Per method, in order, its float64 gradients and its float32 run's (nil without one); per
    /// derivation of `power`, in order, its float64 gradients. Waits for the runs not yet done.
    func gradients() -> (double: [Gradients<C>], single: [Gradients<C>?], power: [Gradients<C>]) {
        let results = runs.results()
        return (Array(results[..<methodCount]), singles.map { $0.map { results[$0] } }, powers.map { results[$0] })
    }
}
