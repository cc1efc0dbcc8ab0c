/// Every input element of a problem under one number: `problem.inputs` in order, each
/// tensor's elements in C order. The references work element by element (or lane by lane)
/// over this numbering and gather the results back into tensors.
struct InputElements<C: Cell>: Sendable {
    let inputs: [Input<C>]
    let shapes: [[Int]]
    /// `offsets[k]` is the number of the first element of `inputs[k]`; the last entry is the total.
    let offsets: [Int]

    init(_ problem: Problem<C, Double>) {
        inputs = problem.inputs
        shapes = inputs.map(problem.shape(of:))
        offsets = shapes.reduce(into: [0]) { $0.append($0[$0.count - 1] + $1.reduce(1, *)) }
    }

    var count: Int { offsets[offsets.count - 1] }

    /// The number of the first element of `input`; the total for an input the problem lacks.
    func offset(of input: Input<C>) -> Int {
        offsets[inputs.firstIndex(of: input) ?? inputs.count]
    }

    /// The element numbers of `inputs[k]`.
    func range(_ k: Int) -> Range<Int> { offsets[k]..<offsets[k + 1] }

    /// Which input, and which element of it (C order), element `number` is.
    func element(_ number: Int) -> (input: Input<C>, flat: Int) {
        // offsets[0] = 0 ≤ every number, so some offset qualifies.
        let k = (offsets.lastIndex { $0 <= number }) ?? 0
        return (inputs[k], number - offsets[k])
    }

    /// The value of every element of `problem`, in this numbering.
    func values(_ problem: Problem<C, Double>) -> [Double] {
        inputs.flatMap { problem.tensor($0).data }
    }

    /// `values` (one per element, in this numbering) as tensors in their Coursera shapes.
    func gradients(_ values: [Double]) -> Gradients<C> {
        var out = Gradients<C>()
        for (k, input) in inputs.enumerated() {
            out[input] = Tensor(shape: shapes[k], data: Array(values[range(k)]))
        }
        return out
    }
}
