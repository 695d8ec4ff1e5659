// isa(), runnableIsas(), the thread count of this environment and the pool's spin wait. The hooks that
// switch ISA or measure the machine are the tests' and the bench's (testing.cc).
#include "args.h"
#include "instance.h"
#include "register.h"
#include "../runtime/pool.h"

namespace swiglu {
namespace {

Napi::Value GetIsa(const Napi::CallbackInfo& info) {
  return Napi::String::New(info.Env(), isa_name(addon_data(info.Env()).isa));
}

Napi::Value RunnableIsas(const Napi::CallbackInfo& info) {
  Napi::Array out = Napi::Array::New(info.Env());
  uint32_t k = 0;
  for (int i = 0; i < kIsaCount; ++i) {
    if (isa_runnable(static_cast<Isa>(i))) out.Set(k++, Napi::String::New(info.Env(), isa_name(static_cast<Isa>(i))));
  }
  return out;
}

Napi::Value SetNumThreads(const Napi::CallbackInfo& info) {
  addon_data(info.Env()).threads = static_cast<int>(integer_arg(info, 0, "n", 1, kMaxThreads));
  return info.Env().Undefined();
}

Napi::Value GetNumThreads(const Napi::CallbackInfo& info) {
  return Napi::Number::New(info.Env(), addon_data(info.Env()).threads);
}

// The pool is process-wide, so is its spin wait (pool.h).
Napi::Value SetSpinWait(const Napi::CallbackInfo& info) {
  set_spin_wait_us(static_cast<int>(integer_arg(info, 0, "microseconds", 0, kMaxSpinWaitUs)));
  return info.Env().Undefined();
}

Napi::Value GetSpinWait(const Napi::CallbackInfo& info) { return Napi::Number::New(info.Env(), spin_wait_us()); }

}  // namespace

void RegisterRuntime(Napi::Env env, Napi::Object exports) {
  exports.Set("isa", Napi::Function::New(env, GetIsa, "isa"));
  exports.Set("runnableIsas", Napi::Function::New(env, RunnableIsas, "runnableIsas"));
  exports.Set("setNumThreads", Napi::Function::New(env, SetNumThreads, "setNumThreads"));
  exports.Set("getNumThreads", Napi::Function::New(env, GetNumThreads, "getNumThreads"));
  exports.Set("setSpinWait", Napi::Function::New(env, SetSpinWait, "setSpinWait"));
  exports.Set("getSpinWait", Napi::Function::New(env, GetSpinWait, "getSpinWait"));
  exports.Set("maxSpinWait", Napi::Number::New(env, kMaxSpinWaitUs));
  exports.Set("maxThreads", Napi::Number::New(env, kMaxThreads));
}

}  // namespace swiglu
