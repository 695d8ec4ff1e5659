// GEMM for matmul, the fused SwiGLU gate and the FFN. ISA-neutral interface (plain C++).
//
// Layout shared by every ISA, so a pack made under one ISA serves any other (setIsa in tests):
//   A is packed per call into row panels of at most `mr` rows (the ISA's tile height): the panel of
//   rows [r0, r0 + rows) sits at r0*K in the buffer, as a[k*rows + r].
//   B ("weights") is packed once into column panels of kPanelWidth = 32 columns, each stored as two
//   K-contiguous strips of kStripWidth = 16 columns: panel j, element (k, c) at
//   data[j*K*32 + (c/16)*K*16 + k*16 + c%16]. A tile pass narrower than the panel (AVX2, NEON: 16
//   columns) then reads one contiguous stream, and a pass as wide as the panel (AVX-512) two; never a
//   strided one. A plain panel holds 32 output columns; a gate panel holds 16 gate columns (strip 0)
//   then the same 16 up columns (strip 1), so one tile has both halves of its outputs in registers
//   when the activation is applied.
// Every output tile is reduced in the same order (k ascending, the same Kc cuts) whatever the thread
// count: Kc depends only on (M, K) and the cache sizes, never on how tiles are spread over threads.
#pragma once
#include <cstddef>
#include <cstdint>
#include <memory>

#include "cpu.h"
#include "op_table.h"
#include "pool.h"
#include "scratch.h"

namespace swiglu {

constexpr int kPanelWidth = 32;     // columns of a packed B panel
constexpr int kStripWidth = 16;     // columns of one of its two K-contiguous strips
constexpr int kGateHalf = 16;       // output columns per gate panel (strip 0: gate, strip 1: up)
constexpr int kMaxTileRows = 16;    // upper bound of any ISA's mr
// How far ahead of its loads a tile on a cold weight micro-panel prefetches each strip (bytes): far
// enough to keep DRAM's latency times its bandwidth in flight (more while the FMA pipes run ahead), so a
// GEMV streams at the DRAM's rate. The GEMV driver prefetches the first this-many bytes of the next
// panel's strips, which the tile's own prefetches skip.
constexpr size_t kStripPrefetchBytes = 8192;
// The one-row tile (the M = 1 GEMV, which only waits on memory) prefetches half as far: its two strips'
// 4 KiB each already keep one core's DRAM stream busy, and lines fetched further ahead crowd the L1 that
// also holds the whole A row; the taller tiles, whose FMAs run ahead of the stream, keep the longer one.
constexpr size_t kGemvStripPrefetchBytes = 4096;
constexpr size_t strip_prefetch_bytes(size_t rows) { return rows == 1 ? kGemvStripPrefetchBytes : kStripPrefetchBytes; }

enum class WType : int { kF32 = 0, kBF16 = 1, kF16 = 2 };
constexpr int kWTypeCount = 3;
inline size_t wtype_bytes(WType t) { return t == WType::kF32 ? 4 : 2; }

// What a tile does with its accumulators once its K range is done.
enum class Epilogue : int {
  kStore = 0,  // C[r][c] = acc[r][c], c < cols (cols <= 32)
  kGlu = 1,    // a gate panel: C[r][c] = act(acc[r][c]) * acc[r][16 + c], c < cols (cols <= 16)
  kAct = 2,    // a plain panel: C[r][c] = act(acc[r][c]), c < cols (cols <= 32)
  // The backward epilogues (kernels/gemm_grad_epilogue.h), with the extra operands of EpilogueOp; they
  // need K >= 1 (gemm() returns false otherwise). The activation's value and gradient come from the
  // elementwise kernels of the same ISA (act_fwd / the GradTable), so each element equals the unfused
  // composition of the same ops bit for bit.
  kGluGrad = 3,  // a gate panel, G = acc[r][c], U = acc[r][16 + c], dh = aux[r][c]:
                 //   C[r][c] = dh U act'(G) (the GLU backward's dGate), C2[r][c] = dh act(G) (dUp)
  kGluSave = 4,  // a gate panel: C = act(G) U (H), C2 = U act'(G), C3 = act(G): what dH is multiplied by
  kActSave = 5,  // a plain panel: C = act(acc) (H), C2 = act'(acc)
  kScale = 6,    // a plain panel: C = acc aux, and C2 = acc aux2 when C2 is given
};
constexpr bool is_grad_epilogue(Epilogue e) { return e >= Epilogue::kGluGrad; }

// The activations a fused epilogue applies (GEGLU and its kin, and plain MLPs), each with its default
// parameters: the rows of activation_list.h marked fused.
inline bool fused_act_supported(Act a) { return a >= 0 && a < kActCount && kActInfo[a].fused; }

// An epilogue and its activation (ignored by kStore). The backward epilogues' extra matrices share C's
// (row, column) indexing: c2 and c3 with C's row stride, aux and aux2 with ld_aux.
struct EpilogueOp {
  Epilogue kind;
  Act act;
  float* c2 = nullptr;
  float* c3 = nullptr;
  const float* aux = nullptr;
  const float* aux2 = nullptr;
  size_t ld_aux = 0;
  EpilogueOp(Epilogue k = Epilogue::kStore, Act a = kIdentity) : kind(k), act(a) {}  // NOLINT: implicit from kStore
};

struct GradTable;

struct TileArgs {
  const float* a;        // packed A panel at k0: a[k*rows + r] (rows: the tile's row count)
  const void* b;         // packed B panel's strip 0 at k0: element (k, c) at b[(c/16)*b_strip + k*16 + c%16]
  size_t b_strip;        // elements from strip 0 to strip 1 (K*16); f32 or 16-bit bits
  bool b_cold;           // the weight micro-panel is not in cache yet (the first tile on it): prefetch it
  size_t kc;             // k steps this call
  float* partial;        // tile-contiguous rows x 32 floats: accumulators carried between Kc blocks
  bool load_partial;     // start from *partial instead of zero
  bool final_block;      // apply the epilogue to c; otherwise write accumulators back to *partial
  Epilogue epilogue;
  Act act;               // kGlu, kAct: the activation (fused_act_supported)
  float* c;              // output tile origin (row 0, column 0 of this panel's outputs)
  size_t ldc;            // floats between output rows
  size_t cols;           // valid output columns in this panel
  const void* prefetch;  // optional: prefetch_lines cache lines into L2 (the next weight micro-panel),
  size_t prefetch_lines; //   spread over the k loop; a hint, never read. Line i is at prefetch + 64*i,
  size_t prefetch_split; //   plus prefetch_jump bytes once i >= prefetch_split (the micro-panel's second
  size_t prefetch_jump;  //   strip); prefetch_split >= prefetch_lines for one contiguous run. One line
  size_t prefetch_from;  //   per k step from step prefetch_from (0: the tile's start; the GEMV: its end).
  // Backward epilogues only: this tile's origin in EpilogueOp's extra matrices, and the gradient kernels.
  float* c2;
  float* c3;
  const float* aux;
  const float* aux2;
  size_t ld_aux;
  const GradTable* grads;
};

// rows x one panel, over kc steps. Indexed [wtype][rows]; rows in 1..mr.
using TileFn = void (*)(const TileArgs&);

// Small-M matmul straight from an unpacked B (kernels/gemm_small.h): columns [n0, n1) of C.
constexpr size_t kSmallM = 8;
struct SmallArgs {
  const float* a;
  size_t lda;
  size_t M;              // 1..kSmallM
  const float* b;        // trans ? [N][K] : [K][N], dense
  bool trans;
  size_t K, N;
  float* c;
  size_t ldc;
  size_t n0, n1;
};
using SmallFn = void (*)(const SmallArgs&);

struct GemmTable {
  const char* isa;
  int mr;  // tile rows
  int step_cost[kMaxTileRows + 1];  // by rows: a model of one k step's cycles (gemm_step_cost), to cut the last rows
  TileFn tile[kWTypeCount][kMaxTileRows + 1];
  SmallFn small;
  // dst[i] = the value of the 16-bit weight bits src[i], exactly (kernels/convert.h), indexed by weight
  // type (nullptr for f32): a 16-bit weight micro-panel widened once for the row panels it meets.
  void (*widen[kWTypeCount])(const uint16_t* src, float* dst, size_t n);
  // dst[k * stride + r] = src[r * lda + k] for r < rows, k < K: one row panel of packed A.
  void (*pack_a)(const float* src, size_t lda, size_t rows, size_t K, float* dst, size_t stride);
};

namespace scalar { const GemmTable& gemm_table(); }
namespace avx2 { const GemmTable& gemm_table(); }
namespace avx512 { const GemmTable& gemm_table(); }
namespace neon { const GemmTable& gemm_table(); }

// Only call with a runnable ISA.
const GemmTable& gemm_table(Isa isa);

// ---- packed weights -------------------------------------------------------------------------

struct AlignedFree {
  void operator()(void* p) const;
};

// One packed B operand (immutable once built).
struct PackedB {
  WType type = WType::kF32;
  bool gate = false;  // gate panels (16 gate + 16 up columns) vs plain (32 columns)
  size_t K = 0, N = 0;  // N: output columns
  size_t panels = 0;
  size_t bytes = 0;
  ScratchPtr data;  // scratch_bytes (a per-call pack); a pack in memory the caller owns releases it

  size_t cols_per_panel() const { return gate ? kGateHalf : kPanelWidth; }
  // Strip 0 of panel j at k step k0 (strip 1 is strip_elems() elements further).
  const void* panel(size_t j, size_t k0) const {
    return static_cast<const char*>(data.get()) + (j * K * kPanelWidth + k0 * kStripWidth) * wtype_bytes(type);
  }
  size_t strip_elems() const { return K * kStripWidth; }
};

// Source of a weight matrix: element (k, n) is src[k*N + n] (trans == false: [K][N], "in-out") or
// src[n*K + k] (trans == true: [N][K], PyTorch nn.Linear "out-in"). src holds floats for kF32 and
// 16-bit patterns for kBF16/kF16.
// ld: elements between rows of src (0: dense, N or K), so a column block of a wider matrix packs in place.
struct WeightSrc {
  const void* src;
  bool trans;
  size_t ld = 0;
};

// Returns false if the allocation fails (or the size overflows). Parallel over `threads`.
bool pack_b(PackedB* out, WeightSrc w, WType type, size_t K, size_t N, int threads);
bool pack_gate(PackedB* out, WeightSrc gate, WeightSrc up, WType type, size_t K, size_t N, int threads);
// The panel layout of a K x N weight (gate panels or plain): type, gate, K, N, panels and bytes, no
// memory; false on overflow. pack_b / pack_gate allocate by it; a caller with memory of its own sets it,
// points data at `bytes` of it and fills it with pack_b_into / pack_gate_into.
bool panel_layout(PackedB* b, WType type, bool gate, size_t K, size_t N);
// The same packings into a region whose layout (type, gate, K, N, panels, bytes) and data the caller set:
// memory the caller owns (the addon's SharedArrayBuffer packs), written once, nothing allocated.
void pack_b_into(PackedB* region, WeightSrc w, int threads);
void pack_gate_into(PackedB* region, WeightSrc gate, WeightSrc up, int threads);
// f32 plain panels of B = [top; bottom] stacked along k: rows k < K1 from top (K1 x N), the K2 after from
// bottom (K2 x N). The backward's dx = [dG | dU] [Wg; Wu] runs as one GEMM over the stack.
bool pack_b_stacked(PackedB* out, WeightSrc top, WeightSrc bottom, size_t K1, size_t K2, size_t N, int threads);

// Below this many FLOPs a GEMM runs on the calling thread: waking a sleeping helper costs tens of
// microseconds on a VM. In a burst of calls the helpers poll instead of sleeping (pool.h), and handing
// them a job costs about a microsecond: then the threshold is kMinBurstPoolFlops (a one-row gate of a
// 256-wide model).
constexpr double kMinPoolFlops = 4e6;
constexpr double kMinBurstPoolFlops = 2.5e5;
inline double pool_min_flops() { return pool_in_burst() ? kMinBurstPoolFlops : kMinPoolFlops; }

// Overrides of gemm()'s cache blocking, for tools and tests (0: what plan_gemm chooses for this CPU).
// No setting changes a result.
struct GemmTuning {
  size_t kc = 0;  // k steps per cache block
  size_t mc = 0;  // row panels per row block
  size_t nc = 0;  // weight panels per task when K is cut into several blocks
};

// C[M x N] (row stride ldc) = epilogue(A[M x K] (row stride lda) * B). A is fully packed before the
// first store to C, so C may be exactly A (same memory) when the caller allows it. a_trans: A is given
// transposed, [K x M] with row stride lda (a weight gradient's x^T, read in place: packing it is a copy
// of `rows` floats per k). Returns false on allocation failure (C may then be partly written).
bool gemm(Isa isa, const float* A, size_t lda, size_t M, const PackedB& B, EpilogueOp epi, float* C, size_t ldc,
          int threads, const GemmTuning& tuning = GemmTuning{}, bool a_trans = false);

// matmul for M <= kSmallM without packing B: C[M x N] (row stride ldc) = A[M x K] (row stride lda) *
// B, B dense [K][N] or (trans) [N][K]. Reads A and B while writing C: C must not overlap them.
// Parallel over N; each element reduced in one fixed order whatever the thread count.
void matmul_small(Isa isa, const float* A, size_t lda, size_t M, const float* B, bool trans, size_t K, size_t N,
                  float* C, size_t ldc, int threads);

}  // namespace swiglu
