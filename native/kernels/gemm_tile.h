// The GEMM micro-kernel, written once over the vector layer V: `rows` rows of packed A times one
// packed B panel (32 columns, two K-contiguous strips of 16), accumulators in registers, then one of the
// epilogues of runtime/gemm.h (plain store, act(gate) * up for the fused GLU gates, or act alone; the
// backward epilogues are in gemm_grad_epilogue.h).
//
// Register tile per ISA (gemm_mr / gemm_pass_vectors below): the 32-wide panel is covered in passes
// of kPassVecs vectors; each pass keeps rows x kPassVecs accumulators live (AVX-512: 12 x 2 zmm = 24
// of 32 regs, one pass over both strips; AVX2: 6 x 2 ymm = 12 of 16, one strip per pass, and 1-2 rows
// x 4 ymm in one pass; NEON: 6 x 4 q = 24 of 32, one strip per pass). Per k step a pass loads its
// kPassVecs weight vectors once and broadcasts each A value once: rows*kPassVecs FMAs per
// kPassVecs + rows loads keeps the FMA pipes, not the load ports, the bottleneck. Each pass reads
// whole strips, so the weights always stream sequentially.
//
// Numerics: every accumulator is updated as acc = fma(a[k], b[k], acc) for k ascending, whatever the
// Kc cuts (accumulators saved to `partial` and reloaded are exact floats), the thread count or the ISA
// pass split. Included inside an ISA's GEMM unit after its vector layer and activations.h.
#pragma once
#include <cstddef>
#include <cstdint>
#include <type_traits>

#include "../runtime/gemm.h"
#include "gemm_grad_epilogue.h"

namespace swiglu {
namespace SWIGLU_NS {

// Tile height and vectors per pass for this ISA (see the header comment for the register budget).
template <class V>
constexpr int gemm_mr() {
  return V::N >= 16 ? 12 : (V::N >= 4 ? 6 : 4);
}
// With one or two rows (the GEMV and its neighbours) an 8- or 4-lane pass takes the whole 32-column
// panel: rows x 4 (x 8) accumulators fit the 16 (32) registers, each weight byte is read by one pass,
// and the GEMV has enough independent accumulators to cover the FMA latency.
template <class V, int R>
constexpr int gemm_pass_vectors() {
  return V::N >= 16 ? 2 : (V::N >= 8 ? (R <= 2 ? 4 : 2) : (R <= 2 ? 8 : 4));
}
// A model of one k step of an R-row tile in cycles, for choosing how the last rows are cut
// (runtime/gemm_plan.cc): each pass issues R x kPassVecs FMAs on two FMA pipes, and an accumulator is
// reused no sooner than an FMA's latency (~4 cycles) plus one cycle of slack (a tile whose FMAs only
// just cover the latency runs slower than its FMA count says). Not a measurement: its one use is
// comparing two ways to cut the same rows.
template <class V, int R>
constexpr int gemm_step_cost() {
  constexpr int v = gemm_pass_vectors<V, R>();
  constexpr int passes = kPanelWidth / (v * V::N);
  constexpr int fma_cycles = (R * v + 1) / 2;
  return passes * (fma_cycles > 5 ? fma_cycles : 5);
}

// k steps per loop iteration: two on x86, where loop control and prefetches are a large share of the
// instructions per FMA; one on NEON, whose 32 registers hold one step's tile but not two without copies.
template <class V>
constexpr int gemm_k_steps() {
  return V::N >= 8 ? 2 : 1;
}

// Weight element loaders: the packs keep bf16/f16 as 16-bit bits and widen in registers, so a
// memory-bound GEMV reads half the bytes.
template <class V, WType T>
struct WeightLoad;
template <class V>
struct WeightLoad<V, WType::kF32> {
  using E = float;
  static typename V::F load(const E* p) { return V::load(p); }
};
template <class V>
struct WeightLoad<V, WType::kBF16> {
  using E = uint16_t;
  static typename V::F load(const E* p) { return V::load_bf16(p); }
};
template <class V>
struct WeightLoad<V, WType::kF16> {
  using E = uint16_t;
  static typename V::F load(const E* p) { return V::load_f16(p); }
};

// Whether the vector layer widens 2 x V::N bf16 values at once into even and odd elements
// (V::load_bf16_pair; AVX2): fewer ops per k step than two plain loads. A tile using it keeps each
// such pair of accumulators in that order and converts at its loads and stores of them; each column's
// sum is the same fma chain either way, so the results are the same bits.
template <class V, class = void>
struct HasBf16Pair : std::false_type {};
template <class V>
struct HasBf16Pair<V, decltype(V::load_bf16_pair(nullptr, nullptr, nullptr))> : std::true_type {};
template <class V, WType T>
constexpr bool kPairLoad = T == WType::kBF16 && HasBf16Pair<V>::value;

// How far ahead (in k steps) the A micro-panel is prefetched: as many steps as an f32 weight strip of a
// tile with more than one row (kStripPrefetchBytes, runtime/gemm.h; the weights' own distance is
// strip_prefetch_bytes(R) bytes, the same bytes for 16-bit packs).
constexpr size_t kPrefetchSteps = kStripPrefetchBytes / (kStripWidth * sizeof(float));

// W columns of each of R tile rows (row stride kPanelWidth) to C (row stride ldc).
template <class V, int R, int W>
inline void store_rows(float* c, size_t ldc, const float* tile) {
  static_assert(W % V::N == 0, "whole vectors");
#pragma GCC unroll 16
  for (int r = 0; r < R; ++r)
#pragma GCC unroll 4
    for (int j = 0; j < W; j += V::N) V::store(c + r * ldc + j, V::load(tile + r * kPanelWidth + j));
}

// The fused epilogues on a finished tile (R rows x 32, in place): kGlu writes act(gate) * up into the
// first 16 columns of each row, kAct applies act to the first `cols` columns' vectors. The activation is
// chosen once per tile, so each row loop runs one kernel; the kernels are the elementwise ops' own
// (activations.h), with their default parameters, so the fused results equal gate-then-op bit for bit.
template <class V, int R, class Fn>
inline void epilogue_rows(float* tile, Epilogue kind, size_t cols, const Fn& act) {
  if (kind == Epilogue::kGlu) {
    for (int r = 0; r < R; ++r)
      for (int v = 0; v < kGateHalf / V::N; ++v) {
        float* g = tile + r * kPanelWidth + v * V::N;
        V::store(g, V::mul(act(V::load(g)), V::load(g + kGateHalf)));
      }
    return;
  }
  const size_t n = (cols + V::N - 1) / V::N * V::N;  // whole vectors: the padding columns are never stored
  for (int r = 0; r < R; ++r)
    for (size_t j = 0; j < n; j += V::N) {
      float* y = tile + r * kPanelWidth + j;
      V::store(y, act(V::load(y)));
    }
}

template <class V, int R>
void apply_epilogue(float* tile, Epilogue kind, Act act, size_t cols) {
  const ActParams none{};
  switch (act) {
    case kSilu: return epilogue_rows<V, R>(tile, kind, cols, SiluKernel<V, kSiluUnit>{});
    case kGelu: return epilogue_rows<V, R>(tile, kind, cols, Activation<V, kGelu>(none));
    case kGeluTanh: return epilogue_rows<V, R>(tile, kind, cols, Activation<V, kGeluTanh>(none));
    case kRelu: return epilogue_rows<V, R>(tile, kind, cols, Activation<V, kRelu>(none));
    case kSigmoid: return epilogue_rows<V, R>(tile, kind, cols, Activation<V, kSigmoid>(none));
    default: return epilogue_rows<V, R>(tile, kind, cols, Activation<V, kIdentity>(none));
  }
}

template <class V, int R, WType T>
void gemm_tile(const TileArgs& t) {
  using F = typename V::F;
  using L = WeightLoad<V, T>;
  using E = typename L::E;
  constexpr int kPassVecs = gemm_pass_vectors<V, R>();
  constexpr int kPassCols = kPassVecs * V::N;  // columns per pass
  constexpr int kPasses = kPanelWidth / kPassCols;
  static_assert(kPanelWidth % kPassCols == 0, "pass width must divide the panel");
  static_assert(kPassCols % kStripWidth == 0 || kStripWidth % kPassCols == 0, "a pass covers whole strips or lies in one");
  static_assert(kGateHalf % V::N == 0, "gate half must be whole vectors");
  constexpr int kPassStrips = kPassCols > kStripWidth ? kPassCols / kStripWidth : 1;  // strips a pass reads
  // Pair loads: accumulators v and v + 1 hold the even and odd columns of 2 x V::N within one strip.
  constexpr bool kPair = kPairLoad<V, T>;
  static_assert(!kPair || (kPassVecs % 2 == 0 && kStripWidth % (2 * V::N) == 0), "pairs lie within a strip");
  // The weight stream is prefetched a fixed distance in bytes (16-bit packs: twice the k steps).
  constexpr size_t BSteps = strip_prefetch_bytes(R) / (kStripWidth * sizeof(E));

  // Accumulators of the final block land here before the epilogue (rows x 32, tile-contiguous).
  alignas(64) float tile[R * kPanelWidth];
  float* const dst = t.final_block ? tile : t.partial;
  const E* const b0 = static_cast<const E*>(t.b);

  // L2 prefetch of the next weight micro-panel: one line per k step (of pass 0), the excess up front.
  const char* pf = static_cast<const char*>(t.prefetch);
  size_t pf_n = t.prefetch_lines;
  const size_t pf_split = t.prefetch_split, pf_jump = t.prefetch_jump;
  auto pf_line = [&](size_t i) __attribute__((always_inline)) { __builtin_prefetch(pf + i * 64 + (i >= pf_split ? pf_jump : 0), 0, 2); };
  // The lines go one per k step of pass 0 from step pf0 (a multiple of the loop's U steps), those
  // past the last step up front.
  constexpr int U = gemm_k_steps<V>();
  if (!pf) pf_n = 0;
  const size_t pf0 = pf_n ? (t.prefetch_from < t.kc ? t.prefetch_from : t.kc) / U * U : 0;
  if (pf_n > t.kc - pf0) {
    for (size_t i = t.kc - pf0; i < pf_n; ++i) pf_line(i);
    pf_n = t.kc - pf0;
  }
  for (int pass = 0; pass < kPasses; ++pass) {
    F acc[R][kPassVecs];
    if (t.load_partial) {
#pragma GCC unroll 16
      for (int r = 0; r < R; ++r)
#pragma GCC unroll 8
        for (int v = 0; v < kPassVecs; ++v) acc[r][v] = V::load(t.partial + r * kPanelWidth + pass * kPassCols + v * V::N);
      if constexpr (kPair)
#pragma GCC unroll 16
        for (int r = 0; r < R; ++r)
#pragma GCC unroll 4
          for (int v = 0; v < kPassVecs; v += 2) V::columns_to_pair(&acc[r][v], &acc[r][v + 1]);
    } else {
#pragma GCC unroll 16
      for (int r = 0; r < R; ++r)
#pragma GCC unroll 8
        for (int v = 0; v < kPassVecs; ++v) acc[r][v] = V::zero();
    }
    // Column c of the panel lives in strip c / 16 at offset c % 16; each strip advances 16 per k.
    const E* bs[kPassStrips];
#pragma GCC unroll 2
    for (int s = 0; s < kPassStrips; ++s) bs[s] = b0 + size_t((pass * kPassCols) / kStripWidth + s) * t.b_strip + (pass * kPassCols) % kStripWidth;
    const float* a = t.a;
    constexpr size_t as = R;  // the A panel holds R floats per k
    // One k step (the u-th of an iteration): kPassVecs weight vectors, each row's A value broadcast against them.
    auto step = [&](size_t u) __attribute__((always_inline)) {
      F bv[kPassVecs];
      if constexpr (kPair) {
#pragma GCC unroll 4
        for (int v = 0; v < kPassVecs; v += 2)
          V::load_bf16_pair(bs[(v * V::N) / kStripWidth] + u * kStripWidth + (v * V::N) % kStripWidth, &bv[v], &bv[v + 1]);
      } else {
#pragma GCC unroll 8
        for (int v = 0; v < kPassVecs; ++v) bv[v] = L::load(bs[(v * V::N) / kStripWidth] + u * kStripWidth + (v * V::N) % kStripWidth);
      }
#pragma GCC unroll 16
      for (int r = 0; r < R; ++r) {
        const F av = V::set1(a[u * as + r]);
#pragma GCC unroll 8
        for (int v = 0; v < kPassVecs; ++v) acc[r][v] = V::fma(av, bv[v], acc[r][v]);
      }
    };
    // Software prefetches, one per cache line of each stream (not one per k step), for U k steps,
    // kPrefetchSteps ahead:
    //  - the weight strips this pass reads, only while the micro-panel is cold (t.b_cold: the first tile
    //    on it, streaming it from L3 or DRAM; the hardware prefetcher alone left the FMA pipes waiting at
    //    each panel's start); later tiles find it in L2, where the hardware prefetchers keep up and the
    //    prefetch instructions would only take issue slots from the FMAs;
    //  - the A micro-panel, which streams from L2 or L3 past every weight micro-panel.
    constexpr int BLines = (U * kStripWidth * int(sizeof(E)) + 63) / 64;
    auto prefetch_b = [&]() __attribute__((always_inline)) {
#pragma GCC unroll 2
      for (int s = 0; s < kPassStrips; ++s)
#pragma GCC unroll 2
        for (int l = 0; l < BLines; ++l) V::prefetch(bs[s] + BSteps * kStripWidth + l * (64 / sizeof(E)));
    };
    constexpr int ALines = (U * R * int(sizeof(float)) + 63) / 64;
    auto prefetch_a = [&]() __attribute__((always_inline)) {
      if (R > 1)
#pragma GCC unroll 2
        for (int l = 0; l < ALines; ++l) V::prefetch(a + kPrefetchSteps * as + l * 16);
    };
    auto advance = [&](size_t steps) __attribute__((always_inline)) {
      a += steps * as;
#pragma GCC unroll 2
      for (int s = 0; s < kPassStrips; ++s) bs[s] += steps * kStripWidth;
    };
    // U k steps per iteration, those in steps [pf0, pf0 + pf_n) also prefetching the next micro-panel
    // (one line per step) into L2; then the last kc % U steps one by one. The loop is split (and
    // versioned on b_cold) rather than testing per step: on an 8-lane ISA loop control and prefetches
    // are a large share of the instructions issued per FMA. Past-the-end prefetches are harmless hints.
    const size_t kc = t.kc;
    size_t k = 0;
    auto steps = [&](auto cold) __attribute__((always_inline)) {
      auto plain = [&](size_t end) __attribute__((always_inline)) {
        for (; k + U <= end; k += U) {
          if (cold) prefetch_b();
          prefetch_a();
#pragma GCC unroll 2
          for (int u = 0; u < U; ++u) step(u);
          advance(U);
        }
      };
      plain(pf0);
      for (; k + U <= kc && k + U <= pf0 + pf_n; k += U) {
        if (cold) prefetch_b();
        prefetch_a();
#pragma GCC unroll 2
        for (int u = 0; u < U; ++u) pf_line(k - pf0 + u);
#pragma GCC unroll 2
        for (int u = 0; u < U; ++u) step(u);
        advance(U);
      }
      for (size_t i = k - pf0; i < pf_n; ++i) pf_line(i);
      plain(kc);
    };
    if (t.b_cold) steps(std::true_type{});
    else steps(std::false_type{});
    for (; k < kc; ++k) {
      step(0);
      advance(1);
    }
    pf_n = 0;
    if constexpr (kPair)
#pragma GCC unroll 16
      for (int r = 0; r < R; ++r)
#pragma GCC unroll 4
        for (int v = 0; v < kPassVecs; v += 2) V::pair_to_columns(&acc[r][v], &acc[r][v + 1]);
#pragma GCC unroll 16
    for (int r = 0; r < R; ++r)
#pragma GCC unroll 8
      for (int v = 0; v < kPassVecs; ++v) V::store(dst + r * kPanelWidth + pass * kPassCols + v * V::N, acc[r][v]);
  }
  if (!t.final_block) return;
  if (is_grad_epilogue(t.epilogue)) return grad_epilogue<V, R>(t, tile);

  const size_t cols = t.cols;
  if (t.epilogue != Epilogue::kStore) apply_epilogue<V, R>(tile, t.epilogue, t.act, cols);
  // Only the valid columns reach C: the panel's zero padding past N is never stored. A whole panel's
  // outputs (every panel but maybe the last) go with a compile-time count: bounded by t.cols, g++ made
  // this copy a memcpy call per row (with a vzeroupper).
  if (t.epilogue == Epilogue::kGlu && cols == size_t(kGateHalf)) return store_rows<V, R, kGateHalf>(t.c, t.ldc, tile);
  if (t.epilogue != Epilogue::kGlu && cols == size_t(kPanelWidth)) return store_rows<V, R, kPanelWidth>(t.c, t.ldc, tile);
  for (int r = 0; r < R; ++r) {
    float* c = t.c + r * t.ldc;
    const float* s = tile + r * kPanelWidth;
    size_t j = 0;
    for (; j + V::N <= cols; j += V::N) V::store(c + j, V::load(s + j));
    for (; j < cols; ++j) c[j] = s[j];
  }
}

}  // namespace SWIGLU_NS
}  // namespace swiglu
