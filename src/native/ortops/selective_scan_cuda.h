#pragma once

#include "selective_scan.h"

#include <onnxruntime_lite_custom_op.h>

namespace linewatch {

// The CUDA kernel of SelectiveScan (fp32 or fp16 I/O, fp32 state), launched on ORT's compute stream.
template <typename T>
struct SelectiveScanCuda {
  SelectiveScanCuda(const OrtApi* api, const OrtKernelInfo* info) : attrs_(ReadScanAttributes(api, info)) {}

  Ort::Status Compute(OrtKernelContext* context, const Ort::Custom::Tensor<T>& u, const Ort::Custom::Tensor<T>& delta,
                      const Ort::Custom::Tensor<float>& a, const Ort::Custom::Tensor<T>& b,
                      const Ort::Custom::Tensor<T>& c, const Ort::Custom::Tensor<float>& d_skip,
                      const Ort::Custom::Tensor<T>& z, const Ort::Custom::Tensor<float>& delta_bias,
                      Ort::Custom::Tensor<T>& y);

 private:
  ScanAttributes attrs_;
};

// The CUDA kernel keeps each state in registers, up to this many per channel.
constexpr int64_t kMaxCudaScanState = 64;

// Implemented in selective_scan_cuda.cu; `half` selects fp16 I/O (the pointers then hold IEEE binary16).
// Returns an empty string on success, else the CUDA error.
std::string LaunchSelectiveScan(bool half, const void* u, const void* delta, const float* a, const void* b,
                                const void* c, const float* d_skip, const void* z, const float* delta_bias, void* y,
                                const ScanShape& shape, const ScanAttributes& attrs, void* stream);

}  // namespace linewatch
