/// The gradient by forward-mode differentiation of the loss: no derivation and no step, so
/// its only error is rounding (about 1e-14 relative on the networks here), and it can judge
/// both the analytic routes and finite differences.
public enum ExactGradient {
    /// `∂L/∂θ` for every element θ of every input (report order), under `control` (by default
    /// on every core, never stopping); throws when it stops the run. The cell chooses the route
    /// (`Cell.exactGradient`): dual numbers through its generic forward pass (`dualNumbers`)
    /// unless it has a faster one. Either way the result is identical bit for bit whatever the threads.
    public static func gradients<C: Cell>(_ problem: Problem<C, Double>, control: RunControl = RunControl()) throws(Interruption) -> Gradients<C> {
        try C.exactGradient(problem, control: control.during(.exactReference))
    }

    /// Forward mode on the generic forward pass, `Dual.lanes` elements per pass of the loss:
    /// element number g (report order, C order within a tensor) is seeded in lane
    /// `g mod lanes` of pass `g / lanes`, so the cost is ⌈elements / lanes⌉ passes, spread over
    /// the threads. Each lane is computed independently of the others.
    static func dualNumbers<C: Cell>(_ problem: Problem<C, Double>, control: RunControl) throws(Interruption) -> Gradients<C> {
        let elements = InputElements(problem)
        let lanes = Dual.lanes, passes = (elements.count + lanes - 1) / lanes
        // A pass carries `lanes` elements through every step of every batch column.
        let costs = [Int](repeating: lanes * problem.dims.steps * problem.dims.batch, count: passes)
        var values = [Double](repeating: .nan, count: elements.count)
        let (finished, stop) = values.withUnsafeMutableBufferPointer { buffer in
            nonisolated(unsafe) let out = buffer.baseAddress!   // passes write disjoint elements
            return Workers.run(costs: costs, control: control, makeState: {}) { pass, _, _ in
                let range = (pass * lanes)..<min(elements.count, (pass + 1) * lanes)
                // `lifted` visits the inputs one by one, so an input's offset is looked up once.
                var current: Input<C>?, firstLane = 0
                let tangent = problem.loss { input, flat, value -> Dual in
                    if input != current {
                        current = input
                        firstLane = elements.offset(of: input) - range.lowerBound
                    }
                    let lane = firstLane + flat
                    return 0 <= lane && lane < lanes ? Dual(value: value, seeding: lane) : Dual(value)
                }.tangent
                for g in range { out[g] = tangent[g - range.lowerBound] }
                return true
            }
        }
        if let stop {
            throw Interruption(reason: stop, done: finished.filter { $0 }.count * (costs.first ?? 0), total: costs.reduce(0, +))
        }
        return elements.gradients(values)
    }
}
