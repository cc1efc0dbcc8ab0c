// Twelve independent accumulator chains: enough to cover the latency of a multiply-add
// (4 cycles) on two pipes, so the pipes, not the dependencies, set the rate.

#include "BenchPeak.h"
#include "CKernels.h"

#define BP_CHAINS 12

// Defines probe_<suffix>: `BYTES`-wide vectors, `STEP(acc, m, c)` one multiply-add.
#define BP_PROBE(suffix, BYTES, STEP)                                                          \
    static double probe_##suffix(long iterations) {                                            \
        typedef double vec __attribute__((vector_size(BYTES)));                                \
        const int lanes = BYTES / 8;                                                           \
        vec acc[BP_CHAINS], m, c;                                                              \
        for (int l = 0; l < lanes; l++) m[l] = 1 - 1e-12, c[l] = 1e-12;                        \
        for (int i = 0; i < BP_CHAINS; i++)                                                    \
            for (int l = 0; l < lanes; l++) acc[i][l] = 1 + i + l;                             \
        for (long k = 0; k < iterations; k++) {                                                \
            _Pragma("clang loop unroll(full)") for (int i = 0; i < BP_CHAINS; i++) {           \
                STEP(acc[i], m, c);                                                            \
            }                                                                                  \
        }                                                                                      \
        double sum = 0;   /* returned, so the chains are not optimised away */                 \
        for (int i = 0; i < BP_CHAINS; i++) sum += acc[i][0];                                  \
        return sum == sum ? 2.0 * BP_CHAINS * lanes * (double)iterations : 0;                  \
    }

#define BP_FMA(acc, m, c) acc = __builtin_elementwise_fma(acc, m, c)
// A barrier between the multiply and the add, so the compiler cannot fuse or reorder them.
#define BP_MUL_ADD(acc, m, c) do { vec p = acc * m; __asm__("" : "+x"(p)); acc = p + c; } while (0)

#if defined(__x86_64__) && defined(__clang__)
BP_PROBE(base, 16, BP_MUL_ADD)
#pragma clang attribute push(__attribute__((target("avx2,fma"))), apply_to = function)
BP_PROBE(v3, 32, BP_FMA)
#pragma clang attribute pop
#pragma clang attribute push(__attribute__((target("avx512f,fma"))), apply_to = function)
BP_PROBE(v4, 64, BP_FMA)
#pragma clang attribute pop

double bp_multiply_adds(int variant, long iterations) {
    switch (variant) {
    case CK_VARIANT_X86_64_V3: return probe_v3(iterations);
    case CK_VARIANT_X86_64_V4: return probe_v4(iterations);
    default: return probe_base(iterations);
    }
}
#else
BP_PROBE(base, 16, BP_FMA)

double bp_multiply_adds(int variant, long iterations) {
    (void)variant;
    return probe_base(iterations);
}
#endif
