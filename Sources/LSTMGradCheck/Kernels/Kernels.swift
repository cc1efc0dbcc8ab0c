import Dispatch
import Foundation
internal import CKernels

/// Double matrix products on caller-owned row-major buffers: `C += op(A)·op(B)`,
/// register-blocked over packed panels, for the batched LSTM step (A a 4n_a × (n_a + n_x)
/// weight, B a stack of states with one column per batch element and trajectory).
///
/// Every element of C is summed the same way wherever it sits and however the work
/// is split: `acc = 0; acc = fma(a, b, acc)` for each k in order (one rounding per step,
/// whether an instruction or libm computes it) within a depth block of `CK_GEMM_DEPTH_BLOCK`
/// (256), then `C = C + acc` per block. So results are bit-identical for any thread count, any column count, any build
/// and any CPU path (`KernelPath`): the paths differ only in vector width and tile shape.
///
/// The tiles and loops are C (the CKernels target), compiled once per path and chosen at
/// run time; threads stay here. Swift code is compiled for the baseline of the target (SSE2
/// on x86-64) unless the whole build is given `-target-cpu`, which also makes the binary
/// unusable on older CPUs; the C kernels carry their own AVX2 and AVX-512 copies instead.

/// A CPU path of the C kernels: the baseline (SSE2 on x86-64, NEON on arm64), x86-64-v3
/// (AVX2) or x86-64-v4 (AVX-512). Every path gives the same bits; KernelsTests runs each
/// one this CPU supports against the others and against scalar loops.
struct KernelPath: Hashable, Sendable, CustomStringConvertible {
    let raw: Int32

    static let baseline = KernelPath(raw: CK_VARIANT_BASELINE)
    static let x86_64_v3 = KernelPath(raw: CK_VARIANT_X86_64_V3)
    static let x86_64_v4 = KernelPath(raw: CK_VARIANT_X86_64_V4)
    static let all = (0..<CK_VARIANT_COUNT).map { KernelPath(raw: $0) }

    /// Whether this CPU (and its OS) can run the path.
    var isSupported: Bool { ck_variant_supported(raw) }
    static var supported: [KernelPath] { all.filter(\.isSupported) }

    /// The path every product and elementwise function takes: the widest this CPU supports, or
    /// the one the environment variable `LSTM_GRADCHECK_KERNELS` names (`baseline`,
    /// `x86-64-v3`, `x86-64-v4`) if this CPU supports it; for benchmarks and for comparing
    /// paths end to end. Read once.
    static let active: KernelPath = {
        if let name = ProcessInfo.processInfo.environment["LSTM_GRADCHECK_KERNELS"],
           let chosen = all.first(where: { $0.description == name }), chosen.isSupported {
            return chosen
        }
        return KernelPath(raw: ck_best_variant())
    }()

    var description: String { ck_variant_name(raw).map { String(cString: $0) } ?? "path \(raw)" }
}

/// `C += op(A)·op(B)`, with `op(A)` m×k and `op(B)` k×n. A stored matrix X with
/// leading dimension ldx holds element (r, c) at `x[r * ldx + c]`; `transposeA` reads
/// A as stored k×m (element (i, p) of op(A) at `a[p * lda + i]`), likewise for B.
/// C must not overlap A or B. An empty shape (m, n or k zero) leaves C untouched.
/// `threads` > 1 splits the columns of C, never k, so the result does not depend on it.
public func gemmAdd(m: Int, n: Int, k: Int,
                    _ a: UnsafePointer<Double>, lda: Int, transposeA: Bool = false,
                    _ b: UnsafePointer<Double>, ldb: Int, transposeB: Bool = false,
                    _ c: UnsafeMutablePointer<Double>, ldc: Int, threads: Int = 1) {
    gemmAdd(m: m, n: n, k: k, a, lda: lda, transposeA: transposeA, b, ldb: ldb, transposeB: transposeB,
            c, ldc: ldc, threads: threads, path: .active)
}

/// `gemmAdd` on a given CPU path (tests compare the paths).
func gemmAdd(m: Int, n: Int, k: Int,
             _ a: UnsafePointer<Double>, lda: Int, transposeA: Bool = false,
             _ b: UnsafePointer<Double>, ldb: Int, transposeB: Bool = false,
             _ c: UnsafeMutablePointer<Double>, ldc: Int, threads: Int = 1, path: KernelPath) {
    guard m > 0, n > 0, k > 0 else { return }
    PackedLHS(m: m, k: k, a, lda: lda, transposed: transposeA, path: path)
        .multiplyAdd(n: n, b, ldb: ldb, transposeB: transposeB, c, ldc: ldc, threads: threads)
}

/// A left operand packed once into register-tile panels, for reuse across many
/// products (the same weight at every time step).
public struct PackedLHS: Sendable {
    /// Rows of op(A).
    public let rows: Int
    /// Columns of op(A), the shared dimension k.
    public let depth: Int
    /// The CPU path whose tile shape the panels have, and which multiplies with them.
    let path: KernelPath
    /// Per depth block, per tile-row block: the tile's rows for each k (on SSE2 each twice, as
    /// SSE2 has no broadcast load), rows past `rows` zero, so edge tiles run the same kernel as
    /// full ones. Laid out by `ck_gemm_pack`.
    let panels: [Double]

    /// Packs op(A) (m×k); the layout of `a` is as in `gemmAdd`. Negative sizes count as 0.
    public init(m: Int, k: Int, _ a: UnsafePointer<Double>, lda: Int, transposed: Bool = false) {
        self.init(m: m, k: k, a, lda: lda, transposed: transposed, path: .active)
    }

    /// Packs op(A) for a given CPU path (tests compare the paths).
    init(m: Int, k: Int, _ a: UnsafePointer<Double>, lda: Int, transposed: Bool = false, path: KernelPath) {
        let rows = max(m, 0), depth = max(k, 0)
        assert(rows == 0 || depth == 0 || lda >= (transposed ? rows : depth), "gemm: lda \(lda) too small")
        self.rows = rows
        self.depth = depth
        self.path = path
        let count = ck_gemm_packed_count(path.raw, rows, depth)
        panels = [Double](unsafeUninitializedCapacity: count) { out, initialized in
            if let o = out.baseAddress, count > 0 { ck_gemm_pack(path.raw, rows, depth, a, lda, transposed, o) }
            initialized = count
        }
    }

    /// `C += op(A)·op(B)` with this op(A); op(B) is `depth`×n, laid out as in `gemmAdd`.
    public func multiplyAdd(n: Int, _ b: UnsafePointer<Double>, ldb: Int, transposeB: Bool = false,
                            _ c: UnsafeMutablePointer<Double>, ldc: Int, threads: Int = 1) {
        guard rows > 0, n > 0, depth > 0 else { return }
        assert(ldb >= (transposeB ? depth : n) && ldc >= n, "gemm: ldb \(ldb) or ldc \(ldc) too small")
        // Slivers of C's columns, one register tile wide (narrower for products with few columns).
        let width = ck_gemm_sliver_width(path.raw, n), slivers = (n + width - 1) / width
        let parts = min(max(threads, 1), slivers)
        let (rows, depth, path) = (rows, depth, path.raw)
        panels.withUnsafeBufferPointer { packed in
            let a = packed.baseAddress!
            if parts == 1 {
                ck_gemm_run(path, rows, depth, a, n, 0, slivers, b, ldb, transposeB, c, ldc)
            } else {
                // Each part owns whole column slivers of C: no element is shared, and
                // A and B are only read.
                nonisolated(unsafe) let (a, b, c) = (a, b, c)
                DispatchQueue.concurrentPerform(iterations: parts) { t in
                    ck_gemm_run(path, rows, depth, a, n, slivers * t / parts, slivers * (t + 1) / parts,
                                b, ldb, transposeB, c, ldc)
                }
            }
        }
    }
}
