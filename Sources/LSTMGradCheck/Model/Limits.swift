/// Sizes a run may take, so that a typo (`--steps 1e9`) is refused with a message
/// instead of exhausting memory.
public enum Limits {
    /// The default memory a run may plan for: 8 GiB, a third of these 24 GiB machines.
    public static let defaultMaxMemory = 8 << 30

    /// Bytes the forward caches and gradients of one pass need, roughly: every step keeps
    /// nine n_a × m matrices and its input, and the routes keep as much again.
    public static func estimatedBytes(_ d: LSTMDims) -> Double {
        let n_a = Double(d.n_a), n_x = Double(d.n_x), n_y = Double(d.n_y)
        let weights = 4 * n_a * (n_a + n_x + 1) + n_y * (n_a + 1)
        let perStep = Double(d.batch) * (9 * n_a + n_x + n_y)
        return 8 * 3 * (weights + Double(d.steps) * perStep)
    }

    /// Throws when `d` would need more than `maxMemory` bytes; `source` names where the sizes came from.
    public static func check(_ d: LSTMDims, maxMemory: Int = defaultMaxMemory, source: String) throws(InputError) {
        let need = estimatedBytes(d)
        guard need <= Double(maxMemory) else {
            throw InputError(source: source, key: "sizes",
                             expected: "at most \(maxMemory >> 20) MiB of working memory",
                             found: "n_x \(d.n_x), n_a \(d.n_a), n_y \(d.n_y), T_x \(d.steps), m \(d.batch) need about \(Int(need / 1_048_576)) MiB")
        }
    }
}
