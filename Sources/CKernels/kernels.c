// The kernels of CKernels.h, compiled once per CPU path (variant.h) and chosen at run time.
//
// Bit-identity across paths rests on three things, all checked by KernelsTests:
//  - no contraction: the compiler fuses nothing (the pragma below and in variant.h); the fused
//    multiply-adds, the product's `acc = fma(a, b, acc)` and the polynomials' Horner steps, are
//    written out, and a correctly rounded a·b + c has one value whether an FMA instruction
//    (x86-64-v3 and v4, arm64) or libm's `fma` (x86-64 baseline, which has no such instruction)
//    computes it;
//  - every element of a product is summed in the same order whatever the tile shape;
//  - exp, tanh and sigmoid are lane arithmetic, so the vector width does not matter.

#pragma clang fp contract(off)

// -ffast-math would let the compiler reorder and fuse; -ffp-contract=fast (which has no macro)
// overrides the pragma above. Either breaks bit-identity, and KernelsTests would say so.
#if defined(__FAST_MATH__)
#error "CKernels must not be compiled with -ffast-math: results would depend on the CPU path"
#endif

#include "CKernels.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#if defined(__x86_64__) && defined(__clang__)
#define CK_X86_PATHS 1
#include <cpuid.h>
#else
#define CK_X86_PATHS 0
#endif

/// Packed B per column chunk, in doubles: 64 KiB, in L2 beside the A block.
#define CK_CHUNK_CAPACITY 8192

/// The lane group of the elementwise functions: VectorMath.Vector's 16 lanes. Enough
/// independent work to hide the latency of the polynomial chains on any path.
#define CK_VECTOR_LANES 16
typedef double ck_lanes __attribute__((vector_size(CK_VECTOR_LANES * 8)));
typedef uint64_t ck_bits __attribute__((vector_size(CK_VECTOR_LANES * 8)));
typedef __typeof__((ck_lanes){0} < (ck_lanes){0}) ck_mask;
#define CK_SPLAT(v) ((ck_lanes){v, v, v, v, v, v, v, v, v, v, v, v, v, v, v, v})

/// 64-byte aligned scratch for packed B slivers; aborts when memory runs out, as Swift's
/// allocation does.
static double *ck_scratch(size_t doubles) {
    unsigned char *raw = malloc(doubles * sizeof(double) + 64 + sizeof(void *));
    if (!raw) abort();
    uintptr_t start = ((uintptr_t)(raw + sizeof(void *)) + 63) & ~(uintptr_t)63;
    ((void **)start)[-1] = raw;
    return (double *)start;
}

static void ck_scratch_free(double *p) { free(((void **)p)[-1]); }

// MARK: The paths

// Baseline: what the compiler targets by default (SSE2 on x86-64, NEON on arm64).
#define CK_SUFFIX base
#if defined(__x86_64__)
// 16 SSE registers: 4 × 2 vectors of accumulators. SSE2 has no broadcast load, and the shuffle
// it takes instead shares the vector pipes with the multiplies and adds: A values are stored
// twice, so one load fills both lanes.
#define CK_TILE_BYTES 16
#define CK_TILE_ROWS 4
#define CK_TILE_VECTORS 2
#define CK_NARROW_VECTORS 1
#define CK_PANEL_COPIES 2
#elif defined(__aarch64__)
// 32 NEON registers: 4 × 4 vectors of accumulators, A values broadcast by element.
#define CK_TILE_BYTES 16
#define CK_TILE_ROWS 4
#define CK_TILE_VECTORS 4
#define CK_NARROW_VECTORS 2
#define CK_PANEL_COPIES 1
#else
#define CK_TILE_BYTES 16
#define CK_TILE_ROWS 4
#define CK_TILE_VECTORS 2
#define CK_NARROW_VECTORS 1
#define CK_PANEL_COPIES 1
#endif
#include "variant.h"

#if CK_X86_PATHS
// x86-64-v3 (AVX2 and FMA, 16 ymm registers): a 6 × 8 tile, 12 accumulators.
#pragma clang attribute push(__attribute__((target("avx2,fma"))), apply_to = function)
#define CK_SUFFIX v3
#define CK_TILE_BYTES 32
#define CK_TILE_ROWS 6
#define CK_TILE_VECTORS 2
#define CK_NARROW_VECTORS 1
#define CK_PANEL_COPIES 1
#include "variant.h"
#pragma clang attribute pop

// x86-64-v4 (AVX-512 and FMA, 32 zmm registers): a 6 × 16 tile, 12 accumulators.
#pragma clang attribute push(__attribute__((target("avx512f,avx512dq,avx512vl,avx512bw,avx512cd,fma"))), apply_to = function)
#define CK_SUFFIX v4
#define CK_TILE_BYTES 64
#define CK_TILE_ROWS 6
#define CK_TILE_VECTORS 2
#define CK_NARROW_VECTORS 1
#define CK_PANEL_COPIES 1
#include "variant.h"
#pragma clang attribute pop
#endif

// MARK: Which path

#if CK_X86_PATHS
/// 0 baseline, 1 x86-64-v3 (AVX2 and FMA), 2 x86-64-v4: what the CPU has and the OS saves (XCR0).
static int ck_x86_level(void) {
    unsigned a, b, c, d;
    if (!__get_cpuid(1, &a, &b, &c, &d)) return 0;
    const int fma = (c >> 12) & 1, osxsave = (c >> 27) & 1, avx = (c >> 28) & 1;
    if (!fma || !osxsave || !avx) return 0;
    unsigned lo, hi;
    __asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
    const uint64_t xcr0 = ((uint64_t)hi << 32) | lo;
    if ((xcr0 & 0x6) != 0x6 || __get_cpuid_max(0, 0) < 7) return 0;   // XMM and YMM state
    __cpuid_count(7, 0, a, b, c, d);
    if (!((b >> 5) & 1)) return 0;   // AVX2
    const unsigned avx512 = (1u << 16) | (1u << 17) | (1u << 28) | (1u << 30) | (1u << 31);   // F DQ CD BW VL
    // Opmask, upper ZMM0-15 and ZMM16-31 state. (macOS enables it lazily, so there the
    // check fails and the AVX2 path runs.)
    if ((b & avx512) == avx512 && (xcr0 & 0xe6) == 0xe6) return 2;
    return 1;
}
#endif

bool ck_variant_supported(int variant) {
    switch (variant) {
    case CK_VARIANT_BASELINE: return true;
#if CK_X86_PATHS
    case CK_VARIANT_X86_64_V3: return ck_x86_level() >= 1;
    case CK_VARIANT_X86_64_V4: return ck_x86_level() >= 2;
#endif
    default: return false;
    }
}

int ck_best_variant(void) {
#if CK_X86_PATHS
    switch (ck_x86_level()) {
    case 2: return CK_VARIANT_X86_64_V4;
    case 1: return CK_VARIANT_X86_64_V3;
    default: break;
    }
#endif
    return CK_VARIANT_BASELINE;
}

const char *ck_variant_name(int variant) {
    switch (variant) {
    case CK_VARIANT_BASELINE: return "baseline";
    case CK_VARIANT_X86_64_V3: return "x86-64-v3";
    case CK_VARIANT_X86_64_V4: return "x86-64-v4";
    default: return NULL;
    }
}

/// A path not compiled in (the x86 paths elsewhere) or unknown runs as the baseline, which every
/// CPU has. A compiled path the CPU lacks would fault: callers pass supported paths only.
static int ck_path(int variant) {
#if CK_X86_PATHS
    if (variant == CK_VARIANT_X86_64_V3 || variant == CK_VARIANT_X86_64_V4) return variant;
#endif
    (void)variant;
    return CK_VARIANT_BASELINE;
}

// MARK: GEMM

static void ck_tile_shape(int variant, ptrdiff_t *rows, ptrdiff_t *copies) {
    switch (ck_path(variant)) {
#if CK_X86_PATHS
    case CK_VARIANT_X86_64_V3: *rows = ck_rows_v3; *copies = ck_copies_v3; return;
    case CK_VARIANT_X86_64_V4: *rows = ck_rows_v4; *copies = ck_copies_v4; return;
#endif
    default: *rows = ck_rows_base; *copies = ck_copies_base; return;
    }
}

ptrdiff_t ck_gemm_packed_count(int variant, ptrdiff_t m, ptrdiff_t k) {
    ptrdiff_t mr, copies;
    ck_tile_shape(variant, &mr, &copies);
    if (m <= 0 || k <= 0) return 0;
    return (m + mr - 1) / mr * mr * k * copies;
}

/// Per depth block, per tile-row block: the tile's rows of A for each k (each `copies`
/// times), rows past m zero, so edge tiles run the same kernel as full ones.
void ck_gemm_pack(int variant, ptrdiff_t m, ptrdiff_t k, const double *a, ptrdiff_t lda, bool transposed,
                  double *out) {
    ptrdiff_t mr, copies;
    ck_tile_shape(variant, &mr, &copies);
    if (m <= 0 || k <= 0) return;
    const ptrdiff_t padded_rows = (m + mr - 1) / mr * mr;
    double *o = out;
    for (ptrdiff_t p0 = 0; p0 < k; p0 += CK_GEMM_DEPTH_BLOCK) {
        const ptrdiff_t kc = k - p0 < CK_GEMM_DEPTH_BLOCK ? k - p0 : CK_GEMM_DEPTH_BLOCK;
        for (ptrdiff_t i0 = 0; i0 < padded_rows; i0 += mr) {
            const ptrdiff_t live = m - i0 < mr ? m - i0 : mr;
            if (live < mr) memset(o, 0, (size_t)(kc * mr * copies) * sizeof(double));
            // Loops ordered so that the reads from a are contiguous.
            if (transposed) {
                for (ptrdiff_t p = 0; p < kc; p++) {
                    const double *row = a + (p0 + p) * lda + i0;
                    for (ptrdiff_t r = 0; r < live; r++)
                        for (ptrdiff_t q = 0; q < copies; q++) o[(p * mr + r) * copies + q] = row[r];
                }
            } else {
                for (ptrdiff_t r = 0; r < live; r++) {
                    const double *row = a + (i0 + r) * lda + p0;
                    for (ptrdiff_t p = 0; p < kc; p++)
                        for (ptrdiff_t q = 0; q < copies; q++) o[(p * mr + r) * copies + q] = row[p];
                }
            }
            o += kc * mr * copies;
        }
    }
}

ptrdiff_t ck_gemm_sliver_width(int variant, ptrdiff_t n) {
    switch (ck_path(variant)) {
#if CK_X86_PATHS
    case CK_VARIANT_X86_64_V3: return sliver_width_v3(n);
    case CK_VARIANT_X86_64_V4: return sliver_width_v4(n);
#endif
    default: return sliver_width_base(n);
    }
}

void ck_gemm_run(int variant, ptrdiff_t rows, ptrdiff_t depth, const double *panels, ptrdiff_t n,
                 ptrdiff_t first_sliver, ptrdiff_t end_sliver, const double *b, ptrdiff_t ldb, bool transposeB,
                 double *c, ptrdiff_t ldc) {
    if (rows <= 0 || depth <= 0 || n <= 0 || first_sliver >= end_sliver) return;
    switch (ck_path(variant)) {
#if CK_X86_PATHS
    case CK_VARIANT_X86_64_V3:
        gemm_run_v3(rows, depth, panels, n, first_sliver, end_sliver, b, ldb, transposeB, c, ldc);
        return;
    case CK_VARIANT_X86_64_V4:
        gemm_run_v4(rows, depth, panels, n, first_sliver, end_sliver, b, ldb, transposeB, c, ldc);
        return;
#endif
    default:
        gemm_run_base(rows, depth, panels, n, first_sliver, end_sliver, b, ldb, transposeB, c, ldc);
        return;
    }
}

// MARK: Elementwise

#if CK_X86_PATHS
#define CK_ELEMENTWISE(function)                                                          \
    void ck_##function(int variant, const double *x, double *y, ptrdiff_t count) {        \
        switch (ck_path(variant)) {                                                       \
        case CK_VARIANT_X86_64_V3: function##_v3(x, y, count); return;                    \
        case CK_VARIANT_X86_64_V4: function##_v4(x, y, count); return;                    \
        default: function##_base(x, y, count); return;                                    \
        }                                                                                 \
    }
#else
#define CK_ELEMENTWISE(function)                                                          \
    void ck_##function(int variant, const double *x, double *y, ptrdiff_t count) {        \
        (void)variant;                                                                    \
        function##_base(x, y, count);                                                     \
    }
#endif

CK_ELEMENTWISE(exp)
CK_ELEMENTWISE(tanh)
CK_ELEMENTWISE(sigmoid)
