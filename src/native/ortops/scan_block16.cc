#include "scan_block16.h"

#include "scan_block16_kernel.h"

#include <cstdlib>
#include <cstring>

namespace linewatch {

// Built in their own files with -mavx512f -mavx512dq / -mavx2 -mfma (see CMakeLists.txt).
void ScanBlock16Avx512(const ScanJob& job, int64_t b, int64_t d0);
void ScanBlock16Avx2(const ScanJob& job, int64_t b, int64_t d0);

namespace {

void ScanBlock16Baseline(const ScanJob& job, int64_t b, int64_t d0) { ScanBlock16Impl<GenericMath>(job, b, d0); }

using ScanBlockFn = void (*)(const ScanJob&, int64_t, int64_t);

struct Selection {
  ScanBlockFn fn;
  const char* isa;
};

// Chosen once, for the CPU the library runs on. LINEWATCH_SCAN_ISA=avx2|baseline asks for a lower one, so the
// tests can check every kernel on one machine; a higher one than the CPU has is never taken.
Selection Select() {
  __builtin_cpu_init();
  const char* wanted = std::getenv("LINEWATCH_SCAN_ISA");
  const bool allow_avx512 = wanted == nullptr || std::strcmp(wanted, "avx512") == 0;
  const bool allow_avx2 = allow_avx512 || std::strcmp(wanted, "avx2") == 0;
  if (allow_avx512 && __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512dq")) return {ScanBlock16Avx512, "avx512"};
  if (allow_avx2 && __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) return {ScanBlock16Avx2, "avx2"};
  return {ScanBlock16Baseline, "baseline"};
}

const Selection& Selected() {
  static const Selection selection = Select();
  return selection;
}

}  // namespace

void ScanBlock16(const ScanJob& job, int64_t b, int64_t d0) { Selected().fn(job, b, d0); }

const char* ScanBlock16Isa() { return Selected().isa; }

}  // namespace linewatch
