// Small-M matmul without packing B (M <= kSmallM rows): C[M x N] = A[M x K] * B, reading B straight
// from the caller's memory once. `matmul` packs B on every call otherwise, which at M = 1 costs far
// more than the product. Columns [n0, n1) per call, so the driver splits N over threads; each output
// element is reduced by one call in a fixed order, whatever the thread count.
//   B [K][N] (transB false): accumulators over CV vectors of columns, k ascending, exactly the
//     packed tile's order (acc = fma(a, b, acc) from zero; the carry through C between k blocks is
//     exact), so these results equal the packed path's bit for bit.
//   B [N][K] (transB true): dot products along contiguous K rows, V::N lanes of partial sums per
//     (row, output), reduced by V::reduce_add, then the K tail in k order. Deterministic, but a
//     different order from the packed path; matmul uses this kernel for every small-M call (sync,
//     async, in place) so all of them agree.
// Included inside an ISA unit after its vector layer.
#pragma once
#include <cstddef>

#include "../runtime/gemm.h"

namespace swiglu {
namespace SWIGLU_NS {

// Non-transposed B: R rows, CV vectors of columns, K blocked by KB so a block of B rows is walked
// chunk by chunk (each 4 KiB page touched once per block stays in the TLB).
template <class V, int R>
void small_nt_rows(const float* A, size_t lda, const float* B, size_t K, size_t N, float* C, size_t ldc, size_t n0, size_t n1) {
  using F = typename V::F;
  constexpr int CV = R <= 6 ? 4 : 3;
  constexpr size_t W = size_t(CV) * V::N;
  constexpr size_t KB = 256;
  for (size_t k0 = 0; k0 < K; k0 += KB) {
    const size_t k1 = k0 + KB < K ? k0 + KB : K;
    size_t n = n0;
    for (; n + W <= n1; n += W) {
      F acc[R][CV];
#pragma GCC unroll 8
      for (int r = 0; r < R; ++r)
#pragma GCC unroll 4
        for (int v = 0; v < CV; ++v) acc[r][v] = k0 ? V::load(C + r * ldc + n + v * V::N) : V::zero();
      for (size_t k = k0; k < k1; ++k) {
        const float* b = B + k * N + n;
        V::prefetch(b + 8 * N);
        F bv[CV];
#pragma GCC unroll 4
        for (int v = 0; v < CV; ++v) bv[v] = V::load(b + v * V::N);
#pragma GCC unroll 8
        for (int r = 0; r < R; ++r) {
          const F av = V::set1(A[r * lda + k]);
#pragma GCC unroll 4
          for (int v = 0; v < CV; ++v) acc[r][v] = V::fma(av, bv[v], acc[r][v]);
        }
      }
#pragma GCC unroll 8
      for (int r = 0; r < R; ++r)
#pragma GCC unroll 4
        for (int v = 0; v < CV; ++v) V::store(C + r * ldc + n + v * V::N, acc[r][v]);
    }
    for (; n + V::N <= n1; n += V::N) {
      F acc[R];
      for (int r = 0; r < R; ++r) acc[r] = k0 ? V::load(C + r * ldc + n) : V::zero();
      for (size_t k = k0; k < k1; ++k) {
        const F bv = V::load(B + k * N + n);
        for (int r = 0; r < R; ++r) acc[r] = V::fma(V::set1(A[r * lda + k]), bv, acc[r]);
      }
      for (int r = 0; r < R; ++r) V::store(C + r * ldc + n, acc[r]);
    }
    for (; n < n1; ++n) {
      for (int r = 0; r < R; ++r) {
        float s = k0 ? C[r * ldc + n] : 0.0f;
        for (size_t k = k0; k < k1; ++k) s = __builtin_fmaf(A[r * lda + k], B[k * N + n], s);
        C[r * ldc + n] = s;
      }
    }
  }
}

// Transposed B ([N][K]): NB outputs at a time, R rows, V::N-lane partial sums along K.
template <class V, int R, int NB>
void small_t_block(const float* A, size_t lda, const float* B, size_t K, float* C, size_t ldc, size_t n) {
  using F = typename V::F;
  F acc[R][NB];
#pragma GCC unroll 8
  for (int r = 0; r < R; ++r)
#pragma GCC unroll 8
    for (int j = 0; j < NB; ++j) acc[r][j] = V::zero();
  const float* b = B + n * K;
  size_t k = 0;
  for (; k + V::N <= K; k += V::N) {
    F bv[NB];
#pragma GCC unroll 8
    for (int j = 0; j < NB; ++j) {
      V::prefetch(b + j * K + k + 512 / sizeof(float));
      bv[j] = V::load(b + j * K + k);
    }
#pragma GCC unroll 8
    for (int r = 0; r < R; ++r) {
      const F av = V::load(A + r * lda + k);
#pragma GCC unroll 8
      for (int j = 0; j < NB; ++j) acc[r][j] = V::fma(av, bv[j], acc[r][j]);
    }
  }
  for (int r = 0; r < R; ++r)
    for (int j = 0; j < NB; ++j) {
      float s = V::reduce_add(acc[r][j]);
      for (size_t kk = k; kk < K; ++kk) s = __builtin_fmaf(A[r * lda + kk], b[j * K + kk], s);
      C[r * ldc + n + j] = s;
    }
}

template <class V, int R>
void small_t_rows(const float* A, size_t lda, const float* B, size_t K, float* C, size_t ldc, size_t n0, size_t n1) {
  constexpr int NB = R <= 2 ? 8 : (R <= 4 ? 4 : 2);
  size_t n = n0;
  for (; n + NB <= n1; n += NB) small_t_block<V, R, NB>(A, lda, B, K, C, ldc, n);
  for (; n < n1; ++n) small_t_block<V, R, 1>(A, lda, B, K, C, ldc, n);
}

template <class V, int R>
void small_rows(const SmallArgs& s) {
  if (s.trans) small_t_rows<V, R>(s.a, s.lda, s.b, s.K, s.c, s.ldc, s.n0, s.n1);
  else small_nt_rows<V, R>(s.a, s.lda, s.b, s.K, s.N, s.c, s.ldc, s.n0, s.n1);
}

// Rows are taken in groups of up to kSmallM (the driver never passes more).
template <class V>
void small_matmul(const SmallArgs& s) {
  switch (s.M) {
    case 1: return small_rows<V, 1>(s);
    case 2: return small_rows<V, 2>(s);
    case 3: return small_rows<V, 3>(s);
    case 4: return small_rows<V, 4>(s);
    case 5: return small_rows<V, 5>(s);
    case 6: return small_rows<V, 6>(s);
    case 7: return small_rows<V, 7>(s);
    default: return small_rows<V, 8>(s);
  }
}

}  // namespace SWIGLU_NS
}  // namespace swiglu
