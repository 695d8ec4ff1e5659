// The per-call block cache of scratch.h. Every block starts with a 64-byte header (where the block came
// from and its mapping's length), so scratch_free needs nothing but the pointer.
#include "scratch.h"

#include <cstdint>
#include <cstdlib>
#include <mutex>
#include <vector>

#if defined(__linux__)
#include <sys/mman.h>
#include <unistd.h>
#endif

#if defined(__SANITIZE_ADDRESS__)
#define SWIGLU_SCRATCH_HEAP_ONLY 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define SWIGLU_SCRATCH_HEAP_ONLY 1
#endif
#endif
#if !defined(__linux__)
#define SWIGLU_SCRATCH_HEAP_ONLY 1
#endif

namespace swiglu {

namespace {

constexpr size_t kHeader = 64;
constexpr uint64_t kHeap = 0x73676c7568656170ull;    // block from the C heap
constexpr uint64_t kMapped = 0x73676c756d617070ull;  // block mapped for us (Linux)

struct Header {
  uint64_t kind;
  uint64_t length;  // kMapped: bytes mapped, header included
};

// count * elem in bytes, false on overflow or past 2^56 (no allocation that large can succeed).
bool checked_bytes(size_t count, size_t elem, size_t* bytes) {
  return !__builtin_mul_overflow(count, elem, bytes) && *bytes <= (size_t(1) << 56);
}

void* from_heap(size_t bytes) {
  void* base = aligned_bytes(bytes + kHeader, 1);
  if (!base) return nullptr;
  *static_cast<Header*>(base) = {kHeap, 0};
  return static_cast<char*>(base) + kHeader;
}

#if !defined(SWIGLU_SCRATCH_HEAP_ONLY)
constexpr size_t kMaxKeptBlocks = 64;

class Cache {
 public:
  Cache() {
    const long pages = sysconf(_SC_PHYS_PAGES), page = sysconf(_SC_PAGESIZE);
    const size_t sixteenth = pages > 0 && page > 0 ? size_t(pages) * size_t(page) / 16 : kScratchMaxKept;
    cap_ = sixteenth < kScratchMaxKept ? sixteenth : kScratchMaxKept;
  }
  // A kept mapping of at least `length` bytes and at most twice that, smallest first, or nullptr (a
  // training loop's sizes repeat, so most requests find one of their own size).
  void* take(size_t length) {
    std::lock_guard<std::mutex> lock(mu_);
    size_t best = blocks_.size();
    for (size_t i = 0; i < blocks_.size(); ++i) {
      const size_t l = blocks_[i].length;
      if (l >= length && l / 2 <= length && (best == blocks_.size() || l < blocks_[best].length)) best = i;
    }
    if (best == blocks_.size()) return nullptr;
    void* base = blocks_[best].base;
    kept_ -= blocks_[best].length;
    blocks_[best] = blocks_.back();
    blocks_.pop_back();
    return base;
  }
  // Keeps a mapping, or returns false if it does not fit (then the caller unmaps it). Room is made by
  // unmapping the largest kept mappings first.
  bool keep(void* base, size_t length) {
    std::lock_guard<std::mutex> lock(mu_);
    if (length > cap_ || blocks_.size() >= kMaxKeptBlocks) return false;
    while (kept_ + length > cap_) {
      size_t largest = 0;
      for (size_t i = 1; i < blocks_.size(); ++i)
        if (blocks_[i].length > blocks_[largest].length) largest = i;
      munmap(blocks_[largest].base, blocks_[largest].length);
      kept_ -= blocks_[largest].length;
      blocks_[largest] = blocks_.back();
      blocks_.pop_back();
    }
    blocks_.push_back({base, length});
    kept_ += length;
    return true;
  }
  ScratchStats stats() {
    std::lock_guard<std::mutex> lock(mu_);
    return {kept_, blocks_.size(), cap_};
  }

 private:
  struct Block {
    void* base;
    size_t length;
  };
  std::mutex mu_;
  std::vector<Block> blocks_;
  size_t kept_ = 0;
  size_t cap_ = 0;
};

// Never destroyed: pool threads may free blocks while the process exits.
Cache& cache() {
  static Cache* c = new Cache();
  return *c;
}

void* mapped(size_t bytes) {
  const size_t page = size_t(sysconf(_SC_PAGESIZE));
  const size_t length = (bytes + kHeader + page - 1) / page * page;
  void* base = cache().take(length);
  if (!base) {
    base = mmap(nullptr, length, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (base == MAP_FAILED) return nullptr;
  }
  *static_cast<Header*>(base) = {kMapped, length};
  return static_cast<char*>(base) + kHeader;
}
#endif

}  // namespace

// Heap buffers (per-thread buffers kept across calls, copies of a call's inputs): 64-byte aligned, and no
// MADV_HUGEPAGE, as scratch.h's per-call blocks: with the usual THP setting (defrag "madvise"), a fault in
// an madvised region compacts memory synchronously when no huge page is free, which recurred call after
// call for memory a call allocates (docs/tuning-log.md, "Per-call buffers"). The packs that live across
// calls (addon/packs.cc) still ask for huge pages.
void* aligned_bytes(size_t count, size_t elem) {
  size_t bytes;
  if (!checked_bytes(count, elem, &bytes)) return nullptr;
  bytes = (bytes + 63) / 64 * 64;  // aligned_alloc wants a multiple of the alignment
  if (bytes == 0) bytes = 64;
  return std::aligned_alloc(64, bytes);
}

void* scratch_bytes(size_t count, size_t elem) {
  size_t bytes;
  if (!checked_bytes(count, elem, &bytes)) return nullptr;
#if !defined(SWIGLU_SCRATCH_HEAP_ONLY)
  if (bytes >= kScratchMinKept) return mapped(bytes);
#endif
  return from_heap(bytes);
}

void scratch_free(void* p) {
  if (!p) return;
  void* base = static_cast<char*>(p) - kHeader;
  const Header h = *static_cast<Header*>(base);
#if !defined(SWIGLU_SCRATCH_HEAP_ONLY)
  if (h.kind == kMapped) {
    if (!cache().keep(base, h.length)) munmap(base, h.length);
    return;
  }
#endif
  std::free(base);
}

void advise_huge_pages(void* data, size_t length) {
#if defined(__linux__) && defined(MADV_HUGEPAGE)
  if (length < kHugeMin) return;
  const uintptr_t b = (reinterpret_cast<uintptr_t>(data) + kHugePage - 1) / kHugePage * kHugePage;
  const uintptr_t e = (reinterpret_cast<uintptr_t>(data) + length) / kHugePage * kHugePage;
  if (e > b) madvise(reinterpret_cast<void*>(b), e - b, MADV_HUGEPAGE);
#else
  (void)data;
  (void)length;
#endif
}

ScratchStats scratch_stats() {
#if !defined(SWIGLU_SCRATCH_HEAP_ONLY)
  return cache().stats();
#else
  return {};
#endif
}

}  // namespace swiglu
