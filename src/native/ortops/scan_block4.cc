// The baseline scan kernel: 4 channels per block in 128-bit vectors, which every x86-64 (SSE) and every
// AArch64 CPU (NEON) has, from the same source.
#include "scan_lanes_kernel.h"

namespace linewatch {

extern const ScanKernel kScanKernelBaseline{"baseline", 4, lanes::ScanBlock<vmath::PortableMath, 4, 8>,
                                      lanes::Arithmetic<vmath::PortableMath, 4, 8>};

}  // namespace linewatch
