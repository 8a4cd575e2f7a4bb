// The vectorised CPU scan: 16 channels at a time, one per SIMD lane, with the 16 states of each channel in
// 16 vector registers. Vectorising across channels (not across states) keeps the sum over states a plain
// multiply-add per lane, with no horizontal reduction per token, and lets exp/softplus/SiLU run 16 at once.
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
  ScanShape shape;
  ScanAttributes attrs;
};

constexpr int64_t kLanes = 16;

// Scans channels [d0, d0+16) of batch b; requires shape.state == 16. Built for AVX-512, AVX2 and baseline x86-64
// and dispatched at load time to the best the CPU has.
void ScanBlock16(const ScanJob& job, int64_t b, int64_t d0);

// "avx512", "avx2" or "baseline": the kernel ScanBlock16 runs.
const char* ScanBlock16Isa();

}  // namespace linewatch
