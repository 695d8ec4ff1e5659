// The Gaussian tail Phi(-a) = erfc(a/sqrt2)/2 for a = |x| >= 0, relative accuracy down to gelu's underflow.
// Included after math.h. The measurements that chose among the forms described here: docs/tuning-log.md.
#pragma once
#include "math.h"

namespace swiglu {
namespace SWIGLU_NS {
namespace math {

// G(a) = e^(a^2/2) erfc(a/sqrt2) (the scaled complementary error function at a/sqrt2) is smooth and slowly
// varying on [0, inf) (1 at 0, ~ sqrt(2/pi)/a at infinity). It is computed in one of two forms: in pieces
// looked up from a table (below) where the vector layer has a cheap 16-entry lookup, else (AVX2) as a
// rational function. The rational form follows the idea of Weideman's erfc expansion:
// G(a) = H(Z) / (L + a), Z = (L - a)/(L + a) in (-0.59, 1]: H is a degree-8 polynomial, rel error 2^-25.9
// on a in [0, 14.5] (fit_coeffs.py, kErfcxH8 with ERFCX_L=3.75; its coefficients fall off fast, so Horner
// is stable).
// What gelu needs is a Phi(-a) = e^(-a^2/2) a G(a) / 2 = e^(-a^2/2) Y H(Z) / 2 with Y = a/(L + a) and
// Z = 1 - 2Y: one division. L is the float near 3.75 where H(0) is a float to 2^-37, so the one
// coefficient no other term can correct (at Z = 0) costs no rounding. The split matters for the degree-8
// fit (float32 coefficients): 3.9 gives 2^-23.6, 3.7 2^-25.2, 3.75 2^-25.9 (degree 9 at 3.9 was 2^-26.3,
// one more fma in the division's dependency chain).
constexpr float kErfcxL = 0x1.dff262p+1f;
constexpr float kErfcxH[9] = {0x1.80255ep+0f, 0x1.2d226cp+0f, 0x1.695966p-1f, 0x1.363198p-2f, 0x1.32d7ap-4f,
                              -0x1.3d5352p-9f, -0x1.1131ep-7f, -0x1.0b28fep-10f, 0x1.d1fcfcp-11f};
// Past a = 14.5, x Phi(-x) < 2^-152: gelu's negative tail is 0 and Phi(x) is 1.
constexpr float kGeluClamp = 14.5f;

// The same G(a) piecewise, for the forward where the vector layer has a cheap 16-entry table lookup
// (V::kLookup16: AVX-512, NEON, scalar) and for gelu's gradient on every ISA: 16 intervals of a, and on
// each G(a) = P(a - t) with P of degree 6, rel error 2^-27.5 (fit_coeffs.py, kGaussPw). The interval is
// read off b = a + 1 (in [1, 15.5]): its exponent's low two bits and its mantissa's top two,
// (bits(b) >> 21) mod 16, the 16 slots a permutation of the intervals (a in [0, 1) by 1/4, [1, 3) by 1/2,
// [3, 7) by 1, [7, 15) by 2). Each interval is fitted past its ends by more than b's rounding, and t is a
// float near its middle where G(t) is a float to ~2^-35, so P's constant term (nothing else corrects it at
// a = t) costs no rounding. Against the rational form: no division, no L + a or Z roundings, a better fit,
// and a Horner chain of 6 instead of 8. Table rows are 64-byte aligned (one cache line, one vpermps memory
// operand on AVX-512).
alignas(64) constexpr float kGaussPwT[16] = {
    0x1.3ff1b8p+0f, 0x1.bffd44p+0f, 0x1.1ff024p+1f, 0x1.600268p+1f, 0x1.bffd08p+1f, 0x1.1ff76p+2f,
    0x1.6016ecp+2f, 0x1.a007bcp+2f, 0x1.00051cp+3f, 0x1.3ff586p+3f, 0x1.7fff9ap+3f, 0x1.c00794p+3f,
    0x1.000122p-3f, 0x1.8014bcp-2f, 0x1.3fe8ep-1f, 0x1.bff496p-1f};
alignas(64) constexpr float kGaussPwC[7][16] = {
    {0x1.d8a57ep-2f, 0x1.7b5c6p-2f, 0x1.3abb6p-2f, 0x1.0bb7e4p-2f, 0x1.b39984p-3f, 0x1.5b645ep-3f,
     0x1.200dfap-3f, 0x1.eb9d3ep-4f, 0x1.9261a6p-4f, 0x1.43adfp-4f, 0x1.0e7e14p-4f, 0x1.d07fe6p-5f,
     0x1.d0aefap-1f, 0x1.84b1b4p-1f, 0x1.4b26fcp-1f, 0x1.1e7fb2p-1f},
    {-0x1.c4a85p-3f, -0x1.325618p-3f, -0x1.b42836p-4f, -0x1.4327acp-4f, -0x1.b6086ap-5f, -0x1.1bf1dep-5f,
     -0x1.8aea18p-6f, -0x1.21a476p-6f, -0x1.86a95cp-7f, -0x1.fc1328p-8f, -0x1.63d082p-8f, -0x1.06c4fcp-8f,
     -0x1.5e6e32p-1f, -0x1.06b9dp-1f, -0x1.9335d6p-2f, -0x1.3bb5f6p-2f},
    {0x1.7b91dcp-4f, 0x1.bd4ab8p-5f, 0x1.15c912p-5f, 0x1.6c58c6p-6f, 0x1.a2a5aep-7f, 0x1.bfdd7ep-8f,
     0x1.07b5bcp-8f, 0x1.4e93d6p-9f, 0x1.7610b4p-10f, 0x1.8b17ap-11f, 0x1.d0fcccp-12f, 0x1.27d94cp-12f,
     0x1.a4e102p-2f, 0x1.2226b2p-2f, 0x1.9a5e8ap-3f, 0x1.28c73ap-3f},
    {-0x1.1f46c8p-5f, -0x1.296534p-6f, -0x1.49e6e2p-7f, -0x1.83859cp-8f, -0x1.7e8008p-9f, -0x1.55d73p-10f,
     -0x1.57aed6p-11f, -0x1.7b46a4p-12f, -0x1.616048p-13f, -0x1.307564p-14f, -0x1.2ddebep-15f, -0x1.4b7d8p-16f,
     -0x1.b02b12p-3f, -0x1.15c2fp-3f, -0x1.6eaa06p-4f, -0x1.efa8c8p-5f},
    {0x1.9012e4p-7f, 0x1.722436p-8f, 0x1.7100bcp-9f, 0x1.87ae6ep-10f, 0x1.4fb6dcp-11f, 0x1.fa6cd4p-13f,
     0x1.b5c492p-14f, 0x1.a65158p-15f, 0x1.499f38p-16f, 0x1.d12d54p-18f, 0x1.857e3cp-19f, 0x1.71aa82p-20f,
     0x1.89df0ep-4f, 0x1.dc2c72p-5f, 0x1.27cc76p-5f, 0x1.78a6d4p-6f},
    {-0x1.06a356p-8f, -0x1.b4f694p-10f, -0x1.8aa0d6p-11f, -0x1.7b2926p-12f, -0x1.211ee2p-13f, -0x1.72a7f2p-15f,
     -0x1.136edcp-16f, -0x1.d03468p-18f, -0x1.36cac4p-19f, -0x1.6622e6p-21f, -0x1.f881f8p-23f, -0x1.9c5ebp-24f,
     -0x1.467d9ap-5f, -0x1.703c82p-6f, -0x1.bc0518p-7f, -0x1.0f30dp-7f},
    {0x1.408b2cp-10f, 0x1.e3edf8p-12f, 0x1.8f34d6p-13f, 0x1.5f7f46p-14f, 0x1.d81896p-16f, 0x1.0481fep-17f,
     0x1.511ab8p-19f, 0x1.f41c72p-21f, 0x1.1b1934p-22f, 0x1.0cc4p-24f, 0x1.41264p-26f, 0x1.c72e92p-28f,
     0x1.f16f8ap-7f, 0x1.05fc5ap-7f, 0x1.363c24p-8f, 0x1.7300fcp-9f},
};

// The parts of the Gaussian tail that gelu (gauss_tail_x_scaled below) and its gradient (backward.h)
// share, each written once, so that a kernel computing both (the GLU backward) evaluates them once.
//
// e^(-a^2/2) = (1 + tm) 2^n, its argument the exact double-float -(a*a)/2 (TwoProduct, halving exact): that
// exponent reaches -105, where a float-rounded argument alone would cost up to 2^-24 * 105 ~ 4 ulp. With
// it s = 2^(n + kOff - 1): the offset form's power of two with the 1/2 of Phi = erfc/2 folded in.
template <class V>
struct GaussExp {
  ExpParts<V> e;
  typename V::F s;
};
template <class V>
inline GaussExp<V> gauss_exp(typename V::F a) {
  using F = typename V::F;
  const F nha = V::mul(a, V::set1(-0.5f));  // exact
  const F zh = V::mul(a, nha);               // -(a*a)/2 = zh + zl exactly (TwoProduct)
  const F zl = V::fms(a, nha, zh);
  const ExpParts<V> e = exp_parts<V>(zh, zl);
  return {e, pow2<V, kOff - 1>(e.t)};
}

// G(a) piecewise: P(a - t) on a's interval (see kGaussPwT). Error: the fit 2^-27.5,
// the last fma 0.5 ulp (t is small: the earlier roundings reach G scaled down).
template <class V>
inline typename V::F erfcx_pieces(typename V::F a) {
  using F = typename V::F;
  const typename V::I slot = V::template isra<21>(V::asint(V::add(a, V::set1(1.0f))));
  const F t = V::sub(a, V::lookup16(kGaussPwT, slot));
  F h = V::fma(V::lookup16(kGaussPwC[6], slot), t, V::lookup16(kGaussPwC[5], slot));
#pragma GCC unroll 8
  for (int i = 4; i >= 0; --i) h = V::fma(h, t, V::lookup16(kGaussPwC[i], slot));
  return h;
}

// G(a) in the rational form as a G(a) = Y H(Z), Y = a/(L + a) (one division, rounded once) and Z = 1 - 2Y.
template <class V>
struct ErfcxRational {
  typename V::F Y, h;
};
template <class V>
inline ErfcxRational<V> erfcx_rational(typename V::F a) {
  using F = typename V::F;
  const F Y = V::div(a, V::add(V::set1(kErfcxL), a));
  // 1 - 2Y rounded once, on the add pipes (Y + Y is exact): the same bits as fma(Y, -2, 1), one op fewer
  // on the FMA pipes, which bound this kernel.
  const F Z = V::sub(V::set1(1.0f), V::add(Y, Y));
  // H(Z) = A(Z) + Z^4 B(Z), A of degree 3 and B of degree 4 by Horner side by side: five steps after Z
  // instead of eight, for two multiplies (Z^2, Z^4). |Z^4 B| < 0.02 |H|, so B's roundings reach H scaled
  // down; A's last step rounds at H's scale before the sum, one rounding more than Horner's (up to
  // ~0.5 ulp of H where Z is near 1, i.e. small |x|: the full sweep's maximum rose by 0.19 ulp).
  const F z2 = V::mul(Z, Z);
  F hb = V::fma(V::set1(kErfcxH[8]), Z, V::set1(kErfcxH[7]));
  for (int i = 6; i >= 4; --i) hb = V::fma(hb, Z, V::set1(kErfcxH[i]));
  F ha = V::fma(V::set1(kErfcxH[3]), Z, V::set1(kErfcxH[2]));
  for (int i = 1; i >= 0; --i) ha = V::fma(ha, Z, V::set1(kErfcxH[i]));
  return {Y, V::fma(hb, V::mul(z2, z2), ha)};
}

// a Phi(-a) 2^kOff = e^(-a^2/2) Y H / 2 from the rational parts (see gauss_tail_x_scaled).
template <class V>
inline typename V::F gauss_tail_rational(const GaussExp<V>& g, const ErfcxRational<V>& r) {
  using F = typename V::F;
  // Y 2^(n+kOff-1): exact (Y >= 0 only loses bits of its own if a is subnormal; the scale is >= 2^-53).
  const F ys = V::mul(r.Y, g.s);
  // ys h (1 + tm) with ONE rounding: ys h as a double-float (TwoProduct, exact: no under/overflow at these
  // scales), then yh + (yh tm + yl).
  const F yh = V::mul(ys, r.h);
  const F yl = V::fms(ys, r.h, yh);
  return V::add(yh, V::fma(yh, g.e.tm, yl));
}

// Returns a Phi(-a) * 2^kOff for a in [0, kGeluClamp] (offset form, see math.h: exact scaling down to the
// subnormal range of the final result): e^(-a^2/2) a G(a) / 2 from the parts above.
// Piecewise (V::kLookup16): a 2^(n+kOff-1) is exact, times G rounds once, times 1 + tm (an fma) once
// more. Error: exp 0.75 ulp, G ~0.5 (its last fma; t is small, the fit 2^-27.5), two roundings. AVX2
// keeps the rational form: a 16-entry lookup there is two vpermps and a blend (or a gather), and the
// piecewise tail built on it runs slower than the rational one; so does one on 8 intervals (one vpermps
// per coefficient, degree 8), the permutes sharing the FMA pipes.
// Rational (otherwise): Y's rounding (Y H(Z) passes Y's relative error ~1:1 near 0); Z one more rounding
// (H is flat in Z: ~0.3 ulp); H(Z) ~0.8 (+ the fit, 2^-25.9); the product with e^(-a^2/2) rounds once. It
// is bound by its long dependency chain (L + a, division, Z, H, product) more than by its fma count (with
// 16 registers, too few vectors are in flight to hide it), so the power of two goes onto Y (off the chain)
// rather than onto the result, and H is evaluated in two halves. Y h rounded on its own, before the product
// with 1 + tm, would exceed the 4 ulp bar: hence the TwoProduct there.
// The full sweeps' maxima of both forms: docs/accuracy.md.
template <class V>
inline typename V::F gauss_tail_x_scaled(typename V::F a) {
  using F = typename V::F;
  const GaussExp<V> g = gauss_exp<V>(a);
  if constexpr (V::kLookup16) {
    const F yh = V::mul(V::mul(a, g.s), erfcx_pieces<V>(a));
    return V::fma(yh, g.e.tm, yh);
  } else {
    return gauss_tail_rational<V>(g, erfcx_rational<V>(a));
  }
}

}  // namespace math
}  // namespace SWIGLU_NS
}  // namespace swiglu
