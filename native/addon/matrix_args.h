// Argument readers shared by the matrix entry points and the packers (beyond args.h): sizes with
// overflow checks, weights of each dtype, flags.
#pragma once
#include <napi.h>

#include <cstddef>
#include <cstdint>
#include <string>

#include "args.h"
#include "../runtime/gemm.h"

namespace swiglu {

// Every matrix dimension is at most this (far above what memory holds; keeps products in range).
constexpr int64_t kMaxDim = int64_t(1) << 40;

// a * b, or a RangeError when it overflows or exceeds 2^52 elements.
inline size_t mul_or_throw(const Napi::Env& env, size_t a, size_t b, const char* what) {
  size_t r;
  if (__builtin_mul_overflow(a, b, &r) || r > (size_t(1) << 52)) {
    throw Napi::RangeError::New(env, std::string(what) + " is too large");
  }
  return r;
}

inline bool bool_arg(const Napi::CallbackInfo& info, size_t index, const char* name) {
  if (!info[index].IsBoolean()) throw Napi::TypeError::New(info.Env(), std::string(name) + " must be a boolean");
  return info[index].As<Napi::Boolean>().Value();
}

inline WType dtype_arg(const Napi::CallbackInfo& info, size_t index) {
  return static_cast<WType>(integer_arg(info, index, "dtype", 0, kWTypeCount - 1));
}

// A weight argument of `expected` elements: Float32Array for f32, Uint16Array (bf16/f16 bits) otherwise.
inline const void* weight_arg(const Napi::CallbackInfo& info, size_t index, const char* name, WType type, size_t expected) {
  Napi::Value v = info[index];
  const napi_typedarray_type want = type == WType::kF32 ? napi_float32_array : napi_uint16_array;
  if (!v.IsTypedArray() || v.As<Napi::TypedArray>().TypedArrayType() != want) {
    throw Napi::TypeError::New(info.Env(), std::string(name) + " must be a " +
                                               (type == WType::kF32 ? "Float32Array" : "Uint16Array") + " for dtype " +
                                               (type == WType::kF32 ? "f32" : type == WType::kBF16 ? "bf16" : "f16"));
  }
  Napi::TypedArray a = v.As<Napi::TypedArray>();
  check_length(info.Env(), name, expected, a.ElementLength(), "rows*cols");
  // The typed array's own data pointer (offset included): going through ArrayBuffer() would reject
  // SharedArrayBuffer-backed weights, which are valid.
  void* data = nullptr;
  if (napi_get_typedarray_info(info.Env(), v, nullptr, nullptr, &data, nullptr, nullptr) != napi_ok) {
    throw Napi::TypeError::New(info.Env(), std::string(name) + " could not be read");
  }
  return data;
}

}  // namespace swiglu
