/// One tensor the loss is differentiated with respect to: a parameter of the cell, an initial
/// state, or the inputs `x`. This is a tensor's identity from the file boundary to the kernels.
public enum Input<C: Cell>: Hashable, Sendable {
    case parameter(C.Parameter)
    /// The initial hidden state, n_a × m.
    case a0
    /// The initial cell state, n_a × m (cells with a cell state, when the fixture gives it).
    case c0
    /// The inputs, n_x × m × T_x.
    case x

    /// The key in fixture files (`Wf`, `a0`, `x`).
    public var name: String {
        switch self {
        case .parameter(let p): return p.name
        case .a0: return "a0"
        case .c0: return "c0"
        case .x: return "x"
        }
    }

    /// The key in gradient files: `dWf`, `da0`, `dx`.
    public var gradientName: String { "d" + name }

    /// The input of `C` whose fixture key is `name`, if any.
    public init?(name: String) {
        switch name {
        case "a0": self = .a0
        case "c0" where C.hasCellState: self = .c0
        case "x": self = .x
        default:
            guard let p = C.Parameter(stringValue: name) else { return nil }
            self = .parameter(p)
        }
    }

    /// Every input `C` can have, in report order.
    public static var all: [Input] {
        C.Parameter.allCases.map { .parameter($0) } + [.a0] + (C.hasCellState ? [.c0] : []) + [.x]
    }
}

extension Input: CustomStringConvertible {
    public var description: String { name }
}
