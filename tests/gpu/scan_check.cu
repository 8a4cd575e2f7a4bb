// GPU check of the SelectiveScan CUDA kernel, without ONNX Runtime: the kernel is launched directly and compared
// with a float64 host implementation of the contract in src/native/ortops/selective_scan.h, in fp32 and fp16 I/O,
// at the shapes the backbone uses. Prints one Markdown table; exits 1 if any case is off by more than its bound.
#include "selective_scan.h"

#include <cuda_fp16.h>
#include <cuda_runtime.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <vector>

namespace linewatch {
std::string LaunchSelectiveScan(bool half, const void* u, const void* delta, const float* a, const void* b,
                                const void* c, const float* d_skip, const void* z, const float* delta_bias, void* y,
                                const ScanShape& shape, const ScanAttributes& attrs, void* stream);
}

namespace {

using linewatch::ScanAttributes;
using linewatch::ScanShape;

#define CHECK_CUDA(call)                                                                          \
  do {                                                                                            \
    cudaError_t e = (call);                                                                       \
    if (e != cudaSuccess) {                                                                       \
      std::fprintf(stderr, "%s:%d %s: %s\n", __FILE__, __LINE__, #call, cudaGetErrorString(e));   \
      std::exit(2);                                                                               \
    }                                                                                             \
  } while (0)

struct Inputs {
  std::vector<float> u, delta, a, b, c, d_skip, z, delta_bias;
};

// Values rounded to fp16 first, so the fp16 run and the reference see the same numbers.
float Draw(std::mt19937& rng, float lo, float hi) {
  const float v = std::uniform_real_distribution<float>(lo, hi)(rng);
  return __half2float(__float2half(v));
}

Inputs MakeInputs(const ScanShape& s, unsigned seed) {
  std::mt19937 rng(seed);
  Inputs in;
  const size_t bdl = s.batch * s.channels * s.length, bnl = s.batch * s.state * s.length;
  for (size_t i = 0; i < bdl; ++i) in.u.push_back(Draw(rng, -2, 2));
  for (size_t i = 0; i < bdl; ++i) in.delta.push_back(Draw(rng, -3, 1));
  for (int64_t i = 0; i < s.channels * s.state; ++i) in.a.push_back(-static_cast<float>(i % s.state + 1));
  for (size_t i = 0; i < bnl; ++i) in.b.push_back(Draw(rng, -1, 1));
  for (size_t i = 0; i < bnl; ++i) in.c.push_back(Draw(rng, -1, 1));
  for (int64_t i = 0; i < s.channels; ++i) in.d_skip.push_back(Draw(rng, 0.5f, 1.5f));
  for (size_t i = 0; i < bdl; ++i) in.z.push_back(Draw(rng, -3, 3));
  for (int64_t i = 0; i < s.channels; ++i) in.delta_bias.push_back(Draw(rng, -4, -1));
  return in;
}

// The contract, in float64.
std::vector<double> Reference(const Inputs& in, const ScanShape& s, const ScanAttributes& at) {
  std::vector<double> y(in.u.size());
  std::vector<double> h(s.state);
  for (int64_t b = 0; b < s.batch; ++b) {
    for (int64_t d = 0; d < s.channels; ++d) {
      const size_t row = (b * s.channels + d) * s.length, bc = b * s.state * s.length;
      const int64_t first = at.reverse ? s.length - 1 : 0;
      for (auto& v : h) v = at.init_from_input ? in.u[row + first] : 0.0;
      for (int64_t step = 0; step < s.length; ++step) {
        const int64_t t = at.reverse ? s.length - 1 - step : step;
        double dt = static_cast<double>(in.delta[row + t]) + in.delta_bias[d];
        if (at.delta_softplus) dt = dt > 20 ? dt : std::log1p(std::exp(dt));
        const double ut = in.u[row + t];
        double acc = 0;
        for (int64_t n = 0; n < s.state; ++n) {
          const double bu = dt * in.b[bc + n * s.length + t] * ut;
          h[n] = std::exp(dt * in.a[d * s.state + n]) * h[n] + bu;
          acc += in.c[bc + n * s.length + t] * (at.mask_diagonal ? h[n] - bu : h[n]);
        }
        if (at.mask_diagonal && step == 0) acc = 0;
        const double zt = in.z[row + t];
        y[row + t] = (acc + in.d_skip[d] * ut) * (zt / (1 + std::exp(-zt)));
      }
    }
  }
  return y;
}

template <typename T>
T* Upload(const std::vector<float>& host, bool half) {
  void* device = nullptr;
  if (half) {
    std::vector<__half> h(host.size());
    for (size_t i = 0; i < host.size(); ++i) h[i] = __float2half(host[i]);
    CHECK_CUDA(cudaMalloc(&device, h.size() * sizeof(__half)));
    CHECK_CUDA(cudaMemcpy(device, h.data(), h.size() * sizeof(__half), cudaMemcpyHostToDevice));
  } else {
    CHECK_CUDA(cudaMalloc(&device, host.size() * sizeof(float)));
    CHECK_CUDA(cudaMemcpy(device, host.data(), host.size() * sizeof(float), cudaMemcpyHostToDevice));
  }
  return static_cast<T*>(device);
}

struct Outcome {
  double max_rel, ms;
};

Outcome RunCase(const ScanShape& s, const ScanAttributes& at, bool half, unsigned seed) {
  const Inputs in = MakeInputs(s, seed);
  const std::vector<double> ref = Reference(in, s, at);
  void* u = Upload<void>(in.u, half);
  void* delta = Upload<void>(in.delta, half);
  void* b = Upload<void>(in.b, half);
  void* c = Upload<void>(in.c, half);
  void* z = Upload<void>(in.z, half);
  float* a = Upload<float>(in.a, false);
  float* d_skip = Upload<float>(in.d_skip, false);
  float* delta_bias = Upload<float>(in.delta_bias, false);
  const size_t out_bytes = in.u.size() * (half ? sizeof(__half) : sizeof(float));
  void* y = nullptr;
  CHECK_CUDA(cudaMalloc(&y, out_bytes));
  CHECK_CUDA(cudaMemset(y, 0xff, out_bytes));  // NaN everywhere: an element the kernel skips cannot pass

  auto launch = [&] {
    const std::string error = linewatch::LaunchSelectiveScan(half, u, delta, a, b, c, d_skip, z, delta_bias, y, s, at, nullptr);
    if (!error.empty()) {
      std::fprintf(stderr, "%s\n", error.c_str());
      std::exit(2);
    }
  };
  launch();
  CHECK_CUDA(cudaDeviceSynchronize());

  std::vector<float> out(in.u.size());
  if (half) {
    std::vector<__half> h(in.u.size());
    CHECK_CUDA(cudaMemcpy(h.data(), y, out_bytes, cudaMemcpyDeviceToHost));
    for (size_t i = 0; i < h.size(); ++i) out[i] = __half2float(h[i]);
  } else {
    CHECK_CUDA(cudaMemcpy(out.data(), y, out_bytes, cudaMemcpyDeviceToHost));
  }
  // Relative to the output's scale (max |ref|): single elements near zero would make a per-element ratio meaningless.
  double scale = 0, worst = 0;
  for (double v : ref) scale = std::fmax(scale, std::fabs(v));
  for (size_t i = 0; i < out.size(); ++i) {
    const double diff = std::fabs(out[i] - ref[i]);
    worst = std::isnan(out[i]) ? INFINITY : std::fmax(worst, diff);
    if (std::isinf(worst)) break;
  }

  cudaEvent_t start, stop;
  CHECK_CUDA(cudaEventCreate(&start));
  CHECK_CUDA(cudaEventCreate(&stop));
  constexpr int kRuns = 50;
  std::vector<float> times;
  for (int i = 0; i < kRuns; ++i) {
    CHECK_CUDA(cudaEventRecord(start));
    launch();
    CHECK_CUDA(cudaEventRecord(stop));
    CHECK_CUDA(cudaEventSynchronize(stop));
    float ms = 0;
    CHECK_CUDA(cudaEventElapsedTime(&ms, start, stop));
    times.push_back(ms);
  }
  std::sort(times.begin(), times.end());
  for (void* p : {u, delta, b, c, z, y}) CHECK_CUDA(cudaFree(p));
  for (float* p : {a, d_skip, delta_bias}) CHECK_CUDA(cudaFree(p));
  CHECK_CUDA(cudaEventDestroy(start));
  CHECK_CUDA(cudaEventDestroy(stop));
  return {worst / scale, times[kRuns / 2]};
}

}  // namespace

int main() {
  cudaDeviceProp prop{};
  CHECK_CUDA(cudaGetDeviceProperties(&prop, 0));
  std::printf("SelectiveScan CUDA kernel on %s (sm_%d%d), against a float64 host reference; D=384, N=16, all VideoMambaPro flags\n\n",
              prop.name, prop.major, prop.minor);
  std::printf("| B | L | I/O | max error / max abs ref | bound | kernel ms (median of 50) | GB/s |\n|---|---|---|---|---|---|---|\n");
  const ScanAttributes at{true, true, true, true};
  bool ok = true;
  unsigned seed = 1;
  for (int64_t batch : {1, 8, 32}) {
    for (int64_t length : {1 + 8 * 49, 1 + 8 * 196, 1 + 16 * 196}) {
      if (batch == 32 && length > 1 + 8 * 196) continue;  // keeps the host reference under a minute
      const ScanShape s{batch, 384, length, 16};
      for (bool half : {false, true}) {
        const Outcome o = RunCase(s, at, half, seed++);
        const double bound = half ? 1e-2 : 1e-4;
        const double elem = half ? 2 : 4;
        const double bytes = elem * (4.0 * batch * 384 * length + 2.0 * batch * 16 * length) + 4.0 * (384 * 16 + 2 * 384);
        const bool pass = o.max_rel <= bound;
        ok = ok && pass;
        std::printf("| %lld | %lld | %s | %.1e%s | %.0e | %.3f | %.1f |\n", static_cast<long long>(batch),
                    static_cast<long long>(length), half ? "fp16" : "fp32", o.max_rel, pass ? "" : " FAIL", bound, o.ms,
                    bytes / (o.ms * 1e6));
      }
    }
  }
  return ok ? 0 : 1;
}
