// One CPU path of the kernels, included by kernels.c once per path with
//   CK_SUFFIX          the path's suffix for every name here (base, v3, v4)
//   CK_TILE_BYTES      bytes of the GEMM tile's vectors: 16, 32 or 64
//   CK_TILE_ROWS       rows of a register tile
//   CK_TILE_VECTORS    vectors across a full tile; CK_NARROW_VECTORS across a narrow one
//   CK_PANEL_COPIES    copies of each A value in a packed panel: 1, or the vector's lanes
//                      where the instruction set has no broadcast load (SSE2)
// and, for the x86-64 paths, inside `#pragma clang attribute push(... target(...))`, so that
// every function here, static helpers included, is compiled for that path's instructions.
// It defines ck_rows_<suffix> and ck_copies_<suffix>, the path's tile shape for
// ck_panel_layout, and undefines the six parameters at its end, for the next path to set.
//
// The arithmetic is written out operation by operation and contraction is off, so every path
// (and every vector width) computes the same bits: the order below is the specification. The
// fused multiply-adds (the product's and the polynomials' Horner steps) are written out too
// (`__builtin_elementwise_fma`): a correctly rounded a·b + c is one value whatever computes it,
// an FMA instruction or libm's `fma`.

#pragma clang fp contract(off)
// -Wpsabi warns that 128-byte vector arguments are passed differently with and without
// AVX-512; it concerns calls between functions built for different instruction sets. The
// helpers here are static, always inlined and share their caller's target.
#pragma clang diagnostic push
#pragma clang diagnostic ignored "-Wpsabi"

#define CK_LANES (CK_TILE_BYTES / 8)
#define CK_PASTE_(a, b) a##_##b
#define CK_PASTE(a, b) CK_PASTE_(a, b)
#define CK_NAME(name) CK_PASTE(name, CK_SUFFIX)

typedef double CK_NAME(vec) __attribute__((vector_size(CK_TILE_BYTES)));

// MARK: GEMM

/// `x` in every lane.
static inline __attribute__((always_inline)) CK_NAME(vec) CK_NAME(splat)(double x) {
    CK_NAME(vec) v;
    for (int l = 0; l < CK_LANES; l++) v[l] = x;
    return v;
}

/// `C[0 ..< CK_TILE_ROWS, 0 ..< nv·CK_LANES] += panel·sliver` over kc steps of k: the
/// microkernel. `acc = +0; acc = fma(a, b, acc)` for each k in order, then `C = C + acc`.
/// `nv` is a constant at each (inlined) call, so the accumulators live in registers.
static inline __attribute__((always_inline))
void CK_NAME(tile)(const int nv, ptrdiff_t kc, const double *restrict panel, const double *restrict sliver,
                   double *restrict c, ptrdiff_t ldc) {
    typedef CK_NAME(vec) vec;
    vec acc[CK_TILE_ROWS][CK_TILE_VECTORS];
    for (int r = 0; r < CK_TILE_ROWS; r++)
        for (int v = 0; v < nv; v++) acc[r][v] = (vec){0};
    const double *pa = panel, *pb = sliver;
    for (ptrdiff_t p = 0; p < kc; p++) {
        vec bv[CK_TILE_VECTORS];
        for (int v = 0; v < nv; v++) __builtin_memcpy(&bv[v], pb + v * CK_LANES, sizeof(vec));
        for (int r = 0; r < CK_TILE_ROWS; r++) {
#if CK_PANEL_COPIES == 1
            const vec ar = CK_NAME(splat)(pa[r]);
#else
            vec ar;
            __builtin_memcpy(&ar, pa + r * CK_LANES, sizeof(vec));
#endif
            for (int v = 0; v < nv; v++) acc[r][v] = __builtin_elementwise_fma(ar, bv[v], acc[r][v]);
        }
        pa += CK_TILE_ROWS * CK_PANEL_COPIES;
        pb += nv * CK_LANES;
    }
    for (int r = 0; r < CK_TILE_ROWS; r++) {
        for (int v = 0; v < nv; v++) {
            double *at = c + r * ldc + v * CK_LANES;
            vec sum;
            __builtin_memcpy(&sum, at, sizeof(vec));
            sum = sum + acc[r][v];
            __builtin_memcpy(at, &sum, sizeof(vec));
        }
    }
}

/// Copies op(B)[p0 ..< p0+kc, j0 ..< j0+cols] into kc rows of nr, zero past cols.
static inline __attribute__((always_inline))
void CK_NAME(pack_sliver)(const ptrdiff_t nr, ptrdiff_t kc, ptrdiff_t cols, const double *restrict b, ptrdiff_t ldb,
                          bool transposed, ptrdiff_t p0, ptrdiff_t j0, double *restrict out) {
    if (transposed) {
        // Column by column of op(B), so that the reads from b are contiguous.
        if (cols < nr) memset(out, 0, (size_t)(kc * nr) * sizeof(double));
        for (ptrdiff_t q = 0; q < cols; q++) {
            const double *column = b + (j0 + q) * ldb + p0;
            for (ptrdiff_t p = 0; p < kc; p++) out[p * nr + q] = column[p];
        }
    } else if (cols == nr) {
        for (ptrdiff_t p = 0; p < kc; p++) memcpy(out + p * nr, b + (p0 + p) * ldb + j0, (size_t)nr * sizeof(double));
    } else {
        for (ptrdiff_t p = 0; p < kc; p++) {
            const double *row = b + (p0 + p) * ldb + j0;
            for (ptrdiff_t q = 0; q < nr; q++) out[p * nr + q] = q < cols ? row[q] : 0;
        }
    }
}

/// The slivers `first ..< end` of C, each `nv` vectors wide; see `ck_gemm_run`.
static inline __attribute__((always_inline))
void CK_NAME(run)(const int nv, ptrdiff_t rows, ptrdiff_t depth, const double *a, ptrdiff_t n,
                  ptrdiff_t first, ptrdiff_t end, const double *b, ptrdiff_t ldb, bool transposeB,
                  double *c, ptrdiff_t ldc) {
    const ptrdiff_t mr = CK_TILE_ROWS, nr = nv * CK_LANES;
    const ptrdiff_t padded_rows = (rows + mr - 1) / mr * mr;
    const ptrdiff_t max_kc = depth < CK_GEMM_DEPTH_BLOCK ? depth : CK_GEMM_DEPTH_BLOCK;
    ptrdiff_t per_chunk = CK_CHUNK_CAPACITY / (max_kc * nr);
    if (per_chunk < 1) per_chunk = 1;
    if (per_chunk > end - first) per_chunk = end - first;
    double *packed_b = ck_scratch((size_t)(max_kc * nr * per_chunk));
    _Alignas(64) double edge[CK_TILE_ROWS * CK_TILE_VECTORS * CK_LANES];
    for (ptrdiff_t p0 = 0; p0 < depth; p0 += CK_GEMM_DEPTH_BLOCK) {
        const ptrdiff_t kc = depth - p0 < CK_GEMM_DEPTH_BLOCK ? depth - p0 : CK_GEMM_DEPTH_BLOCK;
        const double *block = a + p0 * padded_rows * CK_PANEL_COPIES;
        for (ptrdiff_t chunk = first; chunk < end; chunk += per_chunk) {
            const ptrdiff_t chunk_end = chunk + per_chunk < end ? chunk + per_chunk : end;
            for (ptrdiff_t s = chunk; s < chunk_end; s++) {
                const ptrdiff_t j0 = s * nr;
                CK_NAME(pack_sliver)(nr, kc, n - j0 < nr ? n - j0 : nr, b, ldb, transposeB, p0, j0,
                                     packed_b + (s - chunk) * kc * nr);
            }
            // Row tile outermost: its A panel stays in L1 across the chunk, and C is swept
            // along rows rather than down columns (a power-of-two ldc would map a column of C
            // onto one cache set).
            for (ptrdiff_t i = 0; i < rows; i += mr) {
                const double *panel = block + i * kc * CK_PANEL_COPIES;
                const ptrdiff_t live = rows - i < mr ? rows - i : mr;
                for (ptrdiff_t s = chunk; s < chunk_end; s++) {
                    const ptrdiff_t j0 = s * nr, cols = n - j0 < nr ? n - j0 : nr;
                    const double *sliver = packed_b + (s - chunk) * kc * nr;
                    if (live == mr && cols == nr) {
                        CK_NAME(tile)(nv, kc, panel, sliver, c + i * ldc + j0, ldc);
                    } else {
                        // Edge: the live part of C into a full tile of scratch, the tile, and
                        // the live part back: each live element gets C + acc, as in a full tile.
                        memset(edge, 0, sizeof edge);
                        for (ptrdiff_t r = 0; r < live; r++)
                            memcpy(edge + r * nr, c + (i + r) * ldc + j0, (size_t)cols * sizeof(double));
                        CK_NAME(tile)(nv, kc, panel, sliver, edge, nr);
                        for (ptrdiff_t r = 0; r < live; r++)
                            memcpy(c + (i + r) * ldc + j0, edge + r * nr, (size_t)cols * sizeof(double));
                    }
                }
            }
        }
    }
    ck_scratch_free(packed_b);
}

static ptrdiff_t CK_NAME(sliver_width)(ptrdiff_t n) {
    return n <= CK_NARROW_VECTORS * CK_LANES ? CK_NARROW_VECTORS * CK_LANES : CK_TILE_VECTORS * CK_LANES;
}

static void CK_NAME(gemm_run)(ptrdiff_t rows, ptrdiff_t depth, const double *a, ptrdiff_t n,
                              ptrdiff_t first, ptrdiff_t end, const double *b, ptrdiff_t ldb, bool transposeB,
                              double *c, ptrdiff_t ldc) {
    // Half as wide for products with few columns (one step of a batch of m = 8), where the
    // full tile would multiply as many zeros as numbers.
    if (n <= CK_NARROW_VECTORS * CK_LANES)
        CK_NAME(run)(CK_NARROW_VECTORS, rows, depth, a, n, first, end, b, ldb, transposeB, c, ldc);
    else
        CK_NAME(run)(CK_TILE_VECTORS, rows, depth, a, n, first, end, b, ldb, transposeB, c, ldc);
}

// MARK: exp, tanh, sigmoid on 16 lanes (VectorMath.Vector), whatever the path's register width
// (their polynomials' Horner steps are fused multiply-adds: one rounding each, on every path)

static inline __attribute__((always_inline)) ck_lanes CK_NAME(select)(ck_mask m, ck_lanes a, ck_lanes b) {
    return (ck_lanes)(((ck_bits)m & (ck_bits)a) | (~(ck_bits)m & (ck_bits)b));
}

static inline __attribute__((always_inline)) bool CK_NAME(any)(ck_mask m) {
    return __builtin_reduce_or(m) != 0;
}

/// a·b + c per lane, rounded once (`VectorMath.fma`).
static inline __attribute__((always_inline)) ck_lanes CK_NAME(fma)(ck_lanes a, ck_lanes b, double c) {
    return __builtin_elementwise_fma(a, b, CK_SPLAT(c));
}

/// eˣ per lane; see `VectorMath.exp(_:)` for the method. Same operations, same order.
static inline __attribute__((always_inline)) ck_lanes CK_NAME(exp_lanes)(ck_lanes x) {
    ck_lanes t = CK_NAME(select)(x > 710.0, CK_SPLAT(710.0), x);
    t = CK_NAME(select)(t < -746.0, CK_SPLAT(-746.0), t);
    const ck_lanes shift = CK_SPLAT(0x1.8p52);
    const ck_lanes k = t * 0x1.71547652b82fep0 + shift;
    const ck_lanes n = k - shift;
    const ck_lanes r = (t - n * 0x1.62e42fee00000p-1) - n * 0x1.a39ef35793c76p-33;
    ck_lanes g = CK_SPLAT(0x1.1f72fc730b4ffp-29);
    g = CK_NAME(fma)(g, r, 0x1.af4ddd84882fep-26);
    g = CK_NAME(fma)(g, r, 0x1.27e4db67b4303p-22);
    g = CK_NAME(fma)(g, r, 0x1.71de02375656cp-19);
    g = CK_NAME(fma)(g, r, 0x1.a01a01a6d7808p-16);
    g = CK_NAME(fma)(g, r, 0x1.a01a01abe62ddp-13);
    g = CK_NAME(fma)(g, r, 0x1.6c16c16c162d6p-10);
    g = CK_NAME(fma)(g, r, 0x1.11111111100dfp-7);
    g = CK_NAME(fma)(g, r, 0x1.5555555555556p-5);
    g = CK_NAME(fma)(g, r, 0x1.5555555555557p-3);
    g = CK_NAME(fma)(g, r, 0.5);
    const ck_lanes er = 1.0 + (r + r * r * g);
    const ck_bits u = (ck_bits)k - (0x4338000000000000ULL - 2048);
    const ck_bits h = u >> 1;
    const ck_lanes s1 = (ck_lanes)((h - 1) << 52);
    const ck_lanes s2 = (ck_lanes)((u - h - 1) << 52);
    return er * s1 * s2;
}

/// tanh x per lane; see `VectorMath.tanh(_:)`.
static inline __attribute__((always_inline)) ck_lanes CK_NAME(tanh_lanes)(ck_lanes x) {
    const ck_bits bits = (ck_bits)x;
    const ck_bits sign = bits & 0x8000000000000000ULL;
    const ck_lanes ax = (ck_lanes)(bits & 0x7fffffffffffffffULL);
    const ck_mask small = ax < 0.625;
    ck_lanes y = {0};
    if (CK_NAME(any)(small)) {
        const ck_lanes z = ax * ax;
        ck_lanes p = CK_SPLAT(0x1.b33642a122cddp-18);
        p = CK_NAME(fma)(p, z, -0x1.05bbdae896297p-15);
        p = CK_NAME(fma)(p, z, 0x1.8445870f6fe41p-14);
        p = CK_NAME(fma)(p, z, -0x1.f243823c8c981p-13);
        p = CK_NAME(fma)(p, z, 0x1.3526e9ed54da1p-11);
        p = CK_NAME(fma)(p, z, -0x1.7d9f6f23e8682p-10);
        p = CK_NAME(fma)(p, z, 0x1.d6d39ae3905e2p-9);
        p = CK_NAME(fma)(p, z, -0x1.226e3473dce5cp-7);
        p = CK_NAME(fma)(p, z, 0x1.664f487e0a749p-6);
        p = CK_NAME(fma)(p, z, -0x1.ba1ba1ba0f126p-5);
        p = CK_NAME(fma)(p, z, 0x1.11111111110a8p-3);
        p = CK_NAME(fma)(p, z, -0x1.5555555555555p-2);
        y = ax + ax * (z * p);
    }
    if (CK_NAME(any)(~small)) {
        const ck_lanes large = 1.0 - 2.0 / (CK_NAME(exp_lanes)(ax + ax) + 1.0);
        y = CK_NAME(select)(small, y, large);
    }
    return (ck_lanes)((ck_bits)y | sign);
}

/// σ(x) per lane; see `VectorMath.sigmoid(_:)`.
static inline __attribute__((always_inline)) ck_lanes CK_NAME(sigmoid_lanes)(ck_lanes x) {
    const ck_mask negative = x < 0.0;
    const ck_lanes e = CK_NAME(exp_lanes)(-CK_NAME(select)(negative, -x, x));
    const ck_lanes numerator = CK_NAME(select)(negative, e, CK_SPLAT(1.0));
    return numerator / (1.0 + e);
}

/// Whole lane groups, then the tail padded with zeros through the same function, so the last
/// few elements get the bits they would get mid-buffer. Each group is read before it is written.
#define CK_APPLY(function, lanes)                                                     \
    static void CK_NAME(function)(const double *x, double *y, ptrdiff_t count) {      \
        ptrdiff_t i = 0;                                                              \
        for (; i + CK_VECTOR_LANES <= count; i += CK_VECTOR_LANES) {                  \
            ck_lanes v;                                                               \
            __builtin_memcpy(&v, x + i, sizeof v);                                    \
            v = CK_NAME(lanes)(v);                                                    \
            __builtin_memcpy(y + i, &v, sizeof v);                                    \
        }                                                                             \
        if (i < count) {                                                              \
            ck_lanes v = {0};                                                         \
            memcpy(&v, x + i, (size_t)(count - i) * sizeof(double));                  \
            v = CK_NAME(lanes)(v);                                                    \
            memcpy(y + i, &v, (size_t)(count - i) * sizeof(double));                  \
        }                                                                             \
    }

CK_APPLY(exp, exp_lanes)
CK_APPLY(tanh, tanh_lanes)
CK_APPLY(sigmoid, sigmoid_lanes)

#undef CK_APPLY
#pragma clang diagnostic pop

static const int CK_NAME(ck_rows) = CK_TILE_ROWS, CK_NAME(ck_copies) = CK_PANEL_COPIES;

#undef CK_NAME
#undef CK_PASTE
#undef CK_PASTE_
#undef CK_LANES
#undef CK_SUFFIX
#undef CK_TILE_BYTES
#undef CK_TILE_ROWS
#undef CK_TILE_VECTORS
#undef CK_NARROW_VECTORS
#undef CK_PANEL_COPIES
