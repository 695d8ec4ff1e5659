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

// matmul: y[m x n] = A * B, A = x[m x k] (or x[k x m] transposed, trans_a), plus y's own values with
// accumulate (y + A*B, the product rounded to float32 first, then added).
struct MatmulJob {
  GemmContext ctx;
  size_t m = 0, k = 0, n = 0;
  bool trans_a = false;
  bool accumulate = false;
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

  // The async form copies y in before run() when the job reads it.
  bool reads_out() const { return accumulate; }

  bool run(const float* x, float* y) const {
    // transA: the packed GEMM reads A transposed in place (gemm()'s a_trans: A is packed before C is
    // stored to, so x may be y too); the small kernel reads A row-major, so it gets a private copy.
    std::unique_ptr<float, AlignedFree> at;
    const float* a = a_copy ? a_copy.get() : x;
    if (trans_a && small) {
      at.reset(static_cast<float*>(aligned_bytes(m * k != 0 ? m * k : 1, sizeof(float))));
      if (!at) return false;
      transpose(x, k, m, at.get());
      a = at.get();
    }
    // accumulate: the product into a private buffer, then added (y may be an input too).
    std::unique_ptr<float, AlignedFree> sum;
    float* c = y;
    if (accumulate) {
      sum.reset(static_cast<float*>(aligned_bytes(m * n != 0 ? m * n : 1, sizeof(float))));
      if (!sum) return false;
      c = sum.get();
    }
    if (small) {
      matmul_small(ctx.isa, a, k, m, b_small, trans, k, n, c, n, ctx.threads);
    } else if (!gemm(ctx.isa, a, trans_a ? m : k, m, *b_packed, Epilogue::kStore, c, n, ctx.threads, ctx.tuning, trans_a)) {
      return false;
    }
    if (accumulate)
      for (size_t i = 0; i < m * n; ++i) y[i] += c[i];
    return true;
  }

 private:
  // dst[r][c] = src[c][r] for src [rows x cols], in 32 x 32 blocks (both sides stay in cache).
  static void transpose(const float* src, size_t rows, size_t cols, float* dst) {
    constexpr size_t kB = 32;
    for (size_t r0 = 0; r0 < rows; r0 += kB)
      for (size_t c0 = 0; c0 < cols; c0 += kB)
        for (size_t r = r0; r < rows && r < r0 + kB; ++r)
          for (size_t c = c0; c < cols && c < c0 + kB; ++c) dst[c * rows + r] = src[r * cols + c];
  }
};

// gluMatmul (swigluMatmul for silu): y = act(x Wg) * (x Wu), rows x outFeatures.
struct GateJob {
  GemmContext ctx;
  std::shared_ptr<const Packed> packed;
  size_t rows = 0;
  bool reads_out() const { return false; }

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
  bool reads_out() const { return false; }

  bool run(const float* x, float* y) const {
    if (rows == 0) return true;
    const Packed& p = *packed;
    ScratchPtr h(scratch_bytes(rows * p.out, sizeof(float)));
    if (!h) return false;
    float* H = static_cast<float*>(h.get());
    const EpilogueOp first(p.gated ? Epilogue::kGlu : Epilogue::kAct, p.act);
    return gemm(ctx.isa, x, p.in, rows, p.gate, first, H, p.out, ctx.threads, ctx.tuning) &&
           gemm(ctx.isa, H, p.out, rows, p.down, Epilogue::kStore, y, p.in, ctx.threads, ctx.tuning);
  }
};

}  // namespace swiglu
