#include "scan_kernel.h"

#include <cstdlib>
#include <cstring>

namespace linewatch {

// Defined in their own files, each compiled with its instruction set's flags (see CMakeLists.txt).
#if defined(__x86_64__)
extern const ScanKernel kScanKernelAvx512;
extern const ScanKernel kScanKernelAvx2;
#endif
extern const ScanKernel kScanKernelBaseline;

namespace {

bool Runs(const ScanKernel& kernel) {
#if defined(__x86_64__)
  __builtin_cpu_init();
  if (&kernel == &kScanKernelAvx512) return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512dq");
  if (&kernel == &kScanKernelAvx2) return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
#endif
  return &kernel == &kScanKernelBaseline;
}

// Best first.
const ScanKernel* const kKernels[] = {
#if defined(__x86_64__)
    &kScanKernelAvx512,
    &kScanKernelAvx2,
#endif
    &kScanKernelBaseline,
};

// LINEWATCH_SCAN_ISA names a kernel so one machine can run (and the tests can check) every one it has; a
// kernel the CPU cannot run, or an unknown name, leaves the best one in place.
const ScanKernel& Choose() {
  const char* wanted = std::getenv("LINEWATCH_SCAN_ISA");
  if (wanted != nullptr && *wanted != '\0') {
    if (const ScanKernel* kernel = FindScanKernel(wanted)) return *kernel;
  }
  for (const ScanKernel* kernel : kKernels) {
    if (Runs(*kernel)) return *kernel;
  }
  return kScanKernelBaseline;
}

}  // namespace

void PrepareScanTokens(const float* bs, const float* cs, int64_t length, float* bc_tokens, float* cb_tokens) {
  for (int64_t n = 0; n < kKernelStates; ++n) {
    for (int64_t t = 0; t < length; ++t) {
      bc_tokens[t * kTokenStride + n] = bs[n * length + t];
      bc_tokens[t * kTokenStride + kKernelStates + n] = cs[n * length + t];
    }
  }
  for (int64_t t = 0; t < length; ++t) {
    const float* token = bc_tokens + t * kTokenStride;
    float sum = 0.0f;
    for (int64_t n = 0; n < kKernelStates; ++n) sum += token[n] * token[kKernelStates + n];
    cb_tokens[t] = sum;
  }
}

const ScanKernel* FindScanKernel(const char* name) {
  for (const ScanKernel* kernel : kKernels) {
    if (std::strcmp(kernel->name, name) == 0) return Runs(*kernel) ? kernel : nullptr;
  }
  return nullptr;
}

const ScanKernel& DefaultScanKernel() {
  static const ScanKernel& kernel = Choose();
  return kernel;
}

const char* ScanKernelNames() {
#if defined(__x86_64__)
  return "avx512|avx2|baseline";
#else
  return "baseline";
#endif
}

}  // namespace linewatch
