/// Gradients of the loss, one tensor per input of cell `C`, kept in the order they were set
/// (report order).
public struct Gradients<C: Cell>: Sendable, Equatable {
    public private(set) var inputs: [Input<C>] = []
    private var tensors: [Input<C>: Tensor] = [:]

    public init() {}

    /// Adds or replaces a tensor; a new input goes last.
    public subscript(input: Input<C>) -> Tensor? {
        get { tensors[input] }
        set {
            if tensors[input] == nil, newValue != nil { inputs.append(input) }
            if newValue == nil { inputs.removeAll { $0 == input } }
            tensors[input] = newValue
        }
    }
}
