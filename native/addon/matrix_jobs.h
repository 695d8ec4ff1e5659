// What each matrix op computes once its arguments have been read: one job type per operation, each
// with `bool run(const float* x, float* y) const` (false: out of memory). The same job runs on the JS
// thread (sync form) or on a worker (async form, with private copies of x and y), so both forms give
// the same bits.
#pragma once
#include <cstddef>
#include <memory>

#include "packs.h"
#include "../runtime/gemm.h"

namespace swiglu {

// Where and how the GEMMs of a job run, fixed when the call starts.
struct GemmContext {
  Isa isa;
  int threads;
  GemmTuning tuning;
};

// matmul: y[m x n] = x[m x k] * B.
struct MatmulJob {
  GemmContext ctx;
  size_t m = 0, k = 0, n = 0;
  // m <= kSmallM: B read unpacked (the GEMV-like kernel reads it once, cheaper than packing it), from
  // the caller's memory or a private copy (async, or B is also the output).
  bool small = false;
  bool trans = false;
  const float* b_small = nullptr;
  std::unique_ptr<float, AlignedFree> b_copy;
  // sync, in place, small m: x copied first (the small kernel reads x while writing y).
  std::unique_ptr<float, AlignedFree> a_copy;
  // otherwise: B packed when the call starts.
  std::unique_ptr<PackedB> b_packed;

  bool run(const float* x, float* y) const {
    if (small) {
      matmul_small(ctx.isa, a_copy ? a_copy.get() : x, k, m, b_small, trans, k, n, y, n, ctx.threads);
      return true;
    }
    return gemm(ctx.isa, x, k, m, *b_packed, Epilogue::kStore, y, n, ctx.threads, ctx.tuning);
  }
};

// gluMatmul (swigluMatmul for silu): y = act(x Wg) * (x Wu), rows x outFeatures.
struct GateJob {
  GemmContext ctx;
  std::shared_ptr<const Packed> packed;
  size_t rows = 0;

  bool run(const float* x, float* y) const {
    const Packed& p = *packed;
    return gemm(ctx.isa, x, p.in, rows, p.gate, EpilogueOp(Epilogue::kGlu, p.act), y, p.out, ctx.threads, ctx.tuning);
  }
};

// ffn (swigluFfn for a SiLU GLU): y = (act(x Wg) * (x Wu)) Wd, or act(x Wu) Wd for a plain MLP, rows x
// inFeatures; H never leaves native memory.
struct FfnJob {
  GemmContext ctx;
  std::shared_ptr<const Packed> packed;
  size_t rows = 0;

  bool run(const float* x, float* y) const {
    if (rows == 0) return true;
    const Packed& p = *packed;
    std::unique_ptr<void, AlignedFree> h(aligned_bytes(rows * p.out, sizeof(float)));
    if (!h) return false;
    float* H = static_cast<float*>(h.get());
    const EpilogueOp first(p.gated ? Epilogue::kGlu : Epilogue::kAct, p.act);
    return gemm(ctx.isa, x, p.in, rows, p.gate, first, H, p.out, ctx.threads, ctx.tuning) &&
           gemm(ctx.isa, H, p.out, rows, p.down, Epilogue::kStore, y, p.in, ctx.threads, ctx.tuning);
  }
};

}  // namespace swiglu
