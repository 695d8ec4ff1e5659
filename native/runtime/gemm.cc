// The GEMM driver: packs A, cuts the problem into cache blocks and tasks, and runs the ISA's tiles
// over the pool. ISA-neutral (baseline flags); all arithmetic happens in the tiles.
//
// Two paths:
//   M <= mr    : one row panel (the GEMV case at M = 1): one tile per weight panel over all of K,
//                each weight byte streamed once, panel after panel; N split over threads.
//   otherwise  : blocked, BLIS order (see the blocked section below for kc / mc / nc).
// Work is (row block, weight panels) pieces: with K in one cache block, one panel at a time from
// per-thread ranges with stealing (runtime/unit_ranges.h); otherwise fixed tasks of several panels
// that carry their accumulators across the K blocks. Nothing splits K across threads, so each output
// element is reduced by one tile, in k order (acc = fma(a, w, acc) from zero), whatever the thread
// count or blocking.
// The packed A lives in a per-thread buffer reused across calls (no page faults per call): the calling
// thread's, shared by the call's threads, or with K in one block on several threads, one per thread.
#include "gemm.h"

#include <atomic>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <thread>
#include <vector>

#include "pool.h"
#include "unit_ranges.h"

namespace swiglu {

const GemmTable& gemm_table(Isa isa) {
  switch (isa) {
#if defined(SWIGLU_HAVE_X86)
    case Isa::kAvx2: return avx2::gemm_table();
    case Isa::kAvx512: return avx512::gemm_table();
#endif
#if defined(SWIGLU_HAVE_NEON)
    case Isa::kNeon: return neon::gemm_table();
#endif
    default: return scalar::gemm_table();
  }
}

namespace {

// Per-thread carry buffer for the accumulators of a task's tiles between Kc blocks. Reused across
// calls (no allocation in the hot path after the first); grows only.
struct Scratch {
  float* p = nullptr;
  size_t n = 0;
  ~Scratch() { std::free(p); }
  float* get(size_t floats) {
    if (floats > n) {
      std::free(p);
      p = static_cast<float*>(aligned_bytes(floats, sizeof(float)));
      n = p ? floats : 0;
    }
    return p;
  }
};

float* thread_scratch(size_t floats) {
  static thread_local Scratch s;
  return s.get(floats);
}

// Dev knobs for tuning (read once; 0 or unset = automatic): SWIGLU_GEMM_KC, SWIGLU_GEMM_MC (row
// panels per block), SWIGLU_GEMM_NC (weight panels per task).
// None of them changes results: the reduction order per element is k ascending regardless.
size_t knob(const char* name) {
  const char* v = std::getenv(name);
  return v ? static_cast<size_t>(std::strtoull(v, nullptr, 10)) : 0;
}

// The per-call packed A, kept per thread between calls (no page faults in the hot path) up to kKeepA
// bytes: by each calling thread, and by each pool helper that packs its own copy (see the blocked
// path). Larger packs are allocated and freed per call.
constexpr size_t kKeepA = size_t(8) << 20;

struct APack {
  float* p = nullptr;
  std::unique_ptr<void, AlignedFree> own;
};

bool get_a_pack(APack* out, size_t floats) {
  if (floats * sizeof(float) <= kKeepA) {
    static thread_local Scratch keep;
    out->p = keep.get(floats);
  } else {
    out->own.reset(aligned_bytes(floats, sizeof(float)));
    out->p = static_cast<float*>(out->own.get());
  }
  return out->p != nullptr;
}

}  // namespace

bool gemm(Isa isa, const float* A, size_t lda, size_t M, const PackedB& B, Epilogue epi, float* C, size_t ldc,
          int threads) {
  const GemmTable& g = gemm_table(isa);
  const size_t K = B.K, N = B.N;
  if (M == 0 || N == 0) return true;
  if (K == 0) {
    // Empty sums: C = 0 (and SiLU(0) * 0 = 0 for the gate).
    for (size_t i = 0; i < M; ++i) std::memset(C + i * ldc, 0, N * sizeof(float));
    return true;
  }
  const size_t mr = static_cast<size_t>(g.mr);
  const size_t row_panels = (M + mr - 1) / mr;
  // Row panels are mr rows each, except that a short last panel (fewer than mr/2 rows) shares the last
  // two panels' rows evenly: M = 256 on AVX-512 ends in 8 + 8 rows, not 12 + 4 (a 4-row tile runs its FMA
  // pipes at about half speed, waiting on the weight loads). gemm_bench, M = 64 and 256: +0.5-2 %.
  const size_t tail = M % mr;
  const bool even_tail = row_panels >= 2 && tail != 0 && tail < mr / 2;
  const size_t tail_first = even_tail ? (mr + tail + 1) / 2 : 0;  // rows of the next-to-last panel
  auto panel_row0 = [&](size_t p) { return even_tail && p == row_panels - 1 ? (p - 1) * mr + tail_first : p * mr; };
  auto panel_rows = [&](size_t p) {
    if (even_tail && p + 2 == row_panels) return tail_first;
    const size_t r0 = panel_row0(p);
    return M - r0 < mr ? M - r0 : mr;
  };
  const size_t cpp = B.cols_per_panel();
  const int wt = static_cast<int>(B.type);
  const size_t wbytes = wtype_bytes(B.type);

  size_t a_floats;
  if (__builtin_mul_overflow(M, K, &a_floats)) return false;
  APack apack;
  if (!get_a_pack(&apack, a_floats)) return false;
  float* const Ap = apack.p;

  // Small problems run on the caller: a pool wake-up costs microseconds.
  const double flops = 2.0 * double(M) * double(K) * double(B.panels) * kPanelWidth;
  if (flops < 4e6) threads = 1;

  // Pack A into row panels: Ap[p][k][r]. A shared pack completes before any store to C (C may alias
  // A); per-thread copies (below) are made only when C does not overlap A.
  // Panel p (rows [r0, r0 + rows)) at dst + r0*K, stride `rows` per k: the tile's A offsets are then
  // compile-time constants.
  auto pack_panel = [&](size_t p, float* dst) {
    g.pack_a(A + panel_row0(p) * lda, lda, panel_rows(p), K, dst + panel_row0(p) * K, panel_rows(p));
  };

  // Column blocks of weight panels, sizes differing by at most one panel, their count rounded up to a
  // multiple of the thread count (with `rows` row blocks per column block): with ceil-sized blocks the
  // last one was short and one thread ran a whole block more than the other (88 panels in blocks of 3:
  // 45 vs 43 panels, ~2 % of a two-thread call).
  auto balanced_col_blocks = [&](size_t nc, size_t rows) {
    size_t blocks = (B.panels + nc - 1) / nc;
    while (threads > 1 && (rows * blocks) % size_t(threads) != 0 && blocks < B.panels) ++blocks;
    return blocks;
  };
  auto col_begin = [&](size_t cb, size_t blocks) { return cb * B.panels / blocks; };

  const CacheSizes& cs = cache_sizes();
  static const size_t kc_knob = knob("SWIGLU_GEMM_KC"), nc_knob = knob("SWIGLU_GEMM_NC");

  // ---- one row panel (M <= mr): B streamed once, straight through, K not cut ----------------------
  if (row_panels == 1) {
    pack_panel(0, Ap);  // at most mr rows: on the caller, before the job
    size_t nc = B.panels;
    if (threads > 1) {
      const size_t want = size_t(threads) * 8;
      nc = (B.panels + want - 1) / want;
      if (nc < 1) nc = 1;
    }
    const size_t col_blocks = balanced_col_blocks(nc, 1);
    const TileFn fn = g.tile[wt][M];
    parallel_for(col_blocks, threads, [&](size_t cb) {
      const size_t jr0 = col_begin(cb, col_blocks), jr1 = col_begin(cb + 1, col_blocks);
      TileArgs ta{};
      ta.a = Ap;
      ta.b_strip = B.strip_elems();
      ta.b_cold = true;  // each panel is streamed once
      ta.kc = K;
      ta.final_block = true;
      ta.epilogue = epi;
      ta.ldc = ldc;
      for (size_t jr = jr0; jr < jr1; ++jr) {
        ta.b = B.panel(jr, 0);
        ta.c = C + jr * cpp;
        ta.cols = N - jr * cpp < cpp ? N - jr * cpp : cpp;
        fn(ta);
      }
    });
    return true;
  }

  // ---- blocked (BLIS order: one weight micro-panel against every row panel of the block) -------
  //   kc : a quarter of L2 of f32 weight micro-panel (kc x 32 x 4 bytes; 2048 k steps on a 1 MiB L2,
  //        for every weight type), at most 4096: the micro-panel is re-read from L2 (its hot part from
  //        L1) by every row panel of the row block while A micro-panels stream past, and a long kc keeps
  //        the per-tile costs (accumulator carry, call, epilogue) small. Measured on Zen 5, gemm_bench
  //        f32 at M = 256 and 512, 1 and 2 threads, alternating runs: kc 2048 over 1024 +1.1 % of peak on
  //        average (2048x5632, where it removes the carry: +2-2.5 %), 4096 over 2048 -1 % (a 512 KiB
  //        panel in a 1 MiB L2); earlier, 1024 beat 512 and 128-384 were worse.
  //   mc : the row block (mc rows x kc of packed A): all M rows while that block fits in a quarter of
  //        L3 (4 MiB at M = 512, kc = 2048), so each weight byte comes from DRAM once per call and the
  //        A micro-panels stream from L3 under their prefetch; past that, within ~5/8 of L2. Measured
  //        on Zen 5, f32 M = 512, 1 thread: 4096x11008 92 % -> 95 % of peak, 2048x5632 94 -> 96 %
  //        (the L2-sized block re-read 360 MB of weights from DRAM 4 times per call).
  //   nc : with K in several blocks, weight panels per task, bounded so the task's accumulator carry
  //        stays in L2 (with K in one block, threads take single panels from ranges: see below).
  // The next weight micro-panel is prefetched into L2, a slice per tile, while the current one runs.
  size_t kc = kc_knob ? kc_knob : cs.l2 / 4 / (kPanelWidth * sizeof(float));
  if (kc < 64) kc = 64;
  if (kc > 4096 && !kc_knob) kc = 4096;
  {
    const size_t nk = (K + kc - 1) / kc;
    kc = (K + nk - 1) / nk;
  }
  const size_t nk = (K + kc - 1) / kc;
  static const size_t mc_knob = knob("SWIGLU_GEMM_MC");
  const size_t a_panel_bytes = mr * kc * sizeof(float);
  size_t mc = mc_knob ? mc_knob
              : row_panels * a_panel_bytes <= cs.l3 / 4 ? row_panels  // A block from L3, B from DRAM once
                                                         : cs.l2 * 5 / 8 / a_panel_bytes;
  if (mc < 1) mc = 1;
  if (mc > row_panels) mc = row_panels;
  else mc = (row_panels + (row_panels + mc - 1) / mc - 1) / ((row_panels + mc - 1) / mc);  // balance blocks
  const size_t row_blocks = (row_panels + mc - 1) / mc;
  const size_t tile_floats = mr * kPanelWidth;

  // A is packed inside the compute job, not in a job of its own: each thread's first task claims row
  // panels to pack until none is left, then waits for the others' last ones (a few microseconds). A
  // second pool dispatch cost a worker wake-up (~20-40 us on a VM) per call, ~1 % of a two-thread
  // M = 256 gate. Every task passes this point before it stores to C (C may alias A). Never blocks
  // for long, whatever the thread count: a panel is only waited for while a running thread packs it.
  std::atomic<size_t> pack_next{0}, pack_done{0};
  auto pack_all = [&] {
    if (pack_done.load(std::memory_order_acquire) == row_panels) return;
    for (size_t p; (p = pack_next.fetch_add(1, std::memory_order_relaxed)) < row_panels;) {
      pack_panel(p, Ap);
      pack_done.fetch_add(1, std::memory_order_release);
    }
    // Spin (a panel takes microseconds), yielding now and then in case its packer was preempted.
    for (unsigned i = 1; pack_done.load(std::memory_order_acquire) < row_panels; ++i) {
      if (i % 1024 == 0) std::this_thread::yield();
      else cpu_relax();
    }
  };

  // Every row panel of row block rb against weight micro-panel (jr, k0), prefetching into L2 the
  // micro-panel that runs after it (if any: `next_k` k steps of each strip from `next`), a slice per tile.
  const size_t strip_bytes = B.strip_elems() * wbytes;
  auto run_panel = [&](TileArgs& ta, const float* a_base, size_t rb, size_t jr, size_t k0, float* partial, size_t jr0,
                       const char* next, size_t next_k) {
    const size_t ir0 = rb * mc, ir1 = ir0 + mc < row_panels ? ir0 + mc : row_panels;
    const size_t nir = ir1 - ir0;
    const size_t strip_lines = next_k * kStripWidth * wbytes / 64, next_lines = 2 * strip_lines;
    const size_t per_tile = (next_lines + nir - 1) / nir;
    ta.b = B.panel(jr, k0);
    ta.cols = N - jr * cpp < cpp ? N - jr * cpp : cpp;
    ta.prefetch_jump = strip_bytes - strip_lines * 64;
    for (size_t ir = ir0; ir < ir1; ++ir) {
      const size_t rows = panel_rows(ir);
      const size_t l0 = (ir - ir0) * per_tile;
      ta.prefetch = next && l0 < next_lines ? next + l0 * 64 : nullptr;
      ta.prefetch_lines = ta.prefetch ? (next_lines - l0 < per_tile ? next_lines - l0 : per_tile) : 0;
      ta.prefetch_split = strip_lines > l0 ? strip_lines - l0 : 0;
      ta.b_cold = ir == ir0;
      ta.a = a_base + panel_row0(ir) * K + k0 * rows;
      ta.partial = partial ? partial + ((jr - jr0) * nir + (ir - ir0)) * tile_floats : nullptr;
      ta.c = C + panel_row0(ir) * ldc + jr * cpp;
      g.tile[wt][rows](ta);
    }
  };
  // A thread's first weight panel with a copy of A of its own (K in one block, one row block): each row
  // panel is packed into `dst` right before its tile, and that tile prefetches the next row panel's rows
  // of A into L2 (its L2 prefetch slot, which elsewhere fetches the next weight panel), so the packing
  // reads A from L2 rather than from L3 or DRAM, and the first tiles start before all of A is packed.
  auto run_panel_packing = [&](TileArgs& ta, float* dst, size_t jr) {
    ta.b = B.panel(jr, 0);
    ta.cols = N - jr * cpp < cpp ? N - jr * cpp : cpp;
    ta.partial = nullptr;
    for (size_t ir = 0; ir < row_panels; ++ir) {
      pack_panel(ir, dst);
      const bool ahead = ir + 1 < row_panels && lda == K;  // the next panel's rows are one contiguous run
      ta.prefetch = ahead ? reinterpret_cast<const char*>(A + panel_row0(ir + 1) * lda) : nullptr;
      ta.prefetch_lines = ahead ? panel_rows(ir + 1) * K * sizeof(float) / 64 + 1 : 0;
      ta.prefetch_split = SIZE_MAX;  // one contiguous run
      ta.b_cold = ir == 0;
      ta.a = dst + panel_row0(ir) * K;
      ta.c = C + panel_row0(ir) * ldc + jr * cpp;
      g.tile[wt][panel_rows(ir)](ta);
    }
  };
  auto base_args = [&] {
    TileArgs ta{};
    ta.b_strip = B.strip_elems();
    ta.epilogue = epi;
    ta.ldc = ldc;
    return ta;
  };

  // K in one block: the units are (row block, weight panel) pairs, row block major (a row block's A
  // stays hot while its panels go by), split into one contiguous range per thread with stealing at
  // the end (runtime/unit_ranges.h). Whole tasks of ~1/16 of the call left one thread idle for half
  // a task on average at the end of a two-thread call; a one-panel task with plain dynamic scheduling
  // was worse (the next task is another thread's, so no tile could prefetch this thread's next panel).
  //
  // Each thread packs all of A into a buffer of its own (its kept one), panel by panel along its first
  // weight panel (run_panel_packing), rather than its share of one buffer: a shared pack's lines were
  // read by every thread in the previous call, so rewriting them invalidates the other cores' copies
  // line by line, and each core then fetches every line of A back from the other. Each thread does all
  // of the packing (about what half a weight panel's tiles take), so only while every thread has many
  // weight panels to spread that over (kOwnPanels: then it stays under ~1.5 % of a thread's work however
  // many threads there are), and while the copies stay small (kOwnBytes over all threads: each helper
  // keeps its buffer between calls). Not when C overlaps A (in place: no thread may store to C before
  // every thread has packed). Measured on 2 threads only (this machine has two cores).
  const size_t units = row_blocks * B.panels;
  if (nk == 1 && units <= UINT32_MAX && threads > 1) {
    const uintptr_t a_lo = reinterpret_cast<uintptr_t>(A), a_hi = reinterpret_cast<uintptr_t>(A + (M - 1) * lda + K);
    const uintptr_t c_lo = reinterpret_cast<uintptr_t>(C), c_hi = reinterpret_cast<uintptr_t>(C + (M - 1) * ldc + N);
    constexpr size_t kOwnPanels = 32, kOwnBytes = size_t(32) << 20;
    const bool own_a = row_blocks == 1 && B.panels >= kOwnPanels * size_t(threads) &&
                       a_floats * sizeof(float) <= kKeepA && a_floats * sizeof(float) * size_t(threads) <= kOwnBytes &&
                       (c_hi <= a_lo || a_hi <= c_lo);
    std::atomic<bool> short_of_memory{false};
    StealingSplit<kMaxThreads> split(units, static_cast<size_t>(threads));
    parallel_for(split.ranges(), threads, [&](size_t task) {
      float* mine = nullptr;  // this thread's copy of A, packed along its first unit
      if (own_a) {
        if (split.all_taken()) return;  // claimed after the other tasks took every unit: nothing to pack for
        APack own;  // on the calling thread, Ap itself (its kept buffer)
        if (!get_a_pack(&own, a_floats)) {
          short_of_memory.store(true, std::memory_order_relaxed);  // its units are stolen, or redone below
          return;
        }
        mine = own.p;
      } else {
        pack_all();
      }
      TileArgs ta = base_args();
      ta.kc = K;
      ta.final_block = true;
      bool packed = !own_a;
      split.run(task, [&](uint32_t u, int64_t next) {
        if (!packed) {
          run_panel_packing(ta, mine, u % B.panels);
          packed = true;
          return;
        }
        const char* np = next >= 0 ? static_cast<const char*>(B.panel(size_t(next) % B.panels, 0)) : nullptr;
        run_panel(ta, own_a ? mine : Ap, u / B.panels, u % B.panels, 0, nullptr, 0, np, np ? K : 0);
      });
    });
    // A thread that could not allocate its buffer ran nothing; whether or not the others took its
    // units, the caller recomputes C alone (C does not overlap A here: the same bits again).
    if (short_of_memory.load(std::memory_order_relaxed)) return gemm(isa, A, lda, M, B, epi, C, ldc, 1);
    return true;
  }

  // Otherwise (K in several blocks, or one thread): fixed tasks of nc weight panels x one row block.
  size_t nc = nc_knob;
  if (!nc) {
    const size_t carry = mc * tile_floats * sizeof(float);  // accumulator carry per weight panel
    nc = nk > 1 ? (cs.l2 / 4 + carry - 1) / carry : B.panels;
    if (nc < 2) nc = 2;
  }
  if (threads > 1) {
    const size_t want = size_t(threads) * 6;
    while (row_blocks * ((B.panels + nc - 1) / nc) < want && nc > 1) nc = (nc + 1) / 2;
  }
  if (nc > B.panels) nc = B.panels;
  const size_t col_blocks = balanced_col_blocks(nc, row_blocks);
  const size_t tasks = row_blocks * col_blocks;

  bool ok = true;
  parallel_for(tasks, threads, [&](size_t task) {
    pack_all();
    const size_t rb = task % row_blocks, cb = task / row_blocks;
    const size_t ir0 = rb * mc, ir1 = ir0 + mc < row_panels ? ir0 + mc : row_panels;
    const size_t jr0 = col_begin(cb, col_blocks), jr1 = col_begin(cb + 1, col_blocks);
    const size_t nir = ir1 - ir0;
    float* partial = nullptr;
    if (nk > 1) {
      partial = thread_scratch(nir * (jr1 - jr0) * tile_floats);
      if (!partial) {
        ok = false;  // benign race: only ever set to false
        return;
      }
    }
    TileArgs ta = base_args();
    for (size_t pc = 0; pc < nk; ++pc) {
      const size_t k0 = pc * kc;
      ta.kc = K - k0 < kc ? K - k0 : kc;
      ta.load_partial = pc > 0;
      ta.final_block = pc + 1 == nk;
      for (size_t jr = jr0; jr < jr1; ++jr) {
        // The micro-panel after this one (in this task's order, else the next column block's first).
        const char* next;
        size_t next_kc;
        if (jr + 1 < jr1) {
          next = static_cast<const char*>(B.panel(jr + 1, k0));
          next_kc = ta.kc;
        } else if (pc + 1 < nk) {
          next = static_cast<const char*>(B.panel(jr0, k0 + kc));
          next_kc = K - k0 - kc < kc ? K - k0 - kc : kc;
        } else if (jr1 < B.panels) {
          next = static_cast<const char*>(B.panel(jr1, 0));
          next_kc = kc;
        } else {
          next = nullptr;
          next_kc = 0;
        }
        run_panel(ta, Ap, rb, jr, k0, partial, jr0, next, next_kc);
      }
    }
  });
  return ok;
}

void matmul_small(Isa isa, const float* A, size_t lda, size_t M, const float* B, bool trans, size_t K, size_t N,
                  float* C, size_t ldc, int threads) {
  if (M == 0 || N == 0) return;
  if (K == 0) {
    for (size_t i = 0; i < M; ++i) std::memset(C + i * ldc, 0, N * sizeof(float));
    return;
  }
  const GemmTable& g = gemm_table(isa);
  const double flops = 2.0 * double(M) * double(K) * double(N);
  if (flops < 4e6) threads = 1;
  // Column chunks of 64 (whole vectors and cache lines on every ISA), several per thread.
  const size_t unit = 64;
  const size_t units = (N + unit - 1) / unit;
  size_t per = threads > 1 ? (units + size_t(threads) * 4 - 1) / (size_t(threads) * 4) : units;
  if (per < 1) per = 1;
  const size_t tasks = (units + per - 1) / per;
  parallel_for(tasks, threads, [&](size_t t) {
    for (size_t m0 = 0; m0 < M; m0 += kSmallM) {
      SmallArgs s;
      s.a = A + m0 * lda;
      s.lda = lda;
      s.M = M - m0 < kSmallM ? M - m0 : kSmallM;
      s.b = B;
      s.trans = trans;
      s.K = K;
      s.N = N;
      s.c = C + m0 * ldc;
      s.ldc = ldc;
      s.n0 = t * per * unit;
      s.n1 = (t + 1) * per * unit < N ? (t + 1) * per * unit : N;
      g.small(s);
    }
  });
}

}  // namespace swiglu
