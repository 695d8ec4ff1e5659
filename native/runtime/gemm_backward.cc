// The fused backward passes (gemm_backward.h). With G = x Wg, U = x Wu, H = act(G) * U:
//   dG = dH * U * act'(G), dU = dH * act(G); dx = [dG | dU] [Wg; Wu] (one GEMM over the stack);
//   [dWg; dWu] = [dG | dU]^T x (out-in) or x^T dG, x^T dU (in-out); for the FFN dH = dy Wd^T and
//   dWd = dy^T H (out-in) or H^T dy (in-out).
// G and U are recomputed in one GEMM over the gate panels of [Wg | Wu] and never stored: its epilogue
// writes only what the later GEMMs read (gluMatmulBackward: dG and dU from the given dh; the FFN: H,
// U act'(G) and act(G), which the dH GEMM's epilogue turns into dG and dU).
#include "gemm_backward.h"

#include <cstring>

#include "pool.h"

namespace swiglu {

namespace {

using Buffer = std::unique_ptr<void, AlignedFree>;

float* floats(Buffer* b, size_t count) {
  b->reset(aligned_bytes(count ? count : 1, sizeof(float)));
  return static_cast<float*>(b->get());
}

// dst[c][r] = src[r][c] for src [rows x cols] with row stride ld, in 32 x 32 blocks (both sides stay in
// cache), bands of 32 source columns spread over the threads. A copy: the same bits whatever the split.
void transpose(const float* src, size_t rows, size_t cols, size_t ld, float* dst, int threads) {
  constexpr size_t kB = 32;
  const size_t bands = (cols + kB - 1) / kB;
  const int t = rows * cols < (size_t(1) << 18) ? 1 : threads;
  parallel_for(bands, t, [&](size_t band) {
    const size_t c0 = band * kB, c1 = c0 + kB < cols ? c0 + kB : cols;
    for (size_t r0 = 0; r0 < rows; r0 += kB) {
      const size_t r1 = r0 + kB < rows ? r0 + kB : rows;
      for (size_t c = c0; c < c1; ++c)
        for (size_t r = r0; r < r1; ++r) dst[c * rows + r] = src[r * ld + c];
    }
  });
}

bool gemm_run(const GemmRun& run, const float* A, size_t lda, size_t M, const PackedB& B, const EpilogueOp& epi, float* C,
              size_t ldc) {
  return gemm(run.isa, A, lda, M, B, epi, C, ldc, run.threads, run.tuning);
}

// The weight gradients of the projections whose output gradient is D [M x parts*N] (row stride parts*N:
// [dG | dU], or dU alone), given their input x [M x K]: parts gradients of N x K floats, adjacent at dw.
//   out-in: [dW_0; dW_1] = D^T x, one GEMM over the concatenation (A = D^T, B = x);
//   in-out: dW_j = x^T D_j, one GEMM per part sharing the transposed x (B = D_j in place).
bool projection_grads(const GemmRun& run, const BackwardPacks& p, const float* D, size_t parts, const float* x, float* dw) {
  const size_t M = p.M, K = p.K, N = p.N, width = parts * N;
  Buffer at_buf;
  if (!p.in_out) {
    float* dt = floats(&at_buf, width * M);
    PackedB bx;
    if (!dt || !pack_b(&bx, {x, false}, WType::kF32, M, K, run.threads)) return false;
    transpose(D, M, width, width, dt, run.threads);
    return gemm_run(run, dt, M, width, bx, Epilogue::kStore, dw, K);
  }
  float* xt = floats(&at_buf, K * M);
  if (!xt) return false;
  transpose(x, M, K, K, xt, run.threads);
  for (size_t j = 0; j < parts; ++j) {
    PackedB bd;
    if (!pack_b(&bd, {D + j * N, false, width}, WType::kF32, M, N, run.threads)) return false;
    if (!gemm_run(run, xt, M, K, bd, Epilogue::kStore, dw + j * N * K, N)) return false;
  }
  return true;
}

// dWd from dy [M x K] and H [M x N]: out-in [K x N] = dy^T H, in-out [N x K] = H^T dy.
bool down_grad(const GemmRun& run, const BackwardPacks& p, const float* dy, const float* H, float* dwd) {
  const size_t M = p.M, K = p.K, N = p.N;
  const float* a = p.in_out ? H : dy;   // transposed into A
  const float* b = p.in_out ? dy : H;   // packed as B
  const size_t a_cols = p.in_out ? N : K, b_cols = p.in_out ? K : N;
  Buffer at_buf;
  float* at = floats(&at_buf, a_cols * M);
  PackedB bb;
  if (!at || !pack_b(&bb, {b, false}, WType::kF32, M, b_cols, run.threads)) return false;
  transpose(a, M, a_cols, a_cols, at, run.threads);
  return gemm_run(run, at, M, a_cols, bb, Epilogue::kStore, dwd, b_cols);
}

}  // namespace

bool pack_glu_backward(BackwardPacks* p, const float* w_gate, const float* w_up, int threads) {
  // 'out-in' weights are [N][K]: as the forward's B (element (k, n)) they are the transposed source, as
  // the stacked B of dx (element (n, k)) the plain one; 'in-out' the other way round.
  p->gated = true;
  return pack_gate(&p->recompute, {w_gate, !p->in_out}, {w_up, !p->in_out}, WType::kF32, p->K, p->N, threads) &&
         pack_b_stacked(&p->input, {w_gate, p->in_out}, {w_up, p->in_out}, p->N, p->N, p->K, threads);
}

bool glu_matmul_backward(const GemmRun& run, const BackwardPacks& p, const float* x, const float* dh, float* dx,
                         float* dw) {
  const size_t M = p.M, K = p.K, N = p.N;
  if (M == 0) {
    std::memset(dw, 0, 2 * N * K * sizeof(float));
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
         gemm_run(run, D, 2 * N, M, p.input, Epilogue::kStore, dx, K) && projection_grads(run, p, D, 2, x, dw);
}

bool pack_ffn_backward(BackwardPacks* p, const float* w_gate, const float* w_up, const float* w_down, int threads) {
  // Wd as the dH GEMM's B (element (k = input, n = hidden)): 'out-in' Wd is [K][N], the plain source.
  if (!pack_b(&p->down_t, {w_down, p->in_out}, WType::kF32, p->K, p->N, threads)) return false;
  if (w_gate) return pack_glu_backward(p, w_gate, w_up, threads);
  p->gated = false;
  return pack_b(&p->recompute, {w_up, !p->in_out}, WType::kF32, p->K, p->N, threads) &&
         pack_b(&p->input, {w_up, p->in_out}, WType::kF32, p->N, p->K, threads);
}

bool ffn_backward(const GemmRun& run, const BackwardPacks& p, const float* x, const float* dy, float* dx, float* dw) {
  const size_t M = p.M, K = p.K, N = p.N, parts = p.gated ? 2 : 1;
  if (M == 0) {
    std::memset(dw, 0, (parts + 1) * N * K * sizeof(float));
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
  float* const dw_down = dw + parts * N * K;
  return gemm_run(run, x, K, M, p.recompute, save, H, N) &&
         gemm_run(run, dy, K, M, p.down_t, scale, D, parts * N) && down_grad(run, p, dy, H, dw_down) &&
         gemm_run(run, D, parts * N, M, p.input, Epilogue::kStore, dx, K) && projection_grads(run, p, D, parts, x, dw);
}

}  // namespace swiglu
