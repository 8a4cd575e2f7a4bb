// Entry point ORT calls when a session registers this library (SessionOptions.RegisterCustomOpLibrary).
#include "selective_scan_cpu.h"
#include "scan_kernel.h"

#include <onnxruntime_lite_custom_op.h>

#include <memory>
#include <mutex>
#include <string>

#ifdef LINEWATCH_WITH_CUDA
#include "selective_scan_cuda.h"
#endif

namespace {

constexpr const char* kDomain = "ai.linewatch";

// The op objects must outlive every session that uses them, so they live for the process.
struct OpRegistry {
  std::unique_ptr<Ort::Custom::OrtLiteCustomOp> scan_cpu;
#ifdef LINEWATCH_WITH_CUDA
  std::unique_ptr<Ort::Custom::OrtLiteCustomOp> scan_cuda_f32;
  std::unique_ptr<Ort::Custom::OrtLiteCustomOp> scan_cuda_f16;
#endif
};

OpRegistry& Registry() {
  static OpRegistry registry;
  static std::once_flag once;
  std::call_once(once, [] {
    registry.scan_cpu.reset(
        Ort::Custom::CreateLiteCustomOp<linewatch::SelectiveScanCpu>("SelectiveScan", "CPUExecutionProvider"));
#ifdef LINEWATCH_WITH_CUDA
    registry.scan_cuda_f32.reset(Ort::Custom::CreateLiteCustomOp<linewatch::SelectiveScanCuda<float>>(
        "SelectiveScan", "CUDAExecutionProvider"));
    registry.scan_cuda_f16.reset(Ort::Custom::CreateLiteCustomOp<linewatch::SelectiveScanCuda<Ort::Float16_t>>(
        "SelectiveScan", "CUDAExecutionProvider"));
#endif
  });
  return registry;
}

}  // namespace

extern "C" __attribute__((visibility("default"))) OrtStatus* ORT_API_CALL
RegisterCustomOps(OrtSessionOptions* options, const OrtApiBase* api_base) {
  Ort::InitApi(api_base->GetApi(ORT_API_VERSION));
  try {
    OpRegistry& registry = Registry();
    // A domain object must also outlive the sessions; ORT keeps only a pointer to it.
    static Ort::CustomOpDomain domain{kDomain};
    static std::once_flag added;
    std::call_once(added, [&] {
      domain.Add(registry.scan_cpu.get());
#ifdef LINEWATCH_WITH_CUDA
      domain.Add(registry.scan_cuda_f32.get());
      domain.Add(registry.scan_cuda_f16.get());
#endif
    });
    Ort::UnownedSessionOptions session_options(options);
    session_options.Add(domain);
  } catch (const Ort::Exception& e) {
    return Ort::GetApi().CreateStatus(e.GetOrtErrorCode(), e.what());
  } catch (const std::exception& e) {
    return Ort::GetApi().CreateStatus(ORT_FAIL, e.what());
  }
  return nullptr;
}

// Lets `linewatch version` and `check` report what this build of the library contains.
extern "C" __attribute__((visibility("default"))) const char* LineWatchOrtOpsInfo() {
#ifdef LINEWATCH_WITH_CUDA
  static const std::string info = std::string("ai.linewatch:SelectiveScan(cpu-") + linewatch::DefaultScanKernel().name + ",cuda-f32,cuda-f16)";
#else
  static const std::string info = std::string("ai.linewatch:SelectiveScan(cpu-") + linewatch::DefaultScanKernel().name + ")";
#endif
  return info.c_str();
}

// The vector kernels this build has and this CPU runs, best first, separated by spaces: what the session
// option linewatch.scan_kernel accepts here.
extern "C" __attribute__((visibility("default"))) const char* LineWatchScanKernels() {
  static const std::string names = [] {
    std::string list;
    for (const char* name : {"avx512", "avx2", "baseline"}) {
      if (linewatch::FindScanKernel(name) != nullptr) list += (list.empty() ? "" : " ") + std::string(name);
    }
    return list;
  }();
  return names.c_str();
}

// The kernel sessions use unless their linewatch.scan_kernel option names another.
extern "C" __attribute__((visibility("default"))) const char* LineWatchDefaultScanKernel() {
  return linewatch::DefaultScanKernel().name;
}
