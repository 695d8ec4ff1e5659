// Packing of the GEMM's A operand into row panels, written once over the vector layer V:
// dst[k * stride + r] = src[r * lda + k] for r < rows, k < K (runtime/gemm.cc calls it per row panel).
//
// Four rows at a time: one vector of each row (V::N consecutive k), a 4x4 transpose inside every group
// of 4 lanes, then each group lands as 4 consecutive floats (the 4 rows) at its k. Rows past the last
// multiple of 4 and k past the last whole vector go element by element, as does everything on the
// scalar layer (N = 1). A pure copy: the result is the same bits whatever the path.
#pragma once
#include <cstddef>
#include <utility>

namespace swiglu {
namespace SWIGLU_NS {

template <class V, int... G>
inline void pack_a_store_groups(float* d, size_t stride, typename V::F a, typename V::F b, typename V::F c,
                                typename V::F e, std::integer_sequence<int, G...>) {
  // Group g holds k + 4g .. k + 4g + 3: a is column k + 4g, b the next, then c, e.
  ((V::template store4<G>(d + (4 * G + 0) * stride, a), V::template store4<G>(d + (4 * G + 1) * stride, b),
    V::template store4<G>(d + (4 * G + 2) * stride, c), V::template store4<G>(d + (4 * G + 3) * stride, e)),
   ...);
}

template <class V>
void pack_a(const float* src, size_t lda, size_t rows, size_t K, float* dst, size_t stride) {
  size_t r0 = 0;
  if constexpr (V::N >= 4) {
    for (; r0 + 4 <= rows; r0 += 4) {
      const float* s = src + r0 * lda;
      float* d = dst + r0;
      size_t k = 0;
      for (; k + V::N <= K; k += V::N) {
        typename V::F a = V::load(s + k), b = V::load(s + lda + k);
        typename V::F c = V::load(s + 2 * lda + k), e = V::load(s + 3 * lda + k);
        V::transpose4(a, b, c, e);
        pack_a_store_groups<V>(d + k * stride, stride, a, b, c, e, std::make_integer_sequence<int, V::N / 4>{});
      }
      for (; k < K; ++k)
        for (size_t r = 0; r < 4; ++r) d[k * stride + r] = s[r * lda + k];
    }
  }
  for (; r0 < rows; ++r0)
    for (size_t k = 0; k < K; ++k) dst[k * stride + r0] = src[r0 * lda + k];
}

}  // namespace SWIGLU_NS
}  // namespace swiglu
