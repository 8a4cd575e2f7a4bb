#include "scan_block16.h"

#include "scan_block16_kernel.h"

namespace linewatch {

// Built in their own files with -mavx512f -mavx512dq / -mavx2 -mfma (see CMakeLists.txt).
void ScanBlock16Avx512(const ScanJob& job, int64_t b, int64_t d0);
void ScanBlock16Avx2(const ScanJob& job, int64_t b, int64_t d0);

namespace {

void ScanBlock16Baseline(const ScanJob& job, int64_t b, int64_t d0) { ScanBlock16Impl<GenericMath>(job, b, d0); }

using ScanBlockFn = void (*)(const ScanJob&, int64_t, int64_t);

// Chosen once, for the CPU the library runs on.
ScanBlockFn SelectScanBlock() {
  __builtin_cpu_init();
  if (__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512dq")) return ScanBlock16Avx512;
  if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) return ScanBlock16Avx2;
  return ScanBlock16Baseline;
}

}  // namespace

void ScanBlock16(const ScanJob& job, int64_t b, int64_t d0) {
  static const ScanBlockFn selected = SelectScanBlock();
  selected(job, b, d0);
}

}  // namespace linewatch
