// The scan kernel for AVX2 + FMA (compiled with -mavx2 -mfma; only called where the CPU has them): 8 channels
// per block in 256-bit vectors, states in groups of 8.
#include "scan_lanes_kernel.h"

namespace linewatch {

extern const ScanKernel kScanKernelAvx2{"avx2", 8, lanes::ScanBlock<vmath::PortableMath, 8, 8>,
                                      lanes::Arithmetic<vmath::PortableMath, 8, 8>};

}  // namespace linewatch
