#include "selective_scan_cpu.h"

#include <cmath>
#include <string>

namespace linewatch {

namespace {

inline float Softplus(float x) { return x > 20.0f ? x : std::log1p(std::exp(x)); }
inline float Silu(float x) { return x / (1.0f + std::exp(-x)); }

// One (batch, channel) row, scalar: any state size, and the channels left over after the 16-wide blocks.
void ScanRow(const ScanJob& job, int64_t b, int64_t d) {
  const int64_t channels = job.shape.channels, length = job.shape.length, n_state = job.shape.state;

  const size_t row = static_cast<size_t>((b * channels + d) * length);
  const float* u = job.u + row;
  const float* delta = job.delta + row;
  const float* z = job.z + row;
  float* y = job.y + row;
  const float* bs = job.bs + static_cast<size_t>(b * n_state * length);
  const float* cs = job.cs + static_cast<size_t>(b * n_state * length);
  const float* a = job.a + static_cast<size_t>(d * n_state);
  const float bias = job.delta_bias[d];
  const float d_skip = job.d_skip[d];

  float h[kMaxScanState];
  const int64_t first = job.attrs.reverse ? length - 1 : 0;
  const float h0 = job.attrs.init_from_input ? u[first] : 0.0f;
  for (int64_t n = 0; n < n_state; ++n) h[n] = h0;

  for (int64_t s = 0; s < length; ++s) {
    const int64_t t = job.attrs.reverse ? length - 1 - s : s;
    const float dt_raw = delta[t] + bias;
    const float dt = job.attrs.delta_softplus ? Softplus(dt_raw) : dt_raw;
    const float du = dt * u[t];
    float acc = 0.0f;
    if (job.attrs.mask_diagonal) {
      for (int64_t n = 0; n < n_state; ++n) {
        const float bu = du * bs[n * length + t];
        h[n] = std::exp(dt * a[n]) * h[n] + bu;
        acc += cs[n * length + t] * (h[n] - bu);
      }
      if (s == 0) acc = 0.0f;
    } else {
      for (int64_t n = 0; n < n_state; ++n) {
        h[n] = std::exp(dt * a[n]) * h[n] + du * bs[n * length + t];
        acc += cs[n * length + t] * h[n];
      }
    }
    y[t] = (acc + d_skip * u[t]) * Silu(z[t]);
  }
}

struct Work {
  ScanJob job;
  const ScanKernel* kernel;
};

// Work units per batch item: blocks of the kernel's width when the state size is 16 (every official model),
// then single rows for the remaining channels. ORT's pool hands them out.
int64_t VectorBlocks(const Work& work) {
  return work.job.shape.state == kKernelStates ? work.job.shape.channels / work.kernel->lanes : 0;
}

int64_t UnitsPerBatch(const Work& work) {
  return VectorBlocks(work) + (work.job.shape.channels - VectorBlocks(work) * work.kernel->lanes);
}

void RunUnit(void* data, size_t index) {
  const Work& work = *static_cast<const Work*>(data);
  const int64_t per_batch = UnitsPerBatch(work);
  const int64_t b = static_cast<int64_t>(index) / per_batch;
  const int64_t unit = static_cast<int64_t>(index) % per_batch;
  const int64_t blocks = VectorBlocks(work);
  if (unit < blocks) work.kernel->scan_block(work.job, b, unit * work.kernel->lanes);
  else ScanRow(work.job, b, blocks * work.kernel->lanes + (unit - blocks));
}

// The session's kernel: the one its config entry names, else the process-wide default.
const ScanKernel* SessionKernel(const OrtApi* api, const OrtKernelInfo* info) {
  OrtKeyValuePairs* entries = nullptr;
  Ort::ThrowOnError(api->KernelInfo_GetConfigEntries(info, &entries));
  const char* value = api->GetKeyValue(entries, kScanKernelConfigKey);
  const std::string wanted = value != nullptr ? value : "";
  api->ReleaseKeyValuePairs(entries);
  if (wanted.empty()) return &DefaultScanKernel();
  if (const ScanKernel* kernel = FindScanKernel(wanted.c_str())) return kernel;
  throw Ort::Exception("SelectiveScan: session option " + std::string(kScanKernelConfigKey) + "='" + wanted +
                           "' is not a kernel this build and CPU run (kernels: " + ScanKernelNames() + ")",
                       ORT_INVALID_ARGUMENT);
}

}  // namespace

SelectiveScanCpu::SelectiveScanCpu(const OrtApi* api, const OrtKernelInfo* info)
    : attrs_(ReadScanAttributes(api, info)), kernel_(SessionKernel(api, info)) {}

Ort::Status SelectiveScanCpu::Compute(OrtKernelContext* context, const Ort::Custom::Tensor<float>& u,
                                      const Ort::Custom::Tensor<float>& delta, const Ort::Custom::Tensor<float>& a,
                                      const Ort::Custom::Tensor<float>& b, const Ort::Custom::Tensor<float>& c,
                                      const Ort::Custom::Tensor<float>& d_skip, const Ort::Custom::Tensor<float>& z,
                                      const Ort::Custom::Tensor<float>& delta_bias, Ort::Custom::Tensor<float>& y) {
  ScanShape shape;
  std::string error = ValidateScanShapes(u.Shape(), delta.Shape(), a.Shape(), b.Shape(), c.Shape(), d_skip.Shape(),
                                         z.Shape(), delta_bias.Shape(), shape);
  if (!error.empty()) return Ort::Status(error.c_str(), ORT_INVALID_ARGUMENT);

  float* out = y.Allocate(u.Shape());
  if (shape.batch == 0 || shape.channels == 0 || shape.length == 0) return Ort::Status{nullptr};

  Work work{{u.Data(), delta.Data(), a.Data(), b.Data(), c.Data(), d_skip.Data(), z.Data(), delta_bias.Data(), out,
             nullptr, nullptr, shape, attrs_},
            kernel_};
  Ort::KernelContext kernel_context(context);
  // The vector kernels read B and C per token; that layout is made here once for all the channel blocks, in
  // scratch from ORT's CPU allocator (its arena makes this cheap after the first call).
  Ort::MemoryAllocation scratch{nullptr, nullptr, 0};
  if (VectorBlocks(work) > 0) {
    const size_t tokens = static_cast<size_t>(shape.batch * shape.length);
    Ort::Allocator allocator = kernel_context.GetAllocator(*Ort::MemoryInfo::CreateCpu(OrtDeviceAllocator, OrtMemTypeDefault));
    scratch = allocator.GetAllocation(tokens * (kTokenStride + 1) * sizeof(float));
    float* bc_tokens = static_cast<float*>(scratch.get());  // (batch, L, kTokenStride), then cb (batch, L)
    float* cb_tokens = bc_tokens + tokens * kTokenStride;
    for (int64_t i = 0; i < shape.batch; ++i) {
      const size_t offset = static_cast<size_t>(i * shape.length);
      PrepareScanTokens(work.job.bs + offset * shape.state, work.job.cs + offset * shape.state, shape.length,
                        bc_tokens + offset * kTokenStride, cb_tokens + offset);
    }
    work.job.bc_tokens = bc_tokens;
    work.job.cb_tokens = cb_tokens;
  }
  // ORT's intra-op pool runs the units; it sizes the batches itself (num_batch = 0).
  kernel_context.ParallelFor(RunUnit, static_cast<size_t>(shape.batch * UnitsPerBatch(work)), 0, &work);
  return Ort::Status{nullptr};
}

}  // namespace linewatch
