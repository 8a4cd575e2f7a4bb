// What this machine can do at best for the scan, measured so the benchmark can put the kernel next to it: the
// kernel's own per-state arithmetic in registers (compute roof) and a plain copy of as many bytes as the op
// reads and writes (memory roof), both on the same number of threads as the op.
#include "scan_kernel.h"

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <thread>
#include <vector>

namespace linewatch {

namespace {

// Runs work(i) on threads 0..threads-1 at once and returns the wall time in seconds from the start signal to
// the last thread's end: like the op's call on ORT's pool, it waits for the slowest thread, so both see the
// same scheduling delays on a busy machine. Thread creation happens before the signal and is not counted.
template <class Work>
double Timed(int threads, Work work) {
  std::atomic<int> ready{0};
  std::atomic<bool> go{false};
  auto worker = [&](int i) {
    ready.fetch_add(1);
    while (!go.load(std::memory_order_acquire)) std::this_thread::yield();
    work(i);
  };
  std::vector<std::thread> pool;
  for (int i = 1; i < threads; ++i) pool.emplace_back(worker, i);
  while (ready.load() < threads - 1) std::this_thread::yield();
  const auto start = std::chrono::steady_clock::now();
  go.store(true, std::memory_order_release);
  work(0);
  for (std::thread& thread : pool) thread.join();
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

}  // namespace

}  // namespace linewatch

// Seconds for `updates` state updates of kernel `name` in registers (compute_seconds) and for copying
// bytes / 2 bytes, i.e. reading and writing `bytes` in all (memory_seconds), each split over `threads`.
// Returns 0, or -1 when the kernel is unknown or this CPU cannot run it.
extern "C" __attribute__((visibility("default"))) int LineWatchScanRoofline(const char* name, int64_t updates, int64_t bytes,
                                                                            int threads, double* compute_seconds,
                                                                            double* memory_seconds) {
  using namespace linewatch;
  const ScanKernel* kernel = FindScanKernel(name);
  if (kernel == nullptr || threads < 1 || updates < 0 || bytes < 0) return -1;

  const int64_t tokens = updates / (kernel->lanes * kKernelStates) / threads;
  std::vector<float> sums(threads);
  *compute_seconds = Timed(threads, [&](int i) { sums[i] = kernel->arithmetic(tokens); });
  volatile float keep = 0.0f;  // the results are used, so no compiler drops the loop
  for (float sum : sums) keep = keep + sum;

  const size_t half = static_cast<size_t>(bytes / 2 / threads / 64 * 64);
  std::vector<char*> from(threads), to(threads);
  for (int i = 0; i < threads; ++i) {
    from[i] = static_cast<char*>(std::aligned_alloc(64, half + 64));
    to[i] = static_cast<char*>(std::aligned_alloc(64, half + 64));
    std::memset(from[i], i + 1, half);  // touched once, so the timed copy sees no page faults
    std::memset(to[i], 0, half);
  }
  *memory_seconds = Timed(threads, [&](int i) { std::memcpy(to[i], from[i], half); });
  for (int i = 0; i < threads; ++i) {
    std::free(from[i]);
    std::free(to[i]);
  }
  return 0;
}
