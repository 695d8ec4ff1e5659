// The dispatch table: one per ISA, filled by native/isa/<name>.cc, chosen once at load.
// This header is ISA-neutral (plain C++), shared by every translation unit.
#pragma once
#include <cstddef>
#include <cstdint>

#include "activation_list.h"

namespace swiglu {

// How an elementwise kernel writes y. kCache: plain stores, the result stays in cache for whatever reads
// it next. kStream: non-temporal stores where the ISA has them (kernels/map.h), for calls whose arrays
// exceed the last-level cache; only when y overlaps no input. Results are the same bits either way.
enum class Store : int { kCache = 0, kStream = 1 };

// y[i] = act(x[i]). y == x (in place) is allowed; any other overlap is rejected before this point.
using UnaryFn = void (*)(const float* x, float* y, size_t n, const ActParams& p, Store store);
// y[i] = act(gate[i]) * up[i]. y may equal gate or up exactly.
using GluFn = void (*)(const float* gate, const float* up, float* y, size_t n, const ActParams& p, Store store);

struct OpTable {
  const char* isa;
  UnaryFn unary[kActCount];
  GluFn glu[kActCount];
};

// Each ISA unit defines its table accessor in its own namespace. Only call one the CPU can run.
namespace scalar { const OpTable& table(); }
namespace avx2 { const OpTable& table(); }
namespace avx512 { const OpTable& table(); }
namespace neon { const OpTable& table(); }

}  // namespace swiglu
