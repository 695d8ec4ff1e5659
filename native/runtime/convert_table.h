// The 16-bit float conversions: one table per ISA, filled by native/isa/<name>_convert.cc. ISA-neutral
// (plain C++). Every entry gives the same bits on every ISA (kernels/convert.h; scalar.h has the rules).
#pragma once
#include <cstddef>
#include <cstdint>

namespace swiglu {

// Narrowing: out[i] = bits of x[i] as bfloat16 / binary16, round to nearest even. x and out never overlap.
using NarrowFn = void (*)(const float* x, uint16_t* out, size_t n);
// Widening: out[i] = the bfloat16 / binary16 value with bits x[i], exactly. x and out never overlap.
using WidenFn = void (*)(const uint16_t* x, float* out, size_t n);

struct ConvertTable {
  const char* isa;
  NarrowFn to_bf16;
  NarrowFn to_f16;
  WidenFn from_bf16;
  WidenFn from_f16;
};

namespace scalar { const ConvertTable& convert_table(); }
namespace avx2 { const ConvertTable& convert_table(); }
namespace avx512 { const ConvertTable& convert_table(); }
namespace neon { const ConvertTable& convert_table(); }

}  // namespace swiglu
