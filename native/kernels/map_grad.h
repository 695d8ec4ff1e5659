// Drivers for the gradients (backward.h): two inputs to one output (dx = op(x, dy)) and the GLU
// backward (three inputs to two outputs). Full vectors, then one zero-padded tail vector: no read or write
// past the caller's arrays. Every vector is loaded before any store of its step, so an output may be
// exactly one of the inputs (in place). Plain stores only (no streaming stores: a backward pass reads its
// results again right away). Included inside each ISA unit after its vector layer.
#pragma once
#include <cstddef>

#include "map.h"

namespace swiglu {
namespace SWIGLU_NS {

// dx[i] = op(x[i], dy[i]) for fewer than V::N elements.
template <class V, class Op>
inline void map_grad_partial(const float* x, const float* dy, float* dx, size_t rest, const Op& op) {
  float xb[V::N], db[V::N];
  for (size_t j = 0; j < size_t(V::N); ++j) {
    xb[j] = j < rest ? x[j] : 0.0f;
    db[j] = j < rest ? dy[j] : 0.0f;
  }
  V::store(xb, op(V::load(xb), V::load(db)));
  for (size_t j = 0; j < rest; ++j) dx[j] = xb[j];
}

// Gradient kernels with a common range (backward.h CommonRange: Op::rare(x), Op::eval<kValue, kCommon>).
template <class Op, class = void>
struct GradGuardedOf {
  static constexpr bool value = false;
};
template <class Op>
struct GradGuardedOf<Op, decltype(void(Op::kCommonRange))> {
  static constexpr bool value = Op::kCommonRange;
};

// dx[i] = op(x[i], dy[i]); dx may be exactly x or dy. Four vectors per step (independent chains for the
// scheduler, as map_unary), spelled out so that g++ keeps each in registers. A kernel with a common range
// takes it for a step whose four vectors all lie inside (one test per step, as map.h's map_step).
template <class V, class Op>
__attribute__((flatten)) inline void map_grad(const float* x, const float* dy, float* dx, size_t n, const Op& op_ref) {
  const Op op = op_ref;  // a local copy: no store to dx can alias its constants
  using F = typename V::F;
  constexpr size_t N = V::N;
  size_t i = 0;
  for (; i + 4 * N <= n; i += 4 * N) {
    const F x0 = V::load(x + i), x1 = V::load(x + i + N), x2 = V::load(x + i + 2 * N), x3 = V::load(x + i + 3 * N);
    const F d0 = V::load(dy + i), d1 = V::load(dy + i + N), d2 = V::load(dy + i + 2 * N), d3 = V::load(dy + i + 3 * N);
    if constexpr (GradGuardedOf<Op>::value) {
      if (!V::any(V::mor(V::mor(op.rare(x0), op.rare(x1)), V::mor(op.rare(x2), op.rare(x3))))) {
        V::store(dx + i, op.template eval<false, true>(x0, d0, nullptr));
        V::store(dx + i + N, op.template eval<false, true>(x1, d1, nullptr));
        V::store(dx + i + 2 * N, op.template eval<false, true>(x2, d2, nullptr));
        V::store(dx + i + 3 * N, op.template eval<false, true>(x3, d3, nullptr));
      } else {
        V::store(dx + i, op.template eval<false, false>(x0, d0, nullptr));
        V::store(dx + i + N, op.template eval<false, false>(x1, d1, nullptr));
        V::store(dx + i + 2 * N, op.template eval<false, false>(x2, d2, nullptr));
        V::store(dx + i + 3 * N, op.template eval<false, false>(x3, d3, nullptr));
      }
      continue;
    }
    V::store(dx + i, op(x0, d0));
    V::store(dx + i + N, op(x1, d1));
    V::store(dx + i + 2 * N, op(x2, d2));
    V::store(dx + i + 3 * N, op(x3, d3));
  }
  for (; i + N <= n; i += N) V::store(dx + i, op(V::load(x + i), V::load(dy + i)));
  if (i < n) map_grad_partial<V>(x + i, dy + i, dx + i, n - i, op);
}

// One GLU backward vector: dup = dh act(g); dgate = grad(g, dh up): dh up rounded once, then the gradient's
// own product with it (the flat-piece rule of backward.h applies to dh up as to dy). Where dh up overflows
// (a rare vector: one branch per vector), those lanes take grad(g, dh) up instead (|f'| <= 1.13 for every
// GLU activation, so that overflows only where the result does), and where grad(g, dh) is 0 (a flat piece,
// f' underflowed) that 0, whatever up is. Loads all three inputs before either store.
// Where the gradient's kernel also gives act(G) from its own exponential (Gr::kWithValue: silu at beta = 1,
// sigmoid, gelu-tanh), dup takes that value instead of running the forward kernel.
template <class Gr, class = void>
struct ValueOf {
  static constexpr bool value = false;
};
template <class Gr>
struct ValueOf<Gr, decltype(void(Gr::kWithValue))> {
  static constexpr bool value = Gr::kWithValue;
};

// kCommon (a kernel with a common range and a value, every lane of G inside): its common eval.
template <class V, bool kCommon = false, class Act, class Gr>
inline void glu_grad_vector(const float* g, const float* u, const float* h, float* dg, float* du, const Act& act,
                            const Gr& gr) {
  const typename V::F G = V::load(g), U = V::load(u), H = V::load(h);
  const typename V::F hu = V::mul(H, U);
  typename V::F dgate, av;
  if constexpr (kCommon) {
    dgate = gr.template eval<true, true>(G, hu, &av);
  } else if constexpr (ValueOf<Gr>::value) {
    dgate = gr.with_value(G, hu, &av);
  } else {
    av = act(G);
    dgate = gr(G, hu);
  }
  const typename V::F dup = V::mul(H, av);
  const auto over = V::eq(V::abs(hu), V::set1(__builtin_inff()));
  if (V::any(over)) {
    const typename V::F gd = gr(G, H);
    dgate = V::select(over, V::select(V::eq(gd, V::zero()), gd, V::mul(gd, U)), dgate);
  }
  V::store(dg, dgate);
  V::store(du, dup);
}

template <class V, class Act, class Gr>
__attribute__((flatten)) inline void map_glu_grad(const float* g, const float* u, const float* h, float* dg, float* du,
                                                  size_t n, const Act& act_ref, const Gr& gr_ref) {
  const Act act = act_ref;
  const Gr gr = gr_ref;
  constexpr size_t N = V::N;
  size_t i = 0;
  for (; i + 2 * N <= n; i += 2 * N) {
    if constexpr (ValueOf<Gr>::value && GradGuardedOf<Gr>::value) {
      if (!V::any(V::mor(gr.rare(V::load(g + i)), gr.rare(V::load(g + i + N))))) {
        glu_grad_vector<V, true>(g + i, u + i, h + i, dg + i, du + i, act, gr);
        glu_grad_vector<V, true>(g + i + N, u + i + N, h + i + N, dg + i + N, du + i + N, act, gr);
        continue;
      }
    }
    glu_grad_vector<V>(g + i, u + i, h + i, dg + i, du + i, act, gr);
    glu_grad_vector<V>(g + i + N, u + i + N, h + i + N, dg + i + N, du + i + N, act, gr);
  }
  for (; i + N <= n; i += N) glu_grad_vector<V>(g + i, u + i, h + i, dg + i, du + i, act, gr);
  if (i < n) {
    const size_t rest = n - i;
    float gb[N], ub[N], hb[N], gob[N], uob[N];
    for (size_t j = 0; j < N; ++j) {
      gb[j] = j < rest ? g[i + j] : 0.0f;
      ub[j] = j < rest ? u[i + j] : 0.0f;
      hb[j] = j < rest ? h[i + j] : 0.0f;
    }
    glu_grad_vector<V>(gb, ub, hb, gob, uob, act, gr);
    for (size_t j = 0; j < rest; ++j) {
      dg[i + j] = gob[j];
      du[i + j] = uob[j];
    }
  }
}

}  // namespace SWIGLU_NS
}  // namespace swiglu
