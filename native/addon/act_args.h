// The arguments every activation entry point reads (elementwise.cc, grad.cc): the activation's index
// in the native table, its parameters, and the rows of a GLU's split form.
#pragma once
#include <string>

#include "args.h"
#include "../runtime/activation_list.h"

namespace swiglu {

// Argument `index`: an activation index (runtime/activation_list.h), or a RangeError.
inline Act act_arg(const Napi::CallbackInfo& info, size_t index) {
  return static_cast<Act>(integer_arg(info, index, "op", 0, kActCount - 1));
}

// Arguments `first` and `first + 1`, when given: the activation's parameters a and b (0 when absent).
inline ActParams params_arg(const Napi::CallbackInfo& info, size_t first) {
  ActParams p;
  p.a = info.Length() > first ? number_arg(info, first, "param a") : 0.0;
  p.b = info.Length() > first + 1 ? number_arg(info, first + 1, "param b") : 0.0;
  return p;
}

// The rows of a GLU's split form: x holds rows of [gate(width) | up(width)], or a RangeError.
inline size_t split_rows(const Napi::Env& env, const F32View& x, size_t width) {
  if (x.length % (2 * width) != 0) {
    throw Napi::RangeError::New(env, "x length " + std::to_string(x.length) + " is not a multiple of 2*width = " +
                                         std::to_string(2 * width));
  }
  return x.length / (2 * width);
}

}  // namespace swiglu
