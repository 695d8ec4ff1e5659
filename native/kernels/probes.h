// The roofline probes over the vector layer V (runtime/probe_table.h): the FMA peak and the streaming read
// that the benchmark divides GEMM throughput by.
#pragma once
#include <cstddef>
#include <cstdint>

namespace swiglu {
namespace SWIGLU_NS {

// Runs `iterations` rounds of 12 vector FMAs; returns the floating-point operations performed. Twelve
// independent multiply-add chains cover the FMA latency on every core we know (4 cycles × 2 pipes = 8 in
// flight; 12 leaves margin), on this ISA's widest vectors. The result is stored to *sink so the compiler
// cannot drop the work.
template <class V>
uint64_t fma_probe(uint64_t iterations, float* sink) {
  using F = typename V::F;
  const F a = V::set1(0.999999f), b = V::set1(1e-7f);
  F c0 = V::set1(1), c1 = V::set1(2), c2 = V::set1(3), c3 = V::set1(4), c4 = V::set1(5), c5 = V::set1(6);
  F c6 = V::set1(7), c7 = V::set1(8), c8 = V::set1(9), c9 = V::set1(10), c10 = V::set1(11), c11 = V::set1(12);
  for (uint64_t i = 0; i < iterations; ++i) {
    c0 = V::fma(c0, a, b); c1 = V::fma(c1, a, b); c2 = V::fma(c2, a, b); c3 = V::fma(c3, a, b);
    c4 = V::fma(c4, a, b); c5 = V::fma(c5, a, b); c6 = V::fma(c6, a, b); c7 = V::fma(c7, a, b);
    c8 = V::fma(c8, a, b); c9 = V::fma(c9, a, b); c10 = V::fma(c10, a, b); c11 = V::fma(c11, a, b);
  }
  F s = V::add(V::add(V::add(c0, c1), V::add(c2, c3)), V::add(V::add(c4, c5), V::add(c6, c7)));
  s = V::add(s, V::add(V::add(c8, c9), V::add(c10, c11)));
  *sink = V::reduce_add(s);
  return iterations * 12u * 2u * static_cast<uint64_t>(V::N);
}

// The sum of p[0, n), n a multiple of 64: one load per vector into eight independent accumulators, so the
// loads, not the adds, bound the loop.
template <class V>
float read_probe(const float* p, size_t n) {
  using F = typename V::F;
  F acc[8];
#pragma GCC unroll 8
  for (int j = 0; j < 8; ++j) acc[j] = V::zero();
  for (size_t i = 0; i + 64 <= n; i += 64) {
#pragma GCC unroll 64
    for (int j = 0; j < 64 / V::N; ++j) acc[j & 7] = V::add(acc[j & 7], V::load(p + i + j * V::N));
  }
  F s = acc[0];
  for (int j = 1; j < 8; ++j) s = V::add(s, acc[j]);
  return V::reduce_add(s);
}

}  // namespace SWIGLU_NS
}  // namespace swiglu
