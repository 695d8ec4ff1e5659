// The roofline probes the benchmarks divide by: the FMA peak and the streaming-read bandwidth, each run
// on the pool's threads at once. One implementation for the addon (fmaPeak, readBandwidth) and the C++
// harness (native/tools/gemm_bench.cc), so both measure the same thing.
#pragma once
#include <cstddef>
#include <cstdint>

#include "cpu.h"
#include "probe_table.h"

namespace swiglu {

// ProbeTable::fma(iters) (probe_table.h) on each of `threads` threads at once. Returns seconds; *flops gets
// the work done.
// This ISA's probe kernels. Only call with a runnable ISA.
const ProbeTable& probe_table(Isa isa);

double fma_pass(Isa isa, int threads, uint64_t iters, double* flops);

// One pass of ProbeTable::read over [p, p + floats), cut into `threads` slices of whole 64-float
// blocks, one per thread. Returns seconds; *bytes gets the bytes read (the slices' total).
double read_pass(Isa isa, const float* p, size_t floats, int threads, double* bytes);

}  // namespace swiglu
