// isa(), the test hook that switches ISA, and the thread-count setting of this environment.
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdlib>
#include <memory>
#include <string>
#include <vector>

#include "args.h"
#include "instance.h"
#include "register.h"
#include "../runtime/gemm.h"
#include "../runtime/pool.h"

namespace swiglu {
namespace {

Napi::Value GetIsa(const Napi::CallbackInfo& info) {
  return Napi::String::New(info.Env(), isa_name(addon_data(info.Env()).isa));
}

Napi::Value RunnableIsas(const Napi::CallbackInfo& info) {
  Napi::Array out = Napi::Array::New(info.Env());
  uint32_t k = 0;
  for (int i = 0; i < kIsaCount; ++i) {
    if (isa_runnable(static_cast<Isa>(i))) out.Set(k++, Napi::String::New(info.Env(), isa_name(static_cast<Isa>(i))));
  }
  return out;
}

// Switches this environment's kernels (used by the tests to run every op on every ISA).
Napi::Value SetIsa(const Napi::CallbackInfo& info) {
  if (!info[0].IsString()) throw Napi::TypeError::New(info.Env(), "isa must be a string");
  const std::string name = info[0].As<Napi::String>().Utf8Value();
  Isa isa;
  if (!parse_isa(name.c_str(), &isa)) throw Napi::RangeError::New(info.Env(), "unknown ISA '" + name + "'");
  if (!isa_runnable(isa)) throw Napi::Error::New(info.Env(), "ISA '" + name + "' cannot run here: " + isa_unavailable_reason(isa));
  AddonData& d = addon_data(info.Env());
  d.isa = isa;
  d.ops = &op_table(isa);
  return info.Env().Undefined();
}

Napi::Value SetNumThreads(const Napi::CallbackInfo& info) {
  addon_data(info.Env()).threads = static_cast<int>(integer_arg(info, 0, "n", 1, kMaxThreads));
  return info.Env().Undefined();
}

Napi::Value GetNumThreads(const Napi::CallbackInfo& info) {
  return Napi::Number::New(info.Env(), addon_data(info.Env()).threads);
}

// fmaPeak(seconds, threads): the FMA throughput of this ISA in GFLOP/s, measured for about
// `seconds` on `threads` threads at once (the roofline the benchmark reports GEMM against).
Napi::Value FmaPeak(const Napi::CallbackInfo& info) {
  const double seconds = info.Length() > 0 ? number_arg(info, 0, "seconds") : 0.2;
  if (!(seconds > 0 && seconds <= 10)) throw Napi::RangeError::New(info.Env(), "seconds must be in (0, 10]");
  const int threads = info.Length() > 1 ? static_cast<int>(integer_arg(info, 1, "threads", 1, kMaxThreads)) : 1;
  const FmaProbeFn probe = addon_data(info.Env()).ops->fma_probe;
  // Calibrate the iteration count on short runs, then time all threads together. The calibration runs
  // on all `threads` too: calibrated on one core, the timed run started with the others rested and read
  // a short-burst clock (~2-4 % above what two cores sustain under a long load on this VM).
  uint64_t iters = 1 << 16;
  for (;;) {
    const auto t0 = std::chrono::steady_clock::now();
    parallel_for(static_cast<size_t>(threads), threads, [&](size_t) {
      float s = 0;
      probe(iters, &s);
    });
    const double dt = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    if (dt > 0.01 || iters > (uint64_t(1) << 40)) {
      iters = static_cast<uint64_t>(static_cast<double>(iters) * seconds / dt) + 1;
      break;
    }
    iters *= 4;
  }
  std::atomic<uint64_t> flops{0};
  const auto t0 = std::chrono::steady_clock::now();
  parallel_for(static_cast<size_t>(threads), threads, [&](size_t) {
    float s = 0;
    flops.fetch_add(probe(iters, &s));
  });
  const double dt = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return Napi::Number::New(info.Env(), static_cast<double>(flops.load()) / dt / 1e9);
}

// readBandwidth(mib, threads, passes): DRAM read bandwidth in GB/s, one figure per timed pass: `threads`
// threads each stream their own slice of a fresh `mib` MiB buffer (the roofline of the M = 1 GEMV, which
// only reads its weights; a copy's GB/s counts writes as well and overstates what reads alone reach).
// The buffer is touched by a first, untimed pass; a buffer several times the last-level cache keeps
// every pass out of it.
Napi::Value ReadBandwidth(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const size_t mib = static_cast<size_t>(integer_arg(info, 0, "mib", 1, 4096));
  const int threads = static_cast<int>(integer_arg(info, 1, "threads", 1, kMaxThreads));
  const int passes = static_cast<int>(integer_arg(info, 2, "passes", 1, 1000));
  const size_t floats = mib << 18;
  const size_t per = floats / static_cast<size_t>(threads) / 64 * 64;
  std::unique_ptr<float, AlignedFree> buf(static_cast<float*>(std::aligned_alloc(64, floats * sizeof(float))));
  if (!buf) throw Napi::Error::New(env, "readBandwidth: could not allocate " + std::to_string(mib) + " MiB");
  float* const p = buf.get();
  const auto probe = gemm_table(addon_data(env).isa).read_probe;
  std::atomic<float> sink{0};
  parallel_for(static_cast<size_t>(threads), threads, [&](size_t t) {
    std::fill(p + t * per, p + (t + 1) * per, 1.0f);  // each thread faults in its own slice
  });
  Napi::Array out = Napi::Array::New(env, static_cast<size_t>(passes));
  for (int i = 0; i < passes; ++i) {
    const auto t0 = std::chrono::steady_clock::now();
    parallel_for(static_cast<size_t>(threads), threads, [&](size_t t) { sink.store(probe(p + t * per, per)); });
    const double dt = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    out.Set(static_cast<uint32_t>(i), Napi::Number::New(env, double(per) * threads * sizeof(float) / dt / 1e9));
  }
  return out;
}

Napi::Value AvailableCores(const Napi::CallbackInfo& info) { return Napi::Number::New(info.Env(), available_cores()); }

}  // namespace

void RegisterRuntime(Napi::Env env, Napi::Object exports) {
  exports.Set("isa", Napi::Function::New(env, GetIsa, "isa"));
  exports.Set("runnableIsas", Napi::Function::New(env, RunnableIsas, "runnableIsas"));
  exports.Set("setIsa", Napi::Function::New(env, SetIsa, "setIsa"));
  exports.Set("setNumThreads", Napi::Function::New(env, SetNumThreads, "setNumThreads"));
  exports.Set("getNumThreads", Napi::Function::New(env, GetNumThreads, "getNumThreads"));
  exports.Set("fmaPeak", Napi::Function::New(env, FmaPeak, "fmaPeak"));
  exports.Set("readBandwidth", Napi::Function::New(env, ReadBandwidth, "readBandwidth"));
  exports.Set("availableCores", Napi::Function::New(env, AvailableCores, "availableCores"));
  exports.Set("maxThreads", Napi::Number::New(env, kMaxThreads));
}

}  // namespace swiglu
