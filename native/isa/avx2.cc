// The avx2 instantiation of every kernel, in namespace swiglu::avx2, built with this unit's own
// compile flags (CMakeLists.txt). Nothing here may be called unless the CPU runs avx2.
#define SWIGLU_NS avx2
#include <utility>
#include "../simd/avx2.h"
#include "../kernels/elementwise_table.h"
#include "../kernels/gemm_table.h"

namespace swiglu {
namespace avx2 {

const OpTable& table() {
  static const OpTable t = make_table("avx2", std::make_integer_sequence<int, kActCount>{});
  return t;
}

// GEMM tiles (matmul, fused SwiGLU gate, FFN): see native/kernels/gemm_tile.h.
const GemmTable& gemm_table() {
  static const GemmTable t = make_gemm_table<V>("avx2", std::make_integer_sequence<int, kMaxTileRows + 1>{});
  return t;
}

}  // namespace avx2
}  // namespace swiglu
