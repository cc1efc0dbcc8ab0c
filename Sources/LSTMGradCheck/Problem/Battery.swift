/// The fixtures `verify --exec` runs a user's own backward pass on: the corner cases a
/// hand-written backward gets wrong. One network lets some mistakes through (per-step is exact
/// at T_x = 1, a mean over the batch is the sum at m = 1, a truncation hides in a short
/// sequence), and shapes that fit one network break on another; together they leave little
/// room. Each is drawn by the project's generator from a fixed seed, so every run on every
/// machine writes the same files, and each is small enough that the whole battery is verified
/// in seconds.
public enum Battery: String, CaseIterable, Sendable {
    /// The notebook's own API: class labels `y`, `c0 = 0`, no upstream `da`.
    case `default`
    /// The notebook's `lstm_backward(da, caches)`: an upstream `da` over every step, no output
    /// layer, `c0 = 0`.
    case upstream

    /// One corner case: its name (what it is, as reports print it) and how it is drawn.
    public struct Member: Sendable, Equatable {
        public var name: String
        public var dims: Dims
        public var seed: UInt64
        /// Weights and biases uniform in [−scale, scale): 6 drives most gates to 0 or 1.
        public var scale: Double = 1
        /// Nearly right already: every label class 0 and `by[0] = 16` (under the upstream loss
        /// a `da` of 1e-8), so every gradient is tiny (below 1e-5) and a slip in scale or sign
        /// still shows. Not closer: the textbook `dz = ŷ − onehot(y)` cancels, and its float64
        /// rounding alone, in a right implementation, grows as e^by[0]: 3e-10 of the gradient
        /// here, but 1e-6 (verify's bound) at `by[0] = 25`.
        public var nearConverged = false
        /// Why it is in the battery, for the fixture's description.
        public var why: String
    }

    /// The corner cases, in the order they run. `n_y > n_a` (an output layer larger than the
    /// state) means nothing without an output layer: the upstream battery has `n_x > n_a`
    /// (the two halves of `concat` differ in size) in its place.
    public var members: [Member] {
        let d = Dims(n_x: 3, n_a: 5, n_y: 2, steps: 7, batch: 10)
        func sized(_ change: (inout Dims) -> Void) -> Dims {
            var out = d
            change(&out)
            return out
        }
        let wide = self == .default
            ? Member(name: "n_y > n_a", dims: Dims(n_x: 3, n_a: 2, n_y: 6, steps: 5, batch: 4), seed: 7,
                     why: "more classes than hidden units: an array sized by the wrong one of n_y and n_a no longer fits")
            : Member(name: "n_x > n_a", dims: Dims(n_x: 6, n_a: 2, n_y: 2, steps: 5, batch: 4), seed: 7,
                     why: "more inputs than hidden units: concat is n_a + n_x, so da_prev and dx sliced from the wrong end show")
        return [
            Member(name: "default", dims: d, seed: 1, why: "the built-in default network"),
            Member(name: "T_x 1", dims: sized { $0.steps = 1 }, seed: 2,
                   why: "one step: nothing is carried, and a loop over time that is one step short drops the only one"),
            Member(name: "batch 1", dims: sized { $0.batch = 1; $0.steps = 9 }, seed: 3,
                   why: "m = 1: every matrix a single column, where a squeeze or a sum without keepdims changes a shape"),
            Member(name: "long sequence (T_x 40)", dims: Dims(n_x: 2, n_a: 3, n_y: 2, steps: 40, batch: 2), seed: 4,
                   why: "the carry crosses forty steps: a dropped or truncated carry loses most of the gradient"),
            Member(name: "saturated gates", dims: d, seed: 5, scale: 6,
                   why: "weights uniform in [-6, 6): most gates near 0 or 1, where a wrong activation derivative still looks small"),
            Member(name: "near-converged", dims: d, seed: 6, nearConverged: true,
                   why: "nearly right already: every gradient is tiny, and only its relative error tells right from wrong"),
            wide,
            Member(name: "large batch", dims: sized { $0.batch = 64 }, seed: 8,
                   why: "m = 64: a mean instead of a sum over the batch is 64 times off"),
        ]
    }

    /// The battery's fixtures for `cell`, in Coursera's layout.
    public func fixtures(cell: CellKind) -> [Fixture] {
        func draw<C: Cell>(_: C.Type, _ m: Member) -> any CellProblem {
            var p = Problem<C, Double>.random(m.dims, seed: m.seed, scale: GenerationScale(weights: m.scale, inputs: 1))
            switch self {
            case .default:
                if m.nearConverged {
                    p.target = .labels(Array(repeating: Array(repeating: 0, count: m.dims.batch), count: m.dims.steps))
                    p.weights[C.outputLayer.bias][0, 0] = 16
                }
            case .upstream:
                // Its own stream, so the network is the default battery's, bit for bit.
                p = p.withUpstreamGradient(seed: m.seed ^ 0x7570_7374_7265_616D, scale: m.nearConverged ? 1e-8 : 1)
            }
            return p
        }
        // Reports put the sizes before the description: it says why, and the seed.
        return members.map { Fixture(name: $0.name, description: "\($0.why) (seed \($0.seed))", network: draw(cell.cell, $0)) }
    }
}
