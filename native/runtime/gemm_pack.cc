// Packing of weight matrices into the 32-wide panels of two K-contiguous strips of runtime/gemm.h. Runs once per
// pack (packGate / packFfn) or once per matmul call for its B; parallel over panels.
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <type_traits>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include "gemm.h"
#include "pool.h"

namespace swiglu {

void AlignedFree::operator()(void* p) const { std::free(p); }

namespace {

// kTileSide source rows (strip columns c .. c + side - 1) times as many k from `row` (row stride ld) into
// the strip at d (row stride kStripWidth): f32 4 x 4 and 16-bit 8 x 8 transposes in SSE registers where
// the baseline has them (every x86-64), else element by element. Either way the same bits land in the same
// places.
template <class E>
constexpr size_t kTileSide = sizeof(E) == 4 ? 4 : 8;

template <class E>
inline void transpose_tile(E* d, const E* row, size_t ld) {
#if defined(__SSE2__)
  if constexpr (std::is_same<E, float>::value) {
    __m128 r0 = _mm_loadu_ps(row), r1 = _mm_loadu_ps(row + ld), r2 = _mm_loadu_ps(row + 2 * ld),
           r3 = _mm_loadu_ps(row + 3 * ld);
    _MM_TRANSPOSE4_PS(r0, r1, r2, r3);
    _mm_storeu_ps(d, r0);
    _mm_storeu_ps(d + kStripWidth, r1);
    _mm_storeu_ps(d + 2 * kStripWidth, r2);
    _mm_storeu_ps(d + 3 * kStripWidth, r3);
    return;
  } else {
    __m128i r[8];
    for (size_t i = 0; i < 8; ++i) r[i] = _mm_loadu_si128(reinterpret_cast<const __m128i*>(row + i * ld));
    __m128i t[8], u[8];
    for (size_t i = 0; i < 4; ++i) {  // pairs of rows interleaved: t[2i] k 0..3, t[2i+1] k 4..7
      t[2 * i] = _mm_unpacklo_epi16(r[2 * i], r[2 * i + 1]);
      t[2 * i + 1] = _mm_unpackhi_epi16(r[2 * i], r[2 * i + 1]);
    }
    for (size_t h = 0; h < 2; ++h)  // rows 0-3 (h = 0) and 4-7: u[4h + j] holds k 2j, 2j + 1 of four rows
      for (size_t j = 0; j < 2; ++j) {
        u[4 * h + 2 * j] = _mm_unpacklo_epi32(t[4 * h + j], t[4 * h + 2 + j]);
        u[4 * h + 2 * j + 1] = _mm_unpackhi_epi32(t[4 * h + j], t[4 * h + 2 + j]);
      }
    for (size_t j = 0; j < 4; ++j) {  // k = 2j and 2j + 1 of all eight rows
      __m128i* k_even = reinterpret_cast<__m128i*>(d + 2 * j * kStripWidth);
      __m128i* k_odd = reinterpret_cast<__m128i*>(d + (2 * j + 1) * kStripWidth);
      _mm_storeu_si128(k_even, _mm_unpacklo_epi64(u[j], u[4 + j]));
      _mm_storeu_si128(k_odd, _mm_unpackhi_epi64(u[j], u[4 + j]));
    }
    return;
  }
#endif
  for (size_t c = 0; c < kTileSide<E>; ++c)
    for (size_t k = 0; k < kTileSide<E>; ++k) d[k * kStripWidth + c] = row[c * ld + k];
}

// Copies columns [n0, n0 + ncols) of a weight matrix into the strip at `strip` (K x 16, K-contiguous),
// ncols <= 16. ld: elements between the source's rows (N for [K][N], K for [N][K] when dense).
template <class E>
void copy_columns(E* strip, const E* src, bool trans, size_t K, size_t ld, size_t n0, size_t ncols) {
  if (trans) {
    // src is [N][K]: each weight row read sequentially, 16 k at a time across the strip's columns, so
    // the 16 x 16 block written (1 KiB) stays in L1 until its lines are complete; column by column over
    // all of K, every strip line was written 16 times from L2 (the strip, K*16 elements, passes L1).
    // kTileSide columns at a time as square transposes, the rest one by one.
    constexpr size_t kB = 16;
    size_t k0 = 0;
    const size_t c_tiled = ncols / kTileSide<E> * kTileSide<E>;
    for (; k0 + kB <= K; k0 += kB) {
      for (size_t c = 0; c < c_tiled; c += kTileSide<E>)
        for (size_t k = 0; k < kB; k += kTileSide<E>)
          transpose_tile(strip + (k0 + k) * kStripWidth + c, src + (n0 + c) * ld + k0 + k, ld);
      for (size_t c = c_tiled; c < ncols; ++c) {
        const E* row = src + (n0 + c) * ld + k0;
        E* d = strip + k0 * kStripWidth + c;
        for (size_t k = 0; k < kB; ++k) d[k * kStripWidth] = row[k];
      }
    }
    for (size_t c = 0; c < ncols; ++c) {
      const E* row = src + (n0 + c) * ld;
      E* d = strip + c;
      for (size_t k = k0; k < K; ++k) d[k * kStripWidth] = row[k];
    }
  } else if (ncols == size_t(kStripWidth)) {
    // a whole strip row at a time, a compile-time size (g++ calls memcpy for a runtime one)
    for (size_t k = 0; k < K; ++k) std::memcpy(strip + k * kStripWidth, src + k * ld + n0, kStripWidth * sizeof(E));
  } else {
    for (size_t k = 0; k < K; ++k) std::memcpy(strip + k * kStripWidth, src + k * ld + n0, ncols * sizeof(E));
  }
}

// A source's row stride: its own ld, else dense.
size_t row_stride(const WeightSrc& w, size_t K, size_t N) { return w.ld ? w.ld : (w.trans ? K : N); }

bool allocate(PackedB* out, WType type, bool gate, size_t K, size_t N) {
  if (!panel_layout(out, type, gate, K, N)) return false;
  void* p = scratch_bytes(out->bytes / wtype_bytes(type), wtype_bytes(type));
  if (!p) return false;
  out->data = ScratchPtr(p);
  return true;
}

// Panels covering `count` weight rows of this many panels read row by row: one source row feeds the group
// of panels [j0, j1) (up to kRowGroup x 32 contiguous floats), not 16 columns of each row per strip, so
// each row's page is visited once per group rather than once per strip.
constexpr size_t kRowGroup = 8;

void copy_rows_to_panels(float* base, size_t K, size_t k0, const float* src, size_t ld, size_t rows, size_t N, size_t j0,
                         size_t j1) {
  for (size_t k = 0; k < rows; ++k) {
    const float* row = src + k * ld;
    for (size_t j = j0; j < j1; ++j) {
      const size_t n0 = j * kPanelWidth, ncols = N - n0 < size_t(kPanelWidth) ? N - n0 : size_t(kPanelWidth);
      const size_t c0 = ncols < size_t(kStripWidth) ? ncols : size_t(kStripWidth);
      float* d = base + j * K * kPanelWidth + (k0 + k) * kStripWidth;
      if (ncols == size_t(kPanelWidth)) {  // compile-time sizes (g++ calls memcpy for runtime ones)
        std::memcpy(d, row + n0, kStripWidth * sizeof(float));
        std::memcpy(d + K * kStripWidth, row + n0 + kStripWidth, kStripWidth * sizeof(float));
        continue;
      }
      std::memcpy(d, row + n0, c0 * sizeof(float));
      if (ncols > c0) std::memcpy(d + K * kStripWidth, row + n0 + c0, (ncols - c0) * sizeof(float));
    }
  }
}

template <class E>
void pack_all(PackedB* out, const WeightSrc* srcs, int nsrc, int threads) {
  const size_t K = out->K, N = out->N, per = out->cols_per_panel();
  E* base = static_cast<E*>(out->data.get());
  // Tiny packs stay on the caller: waking the pool costs more than the copy.
  const int t = out->bytes < (size_t(1) << 20) ? 1 : threads;
  if constexpr (std::is_same<E, float>::value) {
    if (nsrc == 1 && !srcs[0].trans && per == size_t(kPanelWidth)) {
      // [K][N] into plain panels: row by row over groups of panels (copy_rows_to_panels), each row's page
      // visited once per group rather than once per strip.
      const size_t groups = (out->panels + kRowGroup - 1) / kRowGroup;
      const size_t ld = row_stride(srcs[0], K, N);
      parallel_for(groups, t, [&](size_t g) {
        const size_t j0 = g * kRowGroup, j1 = j0 + kRowGroup < out->panels ? j0 + kRowGroup : out->panels;
        if (j1 == out->panels && N % kPanelWidth)  // the zero padding past N
          std::memset(base + (j1 - 1) * K * kPanelWidth, 0, K * kPanelWidth * sizeof(float));
        copy_rows_to_panels(base, K, 0, static_cast<const float*>(srcs[0].src), ld, K, N, j0, j1);
      });
      return;
    }
  }
  parallel_for(out->panels, t, [&](size_t j) {
    E* panel = base + j * K * kPanelWidth;
    const size_t n0 = j * per;
    const size_t ncols = N - n0 < per ? N - n0 : per;
    // Zero padding past N (and the whole panel when it is short): the tile computes it, never stores it.
    if (ncols < per) std::memset(panel, 0, K * kPanelWidth * sizeof(E));
    // A gate panel: gate columns in strip 0, the same up columns in strip 1. A plain panel: its first
    // 16 columns in strip 0, the next 16 in strip 1.
    E* strip1 = panel + K * kStripWidth;
    if (nsrc == 2) {
      copy_columns(panel, static_cast<const E*>(srcs[0].src), srcs[0].trans, K, row_stride(srcs[0], K, N), n0, ncols);
      copy_columns(strip1, static_cast<const E*>(srcs[1].src), srcs[1].trans, K, row_stride(srcs[1], K, N), n0, ncols);
    } else {
      const size_t c0 = ncols < size_t(kStripWidth) ? ncols : size_t(kStripWidth);
      const size_t ld = row_stride(srcs[0], K, N);
      copy_columns(panel, static_cast<const E*>(srcs[0].src), srcs[0].trans, K, ld, n0, c0);
      if (ncols > c0) copy_columns(strip1, static_cast<const E*>(srcs[0].src), srcs[0].trans, K, ld, n0 + c0, ncols - c0);
    }
  });
}

void pack_any(PackedB* out, const WeightSrc* srcs, int nsrc, int threads) {
  if (out->type == WType::kF32) {
    pack_all<float>(out, srcs, nsrc, threads);
  } else {
    pack_all<uint16_t>(out, srcs, nsrc, threads);
  }
}

}  // namespace

bool panel_layout(PackedB* b, WType type, bool gate, size_t K, size_t N) {
  b->type = type;
  b->gate = gate;
  b->K = K;
  b->N = N;
  const size_t per = b->cols_per_panel();
  b->panels = (N + per - 1) / per;
  size_t elems, bytes;
  if (__builtin_mul_overflow(b->panels, K, &elems) || __builtin_mul_overflow(elems, size_t(kPanelWidth), &elems) ||
      __builtin_mul_overflow(elems, wtype_bytes(type), &bytes)) {
    return false;
  }
  b->bytes = bytes;
  return true;
}

void pack_b_into(PackedB* region, WeightSrc w, int threads) { pack_any(region, &w, 1, threads); }

void pack_gate_into(PackedB* region, WeightSrc gate, WeightSrc up, int threads) {
  const WeightSrc srcs[2] = {gate, up};
  pack_any(region, srcs, 2, threads);
}

bool pack_b(PackedB* out, WeightSrc w, WType type, size_t K, size_t N, int threads) {
  if (!allocate(out, type, false, K, N)) return false;
  pack_b_into(out, w, threads);
  return true;
}

bool pack_gate(PackedB* out, WeightSrc gate, WeightSrc up, WType type, size_t K, size_t N, int threads) {
  if (!allocate(out, type, true, K, N)) return false;
  pack_gate_into(out, gate, up, threads);
  return true;
}

bool pack_b_stacked(PackedB* out, WeightSrc top, WeightSrc bottom, size_t K1, size_t K2, size_t N, int threads) {
  size_t K;
  if (__builtin_add_overflow(K1, K2, &K) || !allocate(out, WType::kF32, false, K, N)) return false;
  float* base = static_cast<float*>(out->data.get());
  const size_t ld_top = row_stride(top, K1, N), ld_bottom = row_stride(bottom, K2, N);
  const int t = out->bytes < (size_t(1) << 20) ? 1 : threads;
  const size_t groups = (out->panels + kRowGroup - 1) / kRowGroup;
  parallel_for(groups, t, [&](size_t g) {
    const size_t j0 = g * kRowGroup, j1 = j0 + kRowGroup < out->panels ? j0 + kRowGroup : out->panels;
    // Zero padding past N in the last panel: the tile computes it, never stores it.
    if (j1 == out->panels && N % kPanelWidth) std::memset(base + (j1 - 1) * K * kPanelWidth, 0, K * kPanelWidth * sizeof(float));
    const WeightSrc* srcs[2] = {&top, &bottom};
    const size_t rows[2] = {K1, K2}, lds[2] = {ld_top, ld_bottom}, first[2] = {0, K1};
    for (int h = 0; h < 2; ++h) {
      const float* src = static_cast<const float*>(srcs[h]->src);
      if (!srcs[h]->trans) {
        copy_rows_to_panels(base, K, first[h], src, lds[h], rows[h], N, j0, j1);
        continue;
      }
      // [N][rows]: each strip's columns are source rows, read sequentially.
      for (size_t j = j0; j < j1; ++j) {
        const size_t n0 = j * kPanelWidth, ncols = N - n0 < size_t(kPanelWidth) ? N - n0 : size_t(kPanelWidth);
        const size_t c0 = ncols < size_t(kStripWidth) ? ncols : size_t(kStripWidth);
        float* panel = base + j * K * kPanelWidth + first[h] * kStripWidth;
        copy_columns(panel, src, true, rows[h], lds[h], n0, c0);
        if (ncols > c0) copy_columns(panel + K * kStripWidth, src, true, rows[h], lds[h], n0 + c0, ncols - c0);
      }
    }
  });
  return true;
}

}  // namespace swiglu
