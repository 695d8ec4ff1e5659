// Scalar "vector" of one lane: the portable truth every SIMD path is checked against.
// Included by native/isa/scalar.cc (SWIGLU_NS = scalar) and by the aarch64 NEON unit's tail code.
#pragma once
#include <cstdint>
#include <cstring>

namespace swiglu {
namespace SWIGLU_NS {

struct V {
  using F = float;
  using I = int32_t;
  using M = bool;
  static constexpr int N = 1;

  static F load(const float* p) { return *p; }
  static void store(float* p, F v) { *p = v; }
  // No non-temporal store in portable C++: streaming is a plain store here (kernels/map.h).
  static constexpr bool kStreams = false;
  static void stream(float* p, F v) { *p = v; }
  static void stream_fence() {}
  static F set1(float f) { return f; }
  static I seti(int32_t i) { return i; }
  static F zero() { return 0.0f; }

  static F add(F a, F b) { return a + b; }
  static F sub(F a, F b) { return a - b; }
  static F mul(F a, F b) { return a * b; }
  static F div(F a, F b) { return a / b; }
  // A true fused multiply-add: the kernels' error analysis (double-float products, Cody-Waite
  // reductions) relies on the single rounding, so the scalar path must not split it.
  static F fma(F a, F b, F c) { return __builtin_fmaf(a, b, c); }
  static F fnma(F a, F b, F c) { return __builtin_fmaf(-a, b, c); }
  static F fms(F a, F b, F c) { return __builtin_fmaf(a, b, -c); }
  static F min(F a, F b) { return a < b ? a : b; }
  static F max(F a, F b) { return a > b ? a : b; }

  static I asint(F v) { I i; std::memcpy(&i, &v, 4); return i; }
  static F asfloat(I i) { F v; std::memcpy(&v, &i, 4); return v; }
  static F and_(F a, F b) { return asfloat(asint(a) & asint(b)); }
  static F or_(F a, F b) { return asfloat(asint(a) | asint(b)); }
  static F xor_(F a, F b) { return asfloat(asint(a) ^ asint(b)); }
  static F andnot(F a, F b) { return asfloat(~asint(a) & asint(b)); }
  static F abs(F v) { return asfloat(asint(v) & 0x7fffffff); }
  static F neg(F v) { return asfloat(asint(v) ^ int32_t(0x80000000u)); }
  // -min(|v|, c) for a constant c > 0 (a clamped -|x|). NaN lanes: unspecified; callers carry NaN through x.
  static F neg_abs_min(F v, float c) { return max(or_(v, set1(-0.0f)), set1(-c)); }

  static M lt(F a, F b) { return a < b; }
  static M le(F a, F b) { return a <= b; }
  static M gt(F a, F b) { return a > b; }
  static M ge(F a, F b) { return a >= b; }
  static M eq(F a, F b) { return a == b; }
  static M nge(F a, F b) { return !(a >= b); }
  static M isnan(F v) { return v != v; }
  static M mand(M a, M b) { return a && b; }
  static M mor(M a, M b) { return a || b; }
  static M mnot(M a) { return !a; }
  static bool any(M m) { return m; }
  static F select(M m, F a, F b) { return m ? a : b; }
  static I selecti(M m, I a, I b) { return m ? a : b; }

  // Round half to even, like the SIMD paths (cvtps/frintn), without libm.
  static F round(F v) {
    const float big = 8388608.0f;  // 2^23: adding and subtracting it rounds |v| < 2^23 to an integer
    float a = abs(v);
    if (!(a < big)) return v;
    volatile float t = a + big;  // volatile: keep the compiler from folding the trick away
    float r = t - big;
    return v < 0 ? -r : r;
  }
  static I cvt(F v) { return static_cast<I>(round(v)); }  // callers keep |v| < 2^31
  static F tofloat(I i) { return static_cast<F>(i); }
  static I iadd(I a, I b) { return static_cast<I>(static_cast<uint32_t>(a) + static_cast<uint32_t>(b)); }
  static I isub(I a, I b) { return static_cast<I>(static_cast<uint32_t>(a) - static_cast<uint32_t>(b)); }
  template <int K> static I ishl(I a) { return static_cast<I>(static_cast<uint32_t>(a) << K); }
  template <int K> static I isra(I a) { return a >> K; }
  static I imin(I a, I b) { return a < b ? a : b; }
  static I imax(I a, I b) { return a > b ? a : b; }
  static M ilt(I a, I b) { return a < b; }
  static constexpr bool kLookup16 = true;  // t[i mod 16] (math_erfc.h's piecewise gelu tail)
  static F lookup16(const float* t, I i) { return t[i & 15]; }
  static F reduce_add(F v) { return v; }

  // 16-bit weight widening (GEMM packs keep bf16/f16 bits in memory; see native/kernels/gemm_tile.h).
  static F load_bf16(const uint16_t* p) { return asfloat(static_cast<I>(static_cast<uint32_t>(*p) << 16)); }
  // IEEE binary16 -> binary32, exact for every input (subnormals normalised, Inf kept); a NaN keeps its sign
  // and payload and comes out quiet, as F16C's vcvtph2ps and AArch64's FCVTL give it.
  static F load_f16(const uint16_t* p) {
    const uint32_t h = *p;
    const uint32_t sign = (h & 0x8000u) << 16;
    uint32_t exp = (h >> 10) & 0x1fu, man = h & 0x3ffu, bits;
    if (exp == 0x1fu) {
      bits = sign | 0x7f800000u | (man << 13) | (man ? 0x00400000u : 0u);
    } else if (exp != 0) {
      bits = sign | ((exp + 112u) << 23) | (man << 13);
    } else if (man == 0) {
      bits = sign;
    } else {
      // Subnormal half: shift the mantissa up to the implicit bit, adjusting the exponent.
      uint32_t e = 113u;
      while (!(man & 0x400u)) { man <<= 1; --e; }
      bits = sign | (e << 23) | ((man & 0x3ffu) << 13);
    }
    return asfloat(static_cast<I>(bits));
  }
  // binary32 -> bfloat16 bits, rounded to nearest even (overflow rounds to ±Inf as RNE does); NaN
  // stays NaN: sign and the top payload bits kept, quiet bit set (truncation alone could make it Inf).
  static void store_bf16(uint16_t* p, F v) {
    const uint32_t u = static_cast<uint32_t>(asint(v));
    if ((u & 0x7fffffffu) > 0x7f800000u) {
      *p = static_cast<uint16_t>((u | 0x00400000u) >> 16);
      return;
    }
    *p = static_cast<uint16_t>((u + 0x7fffu + ((u >> 16) & 1u)) >> 16);
  }
  // binary32 -> IEEE binary16 bits, rounded to nearest even: |v| >= 65520 (halfway past 65504) is ±Inf,
  // below 2^-14 the result is a binary16 subnormal (rounded once, at its own precision), at or below
  // 2^-25 (a tie with 0) it is ±0. NaN: sign and the top 10 payload bits kept, quiet bit set (what
  // F16C's vcvtps2ph and AArch64's FCVTN do).
  static void store_f16(uint16_t* p, F v) {
    const uint32_t u = static_cast<uint32_t>(asint(v));
    const uint32_t sign = (u >> 16) & 0x8000u, a = u & 0x7fffffffu;
    uint32_t h;
    if (a > 0x7f800000u) {
      h = 0x7e00u | ((a >> 13) & 0x3ffu);
    } else if (a >= 0x477ff000u) {  // 65520 and up, Inf included
      h = 0x7c00u;
    } else if (a >= 0x38800000u) {  // 2^-14 and up: a normal half; rebias the exponent by 127 - 15
      const uint32_t r = a - 0x38000000u;
      h = (r + 0xfffu + ((r >> 13) & 1u)) >> 13;
    } else if (a <= 0x33000000u) {  // 2^-25 and below (float subnormals too): rounds to 0
      h = 0;
    } else {
      // 2^-25 < |v| < 2^-14: the half subnormal m·2^-24 with m = mantissa >> (126 - exponent), rounded.
      const uint32_t m = (a & 0x7fffffu) | 0x800000u;
      const uint32_t shift = 126u - (a >> 23);  // 14..24
      const uint32_t q = m >> shift, rest = m & ((1u << shift) - 1u), half = 1u << (shift - 1u);
      h = q + ((rest > half || (rest == half && (q & 1u))) ? 1u : 0u);
    }
    *p = static_cast<uint16_t>(sign | h);
  }
  __attribute__((always_inline)) static void prefetch(const void* p) { __builtin_prefetch(p, 0, 3); }
};

}  // namespace SWIGLU_NS
}  // namespace swiglu
