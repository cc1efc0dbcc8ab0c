/// Every input element of a problem under one number: `problem.inputKeys` in
/// order, each tensor's elements in C order. The references work element by
/// element (or lane by lane) over this numbering and gather the results back into tensors.
struct InputElements: Sendable {
    let keys: [String]
    let shapes: [[Int]]
    /// `offsets[k]` is the number of the first element of `keys[k]`; the last entry is the total.
    let offsets: [Int]

    init<P: GradientProblem>(_ problem: P) {
        keys = problem.inputKeys
        shapes = keys.map(problem.shape(of:))
        offsets = shapes.reduce(into: [0]) { $0.append($0.last! + $1.reduce(1, *)) }
    }

    var count: Int { offsets.last! }

    /// The number of the first element of input `key` (one of `keys`).
    func offset(of key: String) -> Int {
        offsets[keys.firstIndex(of: key) ?? keys.count]
    }

    /// Which input, and which element of it (C order), element `number` is.
    func element(_ number: Int) -> (key: String, flat: Int) {
        let k = offsets.lastIndex { $0 <= number }!   // offsets[0] = 0 ≤ every number
        return (keys[k], number - offsets[k])
    }

    /// The value of every element of `problem`, in this numbering.
    func values<P: GradientProblem>(_ problem: P) -> [Double] {
        keys.flatMap { problem.tensor($0).data }
    }

    /// `values` (one per element, in this numbering) as tensors in their Coursera shapes.
    func gradients(_ values: [Double]) -> Gradients {
        var out = Gradients()
        for (k, key) in keys.enumerated() {
            out.set(key, Tensor(shape: shapes[k], data: Array(values[offsets[k]..<offsets[k + 1]])))
        }
        return out
    }
}
