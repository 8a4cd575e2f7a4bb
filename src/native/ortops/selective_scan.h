// SelectiveScan: the selective state-space recurrence at the heart of (bidirectional) Mamba, with the two
// VideoMambaPro variations as attributes. The contract shared by the CPU and CUDA kernels:
//
//   inputs  u (B,D,L)  delta (B,D,L)  A (D,N)  Bs (B,N,L)  Cs (B,N,L)  Dskip (D)  z (B,D,L)  delta_bias (D)
//   output  y (B,D,L)
//
//   per (b, d), for s = 0..L-1 over t = reverse ? L-1-s : s
//     dt  = delta_t + delta_bias_d;  if delta_softplus: dt = dt > 20 ? dt : log1p(exp(dt))
//     h_n = exp(dt * A_dn) * h_n + dt * Bs_nt * u_t           h starts at 0, or at u_first if init_from_input
//     y_t = sum_n Cs_nt * h_n                                  mask_diagonal: sum_n Cs_nt * (h_n - dt Bs_nt u_t),
//                                                              and y = 0 on the first step
//     y_t = (y_t + Dskip_d * u_t) * silu(z_t)
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <onnxruntime_c_api.h>

namespace linewatch {

struct ScanAttributes {
  bool reverse = false;
  bool mask_diagonal = false;
  bool init_from_input = false;
  bool delta_softplus = true;
};

struct ScanShape {
  int64_t batch = 0;
  int64_t channels = 0;
  int64_t length = 0;
  int64_t state = 0;
};

// Reads the four flags; an absent attribute keeps the default above.
ScanAttributes ReadScanAttributes(const OrtApi* api, const OrtKernelInfo* info);

// The CPU kernel keeps the per-(b,d) state on the stack; larger state sizes are refused with a clear error.
constexpr int64_t kMaxScanState = 256;

// Checks the eight input shapes against each other; returns an empty string when they agree.
std::string ValidateScanShapes(const std::vector<int64_t>& u, const std::vector<int64_t>& delta,
                               const std::vector<int64_t>& a, const std::vector<int64_t>& b,
                               const std::vector<int64_t>& c, const std::vector<int64_t>& d_skip,
                               const std::vector<int64_t>& z, const std::vector<int64_t>& delta_bias,
                               ScanShape& shape);

}  // namespace linewatch
