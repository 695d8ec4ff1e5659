// Shared float32 math for the activation kernels, written once over the vector layer V.
// Included inside namespace swiglu::SWIGLU_NS by activations.h; only V members, plain arithmetic and
// fused operations appear here (no std:: calls: see native/simd/README.md).
//
// Error analysis conventions: "ulp" is of the float32 result; "rel" is relative error. Products marked
// exact use the fma residual (TwoProduct): a*b = p + fms(a, b, p) exactly when no under/overflow.
// Polynomial coefficients come from native/kernels/fit/fit_coeffs.py (output in fit/coeffs.txt).
// The measurements that chose among the forms described here: docs/tuning-log.md.
#pragma once
#include <cstdint>

namespace swiglu {
namespace SWIGLU_NS {
namespace math {

// ---- constants ------------------------------------------------------------------------------------
constexpr float kLog2e = 0x1.715476p+0f;
// ln2 = kLn2Hi + kLn2Lo to ~2^-48. n*kLn2Hi is exact inside the fma and h - n*kLn2Hi is exactly
// representable (|result| < 0.35 and a multiple of 2^-25 whenever n != 0), so rh below is exact.
constexpr float kLn2Hi = 0x1.62e430p-1f;
constexpr float kLn2Lo = -0x1.05c610p-29f;
// 1.5 * 2^23: h*log2e + kRound rounds to an integer (ties to even) held in the low mantissa bits, so
// asint(t) = 0x4B400000 + n and the bits of 2^m are (asint(t) + m - n + 127) << 23 (the high bits fall
// off the shift). Valid for |n| < 2^22; we use |n| <= 250.
constexpr float kRound = 0x1.8p+23f;
// e^r = 1 + r + r^2 q(r) on |r| <= ln2/2, minimax rel error 2^-28.3 (fit_coeffs.py, kExpQ).
constexpr float kExpQ[5] = {0x1.fffffcp-2f, 0x1.555492p-3f, 0x1.5558b8p-5f, 0x1.1239a4p-7f, 0x1.6a4502p-10f};

template <class V>
inline typename V::F sign_mask() { return V::set1(-0.0f); }

// ---- exp with a double-float argument ---------------------------------------------------------------
// e^(h + l) = (1 + tm) * 2^n, |l| <= 2^-17 (the rounding error of an argument |h| < 256), h in
// [-250 ln2, 127 ln2].
// rh = h - n ln2_hi is exact; rl = l - n ln2_lo carries the rest (|rl| < 2^-17), so the reduced
// argument is known to ~2^-45 absolute: the conditioning of e^h (|h|, up to ~150) costs nothing here.
// tm = e^(rh + rl) - 1 = rh + [rl + r^2 q(r)], r = rh + rl (rounded: r^2 q(r) has slope e^r - 1 < 0.42,
// so r's 2^-26 rounding moves it by < 2^-27.3), summed so that only the last addition rounds at tm's scale.
// rl must stay outside the rounded r in the linear term: |rl| reaches 2^-17 and would lose 2^-26.
// |err(tm)| <= 2^-26 (last rounding) + 2^-27.3 + 2^-28.3 (fit) -> e^(h+l) within ~0.9 ulp before scaling.
template <class V>
struct ExpParts {
  typename V::F tm;   // e^r - 1, |tm| < 0.42
  typename V::F t;    // kRound + n; asint(t) = 0x4B400000 + n
};

// e^r = 1 + r + r^2 q(r): q in r two ways, same coefficients and operation count: Estrin (the default: from r to
// w two fmas after r^2, instead of four fmas in a row) and Horner (kHorner). Either way q's roundings reach
// tm through r^2 <= 0.12, below 2^-27. Estrin shortens the chain, which is what bounds the latency-bound ops
// (sigmoid, tanh, softplus, gelu-tanh); gelu, bound by its fma count and its division rather than this
// chain, keeps Horner.
// kNeg: q(-r) from r, the odd coefficients negated (the same values bit for bit as q of the negated
// argument: rounding to nearest is symmetric).
template <class V, bool kHorner = false, bool kNeg = false>
inline typename V::F exp_q(typename V::F r, typename V::F r2) {
  using F = typename V::F;
  constexpr float o = kNeg ? -1.0f : 1.0f;  // sign of the odd coefficients
  if (kHorner) {
    F q = V::fma(V::set1(kExpQ[4]), r, V::set1(o * kExpQ[3]));
    q = V::fma(q, r, V::set1(kExpQ[2]));
    q = V::fma(q, r, V::set1(o * kExpQ[1]));
    return V::fma(q, r, V::set1(kExpQ[0]));
  }
  const F q01 = V::fma(V::set1(o * kExpQ[1]), r, V::set1(kExpQ[0]));
  const F q23 = V::fma(V::set1(o * kExpQ[3]), r, V::set1(kExpQ[2]));
  return V::fma(V::fma(V::set1(kExpQ[4]), r2, q23), r2, q01);
}

// Its one user is gelu's Gaussian tail (math_erfc.h), whose exponent -(a^2)/2 is exact as a double-float
// only in base e (base 2 would cost more than exp2_parts saves), and which is bound by its fma count and
// division rather than this chain: q by Horner there.
template <class V>
inline ExpParts<V> exp_parts(typename V::F h, typename V::F l) {
  using F = typename V::F;
  const F t = V::fma(h, V::set1(kLog2e), V::set1(kRound));
  const F n = V::sub(t, V::set1(kRound));
  const F rh = V::fnma(n, V::set1(kLn2Hi), h);
  const F rl = V::fnma(n, V::set1(kLn2Lo), l);
  const F r = V::add(rh, rl);
  const F r2 = V::mul(r, r);
  const F w = V::fma(r2, exp_q<V, true>(r, r2), rl);
  return {V::add(rh, w), t};
}

// Same, argument exact in one float (l = 0). Here the reduced argument is rounded once,
// r = fma(-n, ln2_lo, h - n ln2_hi), and tm = fma(r^2, q, r): no separate linear term, two adds fewer
// than the double-float form (the Estrin q as above). Error: r's rounding (<= 2^-26, |r| < 0.35) and
// tm's (<= 2^-26) instead of tm's alone, so e^h within ~1.2 ulp before scaling instead of ~0.9.
// Its users (sigmoid, silu, tanh, elu, mish) wait on the add pipes and on this chain, not on the FMA pipes.
// kShortTm: tm = (r + r^2 q01) + r^4 (q23 + r^2 q4), three fmas deep after r^2 instead of four (one more
// multiply, r^4), for a kernel bound by this chain alone (silu on AVX2, where 16 registers hold too few
// vectors in flight to hide it). Its error: r + r^2 q01 rounds once more at tm's scale (<= 2^-26 more).
// kNeg: e^-h, the same bits as exp_parts(-h) without the negation: t from -log2(e), the reduced argument
// carried as -r (n ln2 added to h instead of subtracted from -h), the polynomial's odd terms negated.
template <class V, bool kShortTm = false, bool kNeg = false>
inline ExpParts<V> exp_parts(typename V::F h) {
  using F = typename V::F;
  constexpr float o = kNeg ? -1.0f : 1.0f;
  const F t = V::fma(h, V::set1(o * kLog2e), V::set1(kRound));
  const F n = V::sub(t, V::set1(kRound));
  // r (or -r with kNeg) = h - o n ln2, n ln2 in two parts
  const F r = V::fma(n, V::set1(-o * kLn2Lo), V::fma(n, V::set1(-o * kLn2Hi), h));
  const F r2 = V::mul(r, r);
  // tm = o r + r^2 (...): the linear term added (fma) or, as -r, subtracted (fms)
  const auto lin = [](F a, F b, F c) { return kNeg ? V::fms(a, b, c) : V::fma(a, b, c); };
  if (kShortTm) {
    const F lo = lin(r2, V::fma(V::set1(o * kExpQ[1]), r, V::set1(kExpQ[0])), r);
    const F hi = V::fma(V::set1(kExpQ[4]), r2, V::fma(V::set1(o * kExpQ[3]), r, V::set1(kExpQ[2])));
    return {V::fma(V::mul(r2, r2), hi, lo), t};
  }
  return {lin(r2, exp_q<V, false, kNeg>(r, r2), r), t};
}

// ---- 2^(h + l): the double-float exponent already in base 2 ----------------------------------------
// Where the exponent is a constant times x (gelu-tanh, silu and softplus with a beta), log2(e) folds into
// that constant's split for free, and the reduction needs no ln2 products: t = h + kRound (an add, not an
// fma), f = (h - n) + l with h - n exact (|h - n| <= 1/2 and h, n multiples of ulp(h) or Sterbenz), and
// 2^f = 1 + ln2 f + f^2 Q(f) on |f| <= 1/2 (+ |l|), minimax rel error 2^-28.3 (fit_coeffs.py, kExp2Q).
// Against exp_parts(h, l) (base e): three fewer ops on the FMA pipes (t, and the two n ln2 products) for one
// more multiply (ln2 f), and two more adds.
// Error: f rounds once (<= 2^-25 absolute at |f| ~ 1/2, times ln2), ln2 f once (2^-26), the last fma once
// (2^-26), ln2's float (2^-28.4 relative) and the fit: 2^f within ~1 ulp before scaling (base e: ~0.9).
constexpr float kExp2Q[5] = {0x1.ebfbdcp-3f, 0x1.c6af88p-5f, 0x1.3b2de2p-7f, 0x1.5f0448p-10f, 0x1.4169c6p-13f};
constexpr float kLn2 = 0x1.62e430p-1f;  // ln2 rounded to float: 2^-28.4 relative

// How exp2_parts evaluates tm = 2^f - 1, the same polynomial either way:
//  - kHorner: f (ln2 + f (Q0 + f (Q1 + ...))), five fmas and a multiply: one op fewer on the FMA pipes,
//    six deep. For the kernels bound by their FMA-pipe ops (quickGelu, silu with a beta, gelu-tanh). Error
//    alike (the last fma and the multiply round where Estrin rounded ln2 f and the last fma).
//  - kEstrin: f^2 first, then two pairs and two fmas, with ln2 f as its own product: four deep after f.
//    For softplus with a beta, bound by its exp -> log1p chain.
enum class Exp2Poly { kHorner, kEstrin };

// 2^(h + l) = (1 + tm) * 2^n for a double-float h + l (|l| <= 2^-17), h in [-250, 127].
template <class V, Exp2Poly kPoly = Exp2Poly::kHorner>
inline ExpParts<V> exp2_parts(typename V::F h, typename V::F l) {
  using F = typename V::F;
  const F t = V::add(h, V::set1(kRound));
  const F n = V::sub(t, V::set1(kRound));
  const F f = V::add(V::sub(h, n), l);
  if (kPoly == Exp2Poly::kHorner) {
    F w = V::fma(V::set1(kExp2Q[4]), f, V::set1(kExp2Q[3]));
    for (int i = 2; i >= 0; --i) w = V::fma(w, f, V::set1(kExp2Q[i]));
    return {V::mul(V::fma(w, f, V::set1(kLn2)), f), t};
  }
  const F f2 = V::mul(f, f);
  const F q01 = V::fma(V::set1(kExp2Q[1]), f, V::set1(kExp2Q[0]));
  const F q23 = V::fma(V::set1(kExp2Q[3]), f, V::set1(kExp2Q[2]));
  const F q = V::fma(V::fma(V::set1(kExp2Q[4]), f2, q23), f2, q01);
  return {V::fma(f2, q, V::mul(f, V::set1(kLn2))), t};
}

// 2^(n + K) from ExpParts::t. Requires n + K in [-126, 127].
template <class V, int K>
inline typename V::F pow2(typename V::F t) {
  return V::asfloat(V::template ishl<23>(V::iadd(V::asint(t), V::seti(K + 127))));
}

// 2^n as s 2^k with both factors normal: s = 2^(n-k), c = 2^-k, k = max(n - K, 0), from ExpParts::t. For a
// quotient m 2^n / (... + 2^n) carried as (m c) / (... c + s): exact scalings, so the result is the same
// bits as the unscaled form wherever that one stays finite (k = 0 is that form itself), and it rounds once
// also where it is subnormal. Requires n in [-126, K + 126] (K <= 126).
template <class V, int K>
inline void pow2_scaled(typename V::F t, typename V::F* s, typename V::F* c) {
  using I = typename V::I;
  const I k = V::imax(V::isub(V::asint(t), V::seti(0x4B400000 + K)), V::seti(0));  // asint(t) = 0x4B400000 + n
  *s = V::asfloat(V::template ishl<23>(V::isub(V::iadd(V::asint(t), V::seti(127)), k)));
  *c = V::asfloat(V::template ishl<23>(V::isub(V::seti(127), k)));
}

// Constant 2^k as a float (k in [-126, 127]).
constexpr float exp2i(int k) {
  float r = 1.0f;
  for (; k > 0; --k) r *= 2.0f;
  for (; k < 0; ++k) r *= 0.5f;
  return r;
}
// 2^K as a compile-time constant. exp2i called where a constant is not required is left to the
// optimizer: g++ folds its loop, but Clang -O2 emitted it as a 100-step scalar loop inside every vector
// of the silu/gelu/softplus loops (scripts/neon-mca.sh, docs/neon-estimates.md). Use this in kernels.
template <int K>
inline constexpr float kExp2 = exp2i(K);

// The far tails work in "offset" form: a value v * 2^n with n down to -226 is carried as
// (v * 2^(n+kOff)) and multiplied by 2^-kOff once, at the very end, so that an exp that underflows
// on its own (e^h subnormal for h < -87.3) still yields a normal, correctly rounded x * e^h.
// The first product is exact (a power of two on a normal number), the last one rounds once,
// gradually if the result is subnormal.
constexpr int kOff = 100;
constexpr float kInvOff = exp2i(-kOff);

// ---- expm1 on (-inf, 0] ---------------------------------------------------------------------------
// h must be in [-87, 0] (callers clamp; expm1(-87) = -1 in float32).
// expm1(h) = 2^n (1 + tm) - 1 = fma(2^n, tm, 2^n - 1): 2^n - 1 is exact for n >= -24 (and rounds to the
// right neighbour of -1 below), the fma rounds once. For n = 0 this is tm itself, relative accurate;
// for n <= -1 the result is <= -0.29 and |2^n tm| <= 0.21, so tm's 2^-26 error stays < 0.5 ulp.
template <class V>
inline typename V::F expm1_neg(typename V::F h) {
  using F = typename V::F;
  const ExpParts<V> e = exp_parts<V>(h);
  const F s = pow2<V, 0>(e.t);
  return V::fma(s, e.tm, V::sub(s, V::set1(1.0f)));
}

// ---- m * sigmoid(z) -------------------------------------------------------------------------------
// The denominator 1 + E of m sigmoid(z) from p = E 2^kOff (E = e^-|z|), rounded once: 1 + E where the
// numerator is plain (z >= 0), (1 + E) 2^kOff where it is in offset form (z < 0; p + 2^kOff, the same
// rounding as 1 + E scaled exactly). The quotient is then the result itself, rounded once also where it is
// subnormal: no multiply by 2^-kOff after the division, one op fewer on the FMA pipes and on the chain.
// The choice is of the fma's constants (selects off the FMA pipes, and off the chain: they depend on neg
// alone), so one op stands between p and the denominator; two sums and a select of them would add a step.
template <class V>
inline typename V::F sigmoid_den(typename V::M neg, typename V::F p) {
  const typename V::F one = V::set1(1.0f);
  return V::fma(p, V::select(neg, one, V::set1(kInvOff)), V::select(neg, V::set1(kExp2<kOff>), one));
}

// Returns (neg ? xn * e^-|z| : xp) / (1 + e^-|z|), i.e. xp*sigmoid(z) where z >= 0 and xn*sigmoid(z) where
// z < 0. The caller passes -|z| log2(e) = ah + al (a double-float exponent in base 2, ah in [-217, 0]:
// clamped past every underflow the callers need) and the mask neg = (z < 0) computed from the UNclamped
// input, so NaN lands in the xp branch and flows through when xp is the input itself.
//  - One division. e^-|z| is carried in offset form (times 2^kOff), so xn * e^z stays exact-to-rounding
//    where e^z alone would be subnormal (silu/gelu near x = -90 are normal numbers).
//  - xn must be finite (callers clamp it together with z).
// Error budget: e^-|z| <= ~1 ulp (exp2_parts); den rounds once (0.5 ulp; the e^-|z| error enters den with
// weight E/(1+E) <= 1/2); xn e^-|z| rounds once (xn 2^n exact, then the fma); the division (by sigmoid_den)
// rounds once, 0.5, straight to the result, also where it is subnormal.
// Worst case ~2.6 ulp, typically < 1.5.
template <class V>
inline typename V::F mul_sigmoid(typename V::M neg, typename V::F ah, typename V::F al, typename V::F xp,
                                 typename V::F xn) {
  using F = typename V::F;
  const ExpParts<V> e = exp2_parts<V>(ah, al);
  const F s = pow2<V, kOff>(e.t);
  const F p = V::fma(s, e.tm, s);  // e^-|z| * 2^kOff, one rounding
  const F u = V::mul(xn, s);  // exact (power of two)
  return V::div(V::select(neg, V::fma(u, e.tm, u), xp), sigmoid_den<V>(neg, p));
}

// Same with -|z| exact in one float (base e: here log2(e) would cost a TwoProduct). Here the power of two is
// 2^(n+kOff) where z < 0 and 2^n elsewhere (the exponent's offset chosen per lane, off the chain), so the
// denominator is one fma after tm: s tm + (s + c), c = 2^kOff or 1, instead of p = s tm + s and then
// sigmoid_den's fma (one op fewer on the FMA pipes, one step less in the chain the kernel waits on). s + c is
// exact while 2^n >= 2^-23 c; below, it rounds (by <= 2^n) and the fma rounds again: the denominator within
// ~0.7 ulp there instead of 0.5, where the result's other errors are small (e^-|z| < 2^-23).
template <class V>
inline typename V::F mul_sigmoid(typename V::M neg, typename V::F ah, typename V::F xp, typename V::F xn) {
  using F = typename V::F;
  const ExpParts<V> e = exp_parts<V>(ah);
  const typename V::I k = V::selecti(neg, V::seti(kOff + 127), V::seti(127));  // biased exponent offset
  // asint(t) + k = 0x4B400000 + n + k (see kRound); its low 9 bits, shifted up, are 2^(n+kOff) or 2^n. Where
  // z >= 0 and n < -126 (e^-|z| below the normal range: 1 + E is 1) the max makes it 2^-126 instead.
  const F s = V::asfloat(V::template ishl<23>(V::imax(V::iadd(V::asint(e.t), k), V::seti(0x4B400001))));
  const F c = V::asfloat(V::template ishl<23>(k));                              // 2^kOff or 1
  const F u = V::mul(xn, s);  // exact (power of two)
  return V::div(V::select(neg, V::fma(u, e.tm, u), xp), V::fma(s, e.tm, V::add(s, c)));
}

// ---- double-float helpers -------------------------------------------------------------------------
// A double-precision constant c split as hi + lo floats; products with a float x are then
// x*c = fma(hi, x, lo*x) to within ~2^-48 relative before the final rounding.
struct Split {
  float hi, lo;
};
inline Split split(double c) {
  const float hi = static_cast<float>(c);
  return {hi, static_cast<float>(c - static_cast<double>(hi))};
}

}  // namespace math
}  // namespace SWIGLU_NS
}  // namespace swiglu
