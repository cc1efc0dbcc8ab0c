/// What a network can prove: which of the catalogue's wrong derivations would be caught on it
/// (some tensor beyond its bound against the exact gradient) and which would pass unnoticed.
/// A pass on a network that cannot tell a mistake from the truth proves nothing about that
/// mistake: with T_x = 1 nothing is carried between steps, so a missing carry cannot show.
public struct Power: Sendable, Equatable {
    /// The wrong derivations this network catches, in catalogue order.
    public var caught: [String] = []
    /// Those that would pass on it, and why, in plain words, where the sizes say why.
    public var unnoticed: [String] = []
    public var reason: String?

    public init() {}

    /// The derivations `of` decides: the wrong ones of `C`'s catalogue, in catalogue order.
    static func derivations<C: Cell>(_ problem: Problem<C, Double>) -> [Method<C>] {
        C.catalogue(steps: problem.dims.steps).filter { $0.expectation == .wrong }
    }

    /// Every wrong derivation of `C`'s catalogue against `exact`, under the rule a check
    /// applies to a float64 route (`Decision.decide` with the minimum rounding floor).
    public static func of<C: Cell>(_ problem: Problem<C, Double>, exact: Gradients<C>) -> Power {
        of(problem, exact: exact, gradients: derivations(problem).map { $0.compute(problem) })
    }

    /// As `of(_:exact:)`, from the derivations' float64 gradients, already computed:
    /// `gradients[k]` is `derivations(problem)[k].compute(problem)`.
    static func of<C: Cell>(_ problem: Problem<C, Double>, exact: Gradients<C>, gradients: [Gradients<C>]) -> Power {
        var power = Power()
        let floor = Decision.minimumAmplification * Decision.unitRoundoff(.float64)
        for (method, g) in zip(derivations(problem), gradients) {
            let caught = exact.inputs.contains { input in
                guard let r = exact[input], let t = g[input] else { return false }
                let c = Comparison.compare(input.name, t, reference: r, tolerance: 0)
                return Decision.decide(c, referenceError: floor, roundingFloor: floor, fixedTolerance: nil, referenceName: "exact").verdict == .fail
            }
            if caught { power.caught.append(method.name) } else { power.unnoticed.append(method.name) }
        }
        if !power.unnoticed.isEmpty && problem.dims.steps == 1 {
            power.reason = "T_x = 1: there is no earlier step for a gradient to be carried to"
        }
        return power
    }

    /// `names`, wrong derivations a check let through (float32's wider bounds let more through
    /// than the float64 rule `of` applies), counted as unnoticed: no sentence may call caught
    /// what the report beside it shows passing.
    mutating func letThrough(_ names: [String]) {
        for name in names where caught.contains(name) {
            caught.removeAll { $0 == name }
            unnoticed.append(name)
        }
    }

    /// Why every gradient of a network of sizes `d` is exactly zero, as far as the sizes say.
    static func whyZero(_ d: Dims) -> String {
        d.n_y == 1
            ? "every gradient of this network is exactly zero (n_y = 1: with one class the softmax is identically 1, so the loss is constant), so no derivation can be told from another"
            : "every gradient of this network is exactly zero, so no derivation can be told from another"
    }

    /// One sentence for a report, or nil when the catalogue was not run.
    public var sentence: String? {
        if unnoticed.isEmpty { return caught.isEmpty ? nil : "On this network every wrong derivation in the catalogue would be caught." }
        let names = unnoticed.joined(separator: ", ")
        return "On this network \(names) would pass unnoticed\(reason.map { " (\($0))" } ?? ""): a pass here proves nothing about \(unnoticed.count == 1 ? "that mistake" : "those mistakes")."
    }
}
