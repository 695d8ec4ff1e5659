// NEON (ARMv8.0 AdvSIMD) vector layer: 4 float lanes. Compiled only into native/isa/neon.cc on aarch64.
#pragma once
#include <arm_neon.h>
#include <cstdint>

namespace swiglu {
namespace SWIGLU_NS {

struct V {
  using F = float32x4_t;
  using I = int32x4_t;
  using M = uint32x4_t;
  static constexpr int N = 4;

  static F load(const float* p) { return vld1q_f32(p); }
  static void store(float* p, F v) { vst1q_f32(p, v); }
  // ACLE has no non-temporal vector store: streaming is a plain store here (kernels/map.h).
  static constexpr bool kStreams = false;
  static void stream(float* p, F v) { vst1q_f32(p, v); }
  static void stream_fence() {}
  static F set1(float f) { return vdupq_n_f32(f); }
  static I seti(int32_t i) { return vdupq_n_s32(i); }
  static F zero() { return vdupq_n_f32(0.0f); }

  static F add(F a, F b) { return vaddq_f32(a, b); }
  static F sub(F a, F b) { return vsubq_f32(a, b); }
  static F mul(F a, F b) { return vmulq_f32(a, b); }
  static F div(F a, F b) { return vdivq_f32(a, b); }
  static F fma(F a, F b, F c) { return vfmaq_f32(c, a, b); }
  static F fnma(F a, F b, F c) { return vfmsq_f32(c, a, b); }
  static F fms(F a, F b, F c) { return vnegq_f32(vfmsq_f32(c, a, b)); }
  // vminnm/vmaxnm: a NaN operand loses (like x86's second-operand rule, it is re-inserted later).
  static F min(F a, F b) { return vminnmq_f32(a, b); }
  static F max(F a, F b) { return vmaxnmq_f32(a, b); }

  static I asint(F v) { return vreinterpretq_s32_f32(v); }
  static F asfloat(I i) { return vreinterpretq_f32_s32(i); }
  static F and_(F a, F b) { return vreinterpretq_f32_u32(vandq_u32(vreinterpretq_u32_f32(a), vreinterpretq_u32_f32(b))); }
  static F or_(F a, F b) { return vreinterpretq_f32_u32(vorrq_u32(vreinterpretq_u32_f32(a), vreinterpretq_u32_f32(b))); }
  static F xor_(F a, F b) { return vreinterpretq_f32_u32(veorq_u32(vreinterpretq_u32_f32(a), vreinterpretq_u32_f32(b))); }
  static F andnot(F a, F b) { return vreinterpretq_f32_u32(vbicq_u32(vreinterpretq_u32_f32(b), vreinterpretq_u32_f32(a))); }
  static F abs(F v) { return vabsq_f32(v); }
  static F neg(F v) { return vnegq_f32(v); }
  // -min(|v|, c) for a constant c > 0 (a clamped -|x|). NaN lanes: unspecified; callers carry NaN through x.
  static F neg_abs_min(F v, float c) { return max(or_(v, set1(-0.0f)), set1(-c)); }

  static M lt(F a, F b) { return vcltq_f32(a, b); }
  static M le(F a, F b) { return vcleq_f32(a, b); }
  static M gt(F a, F b) { return vcgtq_f32(a, b); }
  static M ge(F a, F b) { return vcgeq_f32(a, b); }
  static M eq(F a, F b) { return vceqq_f32(a, b); }
  static M nge(F a, F b) { return vmvnq_u32(vcgeq_f32(a, b)); }
  static M isnan(F v) { return vmvnq_u32(vceqq_f32(v, v)); }
  static M mand(M a, M b) { return vandq_u32(a, b); }
  static M mor(M a, M b) { return vorrq_u32(a, b); }
  static M mnot(M a) { return vmvnq_u32(a); }
  static bool any(M m) { return vmaxvq_u32(m) != 0; }
  static F select(M m, F a, F b) { return vbslq_f32(m, a, b); }
  static I selecti(M m, I a, I b) { return vbslq_s32(m, a, b); }

  static F round(F v) { return vrndnq_f32(v); }
  static I cvt(F v) { return vcvtnq_s32_f32(v); }
  static F tofloat(I i) { return vcvtq_f32_s32(i); }
  static I iadd(I a, I b) { return vaddq_s32(a, b); }
  static I isub(I a, I b) { return vsubq_s32(a, b); }
  template <int K> static I ishl(I a) { return vshlq_n_s32(a, K); }
  template <int K> static I isra(I a) { return vshrq_n_s32(a, K); }
  static I imin(I a, I b) { return vminq_s32(a, b); }
  static I imax(I a, I b) { return vmaxq_s32(a, b); }
  static M ilt(I a, I b) { return vcltq_s32(a, b); }
  // t[i mod 16] per lane (math_erfc.h's piecewise gelu tail): one TBL over the table's 64 bytes, with byte
  // indices 4i .. 4i+3 built per lane (shared by the lookups of one vector once inlined).
  static constexpr bool kLookup16 = true;
  static F lookup16(const float* t, I i) {
    const uint8x16x4_t tb = vld1q_u8_x4(reinterpret_cast<const uint8_t*>(t));
    const uint32x4_t w = vandq_u32(vreinterpretq_u32_s32(i), vdupq_n_u32(15));
    const uint32x4_t bytes = vmlaq_u32(vdupq_n_u32(0x03020100u), w, vdupq_n_u32(0x04040404u));
    return vreinterpretq_f32_u8(vqtbl4q_u8(tb, vreinterpretq_u8_u32(bytes)));
  }
  static float reduce_add(F v) { return vaddvq_f32(v); }

  // 16-bit weight widening (GEMM packs keep bf16/f16 bits in memory; see native/kernels/gemm_tile.h).
  // bf16: shift-left-long by 16 puts the bits in the top half of each 32-bit lane. f16: FCVTL (ARMv8.0).
  static F load_bf16(const uint16_t* p) { return vreinterpretq_f32_u32(vshll_n_u16(vld1_u16(p), 16)); }
  static F load_f16(const uint16_t* p) { return vcvt_f32_f16(vreinterpret_f16_u16(vld1_u16(p))); }
  // Narrowing, bit-identical to scalar.h's store_bf16/store_f16 (see there for the rules). bf16: round to
  // nearest even on the integer bits, NaN lanes quieted instead, then shift-right-narrow by 16.
  static void store_bf16(uint16_t* p, F v) {
    const uint32x4_t u = vreinterpretq_u32_f32(v);
    const uint32x4_t lsb = vandq_u32(vshrq_n_u32(u, 16), vdupq_n_u32(1));
    const uint32x4_t r = vaddq_u32(vaddq_u32(u, vdupq_n_u32(0x7fff)), lsb);
    const uint32x4_t quiet = vorrq_u32(u, vdupq_n_u32(0x00400000));
    vst1_u16(p, vshrn_n_u32(vbslq_u32(vceqq_f32(v, v), r, quiet), 16));
  }
  // f16: FCVTN, which rounds by FPCR (round to nearest even unless a program changed it; Node does not)
  // and keeps binary16 subnormals unless FPCR.FZ16 is set (it is not by default).
  static void store_f16(uint16_t* p, F v) { vst1_u16(p, vreinterpret_u16_f16(vcvt_f16_f32(v))); }
  // Hint the line holding p into the caches (prfm pldl1keep); never faults.
  // always_inline: a function whose only effect is a prefetch counts as pure to g++, which then drops the
  // calls it has not inlined (the GEMM tile, past the early inliner's size limits, lost all of them).
  __attribute__((always_inline)) static void prefetch(const void* p) { __builtin_prefetch(p, 0, 3); }

  // 4x4 transpose across a, b, c, d (see avx512.h; here the one group is the whole register).
  static void transpose4(F& a, F& b, F& c, F& d) {
    const float32x4x2_t ab = vtrnq_f32(a, b), cd = vtrnq_f32(c, d);
    a = vcombine_f32(vget_low_f32(ab.val[0]), vget_low_f32(cd.val[0]));
    b = vcombine_f32(vget_low_f32(ab.val[1]), vget_low_f32(cd.val[1]));
    c = vcombine_f32(vget_high_f32(ab.val[0]), vget_high_f32(cd.val[0]));
    d = vcombine_f32(vget_high_f32(ab.val[1]), vget_high_f32(cd.val[1]));
  }
  template <int G>
  static void store4(float* p, F v) {
    static_assert(G == 0, "one group of 4 lanes");
    vst1q_f32(p, v);
  }
};

}  // namespace SWIGLU_NS
}  // namespace swiglu
