// Implementation of the roofline probes declared in probes.h.
#include "probes.h"

#include <atomic>
#include <chrono>
#include <vector>

#include "pool.h"

namespace swiglu {
namespace {

double seconds_since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

// Results land here so the compiler cannot drop the probes' work.
std::atomic<float> g_probe_sink{0};

}  // namespace

const ProbeTable& probe_table(Isa isa) {
  switch (isa) {
#if defined(SWIGLU_HAVE_X86)
    case Isa::kAvx2: return avx2::probe_table();
    case Isa::kAvx512: return avx512::probe_table();
#endif
#if defined(SWIGLU_HAVE_NEON)
    case Isa::kNeon: return neon::probe_table();
#endif
    default: return scalar::probe_table();
  }
}

double fma_pass(Isa isa, int threads, uint64_t iters, double* flops) {
  const FmaProbeFn probe = probe_table(isa).fma;
  std::vector<uint64_t> done(static_cast<size_t>(threads), 0);
  const auto t0 = std::chrono::steady_clock::now();
  parallel_for(static_cast<size_t>(threads), threads, [&](size_t t) {
    float s = 0;
    done[t] = probe(iters, &s);
    g_probe_sink.store(s, std::memory_order_relaxed);
  });
  const double dt = seconds_since(t0);
  double total = 0;
  for (uint64_t v : done) total += static_cast<double>(v);
  *flops = total;
  return dt;
}

double read_pass(Isa isa, const float* p, size_t floats, int threads, double* bytes) {
  const ReadProbeFn probe = probe_table(isa).read;
  const size_t per = floats / static_cast<size_t>(threads) / 64 * 64;
  const auto t0 = std::chrono::steady_clock::now();
  parallel_for(static_cast<size_t>(threads), threads, [&](size_t t) {
    g_probe_sink.store(probe(p + t * per, per), std::memory_order_relaxed);
  });
  const double dt = seconds_since(t0);
  *bytes = static_cast<double>(per) * threads * sizeof(float);
  return dt;
}

}  // namespace swiglu
