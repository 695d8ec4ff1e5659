// The roofline probes' kernels: one table per ISA, filled by native/isa/<name>_probes.cc. Apart from the
// op tables (op_table.h, gemm.h) because no op calls them: only the benchmark's figures (probes.h) do.
// ISA-neutral (plain C++), shared by every translation unit.
#pragma once
#include <cstddef>
#include <cstdint>

namespace swiglu {

// Runs `iterations` rounds of independent vector FMAs, returns the FLOPs done (the FMA peak).
using FmaProbeFn = uint64_t (*)(uint64_t iterations, float* sink);
// Sums n floats (n a multiple of 64) in a streaming read (the DRAM read bandwidth).
using ReadProbeFn = float (*)(const float* p, size_t n);

struct ProbeTable {
  const char* isa;
  FmaProbeFn fma;
  ReadProbeFn read;
};

namespace scalar { const ProbeTable& probe_table(); }
namespace avx2 { const ProbeTable& probe_table(); }
namespace avx512 { const ProbeTable& probe_table(); }
namespace neon { const ProbeTable& probe_table(); }

}  // namespace swiglu
