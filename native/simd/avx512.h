// AVX-512 (F/BW/DQ/VL) vector layer: 16 float lanes, k-register masks.
// Compiled only into native/isa/avx512.cc (-mavx512f -mavx512bw -mavx512dq -mavx512vl -mavx2 -mfma).
#pragma once
#include <immintrin.h>
#include <cstdint>

namespace swiglu {
namespace SWIGLU_NS {

struct V {
  using F = __m512;
  using I = __m512i;
  using M = __mmask16;
  static constexpr int N = 16;

  static F load(const float* p) { return _mm512_loadu_ps(p); }
  static void store(float* p, F v) { _mm512_storeu_ps(p, v); }
  // Non-temporal store (p 64-byte aligned): past the caches, no read-for-ownership; see kernels/map.h.
  static constexpr bool kStreams = true;
  static void stream(float* p, F v) { _mm512_stream_ps(p, v); }
  static void stream_fence() { _mm_sfence(); }
  static F set1(float f) { return _mm512_set1_ps(f); }
  static I seti(int32_t i) { return _mm512_set1_epi32(i); }
  static F zero() { return _mm512_setzero_ps(); }

  static F add(F a, F b) { return _mm512_add_ps(a, b); }
  static F sub(F a, F b) { return _mm512_sub_ps(a, b); }
  static F mul(F a, F b) { return _mm512_mul_ps(a, b); }
  static F div(F a, F b) { return _mm512_div_ps(a, b); }
  static F fma(F a, F b, F c) { return _mm512_fmadd_ps(a, b, c); }
  static F fnma(F a, F b, F c) { return _mm512_fnmadd_ps(a, b, c); }
  static F fms(F a, F b, F c) { return _mm512_fmsub_ps(a, b, c); }
  static F min(F a, F b) { return _mm512_min_ps(a, b); }
  static F max(F a, F b) { return _mm512_max_ps(a, b); }

  static I asint(F v) { return _mm512_castps_si512(v); }
  static F asfloat(I i) { return _mm512_castsi512_ps(i); }
  static F and_(F a, F b) { return _mm512_and_ps(a, b); }
  static F or_(F a, F b) { return _mm512_or_ps(a, b); }
  static F xor_(F a, F b) { return _mm512_xor_ps(a, b); }
  static F andnot(F a, F b) { return _mm512_andnot_ps(a, b); }
  static F abs(F v) { return _mm512_abs_ps(v); }
  static F neg(F v) { return _mm512_xor_ps(_mm512_set1_ps(-0.0f), v); }
  // -min(|v|, c) for a constant c > 0 (a clamped -|x|). NaN lanes: unspecified (here -c for a quiet NaN,
  // a NaN for a signalling one, where the or and the max give -c); callers carry NaN through x.
  // One vrangeps (AVX512DQ: the smaller magnitude, sign forced) instead of an or and a max. It issues to
  // the FMA pipes on Zen 4 and Zen 5 (docs/tuning-log.md), so it pays only in kernels that wait on their
  // add pipes (gelu-tanh, mish); the kernels bound otherwise (sigmoid, silu, gelu, softplus, quickGelu)
  // keep the or and the max.
  static F neg_abs_min(F v, float c) { return _mm512_range_ps(v, _mm512_set1_ps(c), 0x0E); }

  static M lt(F a, F b) { return _mm512_cmp_ps_mask(a, b, _CMP_LT_OQ); }
  static M le(F a, F b) { return _mm512_cmp_ps_mask(a, b, _CMP_LE_OQ); }
  static M gt(F a, F b) { return _mm512_cmp_ps_mask(a, b, _CMP_GT_OQ); }
  static M ge(F a, F b) { return _mm512_cmp_ps_mask(a, b, _CMP_GE_OQ); }
  static M eq(F a, F b) { return _mm512_cmp_ps_mask(a, b, _CMP_EQ_OQ); }
  static M nge(F a, F b) { return _mm512_cmp_ps_mask(a, b, _CMP_NGE_UQ); }
  static M isnan(F v) { return _mm512_cmp_ps_mask(v, v, _CMP_UNORD_Q); }
  static M mand(M a, M b) { return static_cast<M>(a & b); }
  static M mor(M a, M b) { return static_cast<M>(a | b); }
  static M mnot(M a) { return static_cast<M>(~a); }
  static bool any(M m) { return m != 0; }
  static F select(M m, F a, F b) { return _mm512_mask_blend_ps(m, b, a); }
  static I selecti(M m, I a, I b) { return _mm512_mask_blend_epi32(m, b, a); }

  static F round(F v) { return _mm512_roundscale_ps(v, _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC); }
  static I cvt(F v) { return _mm512_cvtps_epi32(v); }
  static F tofloat(I i) { return _mm512_cvtepi32_ps(i); }
  static I iadd(I a, I b) { return _mm512_add_epi32(a, b); }
  static I isub(I a, I b) { return _mm512_sub_epi32(a, b); }
  template <int K> static I ishl(I a) { return _mm512_slli_epi32(a, K); }
  template <int K> static I isra(I a) { return _mm512_srai_epi32(a, K); }
  static I imin(I a, I b) { return _mm512_min_epi32(a, b); }
  static I imax(I a, I b) { return _mm512_max_epi32(a, b); }
  static M ilt(I a, I b) { return _mm512_cmplt_epi32_mask(a, b); }
  // t[i mod 16] per lane (math_erfc.h's piecewise gelu tail): one vpermps, which reads the low four index
  // bits, leaves its operands intact and takes the table as a memory operand; beside FMAs it costs a
  // fraction of an FMA slot (a two-table vpermt2ps would cost more than one). Figures: docs/tuning-log.md.
  static constexpr bool kLookup16 = true;
  static F lookup16(const float* t, I i) { return _mm512_permutexvar_ps(i, _mm512_loadu_ps(t)); }
  static float reduce_add(F v) { return _mm512_reduce_add_ps(v); }

  // 16-bit weight widening (GEMM packs keep bf16/f16 bits in memory; see native/kernels/gemm_tile.h).
  // bf16 is the top half of a float: zero-extend each 16-bit lane to 32 bits and shift it up.
  // (maskz_ forms with a full mask: same instructions, but g++ 12 does not warn about the
  // _mm512_undefined_* placeholder the unmasked intrinsics pass.)
  static F load_bf16(const uint16_t* p) {
    const __m512i w = _mm512_maskz_cvtepu16_epi32(0xffff, _mm256_loadu_si256(reinterpret_cast<const __m256i*>(p)));
    return _mm512_castsi512_ps(_mm512_maskz_slli_epi32(0xffff, w, 16));
  }
  static F load_f16(const uint16_t* p) {
    return _mm512_maskz_cvtph_ps(0xffff, _mm256_loadu_si256(reinterpret_cast<const __m256i*>(p)));
  }
  // Narrowing, bit-identical to scalar.h's store_bf16/store_f16 (see there for the rules). bf16: round to
  // nearest even on the integer bits, NaN lanes quieted instead, 32 -> 16 by vpmovdw (values < 2^16).
  static void store_bf16(uint16_t* p, F v) {
    const __m512i u = _mm512_castps_si512(v);
    const __m512i lsb = _mm512_and_si512(_mm512_srli_epi32(u, 16), _mm512_set1_epi32(1));
    __m512i r = _mm512_add_epi32(_mm512_add_epi32(u, _mm512_set1_epi32(0x7fff)), lsb);
    r = _mm512_mask_or_epi32(r, _mm512_cmp_ps_mask(v, v, _CMP_UNORD_Q), u, _mm512_set1_epi32(0x00400000));
    r = _mm512_srli_epi32(r, 16);
    _mm256_storeu_si256(reinterpret_cast<__m256i*>(p), _mm512_maskz_cvtepi32_epi16(0xffff, r));
  }
  // f16: vcvtps2ph with the round-to-nearest-even immediate (independent of MXCSR's rounding mode).
  static void store_f16(uint16_t* p, F v) {
    _mm256_storeu_si256(reinterpret_cast<__m256i*>(p), _mm512_maskz_cvtps_ph(0xffff, v, _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC));
  }
  // Hint the line holding p into all cache levels (prefetcht0); never faults. always_inline: g++ treats a
  // function whose only effect is a prefetch as pure and drops the calls it has not inlined.
  __attribute__((always_inline)) static void prefetch(const void* p) { __builtin_prefetch(p, 0, 3); }

  // 4x4 transpose inside every 128-bit group of lanes, across a, b, c, d: group g of a becomes
  // (a[4g], b[4g], c[4g], d[4g]), of b (a[4g+1], ...), and so on (the GEMM's A packing).
  static void transpose4(F& a, F& b, F& c, F& d) {
    const F t0 = _mm512_unpacklo_ps(a, b), t1 = _mm512_unpacklo_ps(c, d);
    const F t2 = _mm512_unpackhi_ps(a, b), t3 = _mm512_unpackhi_ps(c, d);
    a = _mm512_shuffle_ps(t0, t1, 0x44);
    b = _mm512_shuffle_ps(t0, t1, 0xEE);
    c = _mm512_shuffle_ps(t2, t3, 0x44);
    d = _mm512_shuffle_ps(t2, t3, 0xEE);
  }
  // Stores the 4 lanes of group G (lanes 4G..4G+3) at p.
  template <int G>
  static void store4(float* p, F v) { _mm_storeu_ps(p, _mm512_extractf32x4_ps(v, G)); }
};

}  // namespace SWIGLU_NS
}  // namespace swiglu
