// The Gaussian tail Phi(-a) = erfc(a/sqrt2)/2 for a = |x| >= 0, relative accuracy down to gelu's underflow.
// Included after math.h.
#pragma once
#include "math.h"

namespace swiglu {
namespace SWIGLU_NS {
namespace math {

// G(a) = e^(a^2/2) erfc(a/sqrt2) (the scaled complementary error function at a/sqrt2) is smooth and slowly
// varying on [0, inf) (1 at 0, ~ sqrt(2/pi)/a at infinity). Following the idea of Weideman's erfc expansion,
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

// Returns a Phi(-a) * 2^kOff for a in [0, kGeluClamp] (offset form, see math.h: exact scaling down to the
// subnormal range of the final result).
// e^(-a^2/2) takes its argument as the exact double-float -(a*a)/2 (TwoProduct, halving exact): that
// exponent reaches -105, where a float-rounded argument alone would cost up to 2^-24 * 105 ~ 4 ulp.
// Error: exp 0.75 ulp; Y: L + a and the division round (Y H(Z) passes Y's relative error ~1:1 near 0);
// Z = 1 - 2Y one more rounding (H is flat in Z: ~0.3 ulp); Horner ~0.8 (+ the fit, 2^-25.9); the product
// with e^(-a^2/2) rounds once. Full sweep: 3.63 ulp max (gelu, at x = -0.33256; every ISA).
// Speed: the kernel is bound by its long dependency chain (L + a, division, Z, Horner, product) as much
// as by its fma count, so the power of two goes onto Y (off the chain) rather than onto the result.
template <class V>
inline typename V::F gauss_tail_x_scaled(typename V::F a) {
  using F = typename V::F;
  const F nha = V::mul(a, V::set1(-0.5f));  // exact
  const F zh = V::mul(a, nha);               // -(a*a)/2 = zh + zl exactly (TwoProduct)
  const F zl = V::fms(a, nha, zh);
  const ExpParts<V> e = exp_parts<V>(zh, zl);
  const F s = pow2<V, kOff - 1>(e.t);  // the 1/2 of Phi = erfc/2 is folded into the power of two
  const F Y = V::div(a, V::add(V::set1(kErfcxL), a));
  // 1 - 2Y rounded once, on the add pipes (Y + Y is exact): the same bits as fma(Y, -2, 1), one op fewer
  // on the FMA pipes, which bound this kernel.
  const F Z = V::sub(V::set1(1.0f), V::add(Y, Y));
  // Y 2^(n+kOff-1): exact (Y >= 0 only loses bits of its own if a is subnormal; the scale is >= 2^-53).
  const F ys = V::mul(Y, s);
  F h = V::fma(V::set1(kErfcxH[8]), Z, V::set1(kErfcxH[7]));
  for (int i = 6; i >= 0; --i) h = V::fma(h, Z, V::set1(kErfcxH[i]));
  // ys h (1 + tm) with ONE rounding: ys h as a double-float (TwoProduct, exact: no under/overflow at these
  // scales), then yh + (yh tm + yl). Each chained rounding can cost up to ~1 ulp of the result (mantissa
  // alignment), and the full sweep showed 4.3 ulp with Y h rounded on its own.
  const F yh = V::mul(ys, h);
  const F yl = V::fms(ys, h, yh);
  return V::add(yh, V::fma(yh, e.tm, yl));
}

}  // namespace math
}  // namespace SWIGLU_NS
}  // namespace swiglu
