// N-API glue for the gradients of the activations and the GLU family (native/kernels/backward.h).
// Validates only what memory safety needs (types, lengths, overlap); lib/backward.ts gives users the
// friendly errors before this is reached.
#include <string>

#include "act_args.h"
#include "chunking.h"
#include "instance.h"
#include "register.h"

namespace swiglu {
namespace {

void check_disjoint(const Napi::Env& env, const F32View& a, const char* an, const F32View& b, const char* bn) {
  if (ranges_overlap(a, b)) throw Napi::RangeError::New(env, std::string(an) + " overlaps " + bn);
}

// unaryBackward(op, x, dy, out, a?, b?): out[i] = dy[i] * act'(x[i]); out may be exactly x or dy.
Napi::Value UnaryBackward(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const Act op = act_arg(info, 0);
  const F32View x = float32_arg(info, 1, "x");
  const F32View dy = float32_arg(info, 2, "dy");
  const F32View out = float32_arg(info, 3, "out");
  const ActParams p = params_arg(info, 4);
  check_length(env, "dy", x.length, dy.length);
  check_length(env, "out", x.length, out.length);
  check_alias(env, x, "x", out);
  check_alias(env, dy, "dy", out);
  const AddonData& d = addon_data(env);
  const GradFn fn = d.grads->grad[op];
  run_chunked(x.length, d.threads, [&](size_t b, size_t e) { fn(x.data + b, dy.data + b, out.data + b, e - b, p); });
  return info[3];
}

// gluBackward(op, gate, up, dh, outGate, outUp, a?, b?): outUp = dh * act(gate), outGate = dh * up * act'(gate).
// Each output may be exactly one input; the outputs must not overlap each other.
Napi::Value GluBackward(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const Act op = act_arg(info, 0);
  const F32View gate = float32_arg(info, 1, "gate");
  const F32View up = float32_arg(info, 2, "up");
  const F32View dh = float32_arg(info, 3, "dh");
  const F32View og = float32_arg(info, 4, "outGate");
  const F32View ou = float32_arg(info, 5, "outUp");
  const ActParams p = params_arg(info, 6);
  check_length(env, "up", gate.length, up.length);
  check_length(env, "dh", gate.length, dh.length);
  check_length(env, "outGate", gate.length, og.length);
  check_length(env, "outUp", gate.length, ou.length);
  for (const F32View* o : {&og, &ou}) {
    check_alias(env, gate, "gate", *o);
    check_alias(env, up, "up", *o);
    check_alias(env, dh, "dh", *o);
  }
  check_disjoint(env, og, "outGate", ou, "outUp");
  const AddonData& d = addon_data(env);
  const GluGradFn fn = d.grads->glu_grad[op];
  run_chunked(gate.length, d.threads, [&](size_t b, size_t e) {
    fn(gate.data + b, up.data + b, dh.data + b, og.data + b, ou.data + b, e - b, p);
  });
  return env.Undefined();
}

// gluBackwardSplit(op, x, dh, out, width, a?, b?): rows of x are [gate | up] (width each), rows of dh have
// width values, rows of out are [dGate | dUp]. out may be exactly x; dh must not overlap out.
Napi::Value GluBackwardSplit(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const Act op = act_arg(info, 0);
  const F32View x = float32_arg(info, 1, "x");
  const F32View dh = float32_arg(info, 2, "dh");
  const F32View out = float32_arg(info, 3, "out");
  const size_t width = static_cast<size_t>(integer_arg(info, 4, "width", 1, int64_t(1) << 52));
  const ActParams p = params_arg(info, 5);
  const size_t rows = split_rows(env, x, width);
  check_length(env, "dh", rows * width, dh.length);
  check_length(env, "out", x.length, out.length);
  check_alias(env, x, "x", out);
  check_alias(env, dh, "dh", out, /*allow_exact=*/false);
  const AddonData& d = addon_data(env);
  const GluGradFn fn = d.grads->glu_grad[op];
  run_rows(rows, width, d.threads, [&](size_t r) {
    const float* g = x.data + r * 2 * width;
    float* o = out.data + r * 2 * width;
    fn(g, g + width, dh.data + r * width, o, o + width, width, p);
  });
  return info[3];
}

}  // namespace

void RegisterGrad(Napi::Env env, Napi::Object exports) {
  exports.Set("unaryBackward", Napi::Function::New(env, UnaryBackward, "unaryBackward"));
  exports.Set("gluBackward", Napi::Function::New(env, GluBackward, "gluBackward"));
  exports.Set("gluBackwardSplit", Napi::Function::New(env, GluBackwardSplit, "gluBackwardSplit"));
}

}  // namespace swiglu
