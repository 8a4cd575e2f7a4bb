// The vectorised CPU scan kernels and how one is chosen. Each kernel scans a block of `lanes` channels of one
// batch item at once, one channel per SIMD lane, with the states of each channel in vector registers.
// Vectorising across channels (not across states) keeps the sum over states a plain multiply-add per lane,
// with no horizontal reduction per token, and lets exp/softplus/SiLU run on whole vectors.
#pragma once

#include "selective_scan.h"

namespace linewatch {

struct ScanJob {
  const float* u;
  const float* delta;
  const float* a;
  const float* bs;
  const float* cs;
  const float* d_skip;
  const float* z;
  const float* delta_bias;
  float* y;
  // B and C per token, prepared once per call for every block: (batch, L, kTokenStride) with a token's 16 B
  // then its 16 C values together, so a kernel broadcasts them from one cache line pair; and Σ_n C_nt B_nt
  // (batch, L), the self term the masked diagonal takes back out.
  const float* bc_tokens;
  const float* cb_tokens;
  ScanShape shape;
  ScanAttributes attrs;
};

// The vector kernels need exactly this many states (every official model has 16); other sizes use the
// scalar loop.
constexpr int64_t kKernelStates = 16;
constexpr int64_t kTokenStride = 2 * kKernelStates;

struct ScanKernel {
  const char* name;  // "avx512", "avx2" or "baseline": what `linewatch version` and the benchmarks show
  int64_t lanes;     // channels per block
  void (*scan_block)(const ScanJob& job, int64_t b, int64_t d0);  // channels [d0, d0+lanes) of batch b
  // The recurrence's arithmetic alone, for the benchmark's roofline: `tokens` steps of `lanes` channels x 16
  // states (Δ·A, the exp, Δu·B and the two multiply-adds of every state update) with everything in registers,
  // no loads of inputs and no work outside the recurrence. Returns a sum of the results, so none is skipped.
  float (*arithmetic)(int64_t tokens);
};

// Fills one batch item's bc_tokens (L x kTokenStride) and cb_tokens (L) from its B and C (N x L each, N = 16).
void PrepareScanTokens(const float* bs, const float* cs, int64_t length, float* bc_tokens, float* cb_tokens);

// The best kernel this CPU runs, or a lower one when LINEWATCH_SCAN_ISA names it; chosen once per process.
const ScanKernel& DefaultScanKernel();

// The kernel called `name` if this build has it and the CPU can run it; nullptr otherwise.
const ScanKernel* FindScanKernel(const char* name);

// The names of the kernels this build has, best first, separated by '|' (for error messages).
const char* ScanKernelNames();

}  // namespace linewatch
