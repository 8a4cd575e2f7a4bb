#include "selective_scan_cuda.h"

#include <type_traits>

namespace linewatch {

template <typename T>
Ort::Status SelectiveScanCuda<T>::Compute(OrtKernelContext* context, const Ort::Custom::Tensor<T>& u,
                                          const Ort::Custom::Tensor<T>& delta, const Ort::Custom::Tensor<float>& a,
                                          const Ort::Custom::Tensor<T>& b, const Ort::Custom::Tensor<T>& c,
                                          const Ort::Custom::Tensor<float>& d_skip, const Ort::Custom::Tensor<T>& z,
                                          const Ort::Custom::Tensor<float>& delta_bias, Ort::Custom::Tensor<T>& y) {
  ScanShape shape;
  std::string error = ValidateScanShapes(u.Shape(), delta.Shape(), a.Shape(), b.Shape(), c.Shape(), d_skip.Shape(),
                                         z.Shape(), delta_bias.Shape(), shape);
  if (error.empty() && shape.state > kMaxCudaScanState) {
    error = "SelectiveScan (CUDA): state size N=" + std::to_string(shape.state) + " above " +
            std::to_string(kMaxCudaScanState);
  }
  if (!error.empty()) return Ort::Status(error.c_str(), ORT_INVALID_ARGUMENT);

  T* out = y.Allocate(u.Shape());
  if (shape.batch == 0 || shape.channels == 0 || shape.length == 0) return Ort::Status{nullptr};

  void* stream = Ort::KernelContext(context).GetGPUComputeStream();
  error = LaunchSelectiveScan(std::is_same<T, Ort::Float16_t>::value, u.Data(), delta.Data(), a.Data(), b.Data(),
                              c.Data(), d_skip.Data(), z.Data(), delta_bias.Data(), out, shape, attrs_, stream);
  if (!error.empty()) return Ort::Status(error.c_str(), ORT_EP_FAIL);
  return Ort::Status{nullptr};
}

template struct SelectiveScanCuda<float>;
template struct SelectiveScanCuda<Ort::Float16_t>;

}  // namespace linewatch
