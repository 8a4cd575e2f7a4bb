// The scan kernel for AVX-512 (compiled with -mavx512f -mavx512dq; only called where the CPU has both).
#include "scan_block16_kernel.h"

namespace linewatch {

void ScanBlock16Avx512(const ScanJob& job, int64_t b, int64_t d0) { ScanBlock16Impl<Avx512Math>(job, b, d0); }

}  // namespace linewatch
