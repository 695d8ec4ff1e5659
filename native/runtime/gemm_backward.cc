// The fused backward passes (gemm_backward.h). With G = x Wg, U = x Wu, H = act(G) * U:
//   dG = dH * U * act'(G), dU = dH * act(G); dx = [dG | dU] [Wg; Wu] (one GEMM over the stack);
//   [dWg; dWu] = [dG | dU]^T x (out-in) or x^T dG, x^T dU (in-out); for the FFN dH = dy Wd^T and
//   dWd = dy^T H (out-in) or H^T dy (in-out). Each weight gradient is one GEMM stored row by row
//   (weight_grad below).
// G and U are recomputed in one GEMM over the gate panels of [Wg | Wu] and never stored: its epilogue
// writes only what the later GEMMs read (gluMatmulBackward: dG and dU from the given dh; the FFN: H,
// U act'(G) and act(G), which the dH GEMM's epilogue turns into dG and dU).
#include "gemm_backward.h"

#include <cstring>
#include <initializer_list>

namespace swiglu {

namespace {

using Buffer = ScratchPtr;

float* floats(Buffer* b, size_t count) {
  b->reset(scratch_bytes(count ? count : 1, sizeof(float)));
  return static_cast<float*>(b->get());
}

bool gemm_run(const GemmRun& run, const float* A, size_t lda, size_t M, const PackedB& B, const EpilogueOp& epi, float* C,
              size_t ldc, bool a_trans = false) {
  return gemm(run.isa, A, lda, M, B, epi, C, ldc, run.threads, run.tuning, a_trans);
}

// A weight gradient is a sum over the M rows of a product of two row-major [M x .] arrays: S^T T, with S
// the one whose columns index the gradient's rows. It runs as one GEMM with S^T as A, read in place
// (gemm()'s a_trans: each row panel is a copy of a few floats per k) and T packed as B, so the gradient is
// stored as it is laid out, row by row; the other orientation (T^T S stored transposed) scatters every
// tile's columns over the gradient's rows. Each element is the same k-ordered sum either way.
bool weight_grad(const GemmRun& run, const float* S, size_t lds, size_t rows, const float* T, size_t ldt, size_t cols,
                 size_t M, float* dw) {
  PackedB bt;
  return pack_b(&bt, {T, false, ldt}, WType::kF32, M, cols, run.threads) &&
         gemm_run(run, S, lds, rows, bt, Epilogue::kStore, dw, cols, true);
}

// The weight gradients of the projections whose output gradient is D [M x parts*N] (row stride parts*N:
// [dG | dU], or dU alone), given their input x [M x K]: out.d_gate (gated) and out.d_up, N x K floats
// each:
//   out-in: dW_j = D_j^T x [N x K]; when d_up follows d_gate, [dWg; dWu] = [dG | dU]^T x as one GEMM;
//   in-out: dW_j = x^T D_j [K x N].
bool projection_grads(const GemmRun& run, const BackwardPacks& p, const float* D, const float* x,
                      const BackwardOutputs& out) {
  const size_t M = p.M, K = p.K, N = p.N, parts = p.gated ? 2 : 1, width = parts * N;
  float* const dw[2] = {p.gated ? out.d_gate : out.d_up, out.d_up};
  if (!p.in_out) {
    if (parts == 1 || dw[1] == dw[0] + N * K) return weight_grad(run, D, width, width, x, K, K, M, dw[0]);
    return weight_grad(run, D, width, N, x, K, K, M, dw[0]) && weight_grad(run, D + N, width, N, x, K, K, M, dw[1]);
  }
  for (size_t j = 0; j < parts; ++j)
    if (!weight_grad(run, x, K, K, D + j * N, width, N, M, dw[j])) return false;
  return true;
}

// dWd from dy [M x K] and H [M x N]: dy^T H [K x N] for out-in, H^T dy [N x K] for in-out.
bool down_grad(const GemmRun& run, const BackwardPacks& p, const float* dy, const float* H, float* dwd) {
  const size_t M = p.M, K = p.K, N = p.N;
  return p.in_out ? weight_grad(run, H, N, N, dy, K, K, M, dwd) : weight_grad(run, dy, K, K, H, N, N, M, dwd);
}

}  // namespace

bool pack_glu_backward(BackwardPacks* p, const float* w_gate, const float* w_up, int threads) {
  // 'out-in' weights are [N][K]: as the forward's B (element (k, n)) they are the transposed source, as
  // the stacked B of dx (element (n, k)) the plain one; 'in-out' the other way round.
  p->gated = true;
  return pack_gate(&p->recompute, {w_gate, !p->in_out}, {w_up, !p->in_out}, WType::kF32, p->K, p->N, threads) &&
         pack_b_stacked(&p->input, {w_gate, p->in_out}, {w_up, p->in_out}, p->N, p->N, p->K, threads);
}

bool glu_matmul_backward(const GemmRun& run, const BackwardPacks& p, const float* x, const float* dh,
                         const BackwardOutputs& out) {
  const size_t M = p.M, K = p.K, N = p.N;
  if (M == 0) {
    std::memset(out.d_gate, 0, N * K * sizeof(float));
    std::memset(out.d_up, 0, N * K * sizeof(float));
    return true;
  }
  Buffer d_buf;
  float* D = floats(&d_buf, M * 2 * N);
  if (!D) return false;
  EpilogueOp grad(Epilogue::kGluGrad, p.act);
  grad.c2 = D + N;
  grad.aux = dh;
  grad.ld_aux = N;
  return gemm_run(run, x, K, M, p.recompute, grad, D, 2 * N) &&
         gemm_run(run, D, 2 * N, M, p.input, Epilogue::kStore, out.dx, K) && projection_grads(run, p, D, x, out);
}

bool pack_ffn_backward(BackwardPacks* p, const float* w_gate, const float* w_up, const float* w_down, int threads) {
  // Wd as the dH GEMM's B (element (k = input, n = hidden)): 'out-in' Wd is [K][N], the plain source.
  if (!pack_b(&p->down_t, {w_down, p->in_out}, WType::kF32, p->K, p->N, threads)) return false;
  if (w_gate) return pack_glu_backward(p, w_gate, w_up, threads);
  p->gated = false;
  return pack_b(&p->recompute, {w_up, !p->in_out}, WType::kF32, p->K, p->N, threads) &&
         pack_b(&p->input, {w_up, p->in_out}, WType::kF32, p->N, p->K, threads);
}

bool ffn_backward(const GemmRun& run, const BackwardPacks& p, const float* x, const float* dy, const BackwardOutputs& out) {
  const size_t M = p.M, K = p.K, N = p.N, parts = p.gated ? 2 : 1;
  if (M == 0) {
    for (float* w : {out.d_gate, out.d_up, out.d_down})
      if (w) std::memset(w, 0, N * K * sizeof(float));
    return true;
  }
  // H, then what dH is multiplied by: U act'(G) and act(G) (a plain MLP: act'(U)).
  Buffer s_buf, d_buf;
  float* H = floats(&s_buf, (parts + 1) * M * N);
  float* D = floats(&d_buf, parts * M * N);
  if (!H || !D) return false;
  float* P = H + M * N;
  float* Q = p.gated ? P + M * N : nullptr;
  EpilogueOp save(p.gated ? Epilogue::kGluSave : Epilogue::kActSave, p.act);
  save.c2 = P;
  save.c3 = Q;
  EpilogueOp scale(Epilogue::kScale, p.act);
  scale.aux = P;
  scale.aux2 = Q;
  scale.ld_aux = N;
  scale.c2 = p.gated ? D + N : nullptr;
  return gemm_run(run, x, K, M, p.recompute, save, H, N) &&
         gemm_run(run, dy, K, M, p.down_t, scale, D, parts * N) && down_grad(run, p, dy, H, out.d_down) &&
         gemm_run(run, D, parts * N, M, p.input, Epilogue::kStore, out.dx, K) && projection_grads(run, p, D, x, out);
}

}  // namespace swiglu
