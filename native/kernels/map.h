// Drivers that run a per-vector functor over arrays: full vectors, then one padded tail vector.
// Included inside each ISA unit after its vector layer; everything here is a template over V.
#pragma once
#include <cstddef>

namespace swiglu {
namespace SWIGLU_NS {

// y[i] = op(x[i]). x == y is allowed: each vector is loaded before it is stored.
template <class V, class Op>
inline void map_unary(const float* x, float* y, size_t n, const Op& op) {
  size_t i = 0;
  for (; i + 2 * V::N <= n; i += 2 * V::N) {
    typename V::F a = V::load(x + i);
    typename V::F b = V::load(x + i + V::N);
    V::store(y + i, op(a));
    V::store(y + i + V::N, op(b));
  }
  for (; i + V::N <= n; i += V::N) V::store(y + i, op(V::load(x + i)));
  if (i < n) {
    // The tail goes through a zero-padded buffer: no read or write past the caller's arrays.
    float buf[V::N];
    const size_t rest = n - i;
    for (size_t j = 0; j < size_t(V::N); ++j) buf[j] = j < rest ? x[i + j] : 0.0f;
    V::store(buf, op(V::load(buf)));
    for (size_t j = 0; j < rest; ++j) y[i + j] = buf[j];
  }
}

// y[i] = op(gate[i]) * up[i]. y may equal gate or up.
template <class V, class Op>
inline void map_glu(const float* gate, const float* up, float* y, size_t n, const Op& op) {
  size_t i = 0;
  for (; i + V::N <= n; i += V::N) {
    typename V::F g = V::load(gate + i);
    typename V::F u = V::load(up + i);
    V::store(y + i, V::mul(op(g), u));
  }
  if (i < n) {
    float gb[V::N], ub[V::N];
    const size_t rest = n - i;
    for (size_t j = 0; j < size_t(V::N); ++j) {
      gb[j] = j < rest ? gate[i + j] : 0.0f;
      ub[j] = j < rest ? up[i + j] : 0.0f;
    }
    V::store(gb, V::mul(op(V::load(gb)), V::load(ub)));
    for (size_t j = 0; j < rest; ++j) y[i + j] = gb[j];
  }
}

}  // namespace SWIGLU_NS
}  // namespace swiglu
