// The backward epilogues of the GEMM tile (runtime/gemm.h: kGluGrad, kGluSave, kActSave, kScale), on a
// finished tile (rows x 32 accumulators, row stride kPanelWidth). Written once over the vector layer V and
// included by gemm_tile.h in each ISA's GEMM unit.
//
// The activation's gradient comes from the GradTable of the same ISA (t.grads: the elementwise gradient
// kernels of backward.h) and its value from the forward epilogue's own kernels (activations.h), applied
// to one tile row at a time while the row is in L1. So every element is exactly what the unfused
// composition of the same ops gives (the GEMM's accumulators, then gluBackward / the activation and its
// Backward op with dy = 1, then an elementwise product), whatever the blocking or thread count, since
// the accumulators themselves are (gemm_tile.h).
#pragma once
#include <cstddef>

#include "../runtime/gemm.h"
#include "../runtime/grad_table.h"

namespace swiglu {
namespace SWIGLU_NS {

// The forward epilogues (gemm_tile.h).
template <class V, int R>
void apply_epilogue(float* tile, Epilogue kind, Act act, size_t cols);

// dy = 1 for the gradient kernels: f'(x) itself (kActSave), up itself (kGluSave: 1 * up is exact).
alignas(64) inline constexpr float kGradOnes[kPanelWidth] = {1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
                                                             1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1};

// The fused activations' parameters as the elementwise gradient ops take them (lib/backward.ts): silu at
// beta = 1; the others have none (gelu's form is its Act value).
inline ActParams fused_grad_params(Act a) {
  ActParams p;
  if (a == kSilu) p.a = 1.0;
  return p;
}

// y[j] = a[j] * b[j], j < n.
template <class V>
inline void mul_row(float* y, const float* a, const float* b, size_t n) {
  size_t j = 0;
  for (; j + V::N <= n; j += V::N) V::store(y + j, V::mul(V::load(a + j), V::load(b + j)));
  for (; j < n; ++j) y[j] = a[j] * b[j];
}

template <class V>
inline void copy_row(float* y, const float* a, size_t n) {
  size_t j = 0;
  for (; j + V::N <= n; j += V::N) V::store(y + j, V::load(a + j));
  for (; j < n; ++j) y[j] = a[j];
}

// Only the valid columns (t.cols) of each output are written; the extra matrices' pointers are this
// tile's origin in them (the driver's GemmCall::place).
template <class V, int R>
__attribute__((noinline)) void grad_epilogue(const TileArgs& t, float* tile) {
  const ActParams p = fused_grad_params(t.act);
  const size_t cols = t.cols, ldc = t.ldc;
  switch (t.epilogue) {
    case Epilogue::kGluGrad: {
      // dGate = grad(G, dh U), dUp = dh act(G): gluBackward's kernel on the row's gate and up halves.
      const GluGradFn fn = t.grads->glu_grad[t.act];
      for (int r = 0; r < R; ++r) {
        const float* g = tile + r * kPanelWidth;
        fn(g, g + kGateHalf, t.aux + r * t.ld_aux, t.c + r * ldc, t.c2 + r * ldc, cols, p);
      }
      return;
    }
    case Epilogue::kGluSave: {
      // C2 = grad(G, 1 U) = U act'(G), C3 = 1 act(G) = act(G), then C = act(G) U (gluMatmul's H).
      const GluGradFn fn = t.grads->glu_grad[t.act];
      for (int r = 0; r < R; ++r) {
        const float* g = tile + r * kPanelWidth;
        float* q = t.c3 + r * ldc;
        fn(g, g + kGateHalf, kGradOnes, t.c2 + r * ldc, q, cols, p);
        mul_row<V>(t.c + r * ldc, q, g + kGateHalf, cols);
      }
      return;
    }
    case Epilogue::kActSave: {
      // C2 = grad(acc, 1) = act'(acc), then the forward's kAct epilogue in place and C = act(acc).
      const GradFn fn = t.grads->grad[t.act];
      for (int r = 0; r < R; ++r) fn(tile + r * kPanelWidth, kGradOnes, t.c2 + r * ldc, cols, p);
      apply_epilogue<V, R>(tile, Epilogue::kAct, t.act, cols);
      for (int r = 0; r < R; ++r) copy_row<V>(t.c + r * ldc, tile + r * kPanelWidth, cols);
      return;
    }
    case Epilogue::kScale: {
      for (int r = 0; r < R; ++r) {
        const float* acc = tile + r * kPanelWidth;
        mul_row<V>(t.c + r * ldc, acc, t.aux + r * t.ld_aux, cols);
        if (t.c2) mul_row<V>(t.c2 + r * ldc, acc, t.aux2 + r * t.ld_aux, cols);
      }
      return;
    }
    default:
      return;
  }
}

}  // namespace SWIGLU_NS
}  // namespace swiglu
