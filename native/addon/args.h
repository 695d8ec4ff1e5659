// Argument checks that keep the C++ side memory-safe. The TypeScript layer gives users friendlier
// errors first; these are the last line, reached only by direct calls into the binding.
#pragma once
#include <napi.h>

#include <cstddef>
#include <cstdint>
#include <string>

namespace swiglu {

struct F32View {
  float* data = nullptr;
  size_t length = 0;  // in floats
};

// A Float32Array argument, or a TypeError naming it.
inline F32View float32_arg(const Napi::CallbackInfo& info, size_t index, const char* name) {
  Napi::Value v = info[index];
  if (!v.IsTypedArray() || v.As<Napi::TypedArray>().TypedArrayType() != napi_float32_array) {
    throw Napi::TypeError::New(info.Env(), std::string(name) + " must be a Float32Array");
  }
  Napi::Float32Array a = v.As<Napi::Float32Array>();
  F32View out;
  out.length = a.ElementLength();
  out.data = out.length ? a.Data() : nullptr;  // a detached buffer reports length 0
  return out;
}

inline double number_arg(const Napi::CallbackInfo& info, size_t index, const char* name) {
  Napi::Value v = info[index];
  if (!v.IsNumber()) throw Napi::TypeError::New(info.Env(), std::string(name) + " must be a number");
  return v.As<Napi::Number>().DoubleValue();
}

// A whole number in [lo, hi], or a RangeError naming it.
inline int64_t integer_arg(const Napi::CallbackInfo& info, size_t index, const char* name, int64_t lo, int64_t hi) {
  const double d = number_arg(info, index, name);
  if (!(d >= static_cast<double>(lo) && d <= static_cast<double>(hi)) || d != static_cast<double>(static_cast<int64_t>(d))) {
    throw Napi::RangeError::New(info.Env(), std::string(name) + " must be an integer in [" + std::to_string(lo) + ", " +
                                                std::to_string(hi) + "], got " + Napi::Number::New(info.Env(), d).ToString().Utf8Value());
  }
  return static_cast<int64_t>(d);
}

// `name` must hold `expected` floats (what: how the expectation was formed, e.g. "m*k"), or a RangeError.
inline void check_length(const Napi::Env& env, const char* name, size_t expected, size_t actual, const char* what = nullptr) {
  if (expected == actual) return;
  throw Napi::RangeError::New(env, std::string(name) + " must have length " + (what ? std::string(what) + " = " : "") +
                                       std::to_string(expected) + ", got " + std::to_string(actual));
}

inline bool ranges_overlap(const F32View& a, const F32View& b) {
  if (a.length == 0 || b.length == 0) return false;
  const uintptr_t a0 = reinterpret_cast<uintptr_t>(a.data), a1 = a0 + a.length * sizeof(float);
  const uintptr_t b0 = reinterpret_cast<uintptr_t>(b.data), b1 = b0 + b.length * sizeof(float);
  return a0 < b1 && b0 < a1;
}

// `out` may be exactly `in` (same start, same length) or disjoint from it; anything else would let
// a kernel read what it already overwrote.
inline void check_alias(const Napi::Env& env, const F32View& in, const char* in_name, const F32View& out, bool allow_exact = true) {
  if (!ranges_overlap(in, out)) return;
  if (allow_exact && in.data == out.data && in.length == out.length) return;
  throw Napi::RangeError::New(env, std::string("out overlaps ") + in_name +
                                       " without being the same array: use out === " + in_name + " for in place, or a separate array");
}

}  // namespace swiglu
