#pragma once

#include "scan_kernel.h"
#include "selective_scan.h"

#include <onnxruntime_lite_custom_op.h>

namespace linewatch {

// The session config entry that picks the vector kernel for one session ("avx512", "avx2" or "baseline"),
// overriding the process-wide choice (the best the CPU runs, or LINEWATCH_SCAN_ISA).
constexpr const char* kScanKernelConfigKey = "linewatch.scan_kernel";

// The CPU kernel of SelectiveScan, threaded over (batch, channel) on ORT's intra-op thread pool.
struct SelectiveScanCpu {
  SelectiveScanCpu(const OrtApi* api, const OrtKernelInfo* info);

  Ort::Status Compute(OrtKernelContext* context, const Ort::Custom::Tensor<float>& u,
                      const Ort::Custom::Tensor<float>& delta, const Ort::Custom::Tensor<float>& a,
                      const Ort::Custom::Tensor<float>& b, const Ort::Custom::Tensor<float>& c,
                      const Ort::Custom::Tensor<float>& d_skip, const Ort::Custom::Tensor<float>& z,
                      const Ort::Custom::Tensor<float>& delta_bias, Ort::Custom::Tensor<float>& y);

 private:
  ScanAttributes attrs_;
  const ScanKernel* kernel_;
};

}  // namespace linewatch
