// How one gemm() call is cut into work: row panels, cache blocks, and which driver runs them.
// plan_gemm() chooses a GemmPlan once per call from the shape, the ISA's tile height, the cache sizes
// the CPU reports and the thread count; a GemmTuning (tools and tests pass one) overrides the block
// sizes. No choice made here changes a result: each output element is reduced by one tile, in k
// order, from zero, whatever the plan (the accumulators carried between K blocks are exact floats).
#pragma once
#include <cstddef>

#include "cpu.h"
#include "gemm.h"

namespace swiglu {

// M rows cut into panels of mr rows (the ISA's tile height), except that a short last panel (fewer
// than mr/2 rows) shares the last two panels' rows evenly where the ISA's tile model (step_cost, by
// rows: gemm_step_cost in kernels/gemm_tile.h) says that costs no more: 8 + 8 rows rather than 12 + 4 on
// AVX-512, whose few-row tiles have too few accumulators to cover the FMA latency; 6 + 2 stays on AVX2,
// whose 2-row tile takes the whole panel in one pass.
struct RowPanels {
  size_t M, mr, count;
  bool even_tail;
  size_t tail_first;  // rows of the next-to-last panel when even_tail

  RowPanels(size_t M, size_t mr, const int* step_cost);
  size_t row0(size_t p) const { return even_tail && p == count - 1 ? (p - 1) * mr + tail_first : p * mr; }
  size_t rows(size_t p) const {
    if (even_tail && p + 2 == count) return tail_first;
    const size_t r0 = row0(p);
    return M - r0 < mr ? M - r0 : mr;
  }
};

enum class GemmDriver {
  kGemv,      // one row panel (M <= mr): each weight panel streamed once over all of K; N split over threads
  kOneBlock,  // K in one cache block, several threads: (row block, weight panel) units in stealing ranges
  kBlocked,   // otherwise: fixed tasks of nc weight panels x one row block, carried across the K blocks
};

struct GemmPlan {
  GemmDriver driver;
  int threads;        // 1 for problems too small to wake the pool for
  size_t kc, nk;      // k steps per cache block, and the number of blocks
  size_t mc;          // row panels per row block
  size_t row_blocks;
  size_t nc;          // weight panels per task (kGemv: per column block)
  size_t col_blocks;  // kGemv, kBlocked: column blocks of weight panels
  bool own_a;         // kOneBlock: each thread packs a copy of A of its own
};

// a_bytes: the packed A's size; a_keep_bytes: the most a thread keeps between calls; c_overlaps_a: C
// shares memory with A (in place), so every pack of A must complete before any store to C.
GemmPlan plan_gemm(const RowPanels& rows, size_t K, size_t weight_panels, size_t a_bytes, size_t a_keep_bytes,
                   bool c_overlaps_a, int threads, const CacheSizes& cs, const GemmTuning& tuning);

// Weight panels [begin(cb), begin(cb + 1)) of column block cb of `blocks`.
inline size_t col_block_begin(size_t cb, size_t blocks, size_t panels) { return cb * panels / blocks; }

}  // namespace swiglu
