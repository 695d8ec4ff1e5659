// What the CPU and the OS let this process run. ISA-neutral.
#pragma once
#include <cstddef>

namespace swiglu {

enum class Isa : int { kScalar = 0, kAvx2 = 1, kAvx512 = 2, kNeon = 3 };
constexpr int kIsaCount = 4;

// True if this build contains the ISA's kernels and the CPU + OS can execute them.
bool isa_runnable(Isa isa);
// The best runnable ISA (avx512 > avx2 > scalar on x86-64; neon on aarch64).
Isa best_isa();
const char* isa_name(Isa isa);
// Parses "scalar" | "avx2" | "avx512" | "neon"; false if unknown.
bool parse_isa(const char* name, Isa* out);
// Human-readable reason why an ISA cannot run here ("" if it can).
const char* isa_unavailable_reason(Isa isa);

// Cache sizes (bytes) of the core this process runs on, read from sysfs once, with defaults when
// unavailable. The GEMM blocks for them; the elementwise drivers stream past the last level.
struct CacheSizes {
  size_t l1d, l2, l3;
};
const CacheSizes& cache_sizes();

}  // namespace swiglu
