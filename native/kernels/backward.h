// Exact gradients of the elementwise activations: Grad<V, A>(x, dy) = dy * f'(x), one functor per Act
// value, written once over the vector layer V (native/simd/*.h) and instantiated per ISA by
// native/isa/<isa>_grad.cc (instantiate_grad.inc). The forward kernels are in activations.h.
//
// Contract (README, "Training"):
//  - Kinks as PyTorch CPU: relu'(0) = 0; relu6' = 0 at 0 and 6; leakyRelu'(0) = slope; hardSigmoid' = 1/6
//    on (-3, 3) only; hardSwish' = 0 for x <= -3, 1 for x >= 3; elu'(0), selu'(0) take the left branch;
//    softplus' = 1 where beta x > threshold.
//  - On a flat piece (f' = 0 by definition) dx = +0 whatever dy is (NaN and Inf too); NaN in x gives NaN.
//  - Error (against float64 of dy * f'(x) at the float32 inputs) <= 4 ulp (gelu both forms and mish 8),
//    with the README's allowances near the roots of f' and where f' or dx is below 2^-126.
// f' is never formed as 1 - tanh^2 or s (1 - s) where those cancel: every derivative is a rational
// function of E = e^-|w| (sigmoid's argument w), which is accurate in both tails, and the one cancellation
// left (f' crossing zero: silu, gelu, mish, hardSwish) is confined to the root windows the contract allows.
// Tails use math.h's offset form (E 2^kOff), so f' stays relative accurate wherever it is a normal float.
#pragma once
#include <cstdint>

#include "../runtime/grad_table.h"
#include "activations.h"

namespace swiglu {
namespace SWIGLU_NS {

template <class V, int A>
struct Grad;

namespace grad {

// The clamped x back from na = -|x| clamped (sign bit set): na with x's sign, as logic ops (off the FMA
// pipes, where a select would go). x = +0 gives +0, -0 gives -0.
template <class V>
inline typename V::F with_sign_of(typename V::F na, typename V::F x) {
  return V::xor_(na, V::andnot(x, math::sign_mask<V>()));
}

// A constant c != 0 as hi + lo for scaled(): hi is c rounded toward zero (the float next to c toward zero
// where c is a float itself), lo = c - hi rounded: lo is never 0 and has hi's sign.
inline math::Split split_toward_zero(double c) {
  float hi = static_cast<float>(c);
  // hi - hi 2^-24 rounds to the float next to hi toward zero (hi 2^-24 is 1/2 to 1 ulp of hi)
  if (!(c > 0 ? static_cast<double>(hi) < c : static_cast<double>(hi) > c)) hi -= hi * 0x1p-24f;
  return {hi, static_cast<float>(c - static_cast<double>(hi))};
}

// c * dy with c = hi + lo from split_toward_zero, rounded once (<= 0.5 ulp + 2^-48; where c dy is near the
// subnormal range, lo dy's own rounding adds up to 2^-150). lo dy has the sign of hi dy, also where dy is
// +-Inf (no Inf - Inf) or +-0 (the zero keeps hi dy's sign).
template <class V>
inline typename V::F scaled(math::Split c, typename V::F dy) {
  return V::fma(V::set1(c.hi), dy, V::mul(V::set1(c.lo), dy));
}

// 1 + E = c + cl exactly for 0 <= E <= 1 (Fast2Sum: 1 >= E).
template <class V>
inline void one_plus(typename V::F E, typename V::F* c, typename V::F* cl) {
  const typename V::F one = V::set1(1.0f);
  *c = V::add(one, E);
  *cl = V::sub(E, V::sub(*c, one));
}

// m s(w) from the gradient's p = E 2^kOff (E = e^-|w|, neg = (w < 0)), for the GLU backward's act(gate)
// from the gradient's own exponential (with_value below): m / c where w >= 0, (m p / c) 2^-kOff below
// (m p in offset form stays normal where m E would not), c = 1 + E rounded (dropping its low part, <= half
// an ulp of c). E's ~1 ulp plus the product, c and the division: <= ~2.5 ulp; the last scaling rounds only
// in the subnormals. The numerators as the caller has them: mp = m (w >= 0), np = m p (w < 0; sigmoid's
// m = 1 makes it p itself).
template <class V>
inline typename V::F times_sigmoid(typename V::M neg, typename V::F E, typename V::F np, typename V::F mp) {
  const typename V::F q = V::div(V::select(neg, np, mp), V::add(V::set1(1.0f), E));
  return V::select(neg, V::mul(q, V::set1(math::kInvOff)), q);
}

// f' = s(w) (1 + t s(-w)) for f = x s(w(x)) with t = x w'(x) (silu: w = t = beta x; gelu-tanh: w = 2u),
// from p = E 2^kOff, E = e^-|w|, and neg = (w < 0):
//   w < 0:  E (1 + E + t) / (1 + E)^2       (the sign change of f' at its root is in 1 + t + E)
//   w >= 0: (1 + E (1 + t)) / (1 + E)^2     (all terms positive where t >= 0)
// The caller passes t1 = 1 + t and nn = 1 + t + E (each as accurately as its t allows: silu's beta x folds
// into one fma there). (1 + E)^2 = 1 + E (E + 2) rounded once (an fma). Where w < 0 the numerator is times
// p (offset form) and the quotient times 2^-kOff at the end (exact unless f' is subnormal): f' ~ |t| e^-|w|
// stays normal where E alone is not (silu near x = -90).
// The quotient rounds once: num * a = nh + nl exactly (fms), den = (1 + E)^2 as a double-float (1 + E =
// c + cl exactly, Fast2Sum with E <= 1; c^2 = ch + e2 exactly; den = ch + (2 c cl + e2) to ~2^-48), then
// q0 = nh / ch through r = 1 / ch and q = q0 + (nh - q0 ch + nl - q0 dl) r (nh - q0 ch exact in one fma;
// the correction, ~1 ulp of q, needs only r's leading bits): ~0.5 ulp for product, denominator and
// quotient together, for the same one division.
// Error: E ~1 ulp (exp), entering with weight |1 + E/nn - 2E/(1 + E)| <= 1 where w < 0 (<= 1/2 where
// w >= 0); the numerator ~0.5-1; the corrected quotient 0.5: ~2 ulp of f' away from the root (the
// cancellation in 1 + t + E amplifies the roundings of t and E by |t| / |1 + t + E|, < 4 outside the root
// window).
// kPlain: p is E itself (the caller's common range, where E and every intermediate are normal floats): no
// offset scalings, the same bits, the offset form's scalings being exact there.
// kOneQuotient: (num a) / (1 + E (E + 2)) as it rounds, the product, the fma (with E + 2) and the division
// each rounding once: ~1.5 ulp more than the corrected quotient, for twelve operations fewer. For a kernel
// whose bar leaves room for it (gelu-tanh, and silu in the GLU backward's dGate: 8 ulp).
template <class V, bool kPlain = false, bool kOneQuotient = false>
inline typename V::F sigmoid_chain(typename V::M neg, typename V::F p, typename V::F t1, typename V::F nn) {
  using F = typename V::F;
  const F one = V::set1(1.0f);
  const F E = kPlain ? p : V::mul(p, V::set1(math::kInvOff));
  const F pos = V::fma(E, t1, one);  // the numerator where w >= 0
  if constexpr (kOneQuotient && kPlain) {
    // num a is nn E below 0 and the numerator itself above (a = 1): one select
    return V::div(V::select(neg, V::mul(nn, E), pos), V::fma(E, V::add(E, V::set1(2.0f)), one));
  }
  const F num = V::select(neg, nn, pos);
  const F a = V::select(neg, p, V::set1(kPlain ? 1.0f : math::kExp2<math::kOff>));
  if constexpr (kOneQuotient) {
    const F q = V::div(V::mul(num, a), V::fma(E, V::add(E, V::set1(2.0f)), one));
    return V::mul(q, V::set1(math::kInvOff));
  }
  F c, cl;
  one_plus<V>(E, &c, &cl);
  const F ch = V::mul(c, c);
  const F dl = V::fma(V::add(c, c), cl, V::fms(c, c, ch));
  const F nh = V::mul(num, a);
  const F nl = V::fms(num, a, nh);
  const F r = V::div(one, ch);
  const F q0 = V::mul(nh, r);
  const F corr = V::fnma(q0, dl, V::add(V::fnma(q0, ch, nh), nl));
  const F q = V::fma(corr, r, q0);
  return kPlain ? q : V::mul(q, V::set1(math::kInvOff));
}

// sigmoid_chain with t a float: 1 + t, then + E.
template <class V, bool kPlain = false, bool kOneQuotient = false>
inline typename V::F sigmoid_chain(typename V::M neg, typename V::F p, typename V::F t) {
  const typename V::F t1 = V::add(V::set1(1.0f), t);
  return sigmoid_chain<V, kPlain, kOneQuotient>(neg, p, t1, V::add(t1, kPlain ? p : V::mul(p, V::set1(math::kInvOff))));
}

// E / (1 + E)^2 for p = E 2^kOff (sigmoid' with E = e^-|x|; tanh' / 4 with E = e^-2|x|), times 2^-kOff * k
// (k a power of two). Error: E ~1 ulp entering with weight (1 - E)/(1 + E) <= 1, the denominator (one fma,
// its E + 2 rounding weighs E/(1+E)^2 < 1/4) 0.5, the division 0.5: <= ~2.2 ulp, plus the product with dy.
template <class V, int kLog2Scale>
inline typename V::F bell(typename V::F p) {
  using F = typename V::F;
  const F E = V::mul(p, V::set1(math::kInvOff));
  const F den = V::fma(E, V::add(E, V::set1(2.0f)), V::set1(1.0f));
  return V::mul(V::div(p, den), V::set1(math::kExp2<kLog2Scale - math::kOff>));
}

// E 2^kOff from ExpParts (one rounding).
template <class V>
inline typename V::F offset_exp(const math::ExpParts<V>& e) {
  const typename V::F s = math::pow2<V, math::kOff>(e.t);
  return V::fma(s, e.tm, s);
}

// E itself (one rounding), where it is a normal float: the same bits as offset_exp times 2^-kOff.
template <class V>
inline typename V::F plain_exp(const math::ExpParts<V>& e) {
  const typename V::F s = math::pow2<V, 0>(e.t);
  return V::fma(s, e.tm, s);
}

// The lanes outside a gradient kernel's common range |x| <= limit (NaN too). Inside, its clamps are
// identities and no NaN select is needed, and, with a limit that keeps E = e^-|w| and the kernel's
// intermediates normal floats, E needs no offset form: each kernel's eval<kValue, true> computes the same
// bits as eval<kValue, false> with fewer operations (CommonRange below).
template <class V>
inline typename V::M outside(typename V::F x, float limit) {
  return V::nge(V::or_(x, math::sign_mask<V>()), V::set1(-limit));
}

}  // namespace grad

// identity (bilinear): dx = dy.
template <class V>
struct Grad<V, kIdentity> {
  explicit Grad(const ActParams&) {}
  typename V::F operator()(typename V::F, typename V::F dy) const { return dy; }
};

// relu' = x > 0 ? 1 : 0 (relu'(0) = 0). Exact.
template <class V>
struct Grad<V, kRelu> {
  explicit Grad(const ActParams&) {}
  typename V::F operator()(typename V::F x, typename V::F dy) const {
    return keep_nan<V>(x, V::select(V::gt(x, V::zero()), dy, V::zero()));
  }
};

// relu6' = 0 < x < 6 ? 1 : 0. Exact.
template <class V>
struct Grad<V, kRelu6> {
  explicit Grad(const ActParams&) {}
  typename V::F operator()(typename V::F x, typename V::F dy) const {
    const auto in = V::mand(V::gt(x, V::zero()), V::lt(x, V::set1(6.0f)));
    return keep_nan<V>(x, V::select(in, dy, V::zero()));
  }
};

// leakyRelu' = x > 0 ? 1 : slope (slope at 0). slope * dy rounded once (grad::scaled).
template <class V>
struct Grad<V, kLeakyRelu> {
  math::Split s;
  explicit Grad(const ActParams& p) : s(grad::split_toward_zero(p.a)) {}
  typename V::F operator()(typename V::F x, typename V::F dy) const {
    return keep_nan<V>(x, V::select(V::gt(x, V::zero()), dy, grad::scaled<V>(s, dy)));
  }
};

// hardSigmoid' = 1/6 on (-3, 3), else 0. dy / 6 is a correctly rounded division (<= 0.5 ulp).
template <class V>
struct Grad<V, kHardSigmoid> {
  explicit Grad(const ActParams&) {}
  typename V::F operator()(typename V::F x, typename V::F dy) const {
    const typename V::F three = V::set1(3.0f);
    const auto in = V::mand(V::gt(x, V::neg(three)), V::lt(x, three));
    return keep_nan<V>(x, V::select(in, V::div(dy, V::set1(6.0f)), V::zero()));
  }
};

// hardSwish' = 0 (x <= -3), 1 (x >= 3), (2x + 3)/6 between: 2x exact, + 3 exact on [-3, -3/4] (Sterbenz;
// the root -1.5 inside), then a division and the product: <= 1.5 ulp. NaN fails both compares.
template <class V>
struct Grad<V, kHardSwish> {
  explicit Grad(const ActParams&) {}
  typename V::F operator()(typename V::F x, typename V::F dy) const {
    const typename V::F three = V::set1(3.0f);
    const typename V::F mid = V::mul(dy, V::div(V::add(V::add(x, x), three), V::set1(6.0f)));
    return V::select(V::le(x, V::neg(three)), V::zero(), V::select(V::ge(x, three), dy, mid));
  }
};

// A gradient kernel with a common range: Derived::rare(x) masks the lanes outside it (grad::outside) and
// Derived::eval<kValue, kCommon>(x, dy, value) computes dx (and act(x) into *value when kValue), kCommon
// only for a vector with no rare lane, the same bits either way. operator() tests one vector; map_grad.h's
// drivers test a whole loop step at once, so that its independent chains stay in one block.
// Derived::kCommonRange false: no common range after all (eval<kValue, false> alone; see SiluGradKernel).
template <class V, class Derived>
struct CommonRange {
  static constexpr bool kCommonRange = true;
  typename V::F operator()(typename V::F x, typename V::F dy) const { return run<false>(x, dy, nullptr); }

 protected:
  template <bool kValue>
  __attribute__((always_inline)) typename V::F run(typename V::F x, typename V::F dy, typename V::F* value) const {
    const Derived& d = static_cast<const Derived&>(*this);
    if constexpr (Derived::kCommonRange) {
      if (!V::any(d.rare(x))) return d.template eval<kValue, true>(x, dy, value);
    }
    return d.template eval<kValue, false>(x, dy, value);
  }
};

// A gradient kernel with a common range that can also give act(x) from its own exponential (the GLU
// backward's dUp, map_grad.h): operator() the gradient alone, with_value both; eval<kValue, kCommon>
// computes the value only for with_value (always_inline there: g++ otherwise kept the GLU loop's copy
// apart, and slower).
template <class V, class Derived>
struct WithValue : CommonRange<V, Derived> {
  static constexpr bool kWithValue = true;
  typename V::F with_value(typename V::F x, typename V::F dy, typename V::F* value) const {
    return this->template run<true>(x, dy, value);
  }
};

// sigmoid' = s(x) s(-x) = E / (1 + E)^2, E = e^-|x| (|x| clamped to 150: past it f' < 2^-216).
// with_value also gives sigmoid(x) from the same exp (grad::times_sigmoid with m = 1; the GLU backward's dUp
// and dGate share it): sigmoid(-Inf) = 0, sigmoid(+Inf) = 1, sigmoid(-0) = 1/2; NaN stays NaN.
// Common range |x| <= 87: E >= 2^-126 and both results normal, E plain.
template <class V>
struct Grad<V, kSigmoid> : WithValue<V, Grad<V, kSigmoid>> {
  explicit Grad(const ActParams&) {}
  typename V::M rare(typename V::F x) const { return grad::outside<V>(x, 87.0f); }
  template <bool kValue, bool kCommon>
  __attribute__((always_inline)) typename V::F eval(typename V::F x, typename V::F dy, typename V::F* value) const {
    using F = typename V::F;
    const F one = V::set1(1.0f);
    const F na = V::or_(x, math::sign_mask<V>());
    if constexpr (kCommon) {
      const F E = grad::plain_exp<V>(math::exp_parts<V>(na));
      if constexpr (kValue) *value = V::div(V::select(V::lt(x, V::zero()), E, one), V::add(one, E));
      return V::mul(dy, V::div(E, V::fma(E, V::add(E, V::set1(2.0f)), one)));
    }
    const F p = grad::offset_exp<V>(math::exp_parts<V>(V::max(na, V::set1(-150.0f))));
    if constexpr (kValue) *value = keep_nan<V>(x, grad::times_sigmoid<V>(V::lt(x, V::zero()), V::mul(p, V::set1(math::kInvOff)), p, one));
    return keep_nan<V>(x, V::mul(dy, grad::bell<V, 0>(p)));
  }
};

// tanh' = 1 - tanh^2 = 4 E / (1 + E)^2, E = e^-2|x| (-2|x| exact; clamped to -150). Common range
// |x| <= 43: E >= 2^-124, E plain.
template <class V>
struct Grad<V, kTanh> : CommonRange<V, Grad<V, kTanh>> {
  explicit Grad(const ActParams&) {}
  typename V::M rare(typename V::F x) const { return grad::outside<V>(x, 43.0f); }
  template <bool, bool kCommon>
  __attribute__((always_inline)) typename V::F eval(typename V::F x, typename V::F dy, typename V::F*) const {
    using F = typename V::F;
    const F na = V::or_(x, math::sign_mask<V>());
    if constexpr (kCommon) {
      const F E = grad::plain_exp<V>(math::exp_parts<V>(V::add(na, na)));
      const F den = V::fma(E, V::add(E, V::set1(2.0f)), V::set1(1.0f));
      return V::mul(dy, V::mul(V::div(E, den), V::set1(4.0f)));
    }
    const F h = V::max(V::add(na, na), V::set1(-150.0f));
    const F fp = grad::bell<V, 2>(grad::offset_exp<V>(math::exp_parts<V>(h)));
    return keep_nan<V>(x, V::mul(dy, fp));
  }
};

// silu'(x; beta) = s(z) (1 + z s(-z)), z = beta x (d/dx of x s(beta x)): grad::sigmoid_chain with w = t = z.
// beta = 1: -|x| is exact (base-e exp). Otherwise e^-|z| from the double-float exponent -|beta x| log2(e)
// (BetaArg, as the forward: exp amplifies an argument error by |z|), and z itself rounded once (it only
// enters 1 + z + E, where its 2^-24 relative error is at most ~4 ulp of f' outside the root window,
// ~1 ulp typically). |x| is clamped to 150/|beta| (f' is 1 or below 2^-200 past it). beta = 0: f' = 1/2.
enum SiluGradMode { kSiluGradUnit, kSiluGradGeneral };

// Common range (beta = 1 only): |x| <= 60, where E >= 2^-87 and every product of sigmoid_chain stays normal
// (E plain; the value's x p keeps the offset form, x E would be subnormal for tiny x). With another beta,
// dropping only the clamps and the NaN selects made the loop slower, not faster: no common range there.
// kOneQuotient: sigmoid_chain's one-division quotient (~1.5 ulp more), for the GLU backward's dGate, whose
// 8-ulp bar leaves room for it (GluGrad below); the elementwise gradient (4 ulp) keeps the corrected one.
template <class V, int kMode, bool kOneQuotient = false>
struct SiluGradKernel : WithValue<V, SiluGradKernel<V, kMode, kOneQuotient>> {
  // For beta = 1 with_value also gives silu(x) from the same exp (grad::times_sigmoid with m = x, x
  // clamped to -150 on the negative side): silu(-Inf) = -0, silu(+Inf) = +Inf, silu(-0) = -0; NaN stays NaN.
  static constexpr bool kWithValue = kMode == kSiluGradUnit;
  static constexpr bool kCommonRange = kMode == kSiluGradUnit;
  BetaArg z;
  math::Split b;  // beta
  SiluGradKernel(BetaArg z_, math::Split b_) : z(z_), b(b_) {}
  typename V::M rare(typename V::F x) const { return grad::outside<V>(x, 60.0f); }
  template <bool kValue, bool kCommon>
  __attribute__((always_inline)) typename V::F eval(typename V::F x, typename V::F dy, typename V::F* value) const {
    using F = typename V::F;
    F p, t1, nn;
    typename V::M neg;
    if (kMode == kSiluGradUnit) {
      const F na = V::or_(x, math::sign_mask<V>());
      neg = V::lt(x, V::zero());
      if constexpr (kCommon) {
        const F E = grad::plain_exp<V>(math::exp_parts<V>(na));
        t1 = V::add(V::set1(1.0f), x);
        nn = V::add(t1, E);
        if constexpr (kValue) *value = grad::times_sigmoid<V>(neg, E, V::mul(x, V::mul(E, V::set1(math::kExp2<math::kOff>))), x);
        return V::mul(dy, grad::sigmoid_chain<V, true, kOneQuotient>(neg, E, t1, nn));
      }
      const F ah = V::max(na, V::set1(-150.0f));
      p = grad::offset_exp<V>(math::exp_parts<V>(ah));
      const F xc = grad::with_sign_of<V>(ah, x);
      t1 = V::add(V::set1(1.0f), xc);  // 1 + x, x clamped to [-150, 150]
      const F E = V::mul(p, V::set1(math::kInvOff));
      nn = V::add(t1, E);
      if constexpr (kValue) *value = keep_nan<V>(x, grad::times_sigmoid<V>(neg, E, V::mul(xc, p), x));
    } else {
      const F xa = V::min(V::abs(x), V::set1(z.xmax));
      F ah, al;
      z.neg_abs_z2<V>(xa, &ah, &al);
      p = grad::offset_exp<V>(math::exp2_parts<V>(ah, al));
      neg = V::lt(V::xor_(x, V::xor_(V::set1(z.sign_flip), math::sign_mask<V>())), V::zero());
      const F xc = V::min(V::max(x, V::set1(-z.xmax)), V::set1(z.xmax));
      const F one = V::set1(1.0f);
      const F blx = V::mul(V::set1(b.lo), xc);
      t1 = V::fma(V::set1(b.hi), xc, V::add(blx, one));  // 1 + beta x
      // 1 + beta x + E: 1 + E = c + cl exactly (Fast2Sum, E <= 1), then beta_hi x + c in one fma and the
      // small parts after it: ~1 ulp of the sum, which cancels near the root (c alone rounded would cost
      // up to 1 ulp of 1 + E, ~2 ulp of the sum where beta x ~ -0.8).
      F c, cl;
      grad::one_plus<V>(V::mul(p, V::set1(math::kInvOff)), &c, &cl);
      nn = V::add(V::fma(V::set1(b.hi), xc, c), V::add(blx, cl));
    }
    return keep_nan<V>(x, V::mul(dy, grad::sigmoid_chain<V, false, kOneQuotient>(neg, p, t1, nn)));
  }
};

template <class V, bool kOneQuotient = false>
struct SiluGrad {
  SiluGradKernel<V, kSiluGradGeneral, kOneQuotient> general;
  bool unit;
  explicit SiluGrad(const ActParams& p) : general{BetaArg::of(p.a), math::split(p.a)}, unit(p.a == 1.0) {}
  template <class Fn>
  void visit(Fn&& fn) const {
    if (unit) {
      fn(SiluGradKernel<V, kSiluGradUnit, kOneQuotient>{general.z, general.b});
    } else {
      fn(general);
    }
  }
  typename V::F operator()(typename V::F x, typename V::F dy) const {
    typename V::F r;
    visit([&](const auto& k) { r = k(x, dy); });
    return r;
  }
};

template <class V>
struct Grad<V, kSilu> : SiluGrad<V> {
  using SiluGrad<V>::SiluGrad;
};

// The GLU backward's gradient kernel for activation A (grad_entries.h): Grad<V, A>, or a cheaper form
// where dGate's bar (8 ulp, against the elementwise gradient's 4) leaves room for it.
template <class V, int A>
struct GluGrad {
  using type = Grad<V, A>;
};
template <class V>
struct GluGrad<V, kSilu> {
  using type = SiluGrad<V, true>;
};

// quickGelu' = silu' with beta = 1.702 (the exact decimal, as the forward).
template <class V>
struct Grad<V, kQuickGelu> {
  SiluGradKernel<V, kSiluGradGeneral> k;
  explicit Grad(const ActParams&) : k{BetaArg::of(1.702), math::split(1.702)} {}
  typename V::F operator()(typename V::F x, typename V::F dy) const { return k(x, dy); }
};

// gelu-tanh' = s(w) (1 + t s(-w)), w = 2u = x (A + B x^2), t = x w' = x (A + 3 B x^2) (A = 2 sqrt(2/pi),
// B = A 0.044715). w as the forward builds it (a double-float exponent in base 2, |x| clamped to 12: past
// it f' is 1 or below 2^-200); t in float (three roundings, ~1.5 ulp of t, which only enters 1 + t + E:
// <= ~6 ulp of f' at the root window's edges, far less elsewhere). The quotient of sigmoid_chain in its
// one-division form (kOneQuotient): its ~1.5 ulp more fit the 8-ulp bar (docs/accuracy.md: the full sweep).
template <class V>
struct Grad<V, kGeluTanh> : WithValue<V, Grad<V, kGeluTanh>> {
  Activation<V, kGeluTanh> fwd;  // its exponent (in base 2) and constants
  float ta, tb;                  // A and 3B in base e, for t
  explicit Grad(const ActParams& p) : fwd(p) {
    const double A = 2.0 * 0.79788456080286535587989211986876;
    ta = static_cast<float>(A);
    tb = static_cast<float>(3.0 * A * 0.044715);
  }
  // with_value also gives gelu-tanh(x) = x s(w) from the same exp (grad::times_sigmoid with m = x, x clamped
  // to -12 on the negative side, past which the result underflows).
  // Common range |x| <= 8: |w| <= 50, E plain (the value's x p in offset form, as silu's).
  typename V::M rare(typename V::F x) const { return grad::outside<V>(x, 8.0f); }
  template <bool kValue, bool kCommon>
  __attribute__((always_inline)) typename V::F eval(typename V::F x, typename V::F dy, typename V::F* value) const {
    using F = typename V::F;
    const F nx = kCommon ? V::or_(x, math::sign_mask<V>()) : V::neg_abs_min(x, 12.0f);
    const auto z = fwd.exponent(nx);  // -|w| log2(e) = zh + zl, as the forward
    const math::ExpParts<V> e = math::exp2_parts<V>(z.zh, z.zl);
    const auto neg = V::lt(x, V::zero());
    if constexpr (kCommon) {
      const F E = grad::plain_exp<V>(e);
      const F t = V::mul(x, V::fma(V::set1(tb), z.sh, V::set1(ta)));
      if constexpr (kValue) *value = grad::times_sigmoid<V>(neg, E, V::mul(x, V::mul(E, V::set1(math::kExp2<math::kOff>))), x);
      return V::mul(dy, grad::sigmoid_chain<V, true, true>(neg, E, t));
    }
    const F p = grad::offset_exp<V>(e);
    const F xc = grad::with_sign_of<V>(nx, x);
    const F t = V::mul(xc, V::fma(V::set1(tb), z.sh, V::set1(ta)));
    if constexpr (kValue) *value = keep_nan<V>(x, grad::times_sigmoid<V>(neg, V::mul(p, V::set1(math::kInvOff)), V::mul(xc, p), x));
    return keep_nan<V>(x, V::mul(dy, grad::sigmoid_chain<V, false, true>(neg, p, t)));
  }
};

// gelu' = Phi(x) + x phi(x). With a = |x| and D(a) = Phi(-a) - a phi(a): gelu'(x) = D(a) for x < 0 and
// 1 - D(a) for x >= 0 (gelu'(x) + gelu'(-x) = 1). In the forward's terms (math_erfc.h: Phi(-a) =
// e^(-a^2/2) G(a)/2, G the scaled erfc) D(a) = e^(-a^2/2) (G(a) - 2c a)/2, c = 1/sqrt(2 pi): one e^(-a^2/2)
// (math::gauss_exp, shared with the forward, so the GLU backward computes it once) times a bracket
// B = G - 2c a that cancels near f's root (at most ~2.3x outside the root's allowance window, a in
// [0.5, 1.0]). 2c a rounds only once, inside the fma that subtracts it (2c = hi + lo, the lo part after).
// G from the piecewise table (math::erfcx_pieces, every ISA; on AVX2, whose forward keeps the rational
// form, each lookup is three ops, still cheaper here than the rational form's second division and the
// double-float corrections it needed against the cancellation), B = G - 2c a, D 2^kOff = B s (1 + tm)
// (s = 2^(n+kOff-1): B s exact, the fma rounds once). No division, and no special case at a = 0 (B = 1,
// D = 1/2). Error: G ~0.6 ulp times the cancellation (<= 2.3) ~1.4, B's two roundings 1, exp 0.9, the fma
// 0.5, dy 0.5: ~4.3 ulp at the window's edges, ~2.5 elsewhere (bar 8).
// For x >= 0, 1 - D with D in [-0.13, 1/2] adds nothing. |x| is clamped to the forward's 14.5; past it f'
// is 1 or -0 (|D| < 2^-155).
// sqrt(2/pi) = 2c = kSqrt2OverPiHi + kSqrt2OverPiLo (the float nearest, and the float nearest the rest).
constexpr float kSqrt2OverPiHi = 0.79788456080286535588f;
constexpr float kSqrt2OverPiLo = static_cast<float>(0.79788456080286535588 - static_cast<double>(0.79788456080286535588f));

template <class V>
struct Grad<V, kGelu> {
  explicit Grad(const ActParams&) {}
  typename V::F operator()(typename V::F x, typename V::F dy) const {
    using F = typename V::F;
    const F a = V::min(V::abs(x), V::set1(math::kGeluClamp));
    const math::GaussExp<V> g = math::gauss_exp<V>(a);
    const F chi = V::set1(kSqrt2OverPiHi), clo = V::set1(kSqrt2OverPiLo);
    const F b = V::fnma(clo, a, V::fnma(chi, a, math::erfcx_pieces<V>(a)));
    const F bs = V::mul(b, g.s);
    const F d = V::fma(bs, g.e.tm, bs);  // D(a) 2^kOff
    const F inv = V::set1(math::kInvOff);
    // past the clamp, x < 0: f' is -0 (|f'| < 2^-155), not f'(-14.5)
    const F neg_fp = V::select(V::gt(V::abs(x), V::set1(math::kGeluClamp)), V::set1(-0.0f), V::mul(d, inv));
    const F fp = V::select(V::lt(x, V::zero()), neg_fp, V::fnma(d, inv, V::set1(1.0f)));
    return keep_nan<V>(x, V::mul(dy, fp));
  }
};

// softplus' = beta x > threshold ? 1 : s(beta x) (PyTorch compares the float product, as the forward).
// s(z) from math::mul_sigmoid (one division, the quotient rounded once also where subnormal); beta = 1:
// -|x| exact (base e), otherwise the double-float exponent of BetaArg.
template <class V, bool kUnit>
struct SoftplusGradKernel {
  BetaArg z;
  float th;
  typename V::F operator()(typename V::F x, typename V::F dy) const {
    using F = typename V::F;
    const F one = V::set1(1.0f);
    const F xs = V::xor_(x, V::xor_(V::set1(z.sign_flip), math::sign_mask<V>()));  // sign-adjusted: z > 0 <=> xs > 0
    const auto neg = V::lt(xs, V::zero());
    F s;
    if (kUnit) {
      const F ah = V::max(V::or_(x, math::sign_mask<V>()), V::set1(-150.0f));
      s = math::mul_sigmoid<V>(neg, ah, one, one);
    } else {
      const F xa = V::min(V::abs(x), V::set1(z.xmax));
      F ah, al;
      z.neg_abs_z2<V>(xa, &ah, &al);
      s = math::mul_sigmoid<V>(neg, ah, al, one, one);
    }
    const F zf = kUnit ? xs : V::mul(V::set1(z.abs_beta), xs);
    return keep_nan<V>(x, V::select(V::gt(zf, V::set1(th)), dy, V::mul(dy, s)));
  }
};

template <class V>
struct Grad<V, kSoftplus> {
  SoftplusGradKernel<V, false> general;
  bool unit;
  explicit Grad(const ActParams& p) : general{BetaArg::of(p.a), float(p.b)}, unit(p.a == 1.0) {}
  template <class Fn>
  void visit(Fn&& fn) const {
    if (unit) {
      fn(SoftplusGradKernel<V, true>{general.z, general.th});
    } else {
      fn(general);
    }
  }
  typename V::F operator()(typename V::F x, typename V::F dy) const {
    typename V::F r;
    visit([&](const auto& k) { r = k(x, dy); });
    return r;
  }
};

// mish' = tanh(sp) + x sech^2(sp) s(x), sp = softplus(x). With e = e^x, N = e (e + 2), tanh(sp) = N/(N + 2),
// sech^2(sp) s(x) = 4 e (1 + e) / (N + 2)^2, so mish' = [N (N + 2) + 4 x e (1 + e)] / (N + 2)^2. In E = e^-|x|:
//   x < 0:  E B / Q^2,  Q = N + 2 = 2 + E (E + 2),  B = (E + 2) Q + 4 x (1 + E) = 4 (1 + x) + E ((E + 2)^2 + 2 + 4x)
//   x >= 0: [k Q + 4 x E^2 (1 + E)] / Q^2,  k = 1 + 2E, Q = k + 2E^2   (numerator and denominator times E^4;
//                                                                      every term positive)
// B's second form keeps the sign change (the root -1.19) in 4 (1 + x), exact on [-2, -1/2], plus a
// correction E (...) that is small beside it outside the root window: B is within ~1 ulp there. 2 + 4x is
// exact on [-2, -1/2] (4x has the coarser ulp). Below 0 the numerator is times p = E 2^kOff (offset form, as
// sigmoid_chain). |x| clamped to 150. Error: E ~1 ulp, B ~1, Q^2 ~1, the product, the division and dy 0.5
// each: ~5 ulp (bar 8).
template <class V>
struct Grad<V, kMish> : CommonRange<V, Grad<V, kMish>> {
  explicit Grad(const ActParams&) {}
  // Common range |x| <= 60: E >= 2^-87 and num E, its quotient normal: E plain.
  typename V::M rare(typename V::F x) const { return grad::outside<V>(x, 60.0f); }
  template <bool, bool kCommon>
  __attribute__((always_inline)) typename V::F eval(typename V::F x, typename V::F dy, typename V::F*) const {
    using F = typename V::F;
    const F na = V::or_(x, math::sign_mask<V>());
    const F ah = kCommon ? na : V::max(na, V::set1(-150.0f));
    const math::ExpParts<V> ex = math::exp_parts<V>(ah);
    const F p = kCommon ? grad::plain_exp<V>(ex) : grad::offset_exp<V>(ex);
    const F E = kCommon ? p : V::mul(p, V::set1(math::kInvOff));
    const F one = V::set1(1.0f), two = V::set1(2.0f), four = V::set1(4.0f);
    const auto neg = V::lt(x, V::zero());
    // Exact doublings and the sums that round once are adds, not multiplies or fmas: this kernel waits on
    // its FMA pipes, and the adds run beside them. 4x, x clamped to [-150, 150], is exact.
    const F xc = kCommon ? x : grad::with_sign_of<V>(ah, x);
    const F x4 = V::add(V::add(xc, xc), V::add(xc, xc));
    const F e2 = V::add(E, two);
    const F Ex2 = V::add(E, E);
    const F k = V::add(Ex2, one);  // 1 + 2E, rounded once
    // Q = E (E + 2) + 2 below 0, E (2E) + k above: one fma on the selected operands.
    const F Q = V::fma(E, V::select(neg, e2, Ex2), V::select(neg, two, k));
    const F inner = V::fma(e2, e2, V::add(x4, two));
    const F B = V::fma(E, inner, V::add(x4, four));  // 4 (1 + x) rounded once, as 4x + 4
    const F E2 = V::mul(E, E);
    const F pos = V::fma(k, Q, V::mul(x4, V::fma(E2, E, E2)));  // 4x E^2 (1 + E)
    // The numerator times sc (p below 0, else 2^kOff; in the common range E and 1): B E and pos are the
    // same values as num sc there, with one select fewer.
    if constexpr (kCommon) return V::mul(dy, V::div(V::select(neg, V::mul(B, E), pos), V::mul(Q, Q)));
    const F num = V::select(neg, B, pos);
    const F sc = V::select(neg, p, V::set1(math::kExp2<math::kOff>));
    const F q = V::div(V::mul(num, sc), V::mul(Q, Q));
    return keep_nan<V>(x, V::mul(dy, V::mul(q, V::set1(math::kInvOff))));
  }
};

// c = 2^m (hi + lo), hi + lo in [1, 2] (c >= 2^-126 normal: lib/ checks alpha's range), and the exponent
// offset k = min(100, 127 - m) of elu_grad: n + m + k <= 127 for every n <= 0, and >= -126 wherever c e^x
// is not below 2^-226 (k >= 63: past that the result is 0 in float anyway).
struct ScaledConst {
  int m = 0, k = 100;
  math::Split c = {0.0f, 0.0f};
  float inv_k = math::kInvOff;  // 2^-k
  static ScaledConst of(double c) {
    ScaledConst r;
    double v = c < 0 ? -c : c;
    if (v == 0) return r;
    while (v >= 2.0) { v *= 0.5; ++r.m; }
    while (v < 1.0) { v *= 2.0; --r.m; }
    r.c = math::split(c < 0 ? -v : v);
    r.k = 127 - r.m < 100 ? 127 - r.m : 100;
    r.inv_k = math::exp2i(-r.k);
    return r;
  }
};

// elu' = x > 0 ? 1 : alpha e^x; selu' = x > 0 ? scale : scale alpha e^x (the left branch at 0). The
// constant c (alpha, scale alpha) is carried as 2^m (ch + cl) (ScaledConst), so that c e^x = (ch + cl)
// (1 + tm) 2^(n+m) is formed with its power of two applied exactly: (ch + cl)(1 + tm) = ch + (ch tm +
// cl (1 + tm)), one rounding at the end (~1 ulp with tm's error), times 2^(n+m+k) (a normal number: exact),
// then times 2^-k, exact unless c e^x is subnormal, where it rounds once (below 2^-226 the exponent is
// clamped and the value rounds to 0). x is clamped to -150 (c <= 2^64: c e^-150 < 2^-152). dy * f' rounds
// once more. kScaled: the right branch is pos * dy (grad::scaled; selu), else dy itself (elu).
template <class V, bool kScaled>
inline typename V::F elu_grad(typename V::F x, typename V::F dy, math::Split pos, const ScaledConst& c) {
  using F = typename V::F;
  const F h = V::min(V::max(x, V::set1(-150.0f)), V::zero());
  const math::ExpParts<V> e = math::exp_parts<V>(h);
  // biased exponent of 2^(n+m+k): asint(t) = 0x4B400000 + n (math::kRound), clamped to 2^-126
  const typename V::I be = V::iadd(V::asint(e.t), V::seti(c.m + c.k + 127 - 0x4B400000));
  const F s = V::asfloat(V::template ishl<23>(V::imax(be, V::seti(1))));
  const F ch = V::set1(c.c.hi);
  const F y = V::add(ch, V::fma(ch, e.tm, V::fma(V::set1(c.c.lo), e.tm, V::set1(c.c.lo))));
  const F fp = V::mul(V::mul(y, s), V::set1(c.inv_k));
  const F r = V::select(V::gt(x, V::zero()), kScaled ? grad::scaled<V>(pos, dy) : dy, V::mul(dy, fp));
  return keep_nan<V>(x, r);
}

template <class V>
struct Grad<V, kElu> {
  ScaledConst c;
  explicit Grad(const ActParams& p) : c(ScaledConst::of(p.a)) {}
  typename V::F operator()(typename V::F x, typename V::F dy) const {
    return elu_grad<V, false>(x, dy, math::Split{1.0f, 0.0f}, c);
  }
};

template <class V>
struct Grad<V, kSelu> {
  math::Split scale;
  ScaledConst c;
  explicit Grad(const ActParams&) {
    const double s = 1.0507009873554804934193349852946, al = 1.6732632423543772848170429916717;
    scale = grad::split_toward_zero(s);
    c = ScaledConst::of(s * al);
  }
  typename V::F operator()(typename V::F x, typename V::F dy) const { return elu_grad<V, true>(x, dy, scale, c); }
};

}  // namespace SWIGLU_NS
}  // namespace swiglu
