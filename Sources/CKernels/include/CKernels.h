#ifndef CKERNELS_H
#define CKERNELS_H

/// The batched Double kernels of LSTMGradCheck (`gemmAdd`, `PackedLHS`, `VectorMath`'s
/// buffers), compiled once per CPU path and chosen at run time: every function takes the path
/// (a `CK_VARIANT_*`), which must be one `ck_variant_supported` accepts (another x86 path would
/// fault on a CPU without its instructions). Every path computes the same bits: no contraction in any source file,
/// each element of a product summed in the same order by fused multiply-adds (correctly rounded,
/// so one value on every path), pure lane arithmetic (their Horner steps fused) for exp, tanh and sigmoid. Paths differ only in vector width and tile shape.
/// Sizes and strides count doubles. Nothing here allocates on behalf of the caller or keeps state.

#include <stddef.h>
#include <stdbool.h>

#ifdef __cplusplus
extern "C" {
#endif

/// The portable path: SSE2 on x86-64 (the baseline every x86-64 CPU has), NEON on arm64,
/// plain C elsewhere.
#define CK_VARIANT_BASELINE 0
/// x86-64-v3: AVX2 and FMA (256-bit vectors, 16 registers).
#define CK_VARIANT_X86_64_V3 1
/// x86-64-v4: AVX-512 F/DQ/VL/BW/CD (512-bit vectors, 32 registers).
#define CK_VARIANT_X86_64_V4 2
/// One past the last path.
#define CK_VARIANT_COUNT 3

/// Whether this CPU and operating system can run `variant` (the CPU has the instructions and
/// the OS saves their registers). The baseline always can; the x86 paths only on x86-64.
bool ck_variant_supported(int variant);
/// The widest path this CPU supports.
int ck_best_variant(void);
/// "baseline", "x86-64-v3", "x86-64-v4"; NULL past the last.
const char *ck_variant_name(int variant);

// MARK: Matrix products (see `gemmAdd` in Kernels.swift)

/// The depth (k) block: each element of C gets `C + fma(a, b, … fma(a, b, 0))` once per block
/// of this many k, blocks in order. The same on every path; the sums depend on it.
#define CK_GEMM_DEPTH_BLOCK 256

/// Doubles `ck_gemm_pack` writes for an m × k left operand on `variant`.
ptrdiff_t ck_gemm_packed_count(int variant, ptrdiff_t m, ptrdiff_t k);
/// Packs op(A) (m × k; element (i, p) at `a[i * lda + p]`, or `a[p * lda + i]` when
/// `transposed`) into `variant`'s register-tile panels at `out`.
void ck_gemm_pack(int variant, ptrdiff_t m, ptrdiff_t k, const double *a, ptrdiff_t lda, bool transposed,
                  double *out);
/// Columns of C per sliver (one register tile's width) for a product with n columns on `variant`.
ptrdiff_t ck_gemm_sliver_width(int variant, ptrdiff_t n);
/// `C[:, slivers first ..< end] += op(A)·op(B)[:, same]` with op(A) packed by `ck_gemm_pack`
/// (rows × depth) on the same `variant`; op(B) is depth × n (element (p, j) at `b[p * ldb + j]`,
/// or `b[j * ldb + p]` when `transposeB`). Slivers are `ck_gemm_sliver_width(variant, n)`
/// columns wide. Disjoint sliver ranges may run on different threads at once.
void ck_gemm_run(int variant, ptrdiff_t rows, ptrdiff_t depth, const double *panels, ptrdiff_t n,
                 ptrdiff_t first_sliver, ptrdiff_t end_sliver, const double *b, ptrdiff_t ldb, bool transposeB,
                 double *c, ptrdiff_t ldc);

// MARK: Elementwise functions (see `VectorMath` in VectorMath.swift)

/// `y[i] = f(x[i])` for i in 0 ..< count; `y` may be `x`, not a shifted overlap.
void ck_exp(int variant, const double *x, double *y, ptrdiff_t count);
void ck_tanh(int variant, const double *x, double *y, ptrdiff_t count);
void ck_sigmoid(int variant, const double *x, double *y, ptrdiff_t count);

#ifdef __cplusplus
}
#endif

#endif
