// Builds this ISA's GemmTable (runtime/gemm.h) from the gemm_tile template: one entry per
// (weight type, rows) with rows in 1..gemm_mr<V>(); edge rows get their own fully unrolled tile, so a
// 4-row remainder costs 4 rows of FMAs, not 12.
#pragma once
#include <utility>

#include "activations.h"
#include "convert.h"
#include "gemm_pack.h"
#include "gemm_small.h"
#include "gemm_tile.h"

namespace swiglu {
namespace SWIGLU_NS {

template <class V, WType T, int R>
constexpr TileFn gemm_tile_entry() {
  if constexpr (R >= 1 && R <= gemm_mr<V>()) {
    return &gemm_tile<V, R, T>;
  } else {
    return nullptr;
  }
}

template <class V, int... R>
GemmTable make_gemm_table(const char* name, std::integer_sequence<int, R...>) {
  static_assert(gemm_mr<V>() <= kMaxTileRows, "tile taller than the table");
  GemmTable t{};
  t.isa = name;
  t.mr = gemm_mr<V>();
  const int costs[] = {(R >= 1 && R <= gemm_mr<V>() ? gemm_step_cost<V, R>() : 0)...};
  for (size_t i = 0; i < sizeof...(R); ++i) t.step_cost[i] = costs[i];
  const TileFn f32[] = {gemm_tile_entry<V, WType::kF32, R>()...};
  const TileFn bf16[] = {gemm_tile_entry<V, WType::kBF16, R>()...};
  const TileFn f16[] = {gemm_tile_entry<V, WType::kF16, R>()...};
  for (size_t i = 0; i < sizeof...(R); ++i) {
    t.tile[static_cast<int>(WType::kF32)][i] = f32[i];
    t.tile[static_cast<int>(WType::kBF16)][i] = bf16[i];
    t.tile[static_cast<int>(WType::kF16)][i] = f16[i];
  }
  t.widen[static_cast<int>(WType::kBF16)] = &widen<V, true>;
  t.widen[static_cast<int>(WType::kF16)] = &widen<V, false>;
  t.small = &small_matmul<V>;
  t.pack_a = &pack_a<V>;
  return t;
}

}  // namespace SWIGLU_NS
}  // namespace swiglu
