// The scan kernel for AVX2 + FMA (compiled with -mavx2 -mfma; only called where the CPU has them).
#include "scan_block16_kernel.h"

namespace linewatch {

void ScanBlock16Avx2(const ScanJob& job, int64_t b, int64_t d0) { ScanBlock16Impl<GenericMath>(job, b, d0); }

}  // namespace linewatch
