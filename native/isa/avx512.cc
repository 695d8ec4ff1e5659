// The avx512 instantiation of every kernel, in namespace swiglu::avx512, built with this unit's own
// compile flags (CMakeLists.txt). Nothing here may be called unless the CPU runs avx512.
#define SWIGLU_NS avx512
#include <utility>
#include "../simd/avx512.h"
#include "../kernels/elementwise_table.h"
#include "../kernels/gemm_table.h"

namespace swiglu {
namespace avx512 {

const OpTable& table() {
  static const OpTable t = make_table("avx512", std::make_integer_sequence<int, kActCount>{});
  return t;
}

// GEMM tiles (matmul, fused SwiGLU gate, FFN): see native/kernels/gemm_tile.h.
const GemmTable& gemm_table() {
  static const GemmTable t = make_gemm_table<V>("avx512", std::make_integer_sequence<int, kMaxTileRows + 1>{});
  return t;
}

}  // namespace avx512
}  // namespace swiglu
