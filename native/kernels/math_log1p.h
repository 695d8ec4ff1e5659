// log1p on [0, 1] for softplus (log1p(e^-|z|)), written once over V. Included after math.h.
// The measurements that chose among the forms described here: docs/tuning-log.md.
#pragma once
#include "math.h"

namespace swiglu {
namespace SWIGLU_NS {
namespace math {

// log1p(E) = E + E^2 P(E) on E in [0, 1], P of degree 7, rel error 2^-24.8 (fit_coeffs.py, kLog1pE7).
// A polynomial straight in E, with no reduction to a mantissa: log1p's nearest singularity (E = -1) is
// far enough from [0, 1], and dropping the reduction (1 + E, its Fast2Sum correction, the k ln2 split)
// shortens softplus's dependency chain, which is what bounds its speed (exp then log).
// Degree 7, not 8 (2^-27.5): one fma fewer on the FMA pipes and one step fewer in the chain, for a fit
// error that still leaves the 4 ulp bar room. Degree 6 (2^-22.1) would spend the whole bar on the fit.
constexpr float kLog1pE[8] = {-0x1.ffff14p-2f, 0x1.5535dep-2f,  -0x1.fd1368p-3f, 0x1.884554p-3f,
                              -0x1.19af8ep-3f, 0x1.44707ap-4f, -0x1.eca398p-6f, 0x1.5fa0dap-8f};

// log1p(E) * 2^K from E in [0, 1] and lead = E * 2^K (exact), K = kOff (math.h's offset form: lead = p
// exact, E = p 2^-kOff may be subnormal or 0) or 0 (lead = E: softplus at beta = 1, whose result is this
// value itself, subnormal where it is). The result is fma(E^2, P(E) 2^K, lead), the power of two folded into
// P's coefficients (exact): no multiply for E p. E^2 underflows (to 0 or a subnormal) only where it is
// negligible against E, so tiny E gives lead itself (log1p(E) = E to 2^-24) with no branch, and with
// K = kOff the result stays normal down to softplus's own underflow.
// Error: E carries the exp's ~0.75 ulp (~1 from exp2_parts; log1p's condition number on [0, 1] is <= 1);
// P ~1 ulp of P, entering with weight |E^2 P| / log1p(E) <= 0.45; the fit 2^-24.8; the last fma
// rounds once. Total <= ~2.5 ulp (the full sweeps' maxima: docs/accuracy.md).
// Evaluation: P = q01 + E^2 (q23 + E^2 R), q01 = c0 + c1 E, q23 = c2 + c3 E, R = c4 + ... + c7 E^3 by
// Horner. E^2 is needed for the last fma anyway, so this costs what plain Horner costs on the FMA pipes
// (7 fmas) with a chain five deep instead of seven. q01, q23 and R are negative on all of [0, 1], so the
// sums add like signs and nothing cancels. Not used: Estrin (one op more for E^4) and an even/odd split
// P = Pe(E^2) + E Po(E^2) (Pe ~ -0.92 and E Po ~ +0.61 cancel near E = 1, which costs accuracy).
template <class V, int K>
inline typename V::F log1p_poly(typename V::F E, typename V::F lead) {
  using F = typename V::F;
  auto c = [](int i) { return V::set1(kLog1pE[i] * kExp2<K>); };
  const F w = V::mul(E, E);
  F R = V::fma(c(7), E, c(6));
  R = V::fma(R, E, c(5));
  R = V::fma(R, E, c(4));
  const F q23 = V::fma(c(3), E, c(2));
  const F q01 = V::fma(c(1), E, c(0));
  return V::fma(w, V::fma(w, V::fma(w, R, q23), q01), lead);
}

}  // namespace math
}  // namespace SWIGLU_NS
}  // namespace swiglu
