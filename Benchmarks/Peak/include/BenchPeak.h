#ifndef BENCHPEAK_H
#define BENCHPEAK_H

/// The FP64 peak `make bench` divides by: independent fused multiply-add chains in registers on
/// one CPU path of CKernels (`CK_VARIANT_*`), as wide as that path's vectors.

#ifdef __cplusplus
extern "C" {
#endif

/// Runs `iterations` rounds of `BP_CHAINS` independent vector multiply-adds on `variant`'s
/// vectors (a path the CPU supports), and returns the flops done: 2 per lane per multiply-add.
/// On the x86-64 baseline, which has no FMA instruction, a multiply then an add.
double bp_multiply_adds(int variant, long iterations);

#ifdef __cplusplus
}
#endif

#endif
