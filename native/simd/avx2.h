// AVX2 + FMA vector layer: 8 float lanes. Compiled only into native/isa/avx2.cc (-mavx2 -mfma).
#pragma once
#include <immintrin.h>
#include <cstdint>

namespace swiglu {
namespace SWIGLU_NS {

struct V {
  using F = __m256;
  using I = __m256i;
  using M = __m256;  // all-ones / all-zeros lanes, as the compares produce them
  static constexpr int N = 8;

  static F load(const float* p) { return _mm256_loadu_ps(p); }
  static void store(float* p, F v) { _mm256_storeu_ps(p, v); }
  // Non-temporal store (p 32-byte aligned): past the caches, no read-for-ownership; see kernels/map.h.
  static constexpr bool kStreams = true;
  static void stream(float* p, F v) { _mm256_stream_ps(p, v); }
  static void stream_fence() { _mm_sfence(); }
  static F set1(float f) { return _mm256_set1_ps(f); }
  static I seti(int32_t i) { return _mm256_set1_epi32(i); }
  static F zero() { return _mm256_setzero_ps(); }

  static F add(F a, F b) { return _mm256_add_ps(a, b); }
  static F sub(F a, F b) { return _mm256_sub_ps(a, b); }
  static F mul(F a, F b) { return _mm256_mul_ps(a, b); }
  static F div(F a, F b) { return _mm256_div_ps(a, b); }
  static F fma(F a, F b, F c) { return _mm256_fmadd_ps(a, b, c); }
  static F fnma(F a, F b, F c) { return _mm256_fnmadd_ps(a, b, c); }
  static F fms(F a, F b, F c) { return _mm256_fmsub_ps(a, b, c); }
  static F min(F a, F b) { return _mm256_min_ps(a, b); }
  static F max(F a, F b) { return _mm256_max_ps(a, b); }

  static I asint(F v) { return _mm256_castps_si256(v); }
  static F asfloat(I i) { return _mm256_castsi256_ps(i); }
  static F and_(F a, F b) { return _mm256_and_ps(a, b); }
  static F or_(F a, F b) { return _mm256_or_ps(a, b); }
  static F xor_(F a, F b) { return _mm256_xor_ps(a, b); }
  static F andnot(F a, F b) { return _mm256_andnot_ps(a, b); }
  static F abs(F v) { return _mm256_andnot_ps(_mm256_set1_ps(-0.0f), v); }
  static F neg(F v) { return _mm256_xor_ps(_mm256_set1_ps(-0.0f), v); }
  // -min(|v|, c) for a constant c > 0 (a clamped -|x|). NaN lanes: unspecified; callers carry NaN through x.
  static F neg_abs_min(F v, float c) { return max(or_(v, set1(-0.0f)), set1(-c)); }

  static M lt(F a, F b) { return _mm256_cmp_ps(a, b, _CMP_LT_OQ); }
  static M le(F a, F b) { return _mm256_cmp_ps(a, b, _CMP_LE_OQ); }
  static M gt(F a, F b) { return _mm256_cmp_ps(a, b, _CMP_GT_OQ); }
  static M ge(F a, F b) { return _mm256_cmp_ps(a, b, _CMP_GE_OQ); }
  static M eq(F a, F b) { return _mm256_cmp_ps(a, b, _CMP_EQ_OQ); }
  static M nge(F a, F b) { return _mm256_cmp_ps(a, b, _CMP_NGE_UQ); }
  static M isnan(F v) { return _mm256_cmp_ps(v, v, _CMP_UNORD_Q); }
  static M mand(M a, M b) { return _mm256_and_ps(a, b); }
  static M mor(M a, M b) { return _mm256_or_ps(a, b); }
  static M mnot(M a) { return _mm256_xor_ps(a, _mm256_castsi256_ps(_mm256_set1_epi32(-1))); }
  static bool any(M m) { return _mm256_movemask_ps(m) != 0; }
  static F select(M m, F a, F b) { return _mm256_blendv_ps(b, a, m); }
  static I selecti(M m, I a, I b) {
    return _mm256_castps_si256(_mm256_blendv_ps(_mm256_castsi256_ps(b), _mm256_castsi256_ps(a), m));
  }

  static F round(F v) { return _mm256_round_ps(v, _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC); }
  static I cvt(F v) { return _mm256_cvtps_epi32(v); }
  static F tofloat(I i) { return _mm256_cvtepi32_ps(i); }
  static I iadd(I a, I b) { return _mm256_add_epi32(a, b); }
  static I isub(I a, I b) { return _mm256_sub_epi32(a, b); }
  template <int K> static I ishl(I a) { return _mm256_slli_epi32(a, K); }
  template <int K> static I isra(I a) { return _mm256_srai_epi32(a, K); }
  static I imin(I a, I b) { return _mm256_min_epi32(a, b); }
  static I imax(I a, I b) { return _mm256_max_epi32(a, b); }
  static M ilt(I a, I b) { return _mm256_castsi256_ps(_mm256_cmpgt_epi32(b, a)); }
  // No cheap 16-entry lookup (kLookup16): vpermps holds 8, so 16 take two and a blend, and gelu's
  // piecewise tail with them is slower than the rational one, which the forward (math_erfc.h) keeps here
  // (docs/tuning-log.md). gelu's gradient, whose rational form needed a second division and double-float
  // corrections, uses the pieces all the same: entry i mod 16, as the other layers.
  static constexpr bool kLookup16 = false;
  static F lookup16(const float* t, I i) {
    const F lo = _mm256_permutevar8x32_ps(_mm256_loadu_ps(t), i);
    const F hi = _mm256_permutevar8x32_ps(_mm256_loadu_ps(t + 8), i);
    return _mm256_blendv_ps(lo, hi, _mm256_castsi256_ps(_mm256_slli_epi32(i, 28)));  // bit 3 to the sign
  }
  static float reduce_add(F v) {
    __m128 s = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
    s = _mm_add_ps(s, _mm_movehl_ps(s, s));
    s = _mm_add_ss(s, _mm_movehdup_ps(s));
    return _mm_cvtss_f32(s);
  }

  // 16-bit weight widening (GEMM packs keep bf16/f16 bits in memory; see native/kernels/gemm_tile.h).
  // bf16 is the top half of a float: zero-extend each 16-bit lane to 32 bits and shift it up.
  static F load_bf16(const uint16_t* p) {
    return _mm256_castsi256_ps(_mm256_slli_epi32(_mm256_cvtepu16_epi32(_mm_loadu_si128(reinterpret_cast<const __m128i*>(p))), 16));
  }
  static F load_f16(const uint16_t* p) { return _mm256_cvtph_ps(_mm_loadu_si128(reinterpret_cast<const __m128i*>(p))); }  // F16C
  // 16 bf16 values from one 32-byte load as two vectors, even = {p[0], p[2], ..., p[14]} and odd =
  // {p[1], ..., p[15]}: each 32-bit word holds one of each, so a shift and a mask widen them (two ALU
  // ops, no shuffle), where two load_bf16 take two zero-extending shuffles and two shifts. For a GEMM
  // tile whose accumulators can hold columns in that order (kernels/gemm_tile.h); pair_to_columns and
  // columns_to_pair convert between that order and the columns' own.
  static void load_bf16_pair(const uint16_t* p, F* even, F* odd) {
    const __m256i w = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(p));
    *even = _mm256_castsi256_ps(_mm256_slli_epi32(w, 16));
    *odd = _mm256_castsi256_ps(_mm256_and_si256(w, _mm256_set1_epi32(static_cast<int32_t>(0xffff0000u))));
  }
  // (even, odd) as load_bf16_pair orders 16 columns -> (columns 0-7, columns 8-15), and back.
  static void pair_to_columns(F* a, F* b) {
    const F lo = _mm256_unpacklo_ps(*a, *b), hi = _mm256_unpackhi_ps(*a, *b);  // {0-3 | 8-11}, {4-7 | 12-15}
    *a = _mm256_permute2f128_ps(lo, hi, 0x20);
    *b = _mm256_permute2f128_ps(lo, hi, 0x31);
  }
  static void columns_to_pair(F* a, F* b) {
    const F lo = _mm256_permute2f128_ps(*a, *b, 0x20), hi = _mm256_permute2f128_ps(*a, *b, 0x31);
    *a = _mm256_shuffle_ps(lo, hi, _MM_SHUFFLE(2, 0, 2, 0));
    *b = _mm256_shuffle_ps(lo, hi, _MM_SHUFFLE(3, 1, 3, 1));
  }
  // Narrowing, bit-identical to scalar.h's store_bf16/store_f16 (see there for the rules). bf16: round to
  // nearest even on the integer bits (u + 0x7fff + lsb; no wrap, as the largest non-NaN pattern is -Inf),
  // NaN lanes quieted instead; 32 -> 16 by packus (values < 2^16) and a qword permute for lane order.
  static void store_bf16(uint16_t* p, F v) {
    const __m256i u = _mm256_castps_si256(v);
    const __m256i lsb = _mm256_and_si256(_mm256_srli_epi32(u, 16), _mm256_set1_epi32(1));
    __m256i r = _mm256_add_epi32(_mm256_add_epi32(u, _mm256_set1_epi32(0x7fff)), lsb);
    const __m256i quiet = _mm256_or_si256(u, _mm256_set1_epi32(0x00400000));
    r = _mm256_castps_si256(_mm256_blendv_ps(_mm256_castsi256_ps(r), _mm256_castsi256_ps(quiet), _mm256_cmp_ps(v, v, _CMP_UNORD_Q)));
    r = _mm256_srli_epi32(r, 16);
    const __m256i packed = _mm256_permute4x64_epi64(_mm256_packus_epi32(r, r), 0x08);
    _mm_storeu_si128(reinterpret_cast<__m128i*>(p), _mm256_castsi256_si128(packed));
  }
  // f16: F16C vcvtps2ph with the round-to-nearest-even immediate (independent of MXCSR's rounding mode).
  static void store_f16(uint16_t* p, F v) {
    _mm_storeu_si128(reinterpret_cast<__m128i*>(p), _mm256_cvtps_ph(v, _MM_FROUND_TO_NEAREST_INT));
  }
  // Hint the line holding p into all cache levels (prefetcht0); never faults. always_inline: g++ treats a
  // function whose only effect is a prefetch as pure and drops the calls it has not inlined.
  __attribute__((always_inline)) static void prefetch(const void* p) { __builtin_prefetch(p, 0, 3); }

  // 4x4 transpose inside each 128-bit half, across a, b, c, d (see avx512.h).
  static void transpose4(F& a, F& b, F& c, F& d) {
    const F t0 = _mm256_unpacklo_ps(a, b), t1 = _mm256_unpacklo_ps(c, d);
    const F t2 = _mm256_unpackhi_ps(a, b), t3 = _mm256_unpackhi_ps(c, d);
    a = _mm256_shuffle_ps(t0, t1, 0x44);
    b = _mm256_shuffle_ps(t0, t1, 0xEE);
    c = _mm256_shuffle_ps(t2, t3, 0x44);
    d = _mm256_shuffle_ps(t2, t3, 0xEE);
  }
  template <int G>
  static void store4(float* p, F v) { _mm_storeu_ps(p, G == 0 ? _mm256_castps256_ps128(v) : _mm256_extractf128_ps(v, 1)); }
};

}  // namespace SWIGLU_NS
}  // namespace swiglu
