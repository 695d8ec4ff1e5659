// Builds this ISA's GradTable (runtime/grad_table.h) over the vector layer V from the Grad<V, A> functors
// (backward.h) and, for the GLU backward, GluGrad<V, A> and the forward Activation<V, A> functors
// (activations.h). Each functor picks its kernel once per call through map.h's visit_kernel, as the forward
// entries do.
#pragma once
#include <utility>

#include "../runtime/grad_table.h"
#include "backward.h"
#include "map.h"
#include "map_grad.h"

namespace swiglu {
namespace SWIGLU_NS {

template <class V, int A>
void grad_entry(const float* x, const float* dy, float* dx, size_t n, const ActParams& p) {
  const Grad<V, A> op(p);
  visit_kernel(op, [&](const auto& k) { map_grad<V>(x, dy, dx, n, k); }, 0);
}

template <class V, int A>
void glu_grad_entry(const float* gate, const float* up, const float* dh, float* dgate, float* dup, size_t n,
                    const ActParams& p) {
  const Activation<V, A> act(p);
  const typename GluGrad<V, A>::type gr(p);
  visit_kernel(act, [&](const auto& a) {
    visit_kernel(gr, [&](const auto& g) { map_glu_grad<V>(gate, up, dh, dgate, dup, n, a, g); }, 0);
  }, 0);
}

template <class V, int... A>
constexpr GradTable make_grad_table(const char* name, std::integer_sequence<int, A...>) {
  return GradTable{name, {&grad_entry<V, A>...}, {&glu_grad_entry<V, A>...}};
}

}  // namespace SWIGLU_NS
}  // namespace swiglu
