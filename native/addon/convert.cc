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

struct Bytes {
  void* data = nullptr;
  size_t length = 0;  // elements
  size_t bytes = 0;
};

// A typed array of element type T: its data pointer comes from the view itself (napi_get_typedarray_info),
// which works for SharedArrayBuffer-backed views too (Napi::TypedArray::ArrayBuffer() does not).
template <class T>
Bytes typed_arg(const Napi::CallbackInfo& info, size_t index, const char* name, napi_typedarray_type type, const char* type_name) {
  Napi::Value v = info[index];
  if (!v.IsTypedArray() || v.As<Napi::TypedArray>().TypedArrayType() != type) {
    throw Napi::TypeError::New(info.Env(), std::string(name) + " must be a " + type_name);
  }
  Napi::TypedArrayOf<T> a = v.As<Napi::TypedArrayOf<T>>();
  Bytes b;
  b.length = a.ElementLength();  // 0 for a detached buffer
  b.bytes = b.length * sizeof(T);
  b.data = b.length ? a.Data() : nullptr;
  return b;
}

void check_pair(const Napi::Env& env, const Bytes& x, const Bytes& out) {
  check_length(env, "out", x.length, out.length);
  if (x.length == 0) return;
  const uintptr_t x0 = reinterpret_cast<uintptr_t>(x.data), o0 = reinterpret_cast<uintptr_t>(out.data);
  if (x0 < o0 + out.bytes && o0 < x0 + x.bytes) {
    throw Napi::RangeError::New(env, "out overlaps x: the element sizes differ, so pass a separate array");
  }
}

template <bool kBf16>
Napi::Value Narrow(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const Bytes x = typed_arg<float>(info, 0, "x", napi_float32_array, "Float32Array");
  const Bytes out = typed_arg<uint16_t>(info, 1, "out", napi_uint16_array, "Uint16Array");
  check_pair(env, x, out);
  const AddonData& d = addon_data(env);
  const ConvertTable& t = convert_table(d.isa);
  const NarrowFn fn = kBf16 ? t.to_bf16 : t.to_f16;
  const float* src = static_cast<const float*>(x.data);
  uint16_t* dst = static_cast<uint16_t*>(out.data);
  run_chunked(x.length, d.threads, [&](size_t b, size_t e) { fn(src + b, dst + b, e - b); });
  return info[1];
}

template <bool kBf16>
Napi::Value Widen(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const Bytes x = typed_arg<uint16_t>(info, 0, "x", napi_uint16_array, "Uint16Array");
  const Bytes out = typed_arg<float>(info, 1, "out", napi_float32_array, "Float32Array");
  check_pair(env, x, out);
  const AddonData& d = addon_data(env);
  const ConvertTable& t = convert_table(d.isa);
  const WidenFn fn = kBf16 ? t.from_bf16 : t.from_f16;
  const uint16_t* src = static_cast<const uint16_t*>(x.data);
  float* dst = static_cast<float*>(out.data);
  run_chunked(x.length, d.threads, [&](size_t b, size_t e) { fn(src + b, dst + b, e - b); });
  return info[1];
}

}  // namespace

void RegisterConvert(Napi::Env env, Napi::Object exports) {
  exports.Set("f32ToBf16", Napi::Function::New(env, Narrow<true>, "f32ToBf16"));
  exports.Set("f32ToF16", Napi::Function::New(env, Narrow<false>, "f32ToF16"));
  exports.Set("bf16ToF32", Napi::Function::New(env, Widen<true>, "bf16ToF32"));
  exports.Set("f16ToF32", Napi::Function::New(env, Widen<false>, "f16ToF32"));
}

}  // namespace swiglu
