// Drivers that run a per-vector functor over arrays: full vectors, then one padded tail vector.
// Included inside each ISA unit after its vector layer; everything here is a template over V.
#pragma once
#include <cstddef>

namespace swiglu {
namespace SWIGLU_NS {

// How many vectors one loop iteration of map_unary works on: Op::kUnroll when the functor says
// (a functor with many constants spills them at 4), else 4, which lets the scheduler interleave
// independent dependency chains (the kernels are latency-bound on their polynomial chains).
template <class Op, class = void>
struct UnrollOf {
  static constexpr int value = 4;
};
template <class Op>
struct UnrollOf<Op, decltype(void(Op::kUnroll))> {
  static constexpr int value = Op::kUnroll;
};

// Calls fn(kernel) with the functor that does op's work for this call: op.visit(fn) when op picks
// among specialised kernels once per call (see softplus), else op itself.
template <class Op, class Fn>
inline auto visit_kernel(const Op& op, Fn&& fn, int) -> decltype(op.visit(fn)) {
  return op.visit(fn);
}
template <class Op, class Fn>
inline void visit_kernel(const Op& op, Fn&& fn, long) {
  fn(op);
}

// Whether map_unary prefetches far ahead on arrays past L2: Op::kPrefetch when the functor says (the
// lightest ops, whose loop the hardware prefetcher already keeps fed, turn it off), else true.
template <class Op, class = void>
struct PrefetchOf {
  static constexpr bool value = true;
};
template <class Op>
struct PrefetchOf<Op, decltype(void(Op::kPrefetch))> {
  static constexpr bool value = Op::kPrefetch;
};

// Out of cache, a compute-heavy loop keeps too few misses in flight: its out-of-order window holds a
// few vectors' worth of work, not the ~4 KiB a DRAM stream needs ahead (Zen 5, 1e7 floats, 1 thread:
// sigmoid/tanh/silu 5.5 Gelem/s without, 6.5 with, their in-cache speed). So past kStreamFloats the loop
// prefetches x kReadAhead floats ahead and y kWriteAhead ahead *for writing*, so that a store finds its
// line owned instead of queueing behind a read-for-ownership miss (either prefetch alone did not help).
// Prefetches never fault: hints past the end of the arrays are harmless.
constexpr size_t kStreamFloats = size_t(1) << 18;  // 1 MiB per array: past L2
constexpr size_t kReadAhead = 4096;                // 16 KiB
constexpr size_t kWriteAhead = 2048;               // 8 KiB

// One loop step of map_unary: U vectors at x + i, spelled out (not an array loop): g++ then keeps each
// chain in registers and, with -fschedule-insns, interleaves them.
template <class V, int U, class Op>
inline void map_step(const float* x, float* y, const Op& op) {
  if constexpr (U == 1) {
    V::store(y, op(V::load(x)));
  } else if constexpr (U == 2) {
    const typename V::F a = V::load(x), b = V::load(x + V::N);
    V::store(y, op(a));
    V::store(y + V::N, op(b));
  } else {
    static_assert(U == 4, "map_unary unrolls by 1, 2 or 4");
    const typename V::F a = V::load(x), b = V::load(x + V::N);
    const typename V::F c = V::load(x + 2 * V::N), d = V::load(x + 3 * V::N);
    V::store(y, op(a));
    V::store(y + V::N, op(b));
    V::store(y + 2 * V::N, op(c));
    V::store(y + 3 * V::N, op(d));
  }
}

// y[i] = op(x[i]). x == y is allowed: each vector is loaded before it is stored.
template <class V, class Op>
inline void map_unary(const float* x, float* y, size_t n, const Op& op) {
  constexpr int U = UnrollOf<Op>::value;
  constexpr size_t kStep = size_t(U) * V::N;
  size_t i = 0;
  if (PrefetchOf<Op>::value && n >= kStreamFloats) {
    for (; i + kStep <= n; i += kStep) {
      for (size_t b = 0; b < kStep; b += 16) {  // one line (16 floats) at a time
        __builtin_prefetch(x + i + kReadAhead + b, 0, 3);
        __builtin_prefetch(y + i + kWriteAhead + b, 1, 3);
      }
      map_step<V, U>(x + i, y + i, op);
    }
  }
  for (; i + kStep <= n; i += kStep) map_step<V, U>(x + i, y + i, op);
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
