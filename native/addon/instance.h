// Per-environment state of the addon. Each Node environment (main thread, every worker_thread)
// that loads the addon gets its own AddonData through napi instance data: no static JS handles.
#pragma once
#include <napi.h>

#include "../runtime/cpu.h"
#include "../runtime/dispatch.h"
#include "../runtime/gemm.h"
#include "../runtime/grad_dispatch.h"

namespace swiglu {

struct AddonData {
  Isa isa = Isa::kScalar;
  const OpTable* ops = nullptr;
  const GradTable* grads = nullptr;  // gradients (kernels/backward.h), switched with ops
  int threads = 1;
  GemmTuning gemm_tuning;  // set only by the setGemmTuning testing hook; the default is what the CPU suggests
};

// Points the environment at `isa`'s kernel tables. Only with a runnable ISA.
inline void use_isa(AddonData& d, Isa isa) {
  d.isa = isa;
  d.ops = &op_table(isa);
  d.grads = &grad_table(isa);
}

inline AddonData& addon_data(const Napi::Env& env) { return *env.GetInstanceData<AddonData>(); }

}  // namespace swiglu
