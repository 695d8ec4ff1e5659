// The hooks of the tests, the fuzzer and the bench, registered as exports._testing apart from the API:
// switching ISA (setIsa), the GEMM blocking (setGemmTuning), the roofline probes (fmaPeak, readBandwidth),
// what the allocator and the packs hold (mallocStats, livePacks), the default thread count
// (availableCores), the size past which elementwise calls stream (streamMinBytes) and the table of
// activations (activations: runtime/activation_list.h, which the tests check lib against). None changes a
// result; none is checked beyond memory safety (lib/testing.ts types them, no friendlier errors).
#include <algorithm>
#include <cstdlib>
#include <memory>
#include <string>

#if defined(__GLIBC__)
#include <malloc.h>
#endif
#include "args.h"
#include "instance.h"
#include "packs.h"
#include "register.h"
#include "../runtime/gemm.h"
#include "../runtime/pool.h"
#include "../runtime/probes.h"

namespace swiglu {
namespace {

// setIsa(name): switches this environment's kernels (the tests run every op on every ISA).
Napi::Value SetIsa(const Napi::CallbackInfo& info) {
  if (!info[0].IsString()) throw Napi::TypeError::New(info.Env(), "isa must be a string");
  const std::string name = info[0].As<Napi::String>().Utf8Value();
  Isa isa;
  if (!parse_isa(name.c_str(), &isa)) throw Napi::RangeError::New(info.Env(), "unknown ISA '" + name + "'");
  if (!isa_runnable(isa)) throw Napi::Error::New(info.Env(), "ISA '" + name + "' cannot run here: " + isa_unavailable_reason(isa));
  use_isa(addon_data(info.Env()), isa);
  return info.Env().Undefined();
}

// setGemmTuning(kc, mc, nc): this environment's GEMM cache blocking (0: automatic). Tests use
// it to show that the blocking never changes a result; calls already running keep what they started with.
Napi::Value SetGemmTuning(const Napi::CallbackInfo& info) {
  GemmTuning& t = addon_data(info.Env()).gemm_tuning;
  t.kc = static_cast<size_t>(integer_arg(info, 0, "kc", 0, 1 << 20));
  t.mc = static_cast<size_t>(integer_arg(info, 1, "mc", 0, 1 << 20));
  t.nc = static_cast<size_t>(integer_arg(info, 2, "nc", 0, 1 << 20));
  return info.Env().Undefined();
}

// fmaPeak(seconds, threads): the FMA throughput of this ISA in GFLOP/s, measured for about
// `seconds` on `threads` threads at once (the roofline the benchmark reports GEMM against).
Napi::Value FmaPeak(const Napi::CallbackInfo& info) {
  const double seconds = info.Length() > 0 ? number_arg(info, 0, "seconds") : 0.2;
  if (!(seconds > 0 && seconds <= 10)) throw Napi::RangeError::New(info.Env(), "seconds must be in (0, 10]");
  const int threads = info.Length() > 1 ? static_cast<int>(integer_arg(info, 1, "threads", 1, kMaxThreads)) : 1;
  const Isa isa = addon_data(info.Env()).isa;
  // Calibrate the iteration count on short runs, then time all threads together. The calibration runs
  // on all `threads` too: calibrated on one core, the timed run would start with the others rested and
  // read a short-burst clock, above what the cores sustain under a long load.
  uint64_t iters = 1 << 16;
  double flops = 0;
  for (;;) {
    const double dt = fma_pass(isa, threads, iters, &flops);
    if (dt > 0.01 || iters > (uint64_t(1) << 40)) {
      iters = static_cast<uint64_t>(static_cast<double>(iters) * seconds / dt) + 1;
      break;
    }
    iters *= 4;
  }
  const double dt = fma_pass(isa, threads, iters, &flops);
  return Napi::Number::New(info.Env(), flops / dt / 1e9);
}

// readBandwidth(mib, threads, passes): DRAM read bandwidth in GB/s, one figure per timed pass: `threads`
// threads each stream their own slice of a fresh `mib` MiB buffer (the roofline of the M = 1 GEMV, which
// only reads its weights; a copy's GB/s counts writes as well and overstates what reads alone reach).
// The buffer is faulted in (each thread its own slice) before the timed passes; a buffer several times
// the last-level cache keeps every pass out of it.
Napi::Value ReadBandwidth(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const size_t mib = static_cast<size_t>(integer_arg(info, 0, "mib", 1, 4096));
  const int threads = static_cast<int>(integer_arg(info, 1, "threads", 1, kMaxThreads));
  const int passes = static_cast<int>(integer_arg(info, 2, "passes", 1, 1000));
  const size_t floats = mib << 18;
  std::unique_ptr<float, AlignedFree> buf(static_cast<float*>(std::aligned_alloc(64, floats * sizeof(float))));
  if (!buf) throw Napi::Error::New(env, "readBandwidth: could not allocate " + std::to_string(mib) + " MiB");
  float* const p = buf.get();
  const size_t per = (floats + static_cast<size_t>(threads) - 1) / static_cast<size_t>(threads);
  parallel_for(static_cast<size_t>(threads), threads, [&](size_t t) {
    const size_t b = t * per, e = b + per < floats ? b + per : floats;
    if (b < e) std::fill(p + b, p + e, 1.0f);  // each thread faults in its own slice
  });
  const Isa isa = addon_data(env).isa;
  Napi::Array out = Napi::Array::New(env, static_cast<size_t>(passes));
  for (int i = 0; i < passes; ++i) {
    double bytes = 0;
    const double dt = read_pass(isa, p, floats, threads, &bytes);
    out.Set(static_cast<uint32_t>(i), Napi::Number::New(env, bytes / dt / 1e9));
  }
  return out;
}

// pooledJobs(): jobs the thread pool has run on more than one thread so far (pool.h).
Napi::Value PooledJobs(const Napi::CallbackInfo& info) {
  return Napi::Number::New(info.Env(), static_cast<double>(pooled_jobs()));
}

// withdrawnHelpers(): helper places withdrawn from jobs whose tasks were all taken before the helper came.
Napi::Value WithdrawnHelpers(const Napi::CallbackInfo& info) {
  return Napi::Number::New(info.Env(), static_cast<double>(withdrawn_slots()));
}

// availableCores(): the cores this process may run on (the default thread count).
Napi::Value AvailableCores(const Napi::CallbackInfo& info) { return Napi::Number::New(info.Env(), available_cores()); }

// mallocStats(): what the C allocator holds, for the memory test (glibc's mallinfo2: every arena);
// null where the C library does not say. inUse counts live allocations, exactly, whatever the
// fragmentation or arena layout; mapped is what the allocator took from the OS for them.
Napi::Value MallocStats(const Napi::CallbackInfo& info) {
#if defined(__GLIBC__) && (__GLIBC__ > 2 || (__GLIBC__ == 2 && __GLIBC_MINOR__ >= 33))
  const struct mallinfo2 m = mallinfo2();
  Napi::Object o = Napi::Object::New(info.Env());
  o.Set("inUse", Napi::Number::New(info.Env(), static_cast<double>(m.uordblks + m.hblkhd)));
  o.Set("mapped", Napi::Number::New(info.Env(), static_cast<double>(m.arena + m.hblkhd)));
  return o;
#else
  return info.Env().Null();
#endif
}

// livePacks(): packs whose native memory is still held, in the whole process (the memory test's count).
Napi::Value LivePacks(const Napi::CallbackInfo& info) {
  return Napi::Number::New(info.Env(), static_cast<double>(live_packs()));
}

// scratchStats(): the per-call blocks kept for reuse (runtime/scratch.h) and the most that may be kept.
Napi::Value ScratchStatsValue(const Napi::CallbackInfo& info) {
  const ScratchStats s = scratch_stats();
  Napi::Object o = Napi::Object::New(info.Env());
  o.Set("keptBytes", Napi::Number::New(info.Env(), static_cast<double>(s.kept_bytes)));
  o.Set("keptBlocks", Napi::Number::New(info.Env(), static_cast<double>(s.kept_blocks)));
  o.Set("maxKeptBytes", Napi::Number::New(info.Env(), static_cast<double>(s.max_kept_bytes)));
  return o;
}

// activations(): the rows of runtime/activation_list.h in index order, as
// {name, index, a, b, bar, gradBar, fPosInf, fNegInf, fpPosInf, fpNegInf, fused}.
Napi::Value Activations(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Napi::Array out = Napi::Array::New(env, kActCount);
  for (int i = 0; i < kActCount; ++i) {
    const ActInfo& a = kActInfo[i];
    Napi::Object o = Napi::Object::New(env);
    o.Set("name", Napi::String::New(env, a.name));
    o.Set("index", Napi::Number::New(env, i));
    o.Set("a", Napi::Number::New(env, a.defaults.a));
    o.Set("b", Napi::Number::New(env, a.defaults.b));
    o.Set("bar", Napi::Number::New(env, a.bar));
    o.Set("gradBar", Napi::Number::New(env, a.grad_bar));
    o.Set("fPosInf", Napi::Number::New(env, a.f_pos));
    o.Set("fNegInf", Napi::Number::New(env, a.f_neg));
    o.Set("fpPosInf", Napi::Number::New(env, a.fp_pos));
    o.Set("fpNegInf", Napi::Number::New(env, a.fp_neg));
    o.Set("fused", Napi::Boolean::New(env, a.fused));
    out.Set(static_cast<uint32_t>(i), o);
  }
  return out;
}

}  // namespace

void RegisterTesting(Napi::Env env, Napi::Object exports) {
  Napi::Object t = Napi::Object::New(env);
  t.Set("setIsa", Napi::Function::New(env, SetIsa, "setIsa"));
  t.Set("setGemmTuning", Napi::Function::New(env, SetGemmTuning, "setGemmTuning"));
  t.Set("fmaPeak", Napi::Function::New(env, FmaPeak, "fmaPeak"));
  t.Set("readBandwidth", Napi::Function::New(env, ReadBandwidth, "readBandwidth"));
  t.Set("mallocStats", Napi::Function::New(env, MallocStats, "mallocStats"));
  t.Set("livePacks", Napi::Function::New(env, LivePacks, "livePacks"));
  t.Set("scratchStats", Napi::Function::New(env, ScratchStatsValue, "scratchStats"));
  t.Set("availableCores", Napi::Function::New(env, AvailableCores, "availableCores"));
  t.Set("pooledJobs", Napi::Function::New(env, PooledJobs, "pooledJobs"));
  t.Set("withdrawnHelpers", Napi::Function::New(env, WithdrawnHelpers, "withdrawnHelpers"));
  t.Set("activations", Napi::Function::New(env, Activations, "activations"));
  // Elementwise calls whose arrays reach this many bytes write with non-temporal stores (dispatch.h).
  t.Set("streamMinBytes", Napi::Number::New(env, static_cast<double>(cache_sizes().l3)));
  exports.Set("_testing", t);
}

}  // namespace swiglu
