import Foundation

/// Sizes a run may take, so that a typo (`--steps 1e9`), a huge file or a header that
/// lies is refused with a message instead of exhausting memory.
public struct Limits: Sendable, Equatable {
    /// The working memory a run may plan for, in bytes (`--max-memory`).
    public var maxMemory: Int

    public init(maxMemory: Int) { self.maxMemory = maxMemory }

    /// A third of this machine's memory (8 GiB on the 24 GiB machines here).
    public static let machineDefault = Limits(maxMemory: Int(min(ProcessInfo.processInfo.physicalMemory / 3, UInt64(Int.max))))

    /// The largest file read: a parsed JSON document takes several times its text, and a
    /// file this large holds a network far beyond what a check can finish (128 MiB at 8 GiB).
    public var maxFileBytes: Int { maxMemory / 64 }

    /// The most array elements a file may hold: each is kept as a double, several times over.
    public var maxElements: Int { maxMemory / 64 }

    /// Bytes the forward caches and gradients of one pass need, roughly: every step keeps
    /// nine n_a × m matrices and its input, and the routes keep as much again.
    public static func estimatedBytes(_ d: Dims) -> Double {
        let n_a = Double(d.n_a), n_x = Double(d.n_x), n_y = Double(d.n_y)
        let weights = 4 * n_a * (n_a + n_x + 1) + n_y * (n_a + 1)
        let perStep = Double(d.batch) * (9 * n_a + n_x + n_y)
        return 8 * 3 * (weights + Double(d.steps) * perStep)
    }

    /// Throws when `d` would need more than `maxMemory` bytes; `source` names where the sizes came from.
    public func check(_ d: Dims, source: String) throws(InputError) {
        let need = Self.estimatedBytes(d)
        guard need <= Double(maxMemory) else {
            throw InputError(source: source, key: "sizes",
                             expected: "at most \(byteCount(maxMemory)) of working memory (raise --max-memory)",
                             found: "n_x \(d.n_x), n_a \(d.n_a), n_y \(d.n_y), T_x \(d.steps), m \(d.batch) need about \(byteCount(Int(min(need, Double(Int.max)))))")
        }
    }
}

/// `512 KiB`, `12 MiB`, `8 GiB`: a byte count as people read it (rounded down).
public func byteCount(_ n: Int) -> String {
    n >= 1 << 30 ? "\(n >> 30) GiB" : n >= 1 << 20 ? "\(n >> 20) MiB" : n >= 1 << 10 ? "\(n >> 10) KiB" : "\(n) bytes"
}
