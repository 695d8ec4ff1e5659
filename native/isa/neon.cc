// The neon instantiation of every kernel, in namespace swiglu::neon, built with this unit's own
// compile flags (CMakeLists.txt). Nothing here may be called unless the CPU runs neon.
#define SWIGLU_NS neon
#include <utility>
#include "../simd/neon.h"
#include "../kernels/elementwise_table.h"
#include "../kernels/gemm_table.h"

namespace swiglu {
namespace neon {

const OpTable& table() {
  static const OpTable t = make_table("neon", std::make_integer_sequence<int, kActCount>{});
  return t;
}

// GEMM tiles (matmul, fused SwiGLU gate, FFN): see native/kernels/gemm_tile.h.
const GemmTable& gemm_table() {
  static const GemmTable t = make_gemm_table<V>("neon", std::make_integer_sequence<int, kMaxTileRows + 1>{});
  return t;
}

}  // namespace neon
}  // namespace swiglu
