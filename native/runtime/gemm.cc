// The GEMM driver: packs A, cuts the problem into cache blocks and tasks, and runs the ISA's tiles
// over the pool. ISA-neutral (baseline flags); all arithmetic happens in the tiles.
//
// Blocking (BLIS-style, sized from this CPU's caches):
//   kc   : A micro-panel (mr x kc floats) fits half of L1d, so it stays in L1 while the tile walks
//          across the panels of a block. One row panel (M <= mr) is not cut at all: B is streamed
//          once, straight through (the GEMV case: each weight byte read once).
//   nc   : the B block (kc x nc_panels panels) fits half of L2 and is re-read from there by every
//          row panel of the task.
//   mc   : up to 8 row panels per task, so a B block fetched from L3/DRAM is used 8 times.
// Tasks are (row block, column block) pairs; no task splits K, so each output element is reduced by
// one tile, in k order, whatever the thread count.
#include "gemm.h"

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <vector>

#include "pool.h"

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

size_t parse_size(const char* s) {
  char* end = nullptr;
  unsigned long long v = std::strtoull(s, &end, 10);
  if (end == s) return 0;
  if (*end == 'K' || *end == 'k') v <<= 10;
  else if (*end == 'M' || *end == 'm') v <<= 20;
  else if (*end == 'G' || *end == 'g') v <<= 30;
  return static_cast<size_t>(v);
}

bool read_line(const char* path, char* buf, size_t n) {
  FILE* f = std::fopen(path, "r");
  if (!f) return false;
  const bool ok = std::fgets(buf, static_cast<int>(n), f) != nullptr;
  std::fclose(f);
  return ok;
}

CacheSizes detect_caches() {
  CacheSizes c{32 << 10, 1 << 20, 8 << 20};  // defaults: a typical x86 / big ARM core
  for (int i = 0; i < 8; ++i) {
    char path[128], level[32], type[32], size[32];
    std::snprintf(path, sizeof path, "/sys/devices/system/cpu/cpu0/cache/index%d/level", i);
    if (!read_line(path, level, sizeof level)) break;
    std::snprintf(path, sizeof path, "/sys/devices/system/cpu/cpu0/cache/index%d/type", i);
    if (!read_line(path, type, sizeof type)) continue;
    std::snprintf(path, sizeof path, "/sys/devices/system/cpu/cpu0/cache/index%d/size", i);
    if (!read_line(path, size, sizeof size)) continue;
    const size_t bytes = parse_size(size);
    if (bytes < 4096) continue;  // nonsense: keep the default
    const int lv = std::atoi(level);
    if (lv == 1 && std::strncmp(type, "Instruction", 11) != 0) c.l1d = bytes;
    else if (lv == 2) c.l2 = bytes;
    else if (lv == 3) c.l3 = bytes;
  }
  return c;
}

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

}  // namespace

const CacheSizes& cache_sizes() {
  static const CacheSizes c = detect_caches();
  return c;
}

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
  const size_t a_stride = M < mr ? M : mr;
  const size_t row_panels = (M + mr - 1) / mr;
  const size_t cpp = B.cols_per_panel();
  const int wt = static_cast<int>(B.type);

  size_t a_floats;
  if (__builtin_mul_overflow(row_panels * a_stride, K, &a_floats)) return false;
  std::unique_ptr<void, AlignedFree> a_mem(aligned_bytes(a_floats, sizeof(float)));
  if (!a_mem) return false;
  float* const Ap = static_cast<float*>(a_mem.get());

  // Small problems run on the caller: a pool wake-up costs microseconds.
  const double flops = 2.0 * double(M) * double(K) * double(B.panels) * kPanelWidth;
  if (flops < 4e6) threads = 1;

  // Pack A into row panels: Ap[p][k][r]. Completes before any store to C (C may alias A).
  {
    const int t = M * K < (size_t(1) << 18) ? 1 : threads;
    parallel_for(row_panels, t, [&](size_t p) {
      const size_t r0 = p * mr, nr = M - r0 < mr ? M - r0 : mr;
      float* dst = Ap + p * K * a_stride;
      for (size_t r = 0; r < nr; ++r) {
        const float* src = A + (r0 + r) * lda;
        for (size_t k = 0; k < K; ++k) dst[k * a_stride + r] = src[k];
      }
    });
  }

  const CacheSizes& cs = cache_sizes();
  size_t kc = K;
  if (row_panels > 1) {
    size_t target = cs.l1d / 2 / (mr * sizeof(float));
    if (target < 64) target = 64;
    if (target > 1024) target = 1024;
    const size_t nk = (K + target - 1) / target;
    kc = (K + nk - 1) / nk;
  }
  const size_t nk = (K + kc - 1) / kc;
  const size_t panel_bytes_kc = kc * kPanelWidth * wtype_bytes(B.type);
  size_t nc = cs.l2 / 2 / panel_bytes_kc;
  if (nc < 1) nc = 1;
  const size_t mc = row_panels < 8 ? row_panels : 8;
  const size_t row_blocks = (row_panels + mc - 1) / mc;
  // Enough tasks that a core slowed by other load does not hold the others up (task shapes never
  // change results: each tile is computed whole by one task).
  if (threads > 1) {
    const size_t want = size_t(threads) * 6;
    while (row_blocks * ((B.panels + nc - 1) / nc) < want && nc > 1) nc = (nc + 1) / 2;
  }
  if (nc > B.panels) nc = B.panels;
  const size_t col_blocks = (B.panels + nc - 1) / nc;
  const size_t tasks = row_blocks * col_blocks;
  const size_t tile_floats = mr * kPanelWidth;

  bool ok = true;
  parallel_for(tasks, threads, [&](size_t task) {
    const size_t rb = task % row_blocks, cb = task / row_blocks;
    const size_t ir0 = rb * mc, ir1 = ir0 + mc < row_panels ? ir0 + mc : row_panels;
    const size_t jr0 = cb * nc, jr1 = jr0 + nc < B.panels ? jr0 + nc : B.panels;
    float* partial = nullptr;
    if (nk > 1) {
      partial = thread_scratch((ir1 - ir0) * (jr1 - jr0) * tile_floats);
      if (!partial) {
        ok = false;  // benign race: only ever set to false
        return;
      }
    }
    TileArgs ta;
    ta.a_stride = a_stride;
    ta.epilogue = epi;
    ta.ldc = ldc;
    for (size_t pc = 0; pc < nk; ++pc) {
      const size_t k0 = pc * kc;
      ta.kc = K - k0 < kc ? K - k0 : kc;
      ta.load_partial = pc > 0;
      ta.final_block = pc + 1 == nk;
      for (size_t ir = ir0; ir < ir1; ++ir) {
        const size_t rows = M - ir * mr < mr ? M - ir * mr : mr;
        const TileFn fn = g.tile[wt][rows];
        ta.a = Ap + ir * K * a_stride + k0 * a_stride;
        for (size_t jr = jr0; jr < jr1; ++jr) {
          ta.b = B.panel(jr, k0);
          ta.partial = partial ? partial + ((ir - ir0) * (jr1 - jr0) + (jr - jr0)) * tile_floats : nullptr;
          ta.c = C + ir * mr * ldc + jr * cpp;
          ta.cols = N - jr * cpp < cpp ? N - jr * cpp : cpp;
          fn(ta);
        }
      }
    }
  });
  return ok;
}

}  // namespace swiglu
