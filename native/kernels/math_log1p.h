// log1p on [0, 1] for softplus (log1p(e^-|z|)), written once over V. Included after math.h.
#pragma once
#include "math.h"

namespace swiglu {
namespace SWIGLU_NS {
namespace math {

// log1p(f) = f + f^2 Q(f) on f in [sqrt(1/2) - 1, sqrt(2) - 1], rel error 2^-30.3 (fit_coeffs.py, kLog1pQ9).
constexpr float kLog1pQ[10] = {-0x1.000000p-1f, 0x1.555548p-2f, -0x1.000006p-2f, 0x1.99a47ap-3f, -0x1.555c52p-3f,
                               0x1.233b38p-3f,  -0x1.fc256cp-4f, 0x1.e6c3a6p-4f, -0x1.de1b4ep-4f, 0x1.148b0cp-4f};
constexpr float kSqrt2 = 0x1.6a09e6p+0f;
constexpr float kLn2F = 0x1.62e430p-1f;    // ln2 hi (exactly kLn2Hi)
constexpr float kLn2FLo = -0x1.05c610p-29f;

// log1p(E) for E in [0, 1] (NaN-free input). u = 1 + E rounds, but c = (1 - u) + E recovers the lost
// bits exactly (Fast2Sum, 1 >= E). With u = m 2^k, m in [sqrt(1/2), sqrt(2)), k in {0, 1}:
// log1p(E) = k ln2 + log1p(f), f = (m - 1) + c 2^-k = ((1 + E) 2^-k - 1) rounded ONCE (m - 1 is exact by
// Sterbenz), so f carries 0.5 ulp and log1p(f) (condition ~1) keeps it; k = 1 only for E > 0.414 where
// the result is >= 0.35 and ln2 + log1p(f) (log1p(f) >= -0.35) does not cancel. Total <= ~1 ulp.
template <class V>
inline typename V::F log1p_unit(typename V::F E) {
  using F = typename V::F;
  const F one = V::set1(1.0f);
  const F u = V::add(one, E);
  const F c = V::add(V::sub(one, u), E);
  const auto big = V::gt(u, V::set1(kSqrt2));
  const F half = V::select(big, V::set1(0.5f), one);
  const F f = V::fma(c, half, V::fms(u, half, one));  // (u 2^-k - 1) exact, + c 2^-k: one rounding
  F q = V::fma(V::set1(kLog1pQ[9]), f, V::set1(kLog1pQ[8]));
  for (int i = 7; i >= 0; --i) q = V::fma(q, f, V::set1(kLog1pQ[i]));
  const F kh = V::select(big, V::set1(kLn2F), V::zero());
  const F kl = V::select(big, V::set1(kLn2FLo), V::zero());
  return V::add(kh, V::fma(V::mul(f, f), q, V::add(f, kl)));
}

}  // namespace math
}  // namespace SWIGLU_NS
}  // namespace swiglu
