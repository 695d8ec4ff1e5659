// The elementwise activations: Activation<V, A>, one functor per Act value, each written once over the
// vector layer V (native/simd/*.h) and instantiated per ISA by native/isa/<isa>.cc.
//
// Contract (README, "Accuracy"): NaN in -> NaN out; limits at +-Inf, never Inf/Inf or Inf*0;
// signed zeros as the formula gives them; max error vs the exact function (measured by
// native/tools/accuracy.cc over every float32) <= 4 ulp (mish 8, leakyRelu 1, relu/relu6 exact).
// Shared math (exp/expm1 cores, m*sigmoid(z), log1p, the Gaussian tail) lives in math*.h.
// The measurements that chose among the forms described here: docs/tuning-log.md.
#pragma once
#include <cfloat>
#include "../runtime/op_table.h"
#include "math.h"
#include "math_erfc.h"
#include "math_log1p.h"

namespace swiglu {
namespace SWIGLU_NS {

template <class V, int A>
struct Activation;

// Base of the activations that choose among specialised kernels once per call (silu, quickGelu,
// softplus): Op::visit(fn) calls fn with the kernel this call needs. The drivers (map.h) run a whole
// array through visit, and one vector goes through the same choice here, so each choice is written once.
template <class V, class Op>
struct ChoosesKernel {
  typename V::F operator()(typename V::F x) const {
    typename V::F y;
    static_cast<const Op&>(*this).visit([&](const auto& k) { y = k(x); });
    return y;
  }
};

// Re-inserts NaN where a clamp (min/max: ISA-specific on NaN) may have dropped it.
template <class V>
inline typename V::F keep_nan(typename V::F x, typename V::F y) {
  return V::select(V::isnan(x), x, y);
}

template <class V>
struct Activation<V, kIdentity> {
  explicit Activation(const ActParams&) {}
  typename V::F operator()(typename V::F x) const { return x; }
};

// relu(x) = x > 0 ? x : +0. "x <= 0 -> +0" keeps NaN (the compare is false) and maps -0 to +0.
template <class V>
struct Activation<V, kRelu> {
  static constexpr bool kPrefetch = false;  // see map.h: the hardware prefetcher keeps this loop fed
  explicit Activation(const ActParams&) {}
  typename V::F operator()(typename V::F x) const { return V::select(V::le(x, V::zero()), V::zero(), x); }
};

template <class V>
struct Activation<V, kRelu6> {
  explicit Activation(const ActParams&) {}
  typename V::F operator()(typename V::F x) const {
    const typename V::F six = V::set1(6.0f);
    return V::select(V::le(x, V::zero()), V::zero(), V::select(V::ge(x, six), six, x));
  }
};

// slope * x with slope = hi + lo (a double split): fma(hi, x, lo*x) rounds once, <= 0.5 ulp + 2^-48.
// lo*x uses x clamped to finite so that x = -Inf gives hi*(-Inf) alone (no Inf - Inf when lo < 0).
template <class V>
struct Activation<V, kLeakyRelu> {
  static constexpr bool kPrefetch = false;  // light enough for the hardware prefetcher (map.h)
  math::Split s;
  explicit Activation(const ActParams& p) : s(math::split(p.a)) {}
  typename V::F operator()(typename V::F x) const {
    const typename V::F xc = V::max(x, V::set1(-FLT_MAX));
    const typename V::F neg = V::fma(V::set1(s.hi), x, V::mul(V::set1(s.lo), xc));
    // at x = -0, lo*x may be +0 and flip the sign of slope*(-0): take hi*x there
    const typename V::F y = V::select(V::eq(x, V::zero()), V::mul(V::set1(s.hi), x), neg);
    return V::select(V::gt(x, V::zero()), x, y);
  }
};

// hardSigmoid = (x + 3)/6 inside (-3, 3): x + 3 is exact near -3 (Sterbenz) where the result is small,
// and the correctly rounded division leaves <= 0.7 ulp; NaN fails both compares and flows through.
template <class V>
struct Activation<V, kHardSigmoid> {
  explicit Activation(const ActParams&) {}
  typename V::F operator()(typename V::F x) const {
    const typename V::F three = V::set1(3.0f);
    const typename V::F mid = V::div(V::add(x, three), V::set1(6.0f));
    return V::select(V::le(x, V::neg(three)), V::zero(), V::select(V::ge(x, three), V::set1(1.0f), mid));
  }
};

// hardSwish = x (x + 3) / 6 inside (-3, 3): three roundings (x + 3 exact near -3), <= 1.5 ulp.
template <class V>
struct Activation<V, kHardSwish> {
  static constexpr bool kPrefetch = false;  // light enough for the hardware prefetcher (map.h)
  explicit Activation(const ActParams&) {}
  typename V::F operator()(typename V::F x) const {
    const typename V::F three = V::set1(3.0f);
    const typename V::F mid = V::div(V::mul(x, V::add(x, three)), V::set1(6.0f));
    return V::select(V::le(x, V::neg(three)), V::zero(), V::select(V::ge(x, three), x, mid));
  }
};

// The kernels with a common range (sigmoid, silu, gelu-tanh): rare(x) masks the lanes outside it (NaN
// among them), common(x) is the result wherever x is inside it, and both(x) the result for every x, the
// same bits as common(x) inside the range: common() is both() with the scale factor k below fixed at 0.
// The drivers (map.h) run common() over a loop step whose lanes are all common, both() over the others:
// inputs in the common range pay nothing for the rest, and each result is the same bits whichever way it
// was computed (test/activations.test.ts checks it against every boundary).

// sigmoid(x) = 1/(1 + e^-x), e^-x = 2^n (1 + tm): the denominator one fma after the exp, 2^n tm + (2^n + 1)
// (2^n + 1 exact while n >= -24; below, e^-x < 2^-24 counts for < 1 ulp and the fma rounds once more).
// e^-x's ~1.2 ulp enters 1 + e^-x with weight < 1; the denominator and the division round once each.
// common: x >= -87, where e^-x <= e^87 is a normal float. both: below, scaled by 2^-k (math::pow2_scaled):
// c / (2^(n-k) tm + (2^(n-k) + c)), c = 2^-k, for sigmoid(x) in the subnormals, rounded once, down to its
// underflow (x clamped to -150, where it is 0).
template <class V>
struct Activation<V, kSigmoid> {
  using F = typename V::F;
  explicit Activation(const ActParams&) {}
  typename V::M rare(F x) const { return V::nge(x, V::set1(-87.0f)); }
  F common(F x) const {
    // Past 87, 1 + e^-x is 1 whatever e^-x is: the clamp keeps 2^n normal (n >= -126).
    const math::ExpParts<V> e = math::exp_parts<V, false, true>(V::min(x, V::set1(87.0f)));  // e^-x
    const F s = math::pow2<V, 0>(e.t);
    return V::div(V::set1(1.0f), V::fma(s, e.tm, V::add(s, V::set1(1.0f))));
  }
  F both(F x) const {
    const math::ExpParts<V> e = math::exp_parts<V, false, true>(V::min(V::max(x, V::set1(-150.0f)), V::set1(87.0f)));
    F s, c;
    math::pow2_scaled<V, 100>(e.t, &s, &c);
    return keep_nan<V>(x, V::div(c, V::fma(s, e.tm, V::add(s, c))));
  }
  F operator()(F x) const { return V::any(rare(x)) ? both(x) : common(x); }
};

constexpr double kLog2eD = 1.4426950408889634073599246810019;  // log2(e), for the double-float splits

// silu(x; beta) = x sigmoid(beta x).
// beta = 1 (also the fused GEMM epilogue): z = x exactly. Otherwise the exponent -|beta x| log2(e) is a
// double-float (TwoProduct with -|beta| log2(e) = hi + lo; base 2, see math::exp2_parts): exp amplifies
// an argument error by |beta x| (up to ~100), so a float-rounded beta x alone would cost tens of ulp in
// the negative tail.
// -|beta x| is formed from |x| clamped to X = 150/|beta|: past it the result underflows (the clamp also
// keeps beta*x finite). NaN takes the x branch (compare false). Supported: beta = 0 or 2^-20 <= |beta|;
// below 2^-20, |x| > 2^27 would overflow the offset form (x * 2^100) of mul_sigmoid.
// The three cases are three kernels, chosen once per call (visit; see map.h), not per vector.
//
// BetaArg: what silu and softplus need of a scale beta to form z = beta x as -|z| log2(e) = ah + al, the
// exponent of e^-|z| in base 2 (math::exp2_parts: folding log2(e) into beta's split costs nothing here).
struct BetaArg {
  float abs_beta;   // |beta| rounded: softplus's threshold compares the float product beta * x
  math::Split neg_beta_log2e;  // -|beta| log2(e) split
  float xmax;       // clamp on |x| for the exponent: 150/|beta| (past it e^-|z| underflows)
  float sign_flip;  // -0.0f when beta > 0 (xn = -|x|), +0.0f when beta < 0 (xn = +|x|)
  static BetaArg of(double beta) {
    const double b = beta < 0 ? -beta : beta;
    const double xm = b > 0 ? 150.0 / b : double(FLT_MAX);
    return {static_cast<float>(b), math::split(-b * kLog2eD),
            xm > double(FLT_MAX) ? FLT_MAX : float(xm), beta < 0 ? 0.0f : -0.0f};
  }
  // -|beta x| log2(e) = ah + al (TwoProduct with the split -|beta| log2(e)) from xa = |x| clamped to xmax.
  template <class V>
  void neg_abs_z2(typename V::F xa, typename V::F* ah, typename V::F* al) const {
    *ah = V::mul(V::set1(neg_beta_log2e.hi), xa);
    *al = V::fma(V::set1(neg_beta_log2e.lo), xa, V::fms(V::set1(neg_beta_log2e.hi), xa, *ah));
  }
};

enum SiluMode { kSiluUnit, kSiluGeneral, kSiluZero };

template <class V, int kMode>
struct SiluKernel {
  BetaArg z;
  typename V::F operator()(typename V::F x) const {
    using F = typename V::F;
    if (kMode == kSiluZero) return V::mul(x, V::set1(0.5f));
    const F xa = V::min(V::abs(x), V::set1(z.xmax));
    F ah, al;
    z.neg_abs_z2<V>(xa, &ah, &al);
    const F fl = V::set1(z.sign_flip);
    const F xn = V::xor_(xa, fl);
    const auto neg = V::lt(V::xor_(x, V::xor_(fl, math::sign_mask<V>())), V::zero());
    return math::mul_sigmoid<V>(neg, ah, al, x, xn);
  }
};

// beta = 1 (also the fused GEMM epilogue's): x / (1 + e^-x), with sigmoid's denominator (above) and one
// division: no offset form and no choice by sign. Error: e^-x ~1.2 ulp (math::exp_parts) with weight < 1
// in the denominator, which rounds once (twice where 2^n >> 1: 2^n + 1 and the fma), the division once.
// common: x >= -87. both: below, scaled by 2^-k (math::pow2_scaled), (x c) / (2^(n-k) tm + (2^(n-k) + c)):
// x e^x nears the subnormals there (silu(-87) = -1.4e-36) and underflows past -104, rounded once all the
// way (x clamped to -150, past which the result is -0; silu(-Inf) = -0).
template <class V>
struct SiluKernel<V, kSiluUnit> {
  using F = typename V::F;
  // With 8 lanes (AVX2's 16 registers: too few vectors in flight to hide its chain) the exp's short form
  // pays for its extra multiply; with 16 it does not (docs/tuning-log.md).
  static constexpr bool kShortTm = V::N == 8;
  typename V::M rare(F x) const { return V::nge(x, V::set1(-87.0f)); }
  F common(F x) const {
    // Past 87, 1 + e^-x is 1 whatever e^-x is: the clamp keeps 2^n normal (n >= -126).
    const math::ExpParts<V> e = math::exp_parts<V, kShortTm, true>(V::min(x, V::set1(87.0f)));  // e^-x
    const F s = math::pow2<V, 0>(e.t);
    return V::div(x, V::fma(s, e.tm, V::add(s, V::set1(1.0f))));
  }
  F both(F x) const {
    const F xl = V::max(x, V::set1(-150.0f));
    const math::ExpParts<V> e = math::exp_parts<V, kShortTm, true>(V::min(xl, V::set1(87.0f)));
    F s, c;
    math::pow2_scaled<V, 100>(e.t, &s, &c);
    return keep_nan<V>(x, V::div(V::mul(xl, c), V::fma(s, e.tm, V::add(s, c))));  // x c exact
  }
  F operator()(F x) const { return V::any(rare(x)) ? both(x) : common(x); }
};

template <class V>
struct Activation<V, kSilu> : ChoosesKernel<V, Activation<V, kSilu>> {
  SiluKernel<V, kSiluGeneral> general;
  int mode;
  explicit Activation(const ActParams& p) : general{BetaArg::of(p.a)} {
    mode = p.a == 1.0 ? kSiluUnit : p.a == 0.0 ? kSiluZero : kSiluGeneral;
  }
  template <class Fn>
  void visit(Fn&& fn) const {
    if (mode == kSiluUnit) {
      fn(SiluKernel<V, kSiluUnit>{});
    } else if (mode == kSiluZero) {
      fn(SiluKernel<V, kSiluZero>{});
    } else {
      fn(general);
    }
  }
};

// quickGelu(x) = x sigmoid(1.702 x), 1.702 the exact decimal as a double-float: silu with that beta.
template <class V>
struct Activation<V, kQuickGelu> : ChoosesKernel<V, Activation<V, kQuickGelu>> {
  Activation<V, kSilu> silu;
  explicit Activation(const ActParams&) : silu(ActParams{1.702, 0.0}) {}
  template <class Fn>
  void visit(Fn&& fn) const { fn(silu.general); }
};

// gelu tanh form: 0.5 x (1 + tanh(u)) = x sigmoid(2u), 2u = x (A + B x^2), A = 2 sqrt(2/pi), B = A c,
// c = 0.044715. 2u reaches -104 before the result underflows, so it is built as a double-float (exp
// amplifies its error by |2u|): x^2 exact (TwoProduct); A + B x^2 as gh = fma(bh, x^2, a1) plus its
// rounding error (A split as a short a1 plus a2, B = bh + bl; see below) plus the low parts; then x times
// that double-float, to ~2^-39 relative. This form takes 9 ops on the FMA pipes (a x and (1 + c x^2) as
// two double-floats and their product would take 13) and 3 adds (B x^2 rounded, then added to a1, would
// take 5: this kernel also waits on its add pipes). A 2Sum for A + B x^2 would save fmas but lengthen the
// chain by as much.
// A and B carry log2(e): the result is the base-2 exponent -2u log2(e) that math::exp2_parts takes (no ln2
// reduction products).
template <class V>
struct Activation<V, kGeluTanh> {
  // Eight vectors per loop step with AVX-512's 32 registers (map.h): its chain (x^2 -> exponent -> exp ->
  // division) is long against its op count, so more independent chains in flight pay. gelu, bound by
  // its op count rather than its chain, keeps four.
  static constexpr int kUnroll = V::N >= 16 ? 8 : 4;
  float a1, a2;  // A = a1 + a2 (to 2^-39 A): a1 with 16 significant bits, a multiple of 2^-14
  math::Split b;
  explicit Activation(const ActParams&) {
    const double A = 2.0 * 0.79788456080286535587989211986876 * kLog2eD;  // 2 sqrt(2/pi) log2(e)
    a1 = static_cast<float>(static_cast<double>(static_cast<int>(A * 16384.0)) / 16384.0);
    a2 = static_cast<float>(A - static_cast<double>(a1));
    b = math::split(A * 0.044715);
  }
  // The exponent -2u log2(e) = zh + zl from w = -x or -|x| (clamped: |w| <= 12 keeps x^2 finite), and
  // x^2 = sh (rounded; its low part is folded into zl). Shared with the gradient (backward.h).
  struct Exponent {
    typename V::F sh, zh, zl;
  };
  Exponent exponent(typename V::F w) const {
    using F = typename V::F;
    const F sh = V::mul(w, w);
    const F sl = V::fms(w, w, sh);
    const F bh = V::set1(b.hi);
    // A + B x^2 = gh + gl. gh = bh sh + a1 rounded once (an fma); gh - a1 is exact (a1 is a multiple of
    // 2^-14, and of ulp(gh) in [2^-22, 2^-19]), so bh sh - (gh - a1) is that fma's rounding error, to
    // 2^-44 (one fms). The low parts bh sl + bl sh and a2 join it on the add pipes.
    const F a1v = V::set1(a1);
    const F gh = V::fma(bh, sh, a1v);
    const F r = V::fms(bh, sh, V::sub(gh, a1v));
    const F tl = V::fma(bh, sl, V::mul(V::set1(b.lo), sh));
    const F gl = V::add(r, V::add(V::set1(a2), tl));
    const F zh = V::mul(w, gh);
    return {sh, zh, V::fma(w, gl, V::fms(w, gh, zh))};
  }
  // x / (1 + 2^(zh + zl)), the exponent that of -x: its denominator one fma after 2^f, 2^n tm + (2^n + 1),
  // one division. common: x >= -10, where |2u| log2(e) <= 126 keeps 2^n normal (x clamped to 10 in the
  // exponent: 1 + 2^-126 is 1). both: below, scaled by 2^-k (math::pow2_scaled), for results in the
  // subnormals, rounded once, down to the underflow (x clamped to -12: 2u(12) log2(e) = 205).
  typename V::M rare(typename V::F x) const { return V::nge(x, V::set1(-10.0f)); }
  typename V::F common(typename V::F x) const {
    using F = typename V::F;
    const Exponent z = exponent(V::neg(V::min(x, V::set1(10.0f))));
    const math::ExpParts<V> e = math::exp2_parts<V>(z.zh, z.zl);
    const F s = math::pow2<V, 0>(e.t);
    return V::div(x, V::fma(s, e.tm, V::add(s, V::set1(1.0f))));
  }
  typename V::F both(typename V::F x) const {
    using F = typename V::F;
    const F xl = V::max(x, V::set1(-12.0f));
    const Exponent z = exponent(V::neg(V::min(xl, V::set1(10.0f))));
    const math::ExpParts<V> e = math::exp2_parts<V>(z.zh, z.zl);
    F s, c;
    math::pow2_scaled<V, 100>(e.t, &s, &c);
    return keep_nan<V>(x, V::div(V::mul(xl, c), V::fma(s, e.tm, V::add(s, c))));  // x c exact
  }
  typename V::F operator()(typename V::F x) const { return V::any(rare(x)) ? both(x) : common(x); }
};

// gelu erf form: x Phi(x). Below 0: -|x| Phi(-|x|) (a product, no cancellation anywhere near 0 or -1);
// above: x - x Phi(-x) (Phi(-x) <= 1/2, the fma rounds once). Phi(-|x|) with relative accuracy down to the
// underflow from math::gauss_tail_x_scaled (offset form; math_erfc.h: table-driven pieces, or a rational
// form on AVX2).
template <class V>
struct Activation<V, kGelu> {
  explicit Activation(const ActParams&) {}
  typename V::F operator()(typename V::F x) const {
    using F = typename V::F;
    const F a = V::min(V::abs(x), V::set1(math::kGeluClamp));
    const F m = math::gauss_tail_x_scaled<V>(a);                           // a Phi(-a) 2^kOff
    // x >= 0: x - x Phi(-x); x < 0: -0 - a Phi(-a). One rounding either way (also into the subnormals).
    // The -0 where x < 0 is x's sign bit rather than a constant: clang 14 turned `x < 0 ? -0 : x` into
    // `x <= 0 ? -0 : x` (equal at x = 0 but for the sign of zero), making gelu(+0) = -0; x & sign is -0
    // exactly where x < 0, and either comparison gives the same base with it.
    const F base = V::select(V::lt(x, V::zero()), V::and_(x, math::sign_mask<V>()), x);
    return V::fma(m, V::set1(-math::kInvOff), base);
  }
};

// tanh(|x|) = v/(2 - v), v = -expm1(-2|x|) in [0, 1): relative accurate near 0 (no 1 - e^-2x
// cancellation), condition of v -> result <= 2. |x| > 43.5 gives v = 1, tanh = 1 exactly.
// v = (1 - 2^n) - 2^n tm (one fnma after the exp: 1 - 2^n is exact for n >= -24), so v is +0 at x = +-0
// and the quotient is >= 0: x's sign goes back by one OR (tanh(+-0) = +-0).
// common: |x| <= 43.5 (-2|x| >= -87: 2^n normal without a clamp); both: every x, clamped, NaN kept
// (max(NaN, -87) is -87). With 8 lanes the exp's short form, as silu's (16 registers hold too few
// vectors in flight to hide its chain).
template <class V>
struct Activation<V, kTanh> {
  using F = typename V::F;
  static constexpr bool kShortTm = V::N == 8;
  explicit Activation(const ActParams&) {}
  typename V::M rare(F x) const { return V::nge(V::set1(43.5f), V::abs(x)); }  // |x| > 43.5 or NaN
  // tanh from h = -2|x| in [-87, 0] and x (for its sign).
  F from_exponent(F h, F x) const {
    const math::ExpParts<V> e = math::exp_parts<V, kShortTm>(h);
    const F s = math::pow2<V, 0>(e.t);
    const F v = V::fnma(s, e.tm, V::sub(V::set1(1.0f), s));
    return V::or_(V::div(v, V::sub(V::set1(2.0f), v)), V::and_(x, math::sign_mask<V>()));
  }
  // -2|x| as -(|x| + |x|), exact: an add and a logic op, off the FMA pipes this kernel waits on.
  static F neg_twice_abs(F x) {
    const F ax = V::abs(x);
    return V::or_(V::add(ax, ax), math::sign_mask<V>());
  }
  F common(F x) const { return from_exponent(neg_twice_abs(x), x); }
  F both(F x) const { return keep_nan<V>(x, from_exponent(V::max(neg_twice_abs(x), V::set1(-87.0f)), x)); }
  F operator()(F x) const { return V::any(rare(x)) ? both(x) : common(x); }
};

// elu(x; alpha) = x > 0 ? x : alpha expm1(x); selu = scale * (x > 0 ? x : alpha expm1(x)).
// expm1 on [-87, 0] (math::expm1_neg, relative accurate near 0); its sign is forced to x's so that
// elu(-0) = -0 and elu(+0) = +0. Constants as double splits (one rounding in the fma).
template <class V>
inline typename V::F elu_core(typename V::F x, math::Split pos, math::Split neg) {
  using F = typename V::F;
  const F h = V::max(x, V::set1(-87.0f));
  F u = math::expm1_neg<V>(h);
  u = V::or_(u, V::and_(x, math::sign_mask<V>()));
  const F nr = V::fma(V::set1(neg.hi), u, V::mul(V::set1(neg.lo), u));
  const F xc = V::min(x, V::set1(FLT_MAX));  // lo * x finite at +Inf
  const F pr = V::fma(V::set1(pos.hi), x, V::mul(V::set1(pos.lo), xc));
  return keep_nan<V>(x, V::select(V::gt(x, V::zero()), pr, nr));
}

template <class V>
struct Activation<V, kElu> {
  math::Split alpha;
  explicit Activation(const ActParams& p) : alpha(math::split(p.a)) {}
  typename V::F operator()(typename V::F x) const { return elu_core<V>(x, math::Split{1.0f, 0.0f}, alpha); }
};

template <class V>
struct Activation<V, kSelu> {
  math::Split scale, sa;
  explicit Activation(const ActParams&) {
    const double s = 1.0507009873554804934193349852946, al = 1.6732632423543772848170429916717;
    scale = math::split(s);
    sa = math::split(s * al);
  }
  typename V::F operator()(typename V::F x) const { return elu_core<V>(x, scale, sa); }
};

// softplus(x; beta, threshold) = beta x > threshold ? x : log1p(e^(beta x))/beta
//                              = max-part + log1p(e^-|z|)/beta, z = beta x (double-float, see silu):
// z > 0: x + log1p(e^-z)/beta (x exact, the correction small); z <= 0: log1p(e^z)/beta.
// With a beta, log1p(e^-|z|) is carried in offset form (math_log1p.h) down to the underflow (see kUnit).
// 1/beta as a double split (one rounding). Past |z| = 150 the correction underflows. Supported:
// 2^-20 <= |beta| (below, the offset form l * 2^100 / beta could overflow).
// kUnit (beta = 1, the default) skips the double-float products: z = x and 1/beta = 1 are exact. Nor
// does it need the offset form: its log1p(E) is the result (or its correction) itself, so E and log1p(E)
// are computed unscaled, subnormal only where the result is, and the max-part is added by an add, not an
// fma. Bit-identical to the general path's wherever that is normal. The choice is made once per call
// (visit), not per vector: a branch inside the loop would cost every vector.
template <class V, bool kUnit>
struct SoftplusKernel {
  // Vectors per loop iteration (map.h). Its exp -> log1p dependency chain is long, so more independent
  // vectors in flight help while the registers hold them: four with AVX-512's 32 registers (eight
  // gain nothing more); with AVX2's 16, four would spill the constants, so two there (and on NEON and
  // scalar, where the choice has not been measured on hardware).
  static constexpr int kUnroll = V::N >= 16 ? 4 : 2;
  static constexpr bool kPrefetch = false;  // compute-bound even out of cache: the prefetches only cost (map.h)
  BetaArg z;
  math::Split ib;  // 1/beta split
  float th;        // PyTorch's threshold on beta x
  typename V::F operator()(typename V::F x) const {
    using F = typename V::F;
    const F xa = V::min(V::abs(x), V::set1(z.xmax));
    F l;  // log1p(e^-|z|) / beta; times 2^kOff but at beta = 1
    if (kUnit) {
      const math::ExpParts<V> e = math::exp_parts<V>(V::neg(xa));
      // E = e^-|x| rounded once, also where subnormal: 2^(n+kOff) 2^-kOff is exact down to 2^-149
      const F sE = V::mul(math::pow2<V, math::kOff>(e.t), V::set1(math::kInvOff));
      const F E = V::fma(sE, e.tm, sE);
      l = math::log1p_poly<V, 0>(E, E);
    } else {
      F ah, al;  // -|z| log2(e)
      z.neg_abs_z2<V>(xa, &ah, &al);
      const math::ExpParts<V> e = math::exp2_parts<V, math::Exp2Poly::kEstrin>(ah, al);  // chain-bound
      const F s = math::pow2<V, math::kOff>(e.t);
      const F p = V::fma(s, e.tm, s);  // E 2^kOff
      const F lz = math::log1p_poly<V, math::kOff>(V::mul(p, V::set1(math::kInvOff)), p);
      l = V::fma(lz, V::set1(ib.hi), V::mul(lz, V::set1(ib.lo)));
    }
    // z > 0 <=> x has the sign of beta (and x != 0)
    const F xs = V::xor_(x, V::xor_(V::set1(z.sign_flip), math::sign_mask<V>()));
    // The part is x where NOT z <= 0, so a NaN x is the addend and the result NaN: no separate NaN select.
    const F part = V::select(V::le(xs, V::zero()), V::zero(), x);
    // max-part + l (2^-kOff), one rounding (l 2^-kOff alone is exact unless subnormal, and then the part is 0)
    const F y = kUnit ? V::add(part, l) : V::fma(l, V::set1(math::kInvOff), part);
    // threshold on the float product beta*x (PyTorch compares the rounded product; beta = 1: xs itself)
    const F zf = kUnit ? xs : V::mul(V::set1(z.abs_beta), xs);  // |beta| * (sign-adjusted x) = beta * x
    return V::select(V::gt(zf, V::set1(th)), x, y);
  }
};

template <class V>
struct Activation<V, kSoftplus> : ChoosesKernel<V, Activation<V, kSoftplus>> {
  SoftplusKernel<V, false> general;
  bool unit;
  explicit Activation(const ActParams& p)
      : general{BetaArg::of(p.a), math::split(1.0 / p.a), float(p.b)}, unit(p.a == 1.0) {}
  template <class Fn>
  void visit(Fn&& fn) const {
    if (unit) {
      fn(unit_kernel());
    } else {
      fn(general);
    }
  }

 private:
  SoftplusKernel<V, true> unit_kernel() const { return {general.z, general.ib, general.th}; }
};

// mish(x) = x tanh(log1p(e^x)). With E = e^-|x| no log is needed:
//   x < 0: tanh = N/(N + 2), N = E(E + 2);   x >= 0: tanh = (1 + 2E)/(1 + 2E + 2E^2).
// Both as x k / (k + c): x < 0: k = N 2^kOff, c = 2^(kOff+1) (E in offset form, so x e^x stays accurate
// where e^x alone is subnormal, and the quotient is the result, rounded once: see math::sigmoid_den);
// x >= 0: k = 1 + 2E, c = 2E^2. One multiply, one add and one division serve both branches (the selects
// are off the FMA pipes): two fewer FMA-pipe ops than a numerator and a denominator per branch.
// Error: E 0.75, N ~1.75 (k rounded once more), den k + c one more rounding than an fma, ratio +1,
// times x +0.5: <= ~5 ulp (bar 8).
template <class V>
struct Activation<V, kMish> {
  explicit Activation(const ActParams&) {}
  typename V::F operator()(typename V::F x) const {
    using F = typename V::F;
    const F ah = V::neg_abs_min(x, 150.0f);  // -|x| clamped (as gelu-tanh's)
    const math::ExpParts<V> e = math::exp_parts<V>(ah);
    const F s = math::pow2<V, math::kOff>(e.t);
    const F p = V::fma(s, e.tm, s);  // E 2^kOff
    const F E = V::mul(p, V::set1(math::kInvOff));
    const F two = V::set1(2.0f);
    const auto neg = V::lt(x, V::zero());
    const F k = V::select(neg, V::mul(p, V::add(E, two)), V::fma(E, two, V::set1(1.0f)));
    const F c = V::select(neg, V::set1(math::kExp2<math::kOff + 1>), V::mul(V::add(E, E), E));
    // ah, not x, below 0: the clamped input that E was computed from (x < -150 gives -0 either way)
    return V::div(V::mul(V::select(neg, ah, x), k), V::add(k, c));
  }
};

}  // namespace SWIGLU_NS
}  // namespace swiglu
