import Dispatch

/// Double matrix products on caller-owned row-major buffers: `C += op(A)·op(B)`,
/// register-blocked over packed panels, for the batched LSTM step (A a 4n_a × (n_a + n_x)
/// weight, B a stack of states with one column per batch element and trajectory).
///
/// Every element of C is summed the same way wherever it sits and however the work
/// is split: `acc = 0; acc = acc + a·b` for each k in order (a multiply then an add,
/// never fused) within a depth block of `depthBlock`, then `C = C + acc` per block.
/// So results are bit-identical for any thread count, any column count, with or
/// without `WIDE_SIMD`, and with any `-target-cpu` (Swift never contracts `a·b + c`).

/// Register tile `rows × (vectors · V.scalarCount)`, chosen at compile time
/// (`-Xswiftc -DWIDE_SIMD` beside an AVX-512 `-target-cpu`): a tile that fills 32 AVX-512
/// registers spills on the 16 SSE registers of the portable target, and SSE-sized
/// vectors leave three quarters of an AVX-512 unit idle. Either tile is correct anywhere.
#if WIDE_SIMD
private typealias ActiveTile = Tile<SIMD8<Double>, 6, 2>
#else
private typealias ActiveTile = Tile<SIMD2<Double>, 4, 2>
#endif
/// Half as wide, on the same A panels: for products with few columns (one step of a batch
/// of m = 8), where the full tile would multiply as many zeros as numbers.
#if WIDE_SIMD
private typealias NarrowTile = Tile<SIMD8<Double>, 6, 1>
#else
private typealias NarrowTile = Tile<SIMD2<Double>, 4, 1>
#endif

/// Copies of each A value in a panel. Two SSE2 lanes are filled by one load of a duplicated
/// pair: SSE2 has no broadcast load, and the shuffle it takes instead shares the vector pipes
/// with the multiplies and adds. An AVX-512 broadcast load costs no vector pipe.
#if WIDE_SIMD
private let panelCopies = 1
#else
private let panelCopies = 2
#endif

/// Depth (k) block: an A panel (`depthBlock × ActiveTile.rows`) and a B sliver stay in L1.
private let depthBlock = 256
/// Packed B per column chunk, in doubles: 64 KiB, in L2 beside the A block, and small
/// enough for malloc to serve without a fresh mmap on every call.
private let chunkCapacity = 8192

/// `C += op(A)·op(B)`, with `op(A)` m×k and `op(B)` k×n. A stored matrix X with
/// leading dimension ldx holds element (r, c) at `x[r * ldx + c]`; `transposeA` reads
/// A as stored k×m (element (i, p) of op(A) at `a[p * lda + i]`), likewise for B.
/// C must not overlap A or B. An empty shape (m, n or k zero) leaves C untouched.
/// `threads` > 1 splits the columns of C, never k, so the result does not depend on it.
public func gemmAdd(m: Int, n: Int, k: Int,
                    _ a: UnsafePointer<Double>, lda: Int, transposeA: Bool = false,
                    _ b: UnsafePointer<Double>, ldb: Int, transposeB: Bool = false,
                    _ c: UnsafeMutablePointer<Double>, ldc: Int, threads: Int = 1) {
    guard m > 0, n > 0, k > 0 else { return }
    PackedLHS(m: m, k: k, a, lda: lda, transposed: transposeA)
        .multiplyAdd(n: n, b, ldb: ldb, transposeB: transposeB, c, ldc: ldc, threads: threads)
}

/// A left operand packed once into register-tile panels, for reuse across many
/// products (the same weight at every time step).
public struct PackedLHS: Sendable {
    /// Rows of op(A).
    public let rows: Int
    /// Columns of op(A), the shared dimension k.
    public let depth: Int
    /// Per depth block, per tile-row block: `ActiveTile.rows` values for each k (each
    /// `panelCopies` times), rows past `rows` zero, so edge tiles run the same kernel as full ones.
    let panels: [Double]

    /// Packs op(A) (m×k); the layout of `a` is as in `gemmAdd`. Negative sizes count as 0.
    public init(m: Int, k: Int, _ a: UnsafePointer<Double>, lda: Int, transposed: Bool = false) {
        let rows = max(m, 0), depth = max(k, 0)
        assert(rows == 0 || depth == 0 || lda >= (transposed ? rows : depth), "gemm: lda \(lda) too small")
        let mr = ActiveTile.rows, paddedRows = (rows + mr - 1) / mr * mr, copies = panelCopies
        self.rows = rows
        self.depth = depth
        panels = [Double](unsafeUninitializedCapacity: paddedRows * depth * copies) { out, count in
            guard var o = out.baseAddress else { count = 0; return }
            for p0 in stride(from: 0, to: depth, by: depthBlock) {
                let kc = min(depthBlock, depth - p0)
                for i0 in stride(from: 0, to: paddedRows, by: mr) {
                    let live = min(mr, rows - i0)
                    if live < mr { o.update(repeating: 0, count: kc * mr * copies) }
                    // Loops ordered so that the reads from `a` are contiguous.
                    if transposed {
                        for p in 0..<kc {
                            let row = a + (p0 + p) * lda + i0
                            for r in 0..<live { (o + (p * mr + r) * copies).update(repeating: row[r], count: copies) }
                        }
                    } else {
                        for r in 0..<live {
                            let row = a + (i0 + r) * lda + p0
                            for p in 0..<kc { (o + (p * mr + r) * copies).update(repeating: row[p], count: copies) }
                        }
                    }
                    o += kc * mr * copies
                }
            }
            count = paddedRows * depth * copies
        }
    }

    /// `C += op(A)·op(B)` with this op(A); op(B) is `depth`×n, laid out as in `gemmAdd`.
    public func multiplyAdd(n: Int, _ b: UnsafePointer<Double>, ldb: Int, transposeB: Bool = false,
                            _ c: UnsafeMutablePointer<Double>, ldc: Int, threads: Int = 1) {
        guard rows > 0, n > 0, depth > 0 else { return }
        assert(ldb >= (transposeB ? depth : n) && ldc >= n, "gemm: ldb \(ldb) or ldc \(ldc) too small")
        if n <= NarrowTile.columns {
            multiplyAdd(NarrowTile.self, n: n, b, ldb: ldb, transposeB: transposeB, c, ldc: ldc, threads: threads)
        } else {
            multiplyAdd(ActiveTile.self, n: n, b, ldb: ldb, transposeB: transposeB, c, ldc: ldc, threads: threads)
        }
    }

    private func multiplyAdd<Kernel: TileKernel>(_: Kernel.Type, n: Int, _ b: UnsafePointer<Double>, ldb: Int, transposeB: Bool,
                                                 _ c: UnsafeMutablePointer<Double>, ldc: Int, threads: Int) {
        let nr = Kernel.columns, slivers = (n + nr - 1) / nr
        let parts = min(max(threads, 1), slivers)
        panels.withUnsafeBufferPointer { packed in
            let a = packed.baseAddress!
            if parts == 1 {
                run(Kernel.self, slivers: 0..<slivers, n: n, a, b, ldb, transposeB, c, ldc)
            } else {
                // Each part owns whole column slivers of C: no element is shared, and
                // A and B are only read.
                nonisolated(unsafe) let (a, b, c) = (a, b, c)
                DispatchQueue.concurrentPerform(iterations: parts) { t in
                    run(Kernel.self, slivers: (slivers * t / parts)..<(slivers * (t + 1) / parts), n: n, a, b, ldb, transposeB, c, ldc)
                }
            }
        }
    }

    /// The columns of C in `slivers` (of `Kernel.columns` each).
    private func run<Kernel: TileKernel>(_: Kernel.Type, slivers: Range<Int>, n: Int, _ a: UnsafePointer<Double>,
                                         _ b: UnsafePointer<Double>, _ ldb: Int, _ transposeB: Bool,
                                         _ c: UnsafeMutablePointer<Double>, _ ldc: Int) {
        let mr = Kernel.rows, nr = Kernel.columns
        let paddedRows = (rows + mr - 1) / mr * mr
        let perChunk = min(max(1, chunkCapacity / (min(depthBlock, depth) * nr)), slivers.count)
        let packedB = UnsafeMutablePointer<Double>.allocate(capacity: min(depthBlock, depth) * nr * perChunk)
        defer { packedB.deallocate() }
        let edge = UnsafeMutablePointer<Double>.allocate(capacity: mr * nr)
        defer { edge.deallocate() }
        for p0 in stride(from: 0, to: depth, by: depthBlock) {
            let kc = min(depthBlock, depth - p0)
            let block = a + p0 * paddedRows * panelCopies
            for first in stride(from: slivers.lowerBound, to: slivers.upperBound, by: perChunk) {
                let chunk = first..<min(first + perChunk, slivers.upperBound)
                for s in chunk {
                    let j0 = s * nr
                    packSliver(nr, kc: kc, cols: min(nr, n - j0), b, ldb, transposeB, p0: p0, j0: j0,
                               into: packedB + (s - first) * kc * nr)
                }
                // Row tile outermost: its A panel stays in L1 across the chunk, and C is
                // swept along rows rather than down columns (a power-of-two ldc would map
                // a column of C onto one cache set).
                for i in stride(from: 0, to: rows, by: mr) {
                    let panel = block + i * kc * panelCopies
                    let live = min(mr, rows - i)
                    for s in chunk {
                        let j0 = s * nr, cols = min(nr, n - j0)
                        let sliver = packedB + (s - first) * kc * nr
                        if live == mr && cols == nr {
                            Kernel.multiplyAdd(kc, panel, sliver, c + i * ldc + j0, ldc)
                        } else {
                            // Edge: the full tile into scratch, then only its live part into C.
                            // acc starts at +0, so 0 + acc is acc bit for bit: same sums as a full tile.
                            edge.update(repeating: 0, count: mr * nr)
                            Kernel.multiplyAdd(kc, panel, sliver, edge, nr)
                            for r in 0..<live {
                                for q in 0..<cols { c[(i + r) * ldc + j0 + q] += edge[r * nr + q] }
                            }
                        }
                    }
                }
            }
        }
    }
}

/// Copies op(B)[p0 ..< p0+kc, j0 ..< j0+cols] into `kc` rows of `nr`, zero past `cols`.
private func packSliver(_ nr: Int, kc: Int, cols: Int, _ b: UnsafePointer<Double>, _ ldb: Int, _ transposed: Bool,
                        p0: Int, j0: Int, into out: UnsafeMutablePointer<Double>) {
    var o = out
    if transposed {
        // Column by column of op(B), so that the reads from `b` are contiguous.
        if cols < nr { o.update(repeating: 0, count: kc * nr) }
        for q in 0..<cols {
            let column = b + (j0 + q) * ldb + p0
            for p in 0..<kc { o[p * nr + q] = column[p] }
        }
    } else if cols == nr {
        for p in p0..<(p0 + kc) {
            o.update(from: b + p * ldb + j0, count: nr)
            o += nr
        }
    } else {
        for p in p0..<(p0 + kc) {
            for q in 0..<nr { o[q] = q < cols ? b[p * ldb + j0 + q] : 0 }
            o += nr
        }
    }
}

/// What `PackedLHS.run` needs of a microkernel.
private protocol TileKernel {
    static var rows: Int { get }
    static var columns: Int { get }
    static func multiplyAdd(_ kc: Int, _ panel: UnsafePointer<Double>, _ sliver: UnsafePointer<Double>,
                            _ c: UnsafeMutablePointer<Double>, _ ldc: Int)
}

extension Tile: TileKernel {}

/// A register tile of `R` rows by `NV` vectors `V`: the microkernel. Accumulators live
/// in registers (the inline arrays are fully unrolled); each k broadcasts `R` values
/// of the A panel against `NV` vectors of the B sliver.
private enum Tile<V: SIMD, let R: Int, let NV: Int> where V.Scalar == Double {
    static var rows: Int { R }
    static var columns: Int { NV * V.scalarCount }

    /// `C[0..<R, 0..<columns] += panel·sliver` over `kc` steps of k.
    static func multiplyAdd(_ kc: Int, _ panel: UnsafePointer<Double>, _ sliver: UnsafePointer<Double>,
                            _ c: UnsafeMutablePointer<Double>, _ ldc: Int) {
        let width = V.scalarCount, stride = MemoryLayout<Double>.stride
        var acc = InlineArray<R, InlineArray<NV, V>>(repeating: .init(repeating: V()))
        assert(panelCopies == 1 || panelCopies == width, "a panel holds one value or one vector per row")
        var pa = panel, pb = UnsafeRawPointer(sliver)
        for _ in 0..<kc {
            var bv = InlineArray<NV, V>(repeating: V())
            for v in 0..<NV { bv[v] = pb.loadUnaligned(fromByteOffset: v * width * stride, as: V.self) }
            for r in 0..<R {
                let ar = panelCopies == 1 ? V(repeating: pa[r])
                    : UnsafeRawPointer(pa).loadUnaligned(fromByteOffset: r * width * stride, as: V.self)
                // Multiply then add, not `addProduct`: without FMA (the portable target) that is
                // a libm call per lane, 30× slower, and unfused keeps every build's bits equal.
                for v in 0..<NV { acc[r][v] = acc[r][v] + ar * bv[v] }
            }
            pa += R * panelCopies
            pb += NV * width * stride
        }
        let rc = UnsafeMutableRawPointer(c)
        for r in 0..<R {
            for v in 0..<NV {
                let offset = (r * ldc + v * width) * stride
                let sum = rc.loadUnaligned(fromByteOffset: offset, as: V.self) + acc[r][v]
                rc.storeBytes(of: sum, toByteOffset: offset, as: V.self)
            }
        }
    }
}
