// The GEMM driver: packs A, asks plan_gemm() how to cut the call (gemm_plan.h), and runs the ISA's
// tiles over the pool with one of three drivers. ISA-neutral (baseline flags); all arithmetic happens
// in the tiles. Nothing splits K across threads, so each output element is reduced by one tile, in k
// order (acc = fma(a, w, acc) from zero), whatever the thread count or the plan.
// The packed A lives in a per-thread buffer reused across calls (no page faults per call): the calling
// thread's, shared by the call's threads, or with own_a, one per thread.
#include "gemm.h"

#include <array>
#include <atomic>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <thread>
#include <utility>

#include "gemm_plan.h"
#include "gemm_widen.h"
#include "grad_dispatch.h"
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

// C = 0 for an empty sum (K = 0), which is also SiLU(0) * 0 for the gate.
void zero_rows(float* C, size_t ldc, size_t M, size_t N) {
  for (size_t i = 0; i < M; ++i) std::memset(C + i * ldc, 0, N * sizeof(float));
}

// Row panel [r0, r0 + R) of A given as [K x M] (row stride lda) into dst, R floats per k: R a
// compile-time size, so each k's copy is a few vector moves rather than a call to memcpy.
using TransPanelCopy = void (*)(float* dst, const float* a, size_t lda, size_t K);
template <size_t R>
void copy_trans_panel(float* dst, const float* a, size_t lda, size_t K) {
  for (size_t k = 0; k < K; ++k) std::memcpy(dst + k * R, a + k * lda, R * sizeof(float));
}
constexpr size_t kMaxPanelRows = 16;  // every ISA's tile height (gemm_mr) and tail cut stays within it
template <size_t... R>
constexpr std::array<TransPanelCopy, sizeof...(R)> trans_panel_copies(std::index_sequence<R...>) {
  return {copy_trans_panel<R>...};
}
constexpr auto kTransPanelCopy = trans_panel_copies(std::make_index_sequence<kMaxPanelRows + 1>());

// A per-thread buffer reused across calls (no allocation in the hot path after the first); grows only.
struct ThreadBuffer {
  float* p = nullptr;
  size_t n = 0;
  ~ThreadBuffer() { std::free(p); }
  float* get(size_t floats) {
    if (floats > n) {
      std::free(p);
      p = static_cast<float*>(aligned_bytes(floats, sizeof(float)));
      n = p ? floats : 0;
    }
    return p;
  }
};

// The accumulators of a task's tiles between K blocks.
float* thread_carry(size_t floats) {
  static thread_local ThreadBuffer s;
  return s.get(floats);
}

// A 16-bit weight micro-panel widened to f32 (GemmCall::run_panel).
float* thread_widened(size_t floats) {
  static thread_local ThreadBuffer s;
  return s.get(floats);
}

// The per-call packed A, kept per thread between calls up to kKeepA bytes: by each calling thread,
// and by each pool helper that packs its own copy. Larger packs are per-call blocks (scratch.h).
constexpr size_t kKeepA = size_t(8) << 20;

struct APack {
  float* p = nullptr;
  ScratchPtr own;
};

bool get_a_pack(APack* out, size_t floats) {
  if (floats * sizeof(float) <= kKeepA) {
    static thread_local ThreadBuffer keep;
    out->p = keep.get(floats);
  } else {
    out->own.reset(scratch_bytes(floats, sizeof(float)));
    out->p = static_cast<float*>(out->own.get());
  }
  return out->p != nullptr;
}

// What every driver needs of one call, and the steps they share.
struct GemmCall {
  const GemmTable& g;
  const float* A;
  size_t lda;
  const PackedB& B;
  EpilogueOp epi;
  float* C;
  size_t ldc;
  RowPanels rp;
  size_t K, N;
  size_t panel_cols;     // output columns per weight panel
  TileFn const* tiles;  // this weight type's tiles, by row count
  size_t wbytes;
  void (*widen)(const uint16_t*, float*, size_t);  // 16-bit weights: this ISA's widening, else nullptr
  size_t widen_rows;  // row panels from which a micro-panel is widened once (run_panel)

  // Packs row panel p into dst: rows [r0, r0 + rows) at dst + r0*K, `rows` floats per k, so the
  // tile's A offsets are compile-time constants.
  void pack_panel(size_t p, float* dst) const {
    const size_t r0 = rp.row0(p), rows = rp.rows(p);
    if (a_trans) {
      float* d = dst + r0 * K;
      if (rows <= kMaxPanelRows) {
        kTransPanelCopy[rows](d, A + r0, lda, K);
      } else {
        for (size_t k = 0; k < K; ++k) std::memcpy(d + k * rows, A + k * lda + r0, rows * sizeof(float));
      }
      return;
    }
    g.pack_a(A + r0 * lda, lda, rows, K, dst + r0 * K, rows);
  }
  size_t cols(size_t jr) const { return N - jr * panel_cols < panel_cols ? N - jr * panel_cols : panel_cols; }
  const GradTable* grads;  // the backward epilogues' gradient kernels (this ISA's), else nullptr
  bool a_trans;            // A given as [K x M] (gemm())
  TileArgs tile_args() const {
    TileArgs ta{};
    ta.b_strip = B.strip_elems();
    ta.epilogue = epi.kind;
    ta.act = epi.act;
    ta.ldc = ldc;
    ta.ld_aux = epi.ld_aux;
    ta.grads = grads;
    return ta;
  }
  // Points the tile at output row `row`, column `col` of C and of the epilogue's extra matrices.
  void place(TileArgs& ta, size_t row, size_t col) const {
    ta.c = C + row * ldc + col;
    if (!grads) return;
    ta.c2 = epi.c2 ? epi.c2 + row * ldc + col : nullptr;
    ta.c3 = epi.c3 ? epi.c3 + row * ldc + col : nullptr;
    ta.aux = epi.aux ? epi.aux + row * epi.ld_aux + col : nullptr;
    ta.aux2 = epi.aux2 ? epi.aux2 + row * epi.ld_aux + col : nullptr;
  }

  // Row panels [ir0, ir1) against weight micro-panel (jr, k0), prefetching into L2 the micro-panel that
  // runs after it (if any: `next_k` k steps of each of its strips from `next`), a slice per tile.
  // partial: the carry of this micro-panel's tiles (nullptr with K in one block).
  // With 16-bit weights, a micro-panel met by widen_rows row panels or more (the break-even this CPU
  // showed: gemm_widen.h) is widened once into a per-thread f32 copy (same layout, strips kc*16 apart) and
  // run by the f32 tiles. The widened values are exact, so the results are the same bits either way.
  void run_panel(TileArgs& ta, const float* a_base, size_t ir0, size_t ir1, size_t jr, size_t k0, float* partial,
                 const char* next, size_t next_k) const {
    const size_t nir = ir1 - ir0;
    const size_t strip_lines = next_k * kStripWidth * wbytes / 64, next_lines = 2 * strip_lines;
    const size_t per_tile = (next_lines + nir - 1) / nir;
    TileFn const* fns = tiles;
    ta.b = B.panel(jr, k0);
    ta.b_strip = B.strip_elems();
    if (widen && nir >= widen_rows) {
      if (float* w = thread_widened(ta.kc * kPanelWidth)) {
        const uint16_t* src = static_cast<const uint16_t*>(ta.b);
        widen(src, w, ta.kc * kStripWidth);
        widen(src + B.strip_elems(), w + ta.kc * kStripWidth, ta.kc * kStripWidth);
        ta.b = w;
        ta.b_strip = ta.kc * kStripWidth;
        fns = g.tile[static_cast<int>(WType::kF32)];
      }
    }
    const bool widened = fns != tiles;
    ta.cols = cols(jr);
    ta.prefetch_jump = B.strip_elems() * wbytes - strip_lines * 64;
    for (size_t ir = ir0; ir < ir1; ++ir) {
      const size_t rows = rp.rows(ir);
      const size_t l0 = (ir - ir0) * per_tile;
      ta.prefetch = next && l0 < next_lines ? next + l0 * 64 : nullptr;
      ta.prefetch_lines = ta.prefetch ? (next_lines - l0 < per_tile ? next_lines - l0 : per_tile) : 0;
      ta.prefetch_split = strip_lines > l0 ? strip_lines - l0 : 0;
      ta.b_cold = ir == ir0 && !widened;  // a widened copy was just written: it is in cache
      ta.a = a_base + rp.row0(ir) * K + k0 * rows;
      ta.partial = partial ? partial + (ir - ir0) * rp.mr * kPanelWidth : nullptr;
      place(ta, rp.row0(ir), jr * panel_cols);
      fns[rows](ta);
    }
  }

  // A thread's first weight panel with a copy of A of its own (K in one block, one row block): each row
  // panel is packed into `dst` right before its tile, and that tile prefetches the next row panel's rows
  // of A into L2 (its L2 prefetch slot, which elsewhere fetches the next weight panel), so the packing
  // reads A from L2, and the first tiles start before all of A is packed.
  void run_panel_packing(TileArgs& ta, float* dst, size_t jr) const {
    ta.b = B.panel(jr, 0);
    ta.b_strip = B.strip_elems();
    ta.cols = cols(jr);
    ta.partial = nullptr;
    for (size_t ir = 0; ir < rp.count; ++ir) {
      pack_panel(ir, dst);
      const bool ahead = ir + 1 < rp.count && lda == K && !a_trans;  // the next panel's rows are one contiguous run
      ta.prefetch = ahead ? reinterpret_cast<const char*>(A + rp.row0(ir + 1) * lda) : nullptr;
      ta.prefetch_lines = ahead ? rp.rows(ir + 1) * K * sizeof(float) / 64 + 1 : 0;
      ta.prefetch_split = SIZE_MAX;  // one contiguous run
      ta.b_cold = ir == 0;
      ta.a = dst + rp.row0(ir) * K;
      place(ta, rp.row0(ir), jr * panel_cols);
      tiles[rp.rows(ir)](ta);
    }
  }
};

// One shared packed A, packed inside the compute job rather than in a job of its own (a second pool
// dispatch costs a worker wake-up): each thread's first task claims row panels to pack until none is
// left, then waits for the others' last ones. Every task passes this point before it stores to C (C
// may alias A). Never blocks for long: a panel is only waited for while a running thread packs it.
class SharedPack {
 public:
  SharedPack(const GemmCall& call, float* dst) : call_(call), dst_(dst) {}
  void ensure() {
    const size_t n = call_.rp.count;
    if (done_.load(std::memory_order_acquire) == n) return;
    for (size_t p; (p = next_.fetch_add(1, std::memory_order_relaxed)) < n;) {
      call_.pack_panel(p, dst_);
      done_.fetch_add(1, std::memory_order_release);
    }
    // Spin (a panel takes microseconds), yielding now and then in case its packer was preempted.
    for (unsigned i = 1; done_.load(std::memory_order_acquire) < n; ++i) {
      if (i % 1024 == 0) std::this_thread::yield();
      else cpu_relax();
    }
  }

 private:
  const GemmCall& call_;
  float* dst_;
  std::atomic<size_t> next_{0}, done_{0};
};

// kGemv: one row panel (packed on the caller), each weight panel streamed once over all of K.
void run_gemv(const GemmCall& call, const GemmPlan& plan, float* Ap) {
  call.pack_panel(0, Ap);
  const size_t panels = call.B.panels;
  parallel_for(plan.col_blocks, plan.threads, [&](size_t cb) {
    TileArgs ta = call.tile_args();
    ta.a = Ap;
    ta.b_cold = true;  // each panel is streamed once
    ta.kc = call.K;
    ta.final_block = true;
    const TileFn fn = call.tiles[call.rp.M];
    // The first strip_prefetch_bytes of each strip of the next panel, one line per k step over this
    // panel's last steps: the tile's own prefetches run that far ahead within a panel, so without these
    // each panel's stream would start cold.
    const size_t strip_bytes = call.B.strip_elems() * call.wbytes, ahead = strip_prefetch_bytes(call.rp.M);
    const size_t strip_lines = (strip_bytes < ahead ? strip_bytes : ahead) / 64;
    ta.prefetch_split = strip_lines;
    ta.prefetch_jump = strip_bytes - strip_lines * 64;
    ta.prefetch_from = call.K > 2 * strip_lines ? call.K - 2 * strip_lines : 0;
    const size_t end = col_block_begin(cb + 1, plan.col_blocks, panels);
    for (size_t jr = col_block_begin(cb, plan.col_blocks, panels); jr < end; ++jr) {
      ta.prefetch = jr + 1 < end ? call.B.panel(jr + 1, 0) : nullptr;
      ta.prefetch_lines = ta.prefetch ? 2 * strip_lines : 0;
      ta.b = call.B.panel(jr, 0);
      call.place(ta, 0, jr * call.panel_cols);
      ta.cols = call.cols(jr);
      fn(ta);
    }
  });
}

// kOneBlock: (row block, weight panel) units in stealing ranges, row block major (a row block's A stays
// hot while its panels go by); each unit's tiles prefetch the thread's next unit's weight panel. With
// own_a each thread packs its copy of A along its first unit. Returns false if a thread could not
// allocate its copy (then it ran nothing: the caller recomputes C).
bool run_one_block(const GemmCall& call, const GemmPlan& plan, float* Ap, size_t a_floats) {
  const size_t panels = call.B.panels;
  SharedPack shared(call, Ap);
  std::atomic<bool> short_of_memory{false};
  StealingSplit<kMaxThreads> split(plan.row_blocks * panels, static_cast<size_t>(plan.threads));
  parallel_for(split.ranges(), plan.threads, [&](size_t task) {
    float* mine = nullptr;  // this thread's copy of A, packed along its first unit
    if (plan.own_a) {
      if (split.all_taken()) return;  // claimed after the other tasks took every unit: nothing to pack for
      APack own;  // on the calling thread, Ap itself (its kept buffer)
      if (!get_a_pack(&own, a_floats)) {
        short_of_memory.store(true, std::memory_order_relaxed);  // its units are stolen, or redone
        return;
      }
      mine = own.p;
    } else {
      shared.ensure();
    }
    TileArgs ta = call.tile_args();
    ta.kc = call.K;
    ta.final_block = true;
    bool packed = !plan.own_a;
    split.run(task, [&](uint32_t u, int64_t next) {
      const size_t rb = u / panels, jr = u % panels;
      if (!packed) {
        call.run_panel_packing(ta, mine, jr);
        packed = true;
        return;
      }
      const char* np = next >= 0 ? static_cast<const char*>(call.B.panel(size_t(next) % panels, 0)) : nullptr;
      const size_t ir0 = rb * plan.mc, ir1 = ir0 + plan.mc < call.rp.count ? ir0 + plan.mc : call.rp.count;
      call.run_panel(ta, plan.own_a ? mine : Ap, ir0, ir1, jr, 0, nullptr, np, np ? call.K : 0);
    });
  });
  return !short_of_memory.load(std::memory_order_relaxed);
}

// kBlocked: fixed tasks of nc weight panels x one row block, each carrying its tiles' accumulators
// across the K blocks in a per-thread buffer. Returns false if a carry buffer could not be allocated.
bool run_blocked(const GemmCall& call, const GemmPlan& plan, float* Ap) {
  const size_t panels = call.B.panels, K = call.K, kc = plan.kc;
  const size_t tile_floats = call.rp.mr * kPanelWidth;
  SharedPack shared(call, Ap);
  std::atomic<bool> ok{true};
  parallel_for(plan.row_blocks * plan.col_blocks, plan.threads, [&](size_t task) {
    shared.ensure();
    const size_t rb = task % plan.row_blocks, cb = task / plan.row_blocks;
    const size_t ir0 = rb * plan.mc, ir1 = ir0 + plan.mc < call.rp.count ? ir0 + plan.mc : call.rp.count;
    const size_t jr0 = col_block_begin(cb, plan.col_blocks, panels), jr1 = col_block_begin(cb + 1, plan.col_blocks, panels);
    const size_t nir = ir1 - ir0;
    float* carry = nullptr;
    if (plan.nk > 1) {
      carry = thread_carry(nir * (jr1 - jr0) * tile_floats);
      if (!carry) {
        ok.store(false, std::memory_order_relaxed);
        return;
      }
    }
    TileArgs ta = call.tile_args();
    for (size_t pc = 0; pc < plan.nk; ++pc) {
      const size_t k0 = pc * kc;
      ta.kc = K - k0 < kc ? K - k0 : kc;
      ta.load_partial = pc > 0;
      ta.final_block = pc + 1 == plan.nk;
      for (size_t jr = jr0; jr < jr1; ++jr) {
        // The micro-panel after this one: in this task's order, else the next column block's first.
        const char* next = nullptr;
        size_t next_k = 0;
        if (jr + 1 < jr1) {
          next = static_cast<const char*>(call.B.panel(jr + 1, k0));
          next_k = ta.kc;
        } else if (pc + 1 < plan.nk) {
          next = static_cast<const char*>(call.B.panel(jr0, k0 + kc));
          next_k = K - k0 - kc < kc ? K - k0 - kc : kc;
        } else if (jr1 < panels) {
          next = static_cast<const char*>(call.B.panel(jr1, 0));
          next_k = kc;
        }
        float* partial = carry ? carry + (jr - jr0) * nir * tile_floats : nullptr;
        call.run_panel(ta, Ap, ir0, ir1, jr, k0, partial, next, next_k);
      }
    }
  });
  return ok.load(std::memory_order_relaxed);
}

}  // namespace

bool gemm(Isa isa, const float* A, size_t lda, size_t M, const PackedB& B, EpilogueOp epi, float* C, size_t ldc,
          int threads, const GemmTuning& tuning, bool a_trans) {
  const size_t K = B.K, N = B.N;
  if (M == 0 || N == 0) return true;
  if (K == 0) {
    if (is_grad_epilogue(epi.kind)) return false;  // they read the accumulators' activations: callers pass K >= 1
    zero_rows(C, ldc, M, N);
    return true;
  }
  const GemmTable& g = gemm_table(isa);
  GemmCall call{g, A, lda, B, epi, C, ldc, RowPanels(M, static_cast<size_t>(g.mr), g.step_cost), K, N,
                B.cols_per_panel(), g.tile[static_cast<int>(B.type)], wtype_bytes(B.type), g.widen[static_cast<int>(B.type)],
                SIZE_MAX, is_grad_epilogue(epi.kind) ? &grad_table(isa) : nullptr, a_trans};

  size_t a_floats;
  if (__builtin_mul_overflow(M, K, &a_floats)) return false;
  APack apack;
  if (!get_a_pack(&apack, a_floats)) return false;

  const float* a_end = a_trans ? A + (K - 1) * lda + M : A + (M - 1) * lda + K;
  const float* c_end = C + (M - 1) * ldc + N;
  const uintptr_t a_lo = reinterpret_cast<uintptr_t>(A), a_hi = reinterpret_cast<uintptr_t>(a_end);
  const uintptr_t c_lo = reinterpret_cast<uintptr_t>(C), c_hi = reinterpret_cast<uintptr_t>(c_end);
  const bool c_overlaps_a = c_lo < a_hi && a_lo < c_hi;
  const GemmPlan plan =
      plan_gemm(call.rp, K, B.panels, a_floats * sizeof(float), kKeepA, c_overlaps_a, threads, cache_sizes(), tuning);

  if (plan.driver != GemmDriver::kGemv && call.widen && plan.mc >= 2) call.widen_rows = widen_once_min_row_panels(isa, g, B.type);

  switch (plan.driver) {
    case GemmDriver::kGemv:
      run_gemv(call, plan, apack.p);
      return true;
    case GemmDriver::kOneBlock:
      if (run_one_block(call, plan, apack.p, a_floats)) return true;
      // A thread that could not allocate its copy of A ran nothing; whether or not the others took its
      // units, the caller recomputes C alone (C does not overlap A here: the same bits again).
      return gemm(isa, A, lda, M, B, epi, C, ldc, 1, tuning, a_trans);
    case GemmDriver::kBlocked:
      return run_blocked(call, plan, apack.p);
  }
  return false;
}

void matmul_small(Isa isa, const float* A, size_t lda, size_t M, const float* B, bool trans, size_t K, size_t N,
                  float* C, size_t ldc, int threads) {
  if (M == 0 || N == 0) return;
  if (K == 0) {
    zero_rows(C, ldc, M, N);
    return;
  }
  const GemmTable& g = gemm_table(isa);
  const double flops = 2.0 * double(M) * double(K) * double(N);
  if (flops < pool_min_flops()) threads = 1;
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
