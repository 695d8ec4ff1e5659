// N-API entry points of the fused backward passes, sync and async (runtime/gemm_backward.h):
//   gluMatmulBackward(x, wGate, wUp, dh, dx, dWGate, dWUp, inFeatures, outFeatures, inOut, activation)
//   ffnBackward(x, gate | null, up, down, dy, dx, dGate | null, dUp, dDown, inFeatures, hiddenFeatures,
//               inOut, activation)
// Each result has its own output array (dx: rows x inFeatures; a weight's gradient: inFeatures x features
// in the weights' layout), sharing no memory with another or with an input; lib/matrix-backward.ts
// allocates them (one buffer, the weight gradients adjacent) or takes the caller's. Validates only what
// memory safety needs (types, sizes with overflow checks, overlap); the TS layer gives users the friendly
// errors first. The weights are packed when the call starts, on this thread; the async form also copies
// the upstream gradient, so its worker reads no JS memory.
#include <cstring>
#include <string>
#include <vector>

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
  BackwardOutputs sync_out;  // the sync form writes the caller's arrays directly
  bool reads_out() const { return false; }

  // y: the async worker's buffer, holding the outputs one after the other (dx, dGate if gated, dUp, dDown
  // for an FFN); null for the sync form.
  bool run(const float* x, float* y) const {
    const GemmRun r{ctx.isa, ctx.threads, ctx.tuning};
    const BackwardPacks& p = *packs;
    BackwardOutputs o = sync_out;
    if (y) {
      const size_t w = p.N * p.K;
      o.dx = y;
      float* next = y + p.M * p.K;
      o.d_gate = p.gated ? next : nullptr;
      o.d_up = p.gated ? next + w : next;
      o.d_down = ffn ? o.d_up + w : nullptr;
    }
    return ffn ? ffn_backward(r, p, x, grad, o) : glu_matmul_backward(r, p, x, grad, o);
  }
};

// Outputs share no memory with any input or with each other (not even exactly: every input is read while
// every output is written).
void check_disjoint(const Napi::Env& env, const F32View& out, const char* out_name, const F32View& other, const char* other_name) {
  if (ranges_overlap(out, other)) throw Napi::RangeError::New(env, std::string(out_name) + " overlaps " + other_name);
}

Act backward_act_arg(const Napi::CallbackInfo& info, size_t index) {
  const Act a = static_cast<Act>(integer_arg(info, index, "activation", 0, kActCount - 1));
  if (!fused_act_supported(a)) throw Napi::RangeError::New(info.Env(), "activation is not one the fused kernels apply");
  return a;
}

// Reads and checks the arguments, packs the weights; ffn picks the signature. The job reads x (through
// *x_out); the outputs, in the order the async buffer holds them, go to *outs when given.
BackwardJob backward_job(const Napi::CallbackInfo& info, bool ffn, bool async, F32View* x_out,
                         std::vector<Napi::Float32Array>* outs) {
  Napi::Env env = info.Env();
  const size_t nw = ffn ? 3 : 2;                 // weight arguments after x, then the gradient
  const size_t gi = 1 + nw, oi = gi + 1;         // the upstream gradient, the first output
  const size_t no = ffn ? 4 : 3, si = oi + no;   // outputs (dx, then one per weight), then the sizes
  const char* grad_name = ffn ? "dy" : "dh";
  static const char* const kGluNames[] = {"wGate", "wUp"};
  static const char* const kFfnNames[] = {"gate", "up", "down"};
  static const char* const kGluOuts[] = {"dx", "dWGate", "dWUp"};
  static const char* const kFfnOuts[] = {"dx", "dGate", "dUp", "dDown"};
  const char* const* wname = ffn ? kFfnNames : kGluNames;
  const char* const* oname = ffn ? kFfnOuts : kGluOuts;
  const F32View x = float32_arg(info, 0, "x");
  const F32View g = float32_arg(info, gi, grad_name);
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
  const size_t xlen = mul_or_throw(env, M, K, "rows*inFeatures");
  const bool gated = !ffn || !info[1].IsNull();
  if (ffn && gated == info[oi + 1].IsNull()) throw Napi::TypeError::New(env, "dGate must be given exactly when gate is");
  F32View in[5];  // x, the weights, the gradient: every array the pass reads
  in[0] = x;
  for (size_t i = 0; i < nw; ++i) {
    if (i == 0 && !gated) continue;
    in[1 + i] = float32_arg(info, 1 + i, wname[i]);
    check_length(env, wname[i], wlen, in[1 + i].length, "inFeatures*features");
  }
  in[1 + nw] = g;
  check_length(env, grad_name, mul_or_throw(env, M, ffn ? K : N, "rows*features"), g.length);
  F32View out[4];
  for (size_t i = 0; i < no; ++i) {
    if (i == 1 && !gated) continue;
    out[i] = float32_arg(info, oi + i, oname[i]);
    check_length(env, oname[i], i == 0 ? xlen : wlen, out[i].length, i == 0 ? "rows*inFeatures" : "inFeatures*features");
    // Every output is written while every input is still read, and each is its own array.
    for (size_t j = 0; j < 2 + nw; ++j)
      if (in[j].data) check_disjoint(env, out[i], oname[i], in[j], j == 0 ? "x" : j == 1 + nw ? grad_name : wname[j - 1]);
    for (size_t j = 0; j < i; ++j)
      if (out[j].data) check_disjoint(env, out[i], oname[i], out[j], oname[j]);
    if (outs) outs->push_back(info[oi + i].As<Napi::Float32Array>());
  }

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
  const bool ok = ffn ? pack_ffn_backward(&p, gated ? in[1].data : nullptr, in[2].data, in[3].data, job.ctx.threads)
                      : pack_glu_backward(&p, in[1].data, in[2].data, job.ctx.threads);
  if (!ok) throw Napi::Error::New(env, "out of memory");
  if (async) {
    job.grad_copy.reset(static_cast<float*>(aligned_bytes(g.length ? g.length : 1, sizeof(float))));
    if (!job.grad_copy) throw Napi::Error::New(env, "out of memory");
    if (g.length) std::memcpy(job.grad_copy.get(), g.data, g.length * sizeof(float));
    job.grad = job.grad_copy.get();
  } else {
    job.grad = g.data;
    job.sync_out = BackwardOutputs{out[0].data, out[1].data, out[2].data, ffn ? out[3].data : nullptr};
  }
  *x_out = x;
  return job;
}

Napi::Value RunSync(const Napi::CallbackInfo& info, bool ffn) {
  F32View x;
  const BackwardJob job = backward_job(info, ffn, false, &x, nullptr);
  if (!job.run(x.data, nullptr)) throw Napi::Error::New(info.Env(), "out of memory");
  return info.Env().Undefined();
}

Napi::Value GluMatmulBackward(const Napi::CallbackInfo& info) { return RunSync(info, false); }
Napi::Value FfnBackward(const Napi::CallbackInfo& info) { return RunSync(info, true); }

Napi::Value GluMatmulBackwardAsync(const Napi::CallbackInfo& info) {
  return run_async_outputs(info, "gluMatmulBackwardAsync", [&](F32View* x, std::vector<Napi::Float32Array>* outs) {
    reject_detached(info, {{0, "x"}, {1, "wGate"}, {2, "wUp"}, {3, "dh"}, {4, "dx"}, {5, "dWGate"}, {6, "dWUp"}});
    return backward_job(info, false, true, x, outs);
  });
}

Napi::Value FfnBackwardAsync(const Napi::CallbackInfo& info) {
  return run_async_outputs(info, "ffnBackwardAsync", [&](F32View* x, std::vector<Napi::Float32Array>* outs) {
    reject_detached(info, {{0, "x"}, {1, "gate"}, {2, "up"}, {3, "down"}, {4, "dy"}, {5, "dx"}, {6, "dGate"}, {7, "dUp"}, {8, "dDown"}});
    return backward_job(info, true, true, x, outs);
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
