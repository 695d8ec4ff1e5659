// Drivers that run a per-vector functor over arrays: full vectors, then one padded tail vector.
// Included inside each ISA unit after its vector layer; everything here is a template over V.
// The measurements that chose among the forms described here: docs/tuning-log.md.
#pragma once
#include <cstddef>
#include <cstdint>

#include "../runtime/op_table.h"

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
// few vectors' worth of work, not the ~4 KiB a DRAM stream needs ahead. So past kStreamFloats the loop
// prefetches x kReadAhead floats ahead and y kWriteAhead ahead *for writing*, so that a store finds its
// line owned instead of queueing behind a read-for-ownership miss (it takes both: either prefetch alone
// does not keep the loop fed). Prefetches never fault: hints past the end of the arrays are harmless.
constexpr size_t kStreamFloats = size_t(1) << 18;  // 1 MiB per array: past L2
constexpr size_t kReadAhead = 4096;                // 16 KiB
constexpr size_t kWriteAhead = 2048;               // 8 KiB

// Kernels with a common range (activations.h): Op::rare(x) masks the lanes outside it, Op::common(x) is
// the result wherever x is inside it, Op::both(x) the result everywhere (the same bits as common() inside).
// A loop step whose lanes are all inside runs common(), any other step both(): one test per step and no
// branch per vector, so the step's independent chains stay in one block for the compiler to interleave,
// and a run of mixed inputs has no per-vector branch to mispredict.
template <class Op, class = void>
struct GuardedOf {
  static constexpr bool value = false;
};
template <class Op>
struct GuardedOf<Op, decltype(void(&Op::common), void(&Op::rare), void(&Op::both))> {
  static constexpr bool value = true;
};

// A vector store, plain or non-temporal (V::stream: p aligned to the vector size).
template <class V, bool kStream>
inline void put(float* p, typename V::F v) {
  if constexpr (kStream) {
    V::stream(p, v);
  } else {
    V::store(p, v);
  }
}

// One loop step of map_unary: U vectors at x + i, spelled out (not an array loop): g++ then keeps each
// chain in registers and, with -fschedule-insns, interleaves them.
template <class V, int U, bool kStream, class Op>
inline void map_step(const float* x, float* y, const Op& op) {
  if constexpr (U == 1) {
    put<V, kStream>(y, op(V::load(x)));
  } else if constexpr (U == 2) {
    const typename V::F a = V::load(x), b = V::load(x + V::N);
    put<V, kStream>(y, op(a));
    put<V, kStream>(y + V::N, op(b));
  } else if constexpr (U == 8) {  // two steps of four: more independent chains for the scheduler
    map_step<V, 4, kStream>(x, y, op);
    map_step<V, 4, kStream>(x + 4 * V::N, y + 4 * V::N, op);
  } else {
    static_assert(U == 4, "map_unary unrolls by 1, 2, 4 or 8");
    const typename V::F a = V::load(x), b = V::load(x + V::N);
    const typename V::F c = V::load(x + 2 * V::N), d = V::load(x + 3 * V::N);
    if constexpr (GuardedOf<Op>::value) {
      if (!V::any(V::mor(V::mor(op.rare(a), op.rare(b)), V::mor(op.rare(c), op.rare(d))))) {
        put<V, kStream>(y, op.common(a));
        put<V, kStream>(y + V::N, op.common(b));
        put<V, kStream>(y + 2 * V::N, op.common(c));
        put<V, kStream>(y + 3 * V::N, op.common(d));
      } else {
        put<V, kStream>(y, op.both(a));
        put<V, kStream>(y + V::N, op.both(b));
        put<V, kStream>(y + 2 * V::N, op.both(c));
        put<V, kStream>(y + 3 * V::N, op.both(d));
      }
      return;
    }
    put<V, kStream>(y, op(a));
    put<V, kStream>(y + V::N, op(b));
    put<V, kStream>(y + 2 * V::N, op(c));
    put<V, kStream>(y + 3 * V::N, op(d));
  }
}

// y[i] = op(x[i]) for fewer than V::N elements, through a zero-padded buffer: no read or write past
// the caller's arrays.
template <class V, class Op>
inline void map_partial(const float* x, float* y, size_t rest, const Op& op) {
  float buf[V::N];
  for (size_t j = 0; j < size_t(V::N); ++j) buf[j] = j < rest ? x[j] : 0.0f;
  V::store(buf, op(V::load(buf)));
  for (size_t j = 0; j < rest; ++j) y[j] = buf[j];
}

// Elements before the first address of y aligned for V::stream (y is float-aligned, as every
// Float32Array is), or n when y is not even that, so that the caller keeps to plain stores.
template <class V>
inline size_t stream_head(const float* y, size_t n) {
  const uintptr_t a = reinterpret_cast<uintptr_t>(y);
  if (a % sizeof(float) != 0) return n;
  const size_t head = (sizeof(typename V::F) - a % sizeof(typename V::F)) % sizeof(typename V::F) / sizeof(float);
  return head < n ? head : n;
}

// The non-temporal stores of y are never prefetched (that would read the lines they exist not to read),
// so each new 4 KiB page of y took its TLB miss, a page walk, at the store itself, with the loop's work
// queued behind it. A read prefetch of the first line of the page that y + ahead lies in walks the page
// table early; every loop step within a page names the same line, so y costs one line read per page
// (1/64 of its bytes). How far ahead (within a few pages) does not matter. x needs nothing of the kind:
// its line prefetches walk its pages ahead already. map_glu's streaming loop walks y's pages the same
// way. Its inputs get no line prefetch: the hardware prefetcher keeps such a loop fed, and software
// prefetches there only slow it.
inline void walk_page_ahead(const float* p) {
  __builtin_prefetch(reinterpret_cast<const void*>(reinterpret_cast<uintptr_t>(p) & ~uintptr_t(4095)), 0, 0);
}

// Store::kStream (arrays past the last-level cache; runtime/dispatch.h's store_for decides): y is
// written with non-temporal stores from its first vector-aligned element, so its lines are not read
// from DRAM first (read-for-ownership) and do not evict x's: a third less DRAM traffic than plain
// stores. The fence orders the stores before the job reports done.
// x is prefetched here for every op, also those that skip it on the plain path (PrefetchOf): with
// streaming stores, the prefetch pays for those ops too.
template <class V, class Op>
__attribute__((noinline, flatten)) void map_unary_stream(const float* x, float* y, size_t n, const Op& op_ref) {
  const Op op = op_ref;  // a local copy: no store to y can alias its constants, so they stay in registers
  constexpr int U = UnrollOf<Op>::value;
  constexpr size_t kStep = size_t(U) * V::N;
  size_t i = stream_head<V>(y, n);
  if (i > 0) map_partial<V>(x, y, i, op);
  for (; i + kStep <= n; i += kStep) {
    for (size_t b = 0; b < kStep; b += 16) __builtin_prefetch(x + i + kReadAhead + b, 0, 3);
    walk_page_ahead(y + i + kReadAhead);
    map_step<V, U, true>(x + i, y + i, op);
  }
  for (; i + V::N <= n; i += V::N) V::stream(y + i, op(V::load(x + i)));
  if (i < n) map_partial<V>(x + i, y + i, n - i, op);
  V::stream_fence();
}

// y[i] = op(x[i]). x == y is allowed: each vector is loaded before it is stored.
// flatten (here and in the other drivers): the functor must be inlined into every loop; with two
// loops and two padded partial calls per driver g++'s inliner gives up on the biggest kernels (softplus)
// and leaves a call per vector.
template <class V, class Op>
__attribute__((flatten)) inline void map_unary(const float* x, float* y, size_t n, const Op& op_ref, Store store = Store::kCache) {
  const Op op = op_ref;  // a local copy: no store to y can alias its constants, so they stay in registers
  if (V::kStreams && store == Store::kStream && x != y) {
    map_unary_stream<V>(x, y, n, op);
    return;
  }
  constexpr int U = UnrollOf<Op>::value;
  constexpr size_t kStep = size_t(U) * V::N;
  size_t i = 0;
  if (PrefetchOf<Op>::value && n >= kStreamFloats) {
    for (; i + kStep <= n; i += kStep) {
      for (size_t b = 0; b < kStep; b += 16) {  // one line (16 floats) at a time
        __builtin_prefetch(x + i + kReadAhead + b, 0, 3);
        __builtin_prefetch(y + i + kWriteAhead + b, 1, 3);
      }
      map_step<V, U, false>(x + i, y + i, op);
    }
  }
  for (; i + kStep <= n; i += kStep) map_step<V, U, false>(x + i, y + i, op);
  for (; i + V::N <= n; i += V::N) V::store(y + i, op(V::load(x + i)));
  if (i < n) map_partial<V>(x + i, y + i, n - i, op);
}

// y[i] = op(gate[i]) * up[i] for fewer than V::N elements (zero-padded buffers, as map_partial).
template <class V, class Op>
inline void map_glu_partial(const float* gate, const float* up, float* y, size_t rest, const Op& op) {
  float gb[V::N], ub[V::N];
  for (size_t j = 0; j < size_t(V::N); ++j) {
    gb[j] = j < rest ? gate[j] : 0.0f;
    ub[j] = j < rest ? up[j] : 0.0f;
  }
  V::store(gb, V::mul(op(V::load(gb)), V::load(ub)));
  for (size_t j = 0; j < rest; ++j) y[j] = gb[j];
}

template <class V, bool kStream, class Op>
inline size_t map_glu_vectors(const float* gate, const float* up, float* y, size_t i, size_t n, const Op& op) {
  for (; i + V::N <= n; i += V::N) {
    if (kStream) walk_page_ahead(y + i + kReadAhead);
    put<V, kStream>(y + i, V::mul(op(V::load(gate + i)), V::load(up + i)));
  }
  return i;
}

// y[i] = op(gate[i]) * up[i]. y may equal gate or up. Store::kStream as map_unary (when y is neither).
template <class V, class Op>
__attribute__((flatten)) inline void map_glu(const float* gate, const float* up, float* y, size_t n, const Op& op_ref, Store store = Store::kCache) {
  const Op op = op_ref;  // a local copy: no store to y can alias its constants, so they stay in registers
  size_t i = 0;
  const bool stream = V::kStreams && store == Store::kStream && y != gate && y != up;
  if (stream) {
    i = stream_head<V>(y, n);
    if (i > 0) map_glu_partial<V>(gate, up, y, i, op);
    i = map_glu_vectors<V, true>(gate, up, y, i, n, op);
  } else {
    i = map_glu_vectors<V, false>(gate, up, y, i, n, op);
  }
  if (i < n) map_glu_partial<V>(gate + i, up + i, y + i, n - i, op);
  if (stream) V::stream_fence();
}

}  // namespace SWIGLU_NS
}  // namespace swiglu
