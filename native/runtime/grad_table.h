// The gradient table: one per ISA, filled by native/isa/<name>_grad.cc, a sibling of OpTable
// (op_table.h) indexed by the same Act values. ISA-neutral (plain C++), shared by every translation unit.
#pragma once
#include <cstddef>

#include "op_table.h"

namespace swiglu {

// dx[i] = dy[i] * act'(x[i]). dx may be exactly x or exactly dy; any other overlap is rejected before this point.
using GradFn = void (*)(const float* x, const float* dy, float* dx, size_t n, const ActParams& p);
// dup[i] = dh[i] * act(gate[i]); dgate[i] = dh[i] * up[i] * act'(gate[i]). Each output may be exactly one of
// the inputs; the two outputs never overlap.
using GluGradFn = void (*)(const float* gate, const float* up, const float* dh, float* dgate, float* dup, size_t n,
                           const ActParams& p);

struct GradTable {
  const char* isa;
  GradFn grad[kActCount];
  GluGradFn glu_grad[kActCount];
};

namespace scalar { const GradTable& grad_table(); }
namespace avx2 { const GradTable& grad_table(); }
namespace avx512 { const GradTable& grad_table(); }
namespace neon { const GradTable& grad_table(); }

}  // namespace swiglu
