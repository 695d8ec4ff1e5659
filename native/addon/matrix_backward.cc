// N-API entry points of the fused backward passes, sync and async (runtime/gemm_backward.h):
//   gluMatmulBackward(x, wGate, wUp, dh, out, inFeatures, outFeatures, inOut, activation)
//   ffnBackward(x, gate | null, up, down, dy, out, inFeatures, hiddenFeatures, inOut, activation)
// `out` receives every result in one array: dx (rows x inFeatures), then the weight gradients in the
// order of the weights (gluMatmulBackward: dWg, dWu; ffnBackward: dWg if gated, dWu, dWd), each
// inFeatures x features floats in the weights' layout; lib/matrix-backward.ts hands out views of it.
// Validates only what memory safety needs (types, sizes with overflow checks, overlap); the TS layer
// gives users the friendly errors first. The weights are packed when the call starts, on this thread;
// the async form also copies the upstream gradient, so its worker reads no JS memory.
#include <cstring>
#include <string>

#include "args.h"
#include "instance.h"
#include "matrix_args.h"
#include "matrix_jobs.h"
#include "matrix_worker.h"
#include "register.h"
#include "../runtime/gemm_backward.h"

namespace swiglu {
namespace {

struct BackwardJob {
  GemmContext ctx;
  bool ffn = false;
  std::unique_ptr<BackwardPacks> packs;
  const float* grad = nullptr;  // dh (gluMatmulBackward) or dy (ffnBackward): the caller's, or grad_copy
  std::unique_ptr<float, AlignedFree> grad_copy;
  bool reads_out() const { return false; }

  bool run(const float* x, float* y) const {
    const GemmRun r{ctx.isa, ctx.threads, ctx.tuning};
    float* dw = y + packs->M * packs->K;
    return ffn ? ffn_backward(r, *packs, x, grad, y, dw) : glu_matmul_backward(r, *packs, x, grad, y, dw);
  }
};

Act backward_act_arg(const Napi::CallbackInfo& info, size_t index) {
  const Act a = static_cast<Act>(integer_arg(info, index, "activation", 0, kActCount - 1));
  if (!fused_act_supported(a)) throw Napi::RangeError::New(info.Env(), "activation is not one the fused kernels apply");
  return a;
}

// Reads and checks the arguments, packs the weights; ffn picks the signature. The job reads x (through
// *x_out) and writes *out_out.
BackwardJob backward_job(const Napi::CallbackInfo& info, bool ffn, bool async, F32View* x_out, F32View* out_out) {
  Napi::Env env = info.Env();
  const size_t nw = ffn ? 3 : 2;  // weight arguments after x
  const size_t gi = 1 + nw, oi = gi + 1, si = oi + 1;
  const char* grad_name = ffn ? "dy" : "dh";
  const F32View x = float32_arg(info, 0, "x");
  const F32View g = float32_arg(info, gi, grad_name);
  const F32View out = float32_arg(info, oi, "out");
  const size_t K = static_cast<size_t>(integer_arg(info, si, "inFeatures", 1, kMaxDim));
  const size_t N = static_cast<size_t>(integer_arg(info, si + 1, ffn ? "hiddenFeatures" : "outFeatures", 1, kMaxDim));
  const bool in_out = bool_arg(info, si + 2, "inOut");
  const Act act = backward_act_arg(info, si + 3);
  if (x.length % K != 0) {
    throw Napi::RangeError::New(env, "x length " + std::to_string(x.length) + " is not a multiple of inFeatures = " +
                                         std::to_string(K));
  }
  const size_t M = x.length / K;
  const size_t wlen = mul_or_throw(env, K, N, "inFeatures*features");
  const bool gated = !ffn || !info[1].IsNull();
  static const char* const kGluNames[] = {"wGate", "wUp"};
  static const char* const kFfnNames[] = {"gate", "up", "down"};
  F32View w[3];
  size_t weights = 0;
  for (size_t i = 0; i < nw; ++i) {
    if (i == 0 && !gated) continue;
    const char* name = ffn ? kFfnNames[i] : kGluNames[i];
    w[i] = float32_arg(info, 1 + i, name);
    check_length(env, name, wlen, w[i].length, "inFeatures*features");
    ++weights;
  }
  check_length(env, grad_name, mul_or_throw(env, M, ffn ? K : N, "rows*features"), g.length);
  const size_t dw_len = mul_or_throw(env, wlen, weights, "weights");
  size_t out_len;
  if (__builtin_add_overflow(mul_or_throw(env, M, K, "rows*inFeatures"), dw_len, &out_len)) {
    throw Napi::RangeError::New(env, "out is too large");
  }
  check_length(env, "out", out_len, out.length, "rows*inFeatures + weight gradients");
  // out is written while every input is still read: it may share no memory with any of them.
  check_alias(env, x, "x", out, false);
  check_alias(env, g, grad_name, out, false);
  for (size_t i = 0; i < nw; ++i)
    if (w[i].data) check_alias(env, w[i], ffn ? kFfnNames[i] : kGluNames[i], out, false);

  BackwardJob job;
  job.ctx = GemmContext{addon_data(env).isa, addon_data(env).threads, addon_data(env).gemm_tuning};
  job.ffn = ffn;
  job.packs.reset(new BackwardPacks());
  BackwardPacks& p = *job.packs;
  p.M = M;
  p.K = K;
  p.N = N;
  p.in_out = in_out;
  p.act = act;
  const bool ok = ffn ? pack_ffn_backward(&p, gated ? w[0].data : nullptr, w[1].data, w[2].data, job.ctx.threads)
                      : pack_glu_backward(&p, w[0].data, w[1].data, job.ctx.threads);
  if (!ok) throw Napi::Error::New(env, "out of memory");
  if (async) {
    job.grad_copy.reset(static_cast<float*>(aligned_bytes(g.length ? g.length : 1, sizeof(float))));
    if (!job.grad_copy) throw Napi::Error::New(env, "out of memory");
    if (g.length) std::memcpy(job.grad_copy.get(), g.data, g.length * sizeof(float));
    job.grad = job.grad_copy.get();
  } else {
    job.grad = g.data;
  }
  *x_out = x;
  *out_out = out;
  return job;
}

Napi::Value RunSync(const Napi::CallbackInfo& info, bool ffn) {
  F32View x, out;
  const BackwardJob job = backward_job(info, ffn, false, &x, &out);
  if (!job.run(x.data, out.data)) throw Napi::Error::New(info.Env(), "out of memory");
  return info[ffn ? 5 : 4];
}

Napi::Value GluMatmulBackward(const Napi::CallbackInfo& info) { return RunSync(info, false); }
Napi::Value FfnBackward(const Napi::CallbackInfo& info) { return RunSync(info, true); }

Napi::Value GluMatmulBackwardAsync(const Napi::CallbackInfo& info) {
  return run_async(info, "gluMatmulBackwardAsync", 4, [&](F32View* x, F32View* out) {
    reject_detached(info, {{0, "x"}, {1, "wGate"}, {2, "wUp"}, {3, "dh"}, {4, "out"}});
    return backward_job(info, false, true, x, out);
  });
}

Napi::Value FfnBackwardAsync(const Napi::CallbackInfo& info) {
  return run_async(info, "ffnBackwardAsync", 5, [&](F32View* x, F32View* out) {
    reject_detached(info, {{0, "x"}, {1, "gate"}, {2, "up"}, {3, "down"}, {4, "dy"}, {5, "out"}});
    return backward_job(info, true, true, x, out);
  });
}

}  // namespace

void RegisterMatrixBackward(Napi::Env env, Napi::Object exports) {
  exports.Set("gluMatmulBackward", Napi::Function::New(env, GluMatmulBackward, "gluMatmulBackward"));
  exports.Set("gluMatmulBackwardAsync", Napi::Function::New(env, GluMatmulBackwardAsync, "gluMatmulBackwardAsync"));
  exports.Set("ffnBackward", Napi::Function::New(env, FfnBackward, "ffnBackward"));
  exports.Set("ffnBackwardAsync", Napi::Function::New(env, FfnBackwardAsync, "ffnBackwardAsync"));
}

}  // namespace swiglu
