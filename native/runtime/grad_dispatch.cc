#include "grad_dispatch.h"

namespace swiglu {

const GradTable& grad_table(Isa isa) {
  switch (isa) {
#if defined(SWIGLU_HAVE_X86)
    case Isa::kAvx2: return avx2::grad_table();
    case Isa::kAvx512: return avx512::grad_table();
#endif
#if defined(SWIGLU_HAVE_NEON)
    case Isa::kNeon: return neon::grad_table();
#endif
    default: return scalar::grad_table();
  }
}

}  // namespace swiglu
