// Builds this ISA's OpTable (runtime/op_table.h) over the vector layer V: the elementwise entries from
// the Activation<V, A> functors.
#pragma once
#include "../runtime/op_table.h"
#include "activations.h"
#include "map.h"

namespace swiglu {
namespace SWIGLU_NS {

template <class V, int A>
void unary_entry(const float* x, float* y, size_t n, const ActParams& p, Store store) {
  const Activation<V, A> op(p);
  visit_kernel(op, [&](const auto& k) { map_unary<V>(x, y, n, k, store); }, 0);
}

template <class V, int A>
void glu_entry(const float* gate, const float* up, float* y, size_t n, const ActParams& p, Store store) {
  const Activation<V, A> op(p);
  visit_kernel(op, [&](const auto& k) { map_glu<V>(gate, up, y, n, k, store); }, 0);
}

template <class V, int... A>
constexpr OpTable make_op_table(const char* name, std::integer_sequence<int, A...>) {
  return OpTable{name, {&unary_entry<V, A>...}, {&glu_entry<V, A>...}};
}

}  // namespace SWIGLU_NS
}  // namespace swiglu
