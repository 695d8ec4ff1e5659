#include "dispatch.h"

namespace swiglu {

const OpTable& op_table(Isa isa) {
  switch (isa) {
#if defined(SWIGLU_HAVE_X86)
    case Isa::kAvx2: return avx2::table();
    case Isa::kAvx512: return avx512::table();
#endif
#if defined(SWIGLU_HAVE_NEON)
    case Isa::kNeon: return neon::table();
#endif
    default: return scalar::table();
  }
}

Store store_for(size_t working_set_bytes) {
  return working_set_bytes >= cache_sizes().l3 ? Store::kStream : Store::kCache;
}

}  // namespace swiglu
