// N-API glue for the activations and the GLU family. Validates only what memory safety needs
// (types, lengths, overlap); lib/ gives users the friendly errors before this is reached.
#include <string>

#include "act_args.h"
#include "chunking.h"
#include "instance.h"
#include "register.h"

namespace swiglu {
namespace {

// unary(op, x, out, a?, b?): out[i] = act(x[i]).
Napi::Value Unary(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const Act op = act_arg(info, 0);
  const F32View x = float32_arg(info, 1, "x");
  const F32View out = float32_arg(info, 2, "out");
  const ActParams p = params_arg(info, 3);
  check_length(env, "out", x.length, out.length);
  check_alias(env, x, "x", out);
  const AddonData& d = addon_data(env);
  const UnaryFn fn = d.ops->unary[op];
  const Store store = store_for(2 * x.length * sizeof(float));
  run_chunked(x.length, d.threads, [&](size_t b, size_t e) { fn(x.data + b, out.data + b, e - b, p, store); });
  return info[2];
}

// glu(op, gate, up, out, a?, b?): out[i] = act(gate[i]) * up[i].
Napi::Value Glu(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const Act op = act_arg(info, 0);
  const F32View gate = float32_arg(info, 1, "gate");
  const F32View up = float32_arg(info, 2, "up");
  const F32View out = float32_arg(info, 3, "out");
  const ActParams p = params_arg(info, 4);
  check_length(env, "up", gate.length, up.length);
  check_length(env, "out", gate.length, out.length);
  check_alias(env, gate, "gate", out);
  check_alias(env, up, "up", out);
  const AddonData& d = addon_data(env);
  const GluFn fn = d.ops->glu[op];
  const Store store = store_for(3 * gate.length * sizeof(float));
  run_chunked(gate.length, d.threads, [&](size_t b, size_t e) { fn(gate.data + b, up.data + b, out.data + b, e - b, p, store); });
  return info[3];
}

// gluSplit(op, x, out, width, a?, b?): each row of x is [gate(width) | up(width)]; out row = act(gate) * up.
Napi::Value GluSplit(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const Act op = act_arg(info, 0);
  const F32View x = float32_arg(info, 1, "x");
  const F32View out = float32_arg(info, 2, "out");
  const size_t width = static_cast<size_t>(integer_arg(info, 3, "width", 1, int64_t(1) << 52));
  const ActParams p = params_arg(info, 4);
  const size_t rows = split_rows(env, x, width);
  check_length(env, "out", rows * width, out.length);
  check_alias(env, x, "x", out, /*allow_exact=*/false);
  const AddonData& d = addon_data(env);
  const GluFn fn = d.ops->glu[op];
  const Store store = store_for((x.length + out.length) * sizeof(float));
  run_rows(rows, width, d.threads, [&](size_t r) {
    fn(x.data + r * 2 * width, x.data + r * 2 * width + width, out.data + r * width, width, p, store);
  });
  return info[2];
}

}  // namespace

void RegisterElementwise(Napi::Env env, Napi::Object exports) {
  exports.Set("unary", Napi::Function::New(env, Unary, "unary"));
  exports.Set("glu", Napi::Function::New(env, Glu, "glu"));
  exports.Set("gluSplit", Napi::Function::New(env, GluSplit, "gluSplit"));
}

}  // namespace swiglu
