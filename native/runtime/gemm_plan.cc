// plan_gemm(): the cache blocking and work split of one GEMM call (see gemm_plan.h). The figures that
// chose each rule are in docs/tuning-log.md ("GEMM driver"); the rules themselves only read what the
// running CPU reports (cache sizes) and the call's shape.
#include "gemm_plan.h"

#include <cstdint>

namespace swiglu {

RowPanels::RowPanels(size_t M_, size_t mr_, const int* step_cost) : M(M_), mr(mr_), count((M_ + mr_ - 1) / mr_) {
  const size_t tail = M % mr, first = (mr + tail + 1) / 2;
  even_tail = count >= 2 && tail != 0 && tail < mr / 2 &&
              step_cost[first] + step_cost[mr + tail - first] <= step_cost[mr] + step_cost[tail];
  tail_first = even_tail ? first : 0;
}

namespace {

// A thread packs its own copy of A only while it has at least this many weight panels to spread that
// packing over (it is then a small part of the thread's work however many threads there are), and
// while the copies of all threads together stay this small (each helper keeps its copy between calls).
constexpr size_t kOwnAPanelsPerThread = 32;
constexpr size_t kOwnABytes = size_t(32) << 20;

// Column blocks of `panels` weight panels of about nc each, sizes differing by at most one panel, their
// count (times `rows` row blocks) rounded up to a multiple of the thread count: with ceil-sized blocks
// the last one was short and one thread ran a whole block more than the other.
size_t balanced_col_blocks(size_t panels, size_t nc, size_t rows, int threads) {
  size_t blocks = (panels + nc - 1) / nc;
  while (threads > 1 && (rows * blocks) % size_t(threads) != 0 && blocks < panels) ++blocks;
  return blocks;
}

}  // namespace

GemmPlan plan_gemm(const RowPanels& rp, size_t K, size_t panels, size_t a_bytes, size_t a_keep_bytes,
                   bool c_overlaps_a, int threads, const CacheSizes& cs, const GemmTuning& tuning) {
  GemmPlan p{};
  const double flops = 2.0 * double(rp.M) * double(K) * double(panels) * kPanelWidth;
  p.threads = flops < pool_min_flops() ? 1 : threads;

  // One row panel: B streamed once, straight through, K not cut; several column blocks per thread so
  // that a thread slowed by the machine leaves little at the end.
  if (rp.count == 1) {
    p.driver = GemmDriver::kGemv;
    p.kc = K;
    p.nk = 1;
    p.mc = p.row_blocks = 1;
    p.nc = panels;
    if (p.threads > 1) {
      const size_t want = size_t(p.threads) * 8;
      p.nc = (panels + want - 1) / want;
      if (p.nc < 1) p.nc = 1;
    }
    p.col_blocks = balanced_col_blocks(panels, p.nc, 1, p.threads);
    return p;
  }

  // Blocked, BLIS order: one weight micro-panel (kc x 32) against every row panel of a row block.
  //   kc : a quarter of L2 of f32 weight micro-panel (kc x 32 x 4 bytes), at most 4096 k steps, cut
  //        evenly: the micro-panel is re-read from L2 by every row panel of the row block while the A
  //        micro-panels stream past, and a long kc keeps the per-tile costs (accumulator carry, call,
  //        epilogue) small.
  //   mc : all rows while their A block (mc x kc) fits a quarter of L3, so each weight byte comes from
  //        memory once per call and the A micro-panels stream from L3; past that, ~5/8 of L2.
  //   nc : with K in several blocks, weight panels per task, bounded so that the task's accumulator
  //        carry stays in L2.
  size_t kc = tuning.kc ? tuning.kc : cs.l2 / 4 / (kPanelWidth * sizeof(float));
  if (kc < 64) kc = 64;
  if (kc > 4096 && !tuning.kc) kc = 4096;
  {
    const size_t nk = (K + kc - 1) / kc;
    kc = (K + nk - 1) / nk;
  }
  p.kc = kc;
  p.nk = (K + kc - 1) / kc;

  const size_t a_panel_bytes = rp.mr * kc * sizeof(float);
  size_t mc = tuning.mc ? tuning.mc
              : rp.count * a_panel_bytes <= cs.l3 / 4 ? rp.count
                                                      : cs.l2 * 5 / 8 / a_panel_bytes;
  if (mc < 1) mc = 1;
  if (mc > rp.count) {
    mc = rp.count;
  } else {
    const size_t blocks = (rp.count + mc - 1) / mc;
    mc = (rp.count + blocks - 1) / blocks;  // blocks of even size
  }
  p.mc = mc;
  p.row_blocks = (rp.count + mc - 1) / mc;

  // K in one block on several threads: (row block, weight panel) units, row block major, one contiguous
  // range per thread with stealing at the end (unit_ranges.h). Each thread packs all of A into a copy
  // of its own (when the bounds above allow and C does not overlap A) rather than a share of one
  // buffer: a shared pack's lines were read by every thread in the previous call, so rewriting them
  // invalidates the other cores' copies line by line.
  const size_t units = p.row_blocks * panels;
  if (p.nk == 1 && units <= UINT32_MAX && p.threads > 1) {
    p.driver = GemmDriver::kOneBlock;
    p.nc = 1;
    p.col_blocks = panels;
    p.own_a = p.row_blocks == 1 && panels >= kOwnAPanelsPerThread * size_t(p.threads) && a_bytes <= a_keep_bytes &&
              a_bytes * size_t(p.threads) <= kOwnABytes && !c_overlaps_a;
    return p;
  }

  p.driver = GemmDriver::kBlocked;
  size_t nc = tuning.nc;
  if (!nc) {
    const size_t carry = mc * rp.mr * kPanelWidth * sizeof(float);  // accumulator carry per weight panel
    nc = p.nk > 1 ? (cs.l2 / 4 + carry - 1) / carry : panels;
    if (nc < 2) nc = 2;
  }
  if (p.threads > 1) {
    const size_t want = size_t(p.threads) * 6;
    while (p.row_blocks * ((panels + nc - 1) / nc) < want && nc > 1) nc = (nc + 1) / 2;
  }
  if (nc > panels) nc = panels;
  p.nc = nc;
  p.col_blocks = balanced_col_blocks(panels, nc, p.row_blocks, p.threads);
  return p;
}

}  // namespace swiglu
