// The backward passes of the fused gate (gluMatmulBackward) and of the FFN (ffnBackward), from raw f32
// weights, as a few GEMMs whose epilogues apply the activation and its gradient (runtime/gemm.h:
// kGluGrad, kGluSave, kActSave, kScale; the weight gradients are plain stores). ISA-neutral: all arithmetic
// is in the GEMM tiles and the elementwise gradient kernels they call.
//
// Shapes (row-major): x [M x K], the gate's and up's weights map K inputs to N outputs (hidden units),
// the FFN's down maps N back to K. `in_out` picks the weights' layout: false is nn.Linear's [out][in]
// ('out-in'), true [in][out]; weight gradients come in the layout of their weights.
//
// What each pass materialises, at most (floats): the gate's backward [dG | dU] (2 M N); the FFN's
// backward H, U act'(G) and act(G) (3 M N, 2 for a plain MLP) and then [dG | dU]; the packed weights,
// and one operand of each weight gradient packed again as its B (the other, transposed, is read in place). Each
// GEMM reduces every element in k order from zero (gemm_tile.h), so results do not depend on the
// thread count or the cache blocking.
#pragma once
#include <cstddef>
#include <memory>

#include "gemm.h"

namespace swiglu {

// Where and how the GEMMs of a backward pass run.
struct GemmRun {
  Isa isa;
  int threads;
  GemmTuning tuning;
};

// The weights of one backward pass, packed when the call starts (on the calling thread, so an async pass
// never reads the caller's arrays later). Returns false if out of memory.
struct BackwardPacks {
  size_t M = 0, K = 0, N = 0;
  bool in_out = false;
  Act act = kSilu;
  bool gated = true;
  PackedB recompute;  // x -> (G, U): gate panels of [Wg | Wu] (a plain MLP: Wu's plain panels)
  PackedB input;      // [dG | dU] -> dx: [Wg; Wu] stacked along k (a plain MLP: Wu)
  PackedB down_t;     // FFN only: dy -> dH, Wd transposed (N outputs of K)
};

// Where a backward pass writes: dx [M x K], and each weight's gradient (N x K floats, the weight's
// layout). d_gate is null for a plain MLP, d_down for the gate's backward. The arrays share no memory
// with each other or with an input; when d_up follows d_gate directly, the out-in pass computes both in
// one GEMM over [dG | dU].
struct BackwardOutputs {
  float* dx = nullptr;
  float* d_gate = nullptr;
  float* d_up = nullptr;
  float* d_down = nullptr;
};

// gluMatmulBackward: H = act(x Wg) * (x Wu); given dh [M x N], writes dx, d_gate, d_up.
bool pack_glu_backward(BackwardPacks* p, const float* w_gate, const float* w_up, int threads);
bool glu_matmul_backward(const GemmRun& run, const BackwardPacks& p, const float* x, const float* dh,
                         const BackwardOutputs& out);

// ffnBackward: y = H Wd with H = act(x Wg) * (x Wu), or act(x Wu) for a plain MLP (p.gated false,
// w_gate null); given dy [M x K], writes dx, d_gate (gated), d_up and d_down.
bool pack_ffn_backward(BackwardPacks* p, const float* w_gate, const float* w_up, const float* w_down, int threads);
bool ffn_backward(const GemmRun& run, const BackwardPacks& p, const float* x, const float* dy, const BackwardOutputs& out);

}  // namespace swiglu
