// Working memory of one call: a matmul's packed B, a backward pass's packed weights and intermediates, the
// FFN's hidden layer. 64-byte aligned, freed through scratch_free (ScratchPtr).
//
// Blocks of kScratchMinKept bytes or more are mapped for us alone (Linux) and kept when freed, for the next
// call that asks for about as much (a training loop asks for the same sizes every step): that call finds
// its pages already faulted in, where fresh memory costs a page fault and a cleared page per 4 KiB, and,
// with the C heap, whether freed memory goes back to the kernel is glibc's choice per process. At most
// kScratchMaxKept bytes (or 1/16 of physical memory, if less) stay kept, resident: marking them
// MADV_FREE instead would let the kernel reclaim them, but the madvise and the re-dirtying of every page
// on reuse cost about what the faults did. Smaller blocks come from the C heap. Under AddressSanitizer,
// and off Linux, every block comes from the C heap (nothing kept), so that the sanitizer sees every
// access.
#pragma once
#include <cstddef>
#include <memory>

namespace swiglu {

// Heap buffer aligned to 64 bytes, or nullptr (also on size overflow); std::free releases it (gemm.h's
// AlignedFree). For memory kept per thread or copies of a call's inputs; scratch_bytes builds on it.
void* aligned_bytes(size_t count, size_t elem);

constexpr size_t kScratchMinKept = size_t(1) << 20;
constexpr size_t kScratchMaxKept = size_t(256) << 20;

// count * elem bytes, or nullptr (allocation failure or size overflow).
void* scratch_bytes(size_t count, size_t elem);
// p from scratch_bytes, or nullptr.
void scratch_free(void* p);

struct ScratchFree {
  void operator()(void* p) const { scratch_free(p); }
};
using ScratchPtr = std::unique_ptr<void, ScratchFree>;

// Memory that lives across calls (the addon's packs) of kHugeMin bytes or more is laid out from a
// kHugePage boundary and asks for transparent huge pages, so that a GEMM's weight stream misses the TLB
// once per 2 MiB rather than per 4 KiB. Per-call blocks never ask (scratch.cc: the fault of an madvised
// region may compact memory synchronously, call after call).
constexpr size_t kHugePage = size_t(2) << 20;
constexpr size_t kHugeMin = 4 * kHugePage;
// Asks for transparent huge pages on the kHugePage-aligned part of [data, data + length), before its
// pages are first written; nothing below kHugeMin bytes, nothing off Linux. A hint: it changes no byte,
// and a failure is harmless.
void advise_huge_pages(void* data, size_t length);

// What is kept for reuse now, and the most that may be (0 where nothing is kept), for tests.
struct ScratchStats {
  size_t kept_bytes = 0;
  size_t kept_blocks = 0;
  size_t max_kept_bytes = 0;
};
ScratchStats scratch_stats();

}  // namespace swiglu
