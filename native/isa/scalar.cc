// The scalar instantiation of every kernel, in namespace swiglu::scalar, built with this unit's own
// compile flags (CMakeLists.txt). Nothing here may be called unless the CPU runs scalar.
#define SWIGLU_NS scalar
#include <utility>
#include "../simd/scalar.h"
#include "../kernels/elementwise_table.h"
#include "../kernels/gemm_table.h"

namespace swiglu {
namespace scalar {

const OpTable& table() {
  static const OpTable t = make_table("scalar", std::make_integer_sequence<int, kActCount>{});
  return t;
}

// GEMM tiles (matmul, fused SwiGLU gate, FFN): see native/kernels/gemm_tile.h.
const GemmTable& gemm_table() {
  static const GemmTable t = make_gemm_table<V>("scalar", std::make_integer_sequence<int, kMaxTileRows + 1>{});
  return t;
}

}  // namespace scalar
}  // namespace swiglu
