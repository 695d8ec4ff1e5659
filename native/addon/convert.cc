// N-API glue for the 16-bit float conversions: f32ToBf16, f32ToF16 (Float32Array -> Uint16Array of bit
// patterns) and bf16ToF32, f16ToF32 (back). Validates what memory safety needs (types, equal lengths, no
// shared bytes: the element sizes differ, so no in-place form exists); lib/convert.ts gives the friendly errors.
#include <cstdint>
#include <string>

#include "args.h"
#include "chunking.h"
#include "instance.h"
#include "register.h"
#include "../runtime/convert_table.h"

namespace swiglu {
namespace {

const ConvertTable& convert_table(Isa isa) {
  switch (isa) {
#if defined(SWIGLU_HAVE_X86)
    case Isa::kAvx2: return avx2::convert_table();
    case Isa::kAvx512: return avx512::convert_table();
#endif
#if defined(SWIGLU_HAVE_NEON)
    case Isa::kNeon: return neon::convert_table();
#endif
    default: return scalar::convert_table();
  }
}

// The typed array of each element type: napi's tag, and the name a TypeError gives.
template <class T> struct ArrayKind;
template <> struct ArrayKind<float> {
  static constexpr napi_typedarray_type kType = napi_float32_array;
  static constexpr const char* kName = "Float32Array";
};
template <> struct ArrayKind<uint16_t> {
  static constexpr napi_typedarray_type kType = napi_uint16_array;
  static constexpr const char* kName = "Uint16Array";
};

template <class T>
struct View {
  T* data = nullptr;
  size_t length = 0;  // elements
};

// A typed array of element type T: its data pointer comes from the view itself (napi_get_typedarray_info),
// which works for SharedArrayBuffer-backed views too (Napi::TypedArray::ArrayBuffer() does not).
template <class T>
View<T> typed_arg(const Napi::CallbackInfo& info, size_t index, const char* name) {
  Napi::Value v = info[index];
  if (!v.IsTypedArray() || v.As<Napi::TypedArray>().TypedArrayType() != ArrayKind<T>::kType) {
    throw Napi::TypeError::New(info.Env(), std::string(name) + " must be a " + ArrayKind<T>::kName);
  }
  Napi::TypedArrayOf<T> a = v.As<Napi::TypedArrayOf<T>>();
  View<T> b;
  b.length = a.ElementLength();  // 0 for a detached buffer
  b.data = b.length ? a.Data() : nullptr;
  return b;
}

// x and out: the same length, no shared bytes (the element sizes differ, so no in-place form exists).
template <class Src, class Dst>
void check_pair(const Napi::Env& env, const View<Src>& x, const View<Dst>& out) {
  check_length(env, "out", x.length, out.length);
  if (x.length == 0) return;
  const uintptr_t x0 = reinterpret_cast<uintptr_t>(x.data), o0 = reinterpret_cast<uintptr_t>(out.data);
  if (x0 < o0 + out.length * sizeof(Dst) && o0 < x0 + x.length * sizeof(Src)) {
    throw Napi::RangeError::New(env, "out overlaps x: the element sizes differ, so pass a separate array");
  }
}

// f32ToBf16 / f32ToF16 / bf16ToF32 / f16ToF32 (x, out): out[i] = the conversion `Fn` of this environment's
// ISA applied to x[i]; returns out.
template <class Src, class Dst, void (*ConvertTable::*Fn)(const Src*, Dst*, size_t)>
Napi::Value Convert(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const View<Src> x = typed_arg<Src>(info, 0, "x");
  const View<Dst> out = typed_arg<Dst>(info, 1, "out");
  check_pair(env, x, out);
  const AddonData& d = addon_data(env);
  const auto fn = convert_table(d.isa).*Fn;
  run_chunked(x.length, d.threads, [&](size_t b, size_t e) { fn(x.data + b, out.data + b, e - b); });
  return info[1];
}

}  // namespace

void RegisterConvert(Napi::Env env, Napi::Object exports) {
  exports.Set("f32ToBf16", Napi::Function::New(env, Convert<float, uint16_t, &ConvertTable::to_bf16>, "f32ToBf16"));
  exports.Set("f32ToF16", Napi::Function::New(env, Convert<float, uint16_t, &ConvertTable::to_f16>, "f32ToF16"));
  exports.Set("bf16ToF32", Napi::Function::New(env, Convert<uint16_t, float, &ConvertTable::from_bf16>, "bf16ToF32"));
  exports.Set("f16ToF32", Napi::Function::New(env, Convert<uint16_t, float, &ConvertTable::from_f16>, "f16ToF32"));
}

}  // namespace swiglu
