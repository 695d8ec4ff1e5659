// log1p on [0, 1] for softplus (log1p(e^-|z|)), written once over V. Included after math.h.
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
// error that still leaves the bar room. act_bench, 1e5, 1 thread, three alternating runs on Zen 5: avx512
// 4.73 -> 4.99, softplus(2) 4.05 -> 4.25 Gelem/s. Full sweeps 1.907 -> 2.123 ulp (softplus), 1.907 ->
// 2.182 (beta = 2); bar 4. Degree 6 (2^-22.1) would spend the whole bar on the fit.
constexpr float kLog1pE[8] = {-0x1.ffff14p-2f, 0x1.5535dep-2f,  -0x1.fd1368p-3f, 0x1.884554p-3f,
                              -0x1.19af8ep-3f, 0x1.44707ap-4f, -0x1.eca398p-6f, 0x1.5fa0dap-8f};

// log1p(E) * 2^K from E in [0, 1] and lead = E * 2^K (exact), K = kOff (math.h's offset form: lead = p
// exact, E = p 2^-kOff may be subnormal or 0) or 0 (lead = E: softplus at beta = 1, whose result is this
// value itself, subnormal where it is). The result is fma(E^2, P(E) 2^K, lead), the power of two folded into
// P's coefficients (exact): no multiply for E p (softplus 4.0 -> 4.2 Gelem/s avx512, 1.80 -> 1.92 avx2,
// act_bench at 1e5, 1 thread, alternating runs; full sweep unchanged at 1.995 ulp). E^2 underflows (to 0
// or a subnormal) only where it is negligible against E, so tiny E gives lead itself (log1p(E) = E to
// 2^-24) with no branch, and with K = kOff the result stays normal down to softplus's own underflow.
// Error: E carries the exp's ~0.75 ulp (~1 from exp2_parts; log1p's condition number on [0, 1] is <= 1);
// P by Horner ~1 ulp of P, entering with weight |E^2 P| / log1p(E) <= 0.45; the fit 2^-24.8; the last fma
// rounds once. Total <= ~2 ulp (~2.5 in base 2).
// Horner, not Estrin: one op fewer on the FMA pipes (no E^4), the chain twice as deep. Once the rest of
// softplus had lost its spare ops, its fma count bound it more than this chain: at degree 8, act_bench,
// 1e5, 1 thread, four alternating runs: avx512 4.25 -> 4.53, softplus(2) 3.90 -> 4.04 Gelem/s (avx2
// alike), and fewer roundings: full sweeps 1.995 -> 1.907 ulp (softplus), 2.049 -> 1.907 (beta = 2).
// Earlier, with more ops around it, Estrin had been the faster (3.89 -> 4.01).
template <class V, int K>
inline typename V::F log1p_poly(typename V::F E, typename V::F lead) {
  using F = typename V::F;
  auto c = [](int i) { return V::set1(kLog1pE[i] * exp2i(K)); };
  F P = V::fma(c(7), E, c(6));
#pragma GCC unroll 8
  for (int i = 5; i >= 0; --i) P = V::fma(P, E, c(i));
  return V::fma(V::mul(E, E), P, lead);
}

}  // namespace math
}  // namespace SWIGLU_NS
}  // namespace swiglu
