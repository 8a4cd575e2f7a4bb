// CUDA kernel of SelectiveScan. One warp scans one (batch, channel) row; lane k holds the states k, k+32, ...
// in registers, and the output sum over states is a warp shuffle reduction. The recurrence itself is
// sequential in L, as in the CPU kernel; the parallelism is across rows (B*D warps).
#include "selective_scan.h"

#include <cuda_fp16.h>
#include <cuda_runtime.h>

namespace linewatch {

namespace {

constexpr int kWarp = 32;
constexpr int kWarpsPerBlock = 4;
constexpr int kStatesPerLane = 2;  // kMaxCudaScanState / kWarp

__device__ __forceinline__ float Load(const float* p, size_t i) { return p[i]; }
__device__ __forceinline__ float Load(const __half* p, size_t i) { return __half2float(p[i]); }
__device__ __forceinline__ void Store(float* p, size_t i, float v) { p[i] = v; }
__device__ __forceinline__ void Store(__half* p, size_t i, float v) { p[i] = __float2half(v); }

template <typename T>
__global__ void ScanKernel(const T* __restrict__ u, const T* __restrict__ delta, const float* __restrict__ a,
                           const T* __restrict__ bs, const T* __restrict__ cs, const float* __restrict__ d_skip,
                           const T* __restrict__ z, const float* __restrict__ delta_bias, T* __restrict__ y,
                           ScanShape shape, ScanAttributes attrs) {
  const int lane = threadIdx.x % kWarp;
  const int64_t row = static_cast<int64_t>(blockIdx.x) * kWarpsPerBlock + threadIdx.x / kWarp;
  if (row >= shape.batch * shape.channels) return;  // whole warp leaves together
  const int64_t b = row / shape.channels, d = row % shape.channels;
  const int64_t length = shape.length, n_state = shape.state;

  const size_t base = static_cast<size_t>(row * length);
  const size_t bc_base = static_cast<size_t>(b * n_state * length);
  const float bias = delta_bias[d], skip = d_skip[d];

  float a_n[kStatesPerLane], h[kStatesPerLane];
  const int64_t first = attrs.reverse ? length - 1 : 0;
  const float h0 = attrs.init_from_input ? Load(u, base + first) : 0.0f;
  for (int k = 0; k < kStatesPerLane; ++k) {
    const int64_t n = lane + k * kWarp;
    a_n[k] = n < n_state ? a[d * n_state + n] : 0.0f;
    h[k] = n < n_state ? h0 : 0.0f;
  }

  for (int64_t s = 0; s < length; ++s) {
    const int64_t t = attrs.reverse ? length - 1 - s : s;
    float dt = Load(delta, base + t) + bias;
    if (attrs.delta_softplus) dt = dt > 20.0f ? dt : log1pf(__expf(dt));
    const float ut = Load(u, base + t);
    const float du = dt * ut;
    float acc = 0.0f;
    for (int k = 0; k < kStatesPerLane; ++k) {
      const int64_t n = lane + k * kWarp;
      if (n < n_state) {
        const float bu = du * Load(bs, bc_base + n * length + t);
        h[k] = __expf(dt * a_n[k]) * h[k] + bu;
        acc += Load(cs, bc_base + n * length + t) * (attrs.mask_diagonal ? h[k] - bu : h[k]);
      }
    }
    for (int offset = kWarp / 2; offset > 0; offset /= 2) acc += __shfl_xor_sync(0xffffffffu, acc, offset);
    if (lane == 0) {
      if (attrs.mask_diagonal && s == 0) acc = 0.0f;
      const float zt = Load(z, base + t);
      Store(y, base + t, (acc + skip * ut) * (zt / (1.0f + __expf(-zt))));
    }
  }
}

}  // namespace

std::string LaunchSelectiveScan(bool half, const void* u, const void* delta, const float* a, const void* b,
                                const void* c, const float* d_skip, const void* z, const float* delta_bias, void* y,
                                const ScanShape& shape, const ScanAttributes& attrs, void* stream) {
  const int64_t rows = shape.batch * shape.channels;
  const dim3 block(kWarp * kWarpsPerBlock);
  const dim3 grid(static_cast<unsigned>((rows + kWarpsPerBlock - 1) / kWarpsPerBlock));
  auto cuda_stream = static_cast<cudaStream_t>(stream);
  if (half) {
    ScanKernel<__half><<<grid, block, 0, cuda_stream>>>(
        static_cast<const __half*>(u), static_cast<const __half*>(delta), a, static_cast<const __half*>(b),
        static_cast<const __half*>(c), d_skip, static_cast<const __half*>(z), delta_bias, static_cast<__half*>(y),
        shape, attrs);
  } else {
    ScanKernel<float><<<grid, block, 0, cuda_stream>>>(
        static_cast<const float*>(u), static_cast<const float*>(delta), a, static_cast<const float*>(b),
        static_cast<const float*>(c), d_skip, static_cast<const float*>(z), delta_bias, static_cast<float*>(y), shape,
        attrs);
  }
  cudaError_t status = cudaGetLastError();
  return status == cudaSuccess ? std::string() : std::string("SelectiveScan CUDA launch: ") + cudaGetErrorString(status);
}

}  // namespace linewatch
