// scan_kernel_check: every vector scan kernel this build has and this CPU runs, against a float64 reference of
// the SelectiveScan contract (selective_scan.h), for every flag combination, with a partial last chunk; and the
// single-thread time of each at the benchmark's shape. Needs no ONNX Runtime, so it also runs where only the
// kernels can be built and run (an AArch64 build under qemu-aarch64, see install/check-arm64.sh).
//
//   scan_kernel_check [length]     exit status 0 when every kernel is within 1e-4 (relative, as the op tests)
#include "scan_kernel.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <vector>

using linewatch::ScanAttributes;
using linewatch::ScanJob;
using linewatch::ScanKernel;

namespace {

constexpr int64_t kStates = linewatch::kKernelStates;

struct Inputs {
  int64_t channels, length;
  std::vector<float> u, delta, z, a, bs, cs, d_skip, delta_bias;
};

Inputs MakeInputs(int64_t channels, int64_t length) {
  std::mt19937 random(1);
  auto fill = [&](std::vector<float>& v, int64_t n, float lo, float hi) {
    std::uniform_real_distribution<float> uniform(lo, hi);
    v.resize(n);
    for (float& x : v) x = uniform(random);
  };
  Inputs in{channels, length, {}, {}, {}, {}, {}, {}, {}, {}};
  fill(in.u, channels * length, -2, 2);
  fill(in.delta, channels * length, -3, 1);
  fill(in.z, channels * length, -3, 3);
  fill(in.a, channels * kStates, 0.5f, 1.5f);
  for (int64_t i = 0; i < channels * kStates; ++i) in.a[i] *= -static_cast<float>(i % kStates + 1);
  fill(in.bs, kStates * length, -1, 1);
  fill(in.cs, kStates * length, -1, 1);
  fill(in.d_skip, channels, 0.5f, 1.5f);
  fill(in.delta_bias, channels, -4, -1);
  return in;
}

// The contract of selective_scan.h in float64, one channel at a time.
std::vector<double> Reference(const Inputs& in, const ScanAttributes& attrs) {
  const int64_t length = in.length;
  std::vector<double> y(in.channels * length);
  for (int64_t d = 0; d < in.channels; ++d) {
    const float* u = &in.u[d * length];
    double h[kStates];
    const double h0 = attrs.init_from_input ? u[attrs.reverse ? length - 1 : 0] : 0.0;
    std::fill(h, h + kStates, h0);
    for (int64_t s = 0; s < length; ++s) {
      const int64_t t = attrs.reverse ? length - 1 - s : s;
      double dt = static_cast<double>(in.delta[d * length + t]) + in.delta_bias[d];
      if (attrs.delta_softplus) dt = dt > 20 ? dt : std::log1p(std::exp(dt));
      const double du = dt * u[t];
      double acc = 0.0;
      for (int64_t n = 0; n < kStates; ++n) {
        const double bu = du * in.bs[n * length + t];
        h[n] = std::exp(dt * in.a[d * kStates + n]) * h[n] + bu;
        acc += in.cs[n * length + t] * (attrs.mask_diagonal ? h[n] - bu : h[n]);
      }
      if (attrs.mask_diagonal && s == 0) acc = 0.0;
      const double z = in.z[d * length + t];
      y[d * length + t] = (acc + in.d_skip[d] * u[t]) * (z / (1.0 + std::exp(-z)));
    }
  }
  return y;
}

// Runs `kernel` over all channels (a multiple of its width); returns the seconds it took.
// The time includes laying out B and C per token, as the op does once per call.
double Run(const ScanKernel& kernel, const Inputs& in, const ScanAttributes& attrs, std::vector<float>& y) {
  std::vector<float> bc_tokens(in.length * linewatch::kTokenStride), cb_tokens(in.length);
  y.assign(in.channels * in.length, 0.0f);
  const auto start = std::chrono::steady_clock::now();
  linewatch::PrepareScanTokens(in.bs.data(), in.cs.data(), in.length, bc_tokens.data(), cb_tokens.data());
  const ScanJob job{in.u.data(), in.delta.data(), in.a.data(), in.bs.data(), in.cs.data(), in.d_skip.data(), in.z.data(),
                    in.delta_bias.data(), y.data(), bc_tokens.data(), cb_tokens.data(),
                    {1, in.channels, in.length, kStates}, attrs};
  for (int64_t d0 = 0; d0 < in.channels; d0 += kernel.lanes) kernel.scan_block(job, 0, d0);
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

}  // namespace

int main(int argc, char** argv) {
  const int64_t timed_length = argc > 1 ? std::atoll(argv[1]) : 1 + 8 * 196;
  bool ok = true;
  for (const char* name : {"avx512", "avx2", "baseline"}) {
    const ScanKernel* kernel = linewatch::FindScanKernel(name);
    if (kernel == nullptr) {
      std::printf("%-8s not built for or not run by this CPU\n", name);
      continue;
    }
    // 48 channels: whole blocks for every width; 131 tokens: two full chunks and a partial one.
    const Inputs small = MakeInputs(48, 131);
    double worst = 0.0;
    for (int flags = 0; flags < 16; ++flags) {
      ScanAttributes attrs;
      attrs.reverse = flags & 1;
      attrs.mask_diagonal = flags & 2;
      attrs.init_from_input = flags & 4;
      attrs.delta_softplus = (flags & 8) == 0;
      if (!attrs.delta_softplus) continue;  // a raw negative delta grows the state without bound: nothing to compare
      std::vector<float> y;
      Run(*kernel, small, attrs, y);
      const std::vector<double> expected = Reference(small, attrs);
      for (size_t i = 0; i < y.size(); ++i) {
        worst = std::max(worst, std::abs(y[i] - expected[i]) / std::max(1.0, std::abs(expected[i])));
      }
    }
    // The benchmark's shape and flags (VideoMambaPro's backward branch), best of three single-thread runs.
    const Inputs big = MakeInputs(384, timed_length);
    ScanAttributes pro;
    pro.reverse = pro.mask_diagonal = pro.init_from_input = true;
    std::vector<float> y;
    double best = 1e9;
    for (int i = 0; i < 3; ++i) best = std::min(best, Run(*kernel, big, pro, y));
    const bool pass = worst <= 1e-4;
    ok = ok && pass;
    std::printf("%-8s %2lld lanes  max relative difference %.1e %s  D=384 L=%lld: %.2f ms on one thread\n", name,
                static_cast<long long>(kernel->lanes), worst, pass ? "ok  " : "FAIL", static_cast<long long>(timed_length),
                best * 1e3);
  }
  std::printf("default kernel: %s\n", linewatch::DefaultScanKernel().name);
  return ok ? 0 : 1;
}
