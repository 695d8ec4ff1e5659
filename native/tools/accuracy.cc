// Accuracy sweep of the elementwise activations and their gradients: every finite float32 input (or
// every N-th bit pattern with --sample N), through the real OpTable / GradTable entries of each ISA the CPU
// runs, against an independent float64 reference (libm: exp, expm1, log1p, tanh, cosh, erfc), in ulps of
// the float32 result. Gradient cases (names ending in Backward) run every swept x twice: with dy = 1 and
// with a dy drawn from the bits of x (random sign, magnitude 2^[-20, 20)). GLU backward cases (names
// ending in .dGate / .dUp; --ops gluBackward selects both) sweep the gate the same way through
// GradTable::glu_grad, with dh = up = 1 and then dh and up drawn from the bits of x.
//
//   accuracy [--sample N] [--dy-every M] [--ops silu,gelu] [--isa scalar,avx512] [--threads N] [--md] [--json]
// (--dy-every: the dy pass of the gradient cases takes every M-th swept x; default 16 for the full sweep,
// where the dy = 1 pass covers every float32 x, else 1.)
//
// Error metric (README, "Accuracy"): ulp(r) = 2^(max(floor(log2|r|), -126) - 23), err = |y - r| / ulp(r).
// Where |r| < 2^-126 an absolute error <= 2^-126 is accepted (counted as 0). Where r rounds to +-Inf in
// float32, y must be that Inf. relu/relu6 must match the correctly rounded reference bit for bit.
// Gradients (README, "Training"): also accepted are an absolute error <= 2^-126 max(1, |dy|) where the exact
// result or f'(x) is below 2^-126, and <= 2^-23 |dy| within 0.25 max(1, |r|) of a root r of f'; the sign of
// a zero gradient is not checked. GLU: dGate as a gradient with dy = dh up (bar 8), dUp = dh act(gate) as
// a forward result (the forward's bar + 1; 1 where the forward is exact).
// Also checked (any failure -> exit 1): NaN propagation (several payloads, both signs), the limits at
// +-Inf, +-0 (bitwise), the sign of zero results, and padded tails / in-place calls.
// The activations, their default parameters, bars and limits at +-Inf come from runtime/activation_list.h;
// the ISAs are those runtime/cpu.cc finds runnable, as in the addon.
#include "split_list.h"
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <limits>
#include <mutex>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "../runtime/cpu.h"
#include "../runtime/dispatch.h"
#include "../runtime/grad_dispatch.h"

using namespace swiglu;

namespace {

// ---- the float64 references (independent of the kernels' approximations) ----------------------------
double sigmoid_ref(double z) {
  if (z >= 0) return 1.0 / (1.0 + std::exp(-z));
  const double e = std::exp(z);
  return e / (1.0 + e);
}

constexpr double kSeluScale = 1.0507009873554804934193349852946;
constexpr double kSeluAlpha = 1.6732632423543772848170429916717;

double reference(int act, double x, const ActParams& p) {
  switch (act) {
    case kRelu: return x > 0 ? x : 0.0;
    case kLeakyRelu: return x > 0 ? x : p.a * x;
    case kRelu6: return x <= 0 ? 0.0 : (x >= 6 ? 6.0 : x);
    case kSigmoid: return sigmoid_ref(x);
    case kTanh: return std::tanh(x);
    case kSilu: return x * sigmoid_ref(p.a * x);
    case kGelu: return 0.5 * x * std::erfc(-x * 0.70710678118654752440084436210485);
    case kGeluTanh: {
      // 0.5 x (1 + tanh u) = x sigmoid(2u): no cancellation for x < 0
      const double u2 = 2.0 * 0.79788456080286535587989211986876 * (x + 0.044715 * x * x * x);
      return x * sigmoid_ref(u2);
    }
    case kQuickGelu: return x * sigmoid_ref(1.702 * x);
    case kSoftplus: {
      const double z = p.a * x;
      if (z > p.b) return x;
      // log1p(e^z) = max(z, 0) + log1p(e^-|z|): no overflow of e^z
      return (std::max(z, 0.0) + std::log1p(std::exp(-std::fabs(z)))) / p.a;
    }
    case kMish: {
      const double sp = std::max(x, 0.0) + std::log1p(std::exp(-std::fabs(x)));
      return x * std::tanh(sp);
    }
    case kElu: return x > 0 ? x : p.a * std::expm1(x);
    case kSelu: return kSeluScale * (x > 0 ? x : kSeluAlpha * std::expm1(x));
    case kHardSigmoid: return x <= -3 ? 0.0 : (x >= 3 ? 1.0 : (x + 3) / 6);
    case kHardSwish: return x <= -3 ? 0.0 : (x >= 3 ? x : x * (x + 3) / 6);
    default: return x;
  }
}

// f'(x), float64. Flat pieces (f' = 0 by definition) are where flat() says.
double derivative(int act, double x, const ActParams& p) {
  auto silu_d = [](double b, double v) {
    const double z = b * v;
    return sigmoid_ref(z) + z * sigmoid_ref(z) * sigmoid_ref(-z);
  };
  switch (act) {
    case kRelu: return x > 0 ? 1.0 : 0.0;
    case kLeakyRelu: return x > 0 ? 1.0 : p.a;
    case kRelu6: return x > 0 && x < 6 ? 1.0 : 0.0;
    case kSigmoid: return sigmoid_ref(x) * sigmoid_ref(-x);
    case kTanh: { const double c = std::cosh(x); return 1.0 / (c * c); }
    case kSilu: return silu_d(p.a, x);
    case kQuickGelu: return silu_d(1.702, x);
    case kGelu: return 0.5 * std::erfc(-x * 0.70710678118654752440084436210485) +
                       x * 0.39894228040143267793994605993438 * std::exp(-0.5 * x * x);
    case kGeluTanh: {
      const double k = 2.0 * 0.79788456080286535587989211986876;
      const double w = k * (x + 0.044715 * x * x * x), dw = k * (1.0 + 3.0 * 0.044715 * x * x);
      if (!std::isfinite(w)) return x > 0 ? 1.0 : -0.0;
      return sigmoid_ref(w) + x * sigmoid_ref(w) * sigmoid_ref(-w) * dw;
    }
    case kSoftplus: {
      if (float(float(p.a) * float(x)) > p.b) return 1.0;
      return sigmoid_ref(p.a * x);
    }
    case kMish: {
      const double sp = std::max(x, 0.0) + std::log1p(std::exp(-std::fabs(x)));
      const double th = std::tanh(sp);
      return th + x * (1.0 - th * th) * sigmoid_ref(x);
    }
    case kElu: return x > 0 ? 1.0 : p.a * std::exp(x);
    case kSelu: return x > 0 ? kSeluScale : kSeluScale * kSeluAlpha * std::exp(x);
    case kHardSigmoid: return x > -3 && x < 3 ? 1.0 / 6.0 : 0.0;
    case kHardSwish: return x <= -3 ? 0.0 : (x >= 3 ? 1.0 : (2 * x + 3) / 6);
    default: return 1.0;
  }
}

bool flat(int act, double x) {
  switch (act) {
    case kRelu: return x <= 0;
    case kRelu6: return x <= 0 || x >= 6;
    case kHardSigmoid: return x <= -3 || x >= 3;
    case kHardSwish: return x <= -3;
    default: return false;
  }
}

// dy * f'(x) with the flat-piece rule; NaN for NaN x. grad_from takes f'(x) computed once (the sweeps).
double grad_from(int act, double x, double dy, double fp) {
  if (std::isnan(x)) return x;
  if (flat(act, x)) return 0.0;
  return dy * fp;
}
double grad_reference(int act, double x, double dy, const ActParams& p) {
  return grad_from(act, x, dy, derivative(act, x, p));
}

// ---- the cases -----------------------------------------------------------------------------------
struct Case {
  std::string name;  // as in --ops
  int act;
  ActParams p;
  double bar;        // max ulp allowed; 0 = bitwise exact
  float inf_pos, inf_neg;  // f(+Inf), f(-Inf) (bitwise, -0 vs +0 matters)
  bool grad = false;        // a gradient case: dx = dy f'(x) through GradTable::grad
  std::vector<double> roots = {};  // roots of f' (gradient cases)
  int glu = 0;              // a GLU backward case (kGluGate, kGluUp): see glu_cases()
};

constexpr int kGluGate = 1;  // the case checks dGate = dh up f'(gate)
constexpr int kGluUp = 2;    // the case checks dUp = dh f(gate)

const float kInf = std::numeric_limits<float>::infinity();

int sign(double v) { return (v > 0) - (v < 0); }  // 0 for NaN too

// The roots of f' for activation `act` with parameters p (gradient cases; README, "Training"), found in
// the float64 reference rather than listed per activation (as lib/reference/roots.ts does for the tests):
// derivative() sampled at 64 points per binade from +-2^-149 to +-2^128 and at 0, so that a root is found
// at any scale, each sign change narrowed by bisection to double precision. A piece where f' is 0 is no root.
std::vector<double> grad_roots(int act, const ActParams& p) {
  std::vector<double> xs;
  for (int e = 127; e >= -149; --e)
    for (int k = 63; k >= 0; --k) xs.push_back(-std::ldexp(1 + k / 64.0, e));
  xs.push_back(0);
  for (size_t i = xs.size() - 1; i-- > 0;) xs.push_back(-xs[i]);
  std::vector<double> roots;
  double prev_x = 0;
  int prev_s = 0;
  for (const double x : xs) {
    const int s = sign(derivative(act, x, p));
    if (s == 0) continue;
    if (prev_s != 0 && s != prev_s) {
      double a = prev_x, b = x;
      for (double m = a + (b - a) / 2; m != a && m != b; m = a + (b - a) / 2) {
        const int sm = sign(derivative(act, m, p));
        if (sm == 0) { a = b = m; break; }
        (sm == prev_s ? a : b) = m;
      }
      roots.push_back(a + (b - a) / 2);
    }
    prev_x = x;
    prev_s = s;
  }
  return roots;
}

// Every activation of runtime/activation_list.h (identity aside) with its default parameters, then some
// with others; then their gradients (f'(+-Inf) in inf_pos, inf_neg; dy = 1, a zero's sign unchecked).
std::vector<Case> elementwise_cases() {
  std::vector<Case> fwd, grad;
  auto add = [&](std::string name, int act, ActParams p, float f_neg, bool with_grad) {
    const ActInfo& a = kActInfo[act];
    fwd.push_back({name, act, p, a.bar, a.f_pos, f_neg});
    if (!with_grad) return;
    const size_t paren = name.find('(');
    std::string gname = paren == std::string::npos ? name + "Backward" : name.insert(paren, "Backward");
    grad.push_back({gname, act, p, a.grad_bar, a.fp_pos, a.fp_neg, true, grad_roots(act, p)});
  };
  for (int act = 0; act < kActCount; ++act)
    if (act != kIdentity) add(kActInfo[act].name, act, kActInfo[act].defaults, kActInfo[act].f_neg, true);
  add("silu(beta=1.5)", kSilu, {1.5, 0}, -0.0f, true);
  add("softplus(beta=2)", kSoftplus, {2.0, 20.0}, 0.0f, true);
  add("leakyRelu(slope=0.2)", kLeakyRelu, {0.2, 0}, -kInf, false);
  add("elu(alpha=0.5)", kElu, {0.5, 0}, -0.5f, true);
  fwd.insert(fwd.end(), grad.begin(), grad.end());
  return fwd;
}

// The GLU backward (GradTable::glu_grad), two rows per op: dGate = dh up act'(gate) (bar 8 ulp, with the
// gradient allowances for dy = dh up) and dUp = dh act(gate) (the forward's bar + 1; exact forwards: 1).
// inf_pos / inf_neg: act'(+-Inf) for dGate, act(+-Inf) for dUp (dh = up = 1).
std::vector<Case> glu_cases() {
  // Each op of runtime/activation_list.h's SWIGLU_GLU_OPS, and its approximate 'tanh' form where it has one.
  std::vector<std::pair<std::string, int>> ops;
#define SWIGLU_GLU_CASE(op, Gate, TanhGate)                                   \
  ops.emplace_back(#op "Backward", k##Gate);                                  \
  if (k##TanhGate != k##Gate) ops.emplace_back(#op "Backward(tanh)", k##TanhGate);
  SWIGLU_GLU_OPS(SWIGLU_GLU_CASE)
#undef SWIGLU_GLU_CASE
  std::vector<Case> v;
  for (const auto& [name, act] : ops) {
    const ActInfo& a = kActInfo[act];
    v.push_back({std::string(name) + ".dGate", act, a.defaults, 8, a.fp_pos, a.fp_neg, true, grad_roots(act, a.defaults), kGluGate});
    v.push_back({std::string(name) + ".dUp", act, a.defaults, a.bar + 1, a.f_pos, a.f_neg, true, {}, kGluUp});
  }
  return v;
}

std::vector<Case> all_cases() {
  std::vector<Case> v = elementwise_cases();
  for (const Case& c : glu_cases()) v.push_back(c);
  return v;
}

struct IsaTables {
  const char* name;
  const OpTable* table;
  const GradTable* grads;
};

// The ISAs the addon would run here (runtime/cpu.cc), in the order of enum Isa.
std::vector<IsaTables> runnable_isas() {
  std::vector<IsaTables> v;
  for (int i = 0; i < kIsaCount; ++i) {
    const Isa isa = static_cast<Isa>(i);
    if (isa_runnable(isa)) v.push_back({isa_name(isa), &op_table(isa), &grad_table(isa)});
  }
  return v;
}

uint32_t bits(float f) { uint32_t u; std::memcpy(&u, &f, 4); return u; }
float fromBits(uint32_t u) { float f; std::memcpy(&f, &u, 4); return f; }

// ---- statistics -----------------------------------------------------------------------------------
struct Stats {
  double max_ulp = 0;
  uint32_t worst = 0;           // input bits at max_ulp
  float worst_y = 0;
  double worst_r = 0;
  uint64_t n = 0, over05 = 0, over1 = 0, over2 = 0, over4 = 0;
  uint64_t bad_special = 0;     // NaN / Inf / zero-sign mismatches found in the sweep
  uint32_t bad_special_x = 0;
  void merge(const Stats& o) {
    if (o.max_ulp > max_ulp || (o.max_ulp == max_ulp && o.n && !n)) {
      max_ulp = o.max_ulp; worst = o.worst; worst_y = o.worst_y; worst_r = o.worst_r;
    }
    n += o.n; over05 += o.over05; over1 += o.over1; over2 += o.over2; over4 += o.over4;
    if (o.bad_special && !bad_special) bad_special_x = o.bad_special_x;
    bad_special += o.bad_special;
  }
};

// Error of y against the exact r, per the contract. Returns +inf for a NaN/Inf/sign mismatch.
double ulp_error(float y, double r, bool exact, bool zero_sign = true) {
  const float rf = static_cast<float>(r);  // correctly rounded (double -> float rounds to nearest)
  if (std::isnan(r)) return std::isnan(y) ? 0 : INFINITY;
  if (std::isnan(y)) return INFINITY;
  if (exact) return bits(y) == bits(rf) ? 0 : INFINITY;
  if (std::isinf(rf)) return bits(y) == bits(rf) ? 0 : INFINITY;
  if (std::isinf(y)) return INFINITY;
  if (zero_sign && rf == 0 && y == 0 && std::signbit(rf) != std::signbit(y)) return INFINITY;  // zero of the wrong sign
  const double ar = std::fabs(r), d = std::fabs(double(y) - r);
  if (ar < 0x1p-126) return d <= 0x1p-126 ? 0 : d / 0x1p-149;
  int e;
  std::frexp(ar, &e);  // ar = m 2^e, m in [0.5, 1): floor(log2 ar) = e - 1
  return d / std::ldexp(1.0, e - 1 - 23);
}

// A gradient's error: ulp_error with the README's allowances (see the top of this file).
double grad_error(float y, double r, double x, double dy, double fp, const std::vector<double>& roots, bool exact) {
  const double e = ulp_error(y, r, exact, false);
  if (e == 0 || std::isinf(e)) return e;
  const double d = std::fabs(double(y) - r);
  if ((std::fabs(r) < 0x1p-126 || std::fabs(fp) < 0x1p-126) && d <= 0x1p-126 * std::max(1.0, std::fabs(dy))) return 0;
  for (double root : roots)
    if (std::fabs(x - root) <= 0.25 * std::max(1.0, std::fabs(root)) && d <= 0x1p-23 * std::fabs(dy)) return 0;
  return e;
}

// dy for the second pass of a gradient sweep, from the bits of x: random sign, magnitude 2^[-20, 20).
float dy_of(uint32_t xb) {
  uint32_t h = xb * 0x9E3779B1u;
  h ^= h >> 15;
  h *= 0x85EBCA77u;
  h ^= h >> 13;
  const int e = int(h % 40u) - 20;
  const float m = 1.0f + float((h >> 8) & 0xFFFFu) / 65536.0f;
  return std::ldexp((h & 0x80000000u) ? -m : m, e);
}

void account(Stats& s, uint32_t xb, float y, double r, double err) {
  ++s.n;
  if (std::isinf(err)) {
    if (!s.bad_special) s.bad_special_x = xb;
    ++s.bad_special;
    return;
  }
  if (err > 0.5) ++s.over05;
  if (err > 1) ++s.over1;
  if (err > 2) ++s.over2;
  if (err > 4) ++s.over4;
  if (s.n == 1 || err > s.max_ulp) { s.max_ulp = err; s.worst = xb; s.worst_y = y; s.worst_r = r; }
}

// ---- the sweep --------------------------------------------------------------------------------------
constexpr size_t kBatch = 1 << 16;

struct Options {
  uint64_t sample = 1;
  // The gradient sweeps' second pass (dy, or dh and up, drawn from the bits of x) takes every dy_every-th
  // swept input; the first (dy = 1) takes all. 0 until parsed: 16 for the full sweep (--sample 1), else 1.
  uint64_t dy_every = 0;
  std::vector<std::string> ops, isas;
  unsigned threads = 0;
  bool md = false, json = false;
};

// up for the GLU sweep's second pass, from the bits of x: as dy_of, from another hash of them.
float up_of(uint32_t xb) { return dy_of(xb ^ 0x5BD1E995u); }

// dUp's error: the forward's metric, and where act(gate) itself is below 2^-126 (where the forward is
// allowed an absolute 2^-126) that allowance carried through the product: 2^-126 max(1, |dh|).
double glu_up_error(float y, double r, double f, double dh) {
  const double e = ulp_error(y, r, false);
  if (e == 0 || std::isinf(e)) return e;
  if (std::fabs(f) < 0x1p-126 && std::fabs(double(y) - r) <= 0x1p-126 * std::max(1.0, std::fabs(dh))) return 0;
  return e;
}

// One batch of a GLU backward case: gate = x, twice (dh = up = 1; then dh = dy_of, up = up_of), through
// every ISA's glu_grad entry; the case's output (dGate or dUp) judged against float64.
void glu_batch(const Case& c, const std::vector<IsaTables>& isas, const uint32_t* xb, const float* x, size_t n,
               const Options& o, std::vector<Stats>& local) {
  thread_local std::vector<float> gx, dh, up, dg, du;
  thread_local std::vector<uint32_t> gb;
  thread_local std::vector<double> ref;  // act(x) for dUp, act'(x) for dGate: once per input
  for (auto* v : {&gx, &dh, &up, &dg, &du}) v->resize(n);
  gb.resize(n);
  ref.resize(n);
  for (size_t i = 0; i < n; ++i)
    ref[i] = c.glu == kGluUp ? reference(c.act, double(x[i]), c.p) : derivative(c.act, double(x[i]), c.p);
  thread_local std::vector<size_t> at;
  at.resize(n);
  for (int pass = 0; pass < 2; ++pass) {
    size_t m = 0;
    for (size_t i = 0; i < n; ++i) {
      if (pass && (xb[i] / o.sample) % o.dy_every != 0) continue;
      at[m] = i;
      gx[m] = x[i];
      gb[m] = xb[i];
      dh[m] = pass ? dy_of(xb[i]) : 1.0f;
      up[m] = pass ? up_of(xb[i]) : 1.0f;
      ++m;
    }
    for (size_t k = 0; k < isas.size(); ++k) {
      isas[k].grads->glu_grad[c.act](gx.data(), up.data(), dh.data(), dg.data(), du.data(), m, c.p);
      for (size_t j = 0; j < m; ++j) {
        const double xd = gx[j], d = double(dh[j]), f = ref[at[j]];
        if (c.glu == kGluUp) {
          const double r = d * f;
          account(local[k], gb[j], du[j], r, glu_up_error(du[j], r, f, d));
        } else {
          const double dy = d * double(up[j]);  // exact
          const double r = grad_from(c.act, xd, dy, f);
          account(local[k], gb[j], dg[j], r, grad_error(dg[j], r, xd, dy, f, c.roots, false));
        }
      }
    }
  }
}

bool selected(const std::vector<std::string>& list, const std::string& name, bool base_match) {
  if (list.empty()) return true;
  for (const auto& s : list) {
    if (s == name) return true;
    if (base_match && name.compare(0, s.size(), s) == 0 && name.size() > s.size() &&
        (name[s.size()] == '(' || name[s.size()] == '.'))
      return true;
  }
  return false;
}

// Sweeps one case over all selected ISAs: the reference is computed once per input and shared.
std::vector<Stats> sweep(const Case& c, const std::vector<IsaTables>& isas, const Options& o) {
  const uint64_t total = (uint64_t(1) << 32);
  const uint64_t span = kBatch * o.sample;  // bit patterns per batch
  const uint64_t nbatches = (total + span - 1) / span;
  std::atomic<uint64_t> next{0};
  std::vector<Stats> result(isas.size());
  std::mutex mu;
  auto worker = [&]() {
    std::vector<float> x(kBatch), y(kBatch);
    std::vector<double> r(kBatch), r2(kBatch), fp(kBatch);
    std::vector<float> ones(kBatch), dys(kBatch), x2(kBatch);
    std::vector<size_t> at(kBatch);
    std::vector<uint32_t> xb(kBatch);
    std::vector<Stats> local(isas.size());
    for (;;) {
      const uint64_t b = next.fetch_add(1);
      if (b >= nbatches) break;
      size_t n = 0;
      for (uint64_t u = b * span; u < std::min(total, (b + 1) * span); u += o.sample) {
        const uint32_t ub = uint32_t(u);
        if ((ub & 0x7f800000u) == 0x7f800000u) continue;  // NaN, Inf: checked separately
        xb[n] = ub;
        x[n] = fromBits(ub);
        if (!c.grad) r[n] = reference(c.act, double(x[n]), c.p);
        ++n;
      }
      if (c.glu) {
        glu_batch(c, isas, xb.data(), x.data(), n, o, local);
        continue;
      }
      if (c.grad) {
        // f'(x) once per input; the dy pass on every dy_every-th input, packed into x2/dys
        size_t m = 0;
        for (size_t i = 0; i < n; ++i) {
          ones[i] = 1.0f;
          fp[i] = derivative(c.act, double(x[i]), c.p);
          r[i] = grad_from(c.act, double(x[i]), 1.0, fp[i]);
          if ((xb[i] / o.sample) % o.dy_every != 0) continue;
          at[m] = i;
          x2[m] = x[i];
          dys[m] = dy_of(xb[i]);
          r2[m] = grad_from(c.act, double(x[i]), double(dys[m]), fp[i]);
          ++m;
        }
        for (size_t k = 0; k < isas.size(); ++k) {
          isas[k].grads->grad[c.act](x.data(), ones.data(), y.data(), n, c.p);
          for (size_t i = 0; i < n; ++i)
            account(local[k], xb[i], y[i], r[i], grad_error(y[i], r[i], x[i], 1.0, fp[i], c.roots, c.bar == 0));
          isas[k].grads->grad[c.act](x2.data(), dys.data(), y.data(), m, c.p);
          for (size_t j = 0; j < m; ++j) {
            const size_t i = at[j];
            account(local[k], xb[i], y[j], r2[j], grad_error(y[j], r2[j], x[i], dys[j], fp[i], c.roots, c.bar == 0));
          }
        }
        continue;
      }
      for (size_t k = 0; k < isas.size(); ++k) {
        isas[k].table->unary[c.act](x.data(), y.data(), n, c.p, Store::kCache);
        for (size_t i = 0; i < n; ++i) account(local[k], xb[i], y[i], r[i], ulp_error(y[i], r[i], c.bar == 0));
      }
    }
    std::lock_guard<std::mutex> g(mu);
    for (size_t k = 0; k < isas.size(); ++k) result[k].merge(local[k]);
  };
  std::vector<std::thread> pool;
  for (unsigned t = 0; t < o.threads; ++t) pool.emplace_back(worker);
  for (auto& t : pool) t.join();
  return result;
}

// Edge checks: NaN payloads, +-Inf limits, +-0 (bitwise against the reference), tails and in-place.
// Gradient edge checks: NaN x -> NaN, f'(+-Inf) with dy = 1, the flat-piece rule (dx = 0 for dy = +-Inf,
// NaN on a flat piece), tails and in place on x and on dy.
std::vector<std::string> grad_edge_checks(const Case& c, const IsaTables& isa) {
  std::vector<std::string> fails;
  char msg[256];
  const GradFn g = isa.grads->grad[c.act];
  const uint32_t nans[] = {0x7fc00000u, 0xffc00000u, 0x7f800001u, 0x7fbfffffu, 0xffffffffu};
  for (uint32_t nb : nans) {
    float x = fromBits(nb), one = 1, y = 0;
    g(&x, &one, &y, 1, c.p);
    if (!std::isnan(y)) { std::snprintf(msg, sizeof msg, "NaN 0x%08x -> %g", nb, y); fails.push_back(msg); }
  }
  const float inx[2] = {kInf, -kInf}, want[2] = {c.inf_pos, c.inf_neg};
  for (int i = 0; i < 2; ++i) {
    float one = 1, y = 0;
    g(&inx[i], &one, &y, 1, c.p);
    if (!(y == want[i])) {
      std::snprintf(msg, sizeof msg, "f'(%cInf) = %g, want %g", i ? '-' : '+', y, want[i]);
      fails.push_back(msg);
    }
  }
  for (float x : {-7.0f, -3.0f, 0.0f, -0.0f, 6.0f, 9.0f}) {
    if (!flat(c.act, x)) continue;
    for (float dy : {kInf, -kInf, std::numeric_limits<float>::quiet_NaN()}) {
      float y = 1;
      g(&x, &dy, &y, 1, c.p);
      if (y != 0) { std::snprintf(msg, sizeof msg, "flat piece x=%g, dy=%g -> %g, want 0", x, dy, y); fails.push_back(msg); }
    }
  }
  std::vector<float> x(40), dy(40), full(40), y(40);
  for (int i = 0; i < 40; ++i) { x[i] = (i - 20) * 0.37f + (i % 3) * 1e-3f; dy[i] = 1.5f - i * 0.11f; }
  g(x.data(), dy.data(), full.data(), 40, c.p);
  for (size_t len = 1; len <= 40; ++len) {
    std::fill(y.begin(), y.end(), -7.0f);
    g(x.data(), dy.data(), y.data(), len, c.p);
    for (size_t i = 0; i < 40; ++i) {
      if (i < len ? bits(y[i]) != bits(full[i]) : y[i] != -7.0f) {
        std::snprintf(msg, sizeof msg, "tail: length %zu, element %zu differs (or written past the end)", len, i);
        fails.push_back(msg);
        len = 41;
        break;
      }
    }
  }
  std::vector<float> ix = x, idy = dy;
  g(ix.data(), dy.data(), ix.data(), 40, c.p);
  g(x.data(), idy.data(), idy.data(), 40, c.p);
  if (std::memcmp(ix.data(), full.data(), 160) != 0) fails.push_back("in place on x differs");
  if (std::memcmp(idy.data(), full.data(), 160) != 0) fails.push_back("in place on dy differs");
  return fails;
}

// GLU backward edge checks (the case's output; dh = up = 1 unless said): NaN gate -> NaN (but bilinear's
// dGate, dh up alone); act and act' at +-Inf; the flat-piece rule for dGate (0 where act' = 0 by
// definition, whatever dh up is: +-Inf, NaN); dh up past the float range (the kernel's rescue path:
// dGate = dh up act'(gate) judged against float64 with the case's bar); padded tails 1..40 (both outputs,
// nothing written past the end); each output exactly one of the inputs.
std::vector<std::string> glu_edge_checks(const Case& c, const IsaTables& isa) {
  std::vector<std::string> fails;
  char msg[256];
  const GluGradFn g = isa.grads->glu_grad[c.act];
  const bool gate_out = c.glu == kGluGate;
  auto one = [&](float x, float up, float dh) {
    float dg = 7, du = 7;
    g(&x, &up, &dh, &dg, &du, 1, c.p);
    return gate_out ? dg : du;
  };
  if (!(gate_out && c.act == kIdentity)) {
    for (uint32_t nb : {0x7fc00000u, 0xffc00000u, 0x7f800001u, 0x7fbfffffu, 0xffffffffu}) {
      const float y = one(fromBits(nb), 1.0f, 1.0f);
      if (!std::isnan(y)) { std::snprintf(msg, sizeof msg, "NaN gate 0x%08x -> %g", nb, y); fails.push_back(msg); }
    }
  }
  const float inx[2] = {kInf, -kInf}, want[2] = {c.inf_pos, c.inf_neg};
  for (int i = 0; i < 2; ++i) {
    const float y = one(inx[i], 1.0f, 1.0f);
    if (!(y == want[i])) {
      std::snprintf(msg, sizeof msg, "gate %cInf -> %g, want %g", i ? '-' : '+', y, want[i]);
      fails.push_back(msg);
    }
  }
  const float nan = std::numeric_limits<float>::quiet_NaN();
  if (gate_out) {
    for (float x : {-7.0f, -3.0f, 0.0f, -0.0f, 6.0f, 9.0f}) {
      if (!flat(c.act, x)) continue;
      const float ud[][2] = {{kInf, 1}, {1, -kInf}, {nan, 1}, {1, nan}, {kInf, kInf}};
      for (const auto& q : ud) {
        const float y = one(x, q[0], q[1]);
        if (y != 0) {
          std::snprintf(msg, sizeof msg, "flat piece gate=%g, up=%g, dh=%g -> %g, want 0", x, q[0], q[1], y);
          fails.push_back(msg);
        }
      }
    }
    for (float x : {-100.0f, -60.0f, -20.0f, -3.0f, -1.0f, -0.3f, 0.5f, 2.0f, 30.0f}) {
      for (float up : {0x1.8p80f, -0x1.8p80f, 0x1p100f}) {
        const float dh = 0x1.4p80f;
        const float y = one(x, up, dh);
        const double dy = double(dh) * double(up);
        const double r = grad_reference(c.act, x, dy, c.p);
        const double e = grad_error(y, r, x, dy, derivative(c.act, x, c.p), c.roots, false);
        if (!(e <= c.bar)) {
          std::snprintf(msg, sizeof msg, "dh up past the float range: gate=%g, up=%g, dh=%g -> %g, want %.9g (%g ulp)",
                        x, up, dh, y, r, e);
          fails.push_back(msg);
        }
      }
    }
  }
  std::vector<float> x(40), u(40), h(40), fg(40), fu(40), yg(40), yu(40);
  for (int i = 0; i < 40; ++i) {
    x[i] = (i - 20) * 0.37f + (i % 3) * 1e-3f;
    u[i] = 0.8f - i * 0.07f;
    h[i] = 1.5f - i * 0.11f;
  }
  g(x.data(), u.data(), h.data(), fg.data(), fu.data(), 40, c.p);
  for (size_t len = 1; len <= 40; ++len) {
    std::fill(yg.begin(), yg.end(), -7.0f);
    std::fill(yu.begin(), yu.end(), -7.0f);
    g(x.data(), u.data(), h.data(), yg.data(), yu.data(), len, c.p);
    for (size_t i = 0; i < 40; ++i) {
      const bool ok = i < len ? bits(yg[i]) == bits(fg[i]) && bits(yu[i]) == bits(fu[i]) : yg[i] == -7.0f && yu[i] == -7.0f;
      if (!ok) {
        std::snprintf(msg, sizeof msg, "tail: length %zu, element %zu differs (or written past the end)", len, i);
        fails.push_back(msg);
        len = 41;
        break;
      }
    }
  }
  // (dGate, dUp) written over (gate, up), (up, dh), (dh, gate)
  for (int form = 0; form < 3; ++form) {
    std::vector<float> in[3] = {x, u, h};  // gate, up, dh
    float* og = in[form].data();
    float* ou = in[(form + 1) % 3].data();
    g(in[0].data(), in[1].data(), in[2].data(), og, ou, 40, c.p);
    if (std::memcmp(og, fg.data(), 160) != 0 || std::memcmp(ou, fu.data(), 160) != 0) {
      const char* names[3] = {"gate", "up", "dh"};
      std::snprintf(msg, sizeof msg, "in place (dGate over %s, dUp over %s) differs", names[form], names[(form + 1) % 3]);
      fails.push_back(msg);
    }
  }
  return fails;
}

std::vector<std::string> edge_checks(const Case& c, const IsaTables& isa) {
  if (c.glu) return glu_edge_checks(c, isa);
  if (c.grad) return grad_edge_checks(c, isa);
  std::vector<std::string> fails;
  char msg[256];
  const uint32_t nans[] = {0x7fc00000u, 0xffc00000u, 0x7f800001u, 0x7fbfffffu, 0xffffffffu, 0x7fc12345u, 0xff800010u};
  for (uint32_t nb : nans) {
    float x = fromBits(nb), y = 0;
    isa.table->unary[c.act](&x, &y, 1, c.p, Store::kCache);
    if (!std::isnan(y)) {
      std::snprintf(msg, sizeof msg, "NaN 0x%08x -> %g (0x%08x)", nb, y, bits(y));
      fails.push_back(msg);
    }
  }
  const float inx[2] = {kInf, -kInf};
  const float want[2] = {c.inf_pos, c.inf_neg};
  for (int i = 0; i < 2; ++i) {
    float y = 0;
    isa.table->unary[c.act](&inx[i], &y, 1, c.p, Store::kCache);
    if (bits(y) != bits(want[i])) {
      std::snprintf(msg, sizeof msg, "f(%cInf) = %g (0x%08x), want %g (0x%08x)", i ? '-' : '+', y, bits(y), want[i],
                    bits(want[i]));
      fails.push_back(msg);
    }
  }
  for (float z : {0.0f, -0.0f}) {
    float y = 1;
    isa.table->unary[c.act](&z, &y, 1, c.p, Store::kCache);
    const float w = float(reference(c.act, double(z), c.p));
    if (bits(y) != bits(w)) {
      std::snprintf(msg, sizeof msg, "f(%s0) = %g (0x%08x), want 0x%08x", std::signbit(z) ? "-" : "+", y, bits(y),
                    bits(w));
      fails.push_back(msg);
    }
  }
  // Tails (every length 1..40, one full call for reference) and in place: must equal lane-by-lane results.
  std::vector<float> x(40), full(40), y(40);
  for (int i = 0; i < 40; ++i) x[i] = (i - 20) * 0.37f + (i % 3) * 1e-3f;
  isa.table->unary[c.act](x.data(), full.data(), 40, c.p, Store::kCache);
  for (size_t len = 1; len <= 40; ++len) {
    std::fill(y.begin(), y.end(), -7.0f);
    isa.table->unary[c.act](x.data(), y.data(), len, c.p, Store::kCache);
    for (size_t i = 0; i < 40; ++i) {
      const bool ok = i < len ? bits(y[i]) == bits(full[i]) : y[i] == -7.0f;
      if (!ok) {
        std::snprintf(msg, sizeof msg, "tail: length %zu, element %zu differs (or written past the end)", len, i);
        fails.push_back(msg);
        len = 41;
        break;
      }
    }
  }
  std::vector<float> inplace = x;
  isa.table->unary[c.act](inplace.data(), inplace.data(), 40, c.p, Store::kCache);
  if (std::memcmp(inplace.data(), full.data(), 40 * sizeof(float)) != 0) fails.push_back("in-place result differs");
  // Streaming stores (Store::kStream, arrays past the last-level cache): the same bits from every output
  // alignment (head peeled to the vector boundary, tail padded), nothing written outside the range.
  std::vector<float> sx(300), sref(300), sy(320);
  for (size_t i = 0; i < sx.size(); ++i) sx[i] = (static_cast<int>(i) - 150) * 0.173f + (i % 7) * 1e-3f;
  isa.table->unary[c.act](sx.data(), sref.data(), sx.size(), c.p, Store::kCache);
  for (size_t off = 0; off < 16; ++off) {
    for (size_t len : {size_t(0), size_t(1), size_t(15), size_t(17), size_t(64), size_t(131), size_t(300 - off)}) {
      std::fill(sy.begin(), sy.end(), -7.0f);
      isa.table->unary[c.act](sx.data() + off, sy.data() + off, len, c.p, Store::kStream);
      for (size_t i = 0; i < sy.size(); ++i) {
        const bool inside = i >= off && i < off + len;
        const bool ok = inside ? bits(sy[i]) == bits(sref[i]) : sy[i] == -7.0f;
        if (!ok) {
          std::snprintf(msg, sizeof msg, "stream: offset %zu, length %zu, element %zu differs (or written outside)", off, len, i);
          fails.push_back(msg);
          off = 16;
          break;
        }
      }
      if (off == 16) break;
    }
  }
  return fails;
}


void usage() {
  std::fprintf(stderr,
               "usage: accuracy [--sample N] [--dy-every M] [--ops a,b] [--isa x,y] [--threads N] [--md] [--json]\n"
               "  every N-th float32 bit pattern (default 1: all 2^32 minus NaN/Inf) per op and ISA; gradients:\n"
               "  each with dy = 1, and every M-th with a dy from its bits (default M = 16 when N = 1, else 1)\n");
}

}  // namespace

int main(int argc, char** argv) {
  Options o;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    auto val = [&]() -> const char* {
      if (i + 1 >= argc) { usage(); std::exit(2); }
      return argv[++i];
    };
    if (a == "--sample") o.sample = std::max<uint64_t>(1, std::strtoull(val(), nullptr, 10));
    else if (a == "--ops") o.ops = split_list(val());
    else if (a == "--isa") o.isas = split_list(val());
    else if (a == "--threads") o.threads = unsigned(std::strtoul(val(), nullptr, 10));
    else if (a == "--md") o.md = true;
    else if (a == "--json") o.json = true;
    else if (a == "--dy-every") o.dy_every = std::max<uint64_t>(1, std::strtoull(val(), nullptr, 10));
    else { usage(); return 2; }
  }
  if (!o.threads) o.threads = std::max(1u, std::thread::hardware_concurrency());
  if (!o.dy_every) o.dy_every = o.sample == 1 ? 16 : 1;

  std::vector<IsaTables> isas;
  for (const IsaTables& i : runnable_isas())
    if (selected(o.isas, i.name, false)) isas.push_back(i);
  for (const auto& want : o.isas) {
    bool found = false;
    for (const IsaTables& i : isas) found |= want == i.name;
    if (!found) std::fprintf(stderr, "note: ISA '%s' not runnable here (or unknown), skipped\n", want.c_str());
  }
  std::vector<Case> cases;
  for (const Case& c : all_cases())
    if (selected(o.ops, c.name, true)) cases.push_back(c);
  if (cases.empty() || isas.empty()) {
    std::fprintf(stderr, "nothing to do (unknown --ops / --isa?)\n");
    return 2;
  }

  const auto t0 = std::chrono::steady_clock::now();
  bool fail = false;
  struct Row { const Case* c; const IsaTables* isa; Stats s; std::vector<std::string> edges; };
  std::vector<Row> rows;
  for (const Case& c : cases) {
    const std::vector<Stats> st = sweep(c, isas, o);
    for (size_t k = 0; k < isas.size(); ++k) {
      Row row{&c, &isas[k], st[k], edge_checks(c, isas[k])};
      const bool ok = row.s.bad_special == 0 && row.edges.empty() && row.s.max_ulp <= c.bar;
      fail |= !ok;
      if (!o.md && !o.json) {
        std::printf("%-21s %-7s max %7.3f ulp at 0x%08x (x=%.9g y=%.9g ref=%.17g)  >0.5:%llu >1:%llu >2:%llu >4:%llu  n=%llu%s\n",
                    c.name.c_str(), isas[k].name, row.s.max_ulp, row.s.worst, double(fromBits(row.s.worst)),
                    double(row.s.worst_y), row.s.worst_r, (unsigned long long)row.s.over05,
                    (unsigned long long)row.s.over1, (unsigned long long)row.s.over2,
                    (unsigned long long)row.s.over4, (unsigned long long)row.s.n, ok ? "" : "   FAIL");
        if (row.s.bad_special)
          std::printf("    %llu NaN/Inf/zero-sign mismatches, first at x=0x%08x\n",
                      (unsigned long long)row.s.bad_special, row.s.bad_special_x);
        for (const auto& e : row.edges) std::printf("    edge: %s\n", e.c_str());
        std::fflush(stdout);
      }
      rows.push_back(std::move(row));
    }
  }
  const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();

  if (o.md) {
    std::printf("| op | bar (ulp) |");
    for (const IsaTables& i : isas) std::printf(" %s max ulp (at x) |", i.name);
    std::printf(" edges |\n|---|---|");
    for (size_t k = 0; k < isas.size(); ++k) std::printf("---|");
    std::printf("---|\n");
    for (size_t r = 0; r < rows.size(); r += isas.size()) {
      std::printf("| %s | %s |", rows[r].c->name.c_str(), rows[r].c->bar == 0 ? "exact" : std::to_string(int(rows[r].c->bar)).c_str());
      bool edges_ok = true;
      for (size_t k = 0; k < isas.size(); ++k) {
        const Row& w = rows[r + k];
        edges_ok &= w.edges.empty() && w.s.bad_special == 0;
        if (w.c->bar == 0) std::printf(" %s |", w.s.max_ulp == 0 ? "exact" : "MISMATCH");
        else std::printf(" %.3f (%.6g) |", w.s.max_ulp, double(fromBits(w.s.worst)));
      }
      std::printf(" %s |\n", edges_ok ? "ok" : "FAIL");
    }
    std::printf("\n%llu inputs per op per ISA (--sample %llu), %.0f s on %u threads.\n",
                (unsigned long long)(rows.empty() ? 0 : rows[0].s.n), (unsigned long long)o.sample, secs, o.threads);
  } else if (o.json) {
    std::printf("{\"sample\": %llu, \"seconds\": %.1f, \"pass\": %s, \"results\": [\n",
                (unsigned long long)o.sample, secs, fail ? "false" : "true");
    for (size_t r = 0; r < rows.size(); ++r) {
      const Row& w = rows[r];
      std::printf("  {\"op\": \"%s\", \"isa\": \"%s\", \"bar\": %g, \"max_ulp\": %.4f, \"worst_bits\": \"0x%08x\", "
                  "\"worst_x\": %.9g, \"n\": %llu, \"over_0_5\": %llu, \"over_1\": %llu, \"over_2\": %llu, "
                  "\"over_4\": %llu, \"special_mismatches\": %llu, \"edge_failures\": %zu}%s\n",
                  w.c->name.c_str(), w.isa->name, w.c->bar, w.s.max_ulp, w.s.worst, double(fromBits(w.s.worst)),
                  (unsigned long long)w.s.n, (unsigned long long)w.s.over05, (unsigned long long)w.s.over1,
                  (unsigned long long)w.s.over2, (unsigned long long)w.s.over4,
                  (unsigned long long)w.s.bad_special, w.edges.size(), r + 1 < rows.size() ? "," : "");
    }
    std::printf("]}\n");
  } else {
    std::printf("%s in %.1f s (%u threads, --sample %llu)\n", fail ? "FAIL" : "PASS", secs, o.threads,
                (unsigned long long)o.sample);
  }
  return fail ? 1 : 0;
}
