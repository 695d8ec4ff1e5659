// Module entry point: picks the ISA once per environment (SWIGLU_ISA may force one) and registers
// the functions of every N-API source file.
#include <cstdlib>
#include <string>

#include "instance.h"
#include "register.h"
#include "../runtime/pool.h"

namespace swiglu {
namespace {

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  auto* data = new AddonData();
  env.SetInstanceData<AddonData>(data);  // deleted by node-addon-api when the environment ends
  Isa isa = best_isa();
  if (const char* forced = std::getenv("SWIGLU_ISA"); forced && *forced) {
    if (!parse_isa(forced, &isa)) {
      throw Napi::Error::New(env, std::string("SWIGLU_ISA=") + forced + " is not one of scalar, avx2, avx512, neon");
    }
    if (!isa_runnable(isa)) {
      throw Napi::Error::New(env, std::string("SWIGLU_ISA=") + forced + " cannot run here: " + isa_unavailable_reason(isa) +
                                      " (best available: " + isa_name(best_isa()) + ")");
    }
  }
  use_isa(*data, isa);
  data->threads = available_cores();
  RegisterRuntime(env, exports);
  RegisterElementwise(env, exports);
  RegisterMatrix(env, exports);
  RegisterMatrixBackward(env, exports);
  RegisterGrad(env, exports);
  RegisterConvert(env, exports);
  RegisterTesting(env, exports);
  return exports;
}

}  // namespace
}  // namespace swiglu

static Napi::Object InitSwiglu(Napi::Env env, Napi::Object exports) { return swiglu::Init(env, exports); }
NODE_API_MODULE(swiglu, InitSwiglu)
