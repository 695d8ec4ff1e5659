// N-API entry points for matmul, the packed SwiGLU gate and the SwiGLU FFN, sync and async: read and
// validate the arguments (only what memory safety needs: types, sizes with overflow checks, overlap;
// lib/matrix.ts gives users the friendly errors first), build the operation's job (matrix_jobs.h) and
// run it here or on a worker (matrix_worker.h). Packing and pack descriptors: packs.cc.
#include <cstring>
#include <string>
#include <type_traits>

#include "args.h"
#include "instance.h"
#include "matrix_args.h"
#include "matrix_jobs.h"
#include "matrix_worker.h"
#include "packs.h"
#include "register.h"

namespace swiglu {
namespace {

GemmContext gemm_context(const Napi::Env& env) {
  const AddonData& d = addon_data(env);
  return GemmContext{d.isa, d.threads, d.gemm_tuning};
}

float* copy_floats(const Napi::Env& env, const float* src, size_t count, std::unique_ptr<float, AlignedFree>* keep) {
  keep->reset(static_cast<float*>(aligned_bytes(count ? count : 1, sizeof(float))));
  if (!*keep) throw Napi::Error::New(env, "matmul: out of memory");
  if (count) std::memcpy(keep->get(), src, count * sizeof(float));
  return keep->get();
}

// matmul(a, b, out, m, k, n, transB, transA?, accumulate?): validates and packs B (or, for m <= kSmallM,
// keeps B unpacked). The job reads a (and out, with accumulate) and writes out. `async`: the job will run
// off the JS thread, so B is copied now.
MatmulJob matmul_job(const Napi::CallbackInfo& info, F32View* a_out, F32View* out_out, bool async) {
  Napi::Env env = info.Env();
  const F32View a = float32_arg(info, 0, "a");
  const F32View b = float32_arg(info, 1, "b");
  const F32View out = float32_arg(info, 2, "out");
  const size_t m = static_cast<size_t>(integer_arg(info, 3, "m", 0, kMaxDim));
  const size_t k = static_cast<size_t>(integer_arg(info, 4, "k", 0, kMaxDim));
  const size_t n = static_cast<size_t>(integer_arg(info, 5, "n", 0, kMaxDim));
  const bool trans = bool_arg(info, 6, "transB");
  const bool trans_a = info.Length() > 7 && !info[7].IsUndefined() && bool_arg(info, 7, "transA");
  const bool accumulate = info.Length() > 8 && !info[8].IsUndefined() && bool_arg(info, 8, "accumulate");
  check_length(env, "a", mul_or_throw(env, m, k, "m*k"), a.length, "m*k");
  check_length(env, "b", mul_or_throw(env, k, n, "k*n"), b.length, "k*n");
  check_length(env, "out", mul_or_throw(env, m, n, "m*n"), out.length, "m*n");
  // A and B are both packed before C is stored, so out may be exactly a or b; partial overlap may not.
  check_alias(env, a, "a", out);
  check_alias(env, b, "b", out);
  MatmulJob job;
  job.ctx = gemm_context(env);
  job.m = m;
  job.k = k;
  job.n = n;
  job.trans_a = trans_a;
  job.accumulate = accumulate;
  *a_out = a;
  *out_out = out;
  if (m <= kSmallM) {
    job.small = true;
    job.trans = trans;
    // Same kernel (same bits) whether sync, async or in place: only where B comes from differs.
    const bool b_is_out = b.data && b.data == out.data;
    job.b_small = async || b_is_out ? copy_floats(env, b.data, b.length, &job.b_copy) : b.data;
    // In place (sync): the small kernel reads a while writing out (transA and accumulate copy anyway).
    if (!async && !trans_a && !accumulate && a.data && a.data == out.data) copy_floats(env, a.data, a.length, &job.a_copy);
    return job;
  }
  job.b_packed.reset(new PackedB());
  if (!pack_b(job.b_packed.get(), {b.data, trans}, WType::kF32, k, n, job.ctx.threads)) {
    throw Napi::Error::New(env, "matmul: out of memory");
  }
  return job;
}

// swigluMatmul / swigluFfn (x, packed, out): Job is GateJob or FfnJob. `async`: the job will run off the
// JS thread, so it holds the pack's buffer until it ends.
template <class Job>
Job packed_job(const Napi::CallbackInfo& info, F32View* x_out, F32View* out_out, bool async) {
  constexpr bool ffn = std::is_same<Job, FfnJob>::value;
  Napi::Env env = info.Env();
  const F32View x = float32_arg(info, 0, "x");
  auto p = packed_arg(info, 1, ffn ? PackKind::kFfn : PackKind::kGate, async);
  const F32View out = float32_arg(info, 2, "out");
  if (x.length % p->in != 0) {
    throw Napi::RangeError::New(
        env, "x length " + std::to_string(x.length) + " is not a multiple of inFeatures = " + std::to_string(p->in));
  }
  const size_t rows = x.length / p->in;
  const size_t width = ffn ? p->in : p->out;
  check_length(env, "out", mul_or_throw(env, rows, width, "rows*width"), out.length, "rows*outFeatures");
  // x is packed before the first store, so out === x is a valid in-place call when the sizes match.
  check_alias(env, x, "x", out);
  Job job;
  job.ctx = gemm_context(env);
  job.packed = std::move(p);
  job.rows = rows;
  *x_out = x;
  *out_out = out;
  return job;
}

template <class Job>
Napi::Value run_sync(const Napi::CallbackInfo& info, const Job& job, const F32View& x, const F32View& out) {
  if (!job.run(x.data, out.data)) throw Napi::Error::New(info.Env(), "out of memory");
  return info[2];
}

Napi::Value Matmul(const Napi::CallbackInfo& info) {
  F32View a, out;
  const MatmulJob job = matmul_job(info, &a, &out, false);
  return run_sync(info, job, a, out);
}

Napi::Value SwigluMatmul(const Napi::CallbackInfo& info) {
  F32View x, out;
  const GateJob job = packed_job<GateJob>(info, &x, &out, false);
  return run_sync(info, job, x, out);
}

Napi::Value SwigluFfn(const Napi::CallbackInfo& info) {
  F32View x, out;
  const FfnJob job = packed_job<FfnJob>(info, &x, &out, false);
  return run_sync(info, job, x, out);
}

// ---- async ---------------------------------------------------------------------------------

Napi::Value MatmulAsync(const Napi::CallbackInfo& info) {
  return run_async(info, "matmulAsync", 2, [&](F32View* x, F32View* out) {
    reject_detached(info, {{0, "a"}, {1, "b"}, {2, "out"}});
    return matmul_job(info, x, out, true);
  });
}

Napi::Value SwigluMatmulAsync(const Napi::CallbackInfo& info) {
  return run_async(info, "swigluMatmulAsync", 2, [&](F32View* x, F32View* out) {
    reject_detached(info, {{0, "x"}, {2, "out"}});
    return packed_job<GateJob>(info, x, out, true);
  });
}

Napi::Value SwigluFfnAsync(const Napi::CallbackInfo& info) {
  return run_async(info, "swigluFfnAsync", 2, [&](F32View* x, F32View* out) {
    reject_detached(info, {{0, "x"}, {2, "out"}});
    return packed_job<FfnJob>(info, x, out, true);
  });
}

}  // namespace

void RegisterMatrix(Napi::Env env, Napi::Object exports) {
  RegisterPacks(env, exports);
  exports.Set("matmul", Napi::Function::New(env, Matmul, "matmul"));
  exports.Set("matmulAsync", Napi::Function::New(env, MatmulAsync, "matmulAsync"));
  exports.Set("swigluMatmul", Napi::Function::New(env, SwigluMatmul, "swigluMatmul"));
  exports.Set("swigluMatmulAsync", Napi::Function::New(env, SwigluMatmulAsync, "swigluMatmulAsync"));
  exports.Set("swigluFfn", Napi::Function::New(env, SwigluFfn, "swigluFfn"));
  exports.Set("swigluFfnAsync", Napi::Function::New(env, SwigluFfnAsync, "swigluFfnAsync"));
}

}  // namespace swiglu
