/// The names and shapes a report gives a cell's gradients: the cell's own inputs (`Wf`, `a0`,
/// `x`, as the Coursera notebook names them), or the tensors of a framework's file (`Wx`,
/// `weight_hh_l0`, `input`), stacked in the layout's gate order. A check compares gradients
/// through it, so that every figure it prints is of a tensor the user's file holds.
///
/// Viewing is a permutation, a transpose or a copy of elements (PyTorch's two biases both
/// show the cell's one bias gradient), so a relative error or a norm measured in a layout's
/// tensors is one of the same numbers, regrouped.
public struct ReportNames<C: Cell>: Sendable {
    private let map: LayoutMap<C>?

    /// The names of `form`'s layout for `problem` (the cell's own for Coursera, or for a
    /// layout that does not stack this cell's gates).
    public init(form: LayoutForm, problem: Problem<C, Double>) {
        map = form.layout == .coursera ? nil : LayoutMap(form: form, problem: problem)
    }

    /// The cell's own names (the Coursera notebook's).
    public static var cell: Self { Self(map: nil) }

    private init(map: LayoutMap<C>?) { self.map = map }

    /// The layout the names are of.
    public var layout: Layout { map?.layout ?? .coursera }

    /// `g`'s tensors under these names, in report order; those `g` lacks are left out (a
    /// stacked tensor needs every gate's block).
    public func tensors(_ g: Gradients<C>) -> [(name: String, tensor: Tensor)] {
        guard let map else { return g.inputs.compactMap { input in g[input].map { (input.name, $0) } } }
        return map.gradients(g, named: \.key).map { ($0.key, $0.tensor) }
    }

    /// The same, by name.
    public func dictionary(_ g: Gradients<C>) -> [String: Tensor] {
        Dictionary(tensors(g), uniquingKeysWith: { first, _ in first })
    }

    /// Every tensor a report on `problem` has a row for, in order.
    public func names(_ problem: Problem<C, Double>) -> [String] {
        var all = Gradients<C>()
        for input in problem.inputs { all[input] = problem.tensor(input) }
        return tensors(all).map(\.name)
    }
}

extension Fixture {
    /// The tensors a check of this fixture reports, in its file's layout.
    public var tensorNames: [String] {
        func names<P: CellProblem>(_ p: P) -> [String] { ReportNames(form: form, problem: p.typed).names(p.typed) }
        return names(network)
    }
}
