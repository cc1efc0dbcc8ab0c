/// The routes' gradients a check needs, computed together on the run's threads: each method in
/// float64 and, where it has one, in float32, and the derivations `Power` decides (those among
/// the methods are not run again). Each run depends on its method alone, so the results are
/// the same whatever the threads.
struct RouteRuns<C: Cell> {
    /// Per method, in order: its float64 gradients, and its float32 run's (nil without one).
    let double: [Gradients<C>], single: [Gradients<C>?]
    /// Per derivation of `power`, in order: its float64 gradients.
    let power: [Gradients<C>]

    init(_ problem: Problem<C, Double>, methods: [Method<C>], power derivations: [Method<C>], threads: Int) {
        var runs = methods.map(\.compute)
        func add(_ run: @escaping @Sendable (Problem<C, Double>) -> Gradients<C>) -> Int {
            runs.append(run)
            return runs.count - 1
        }
        let singles = methods.map { $0.computeSingle.map(add) }
        let powers = derivations.map { d in methods.firstIndex { $0.name == d.name } ?? add(d.compute) }
        let all = runs
        let results = Workers.map(all.count, threads: threads) { all[$0](problem) }
        double = Array(results[..<methods.count])
        single = singles.map { $0.map { results[$0] } }
        power = powers.map { results[$0] }
    }
}
