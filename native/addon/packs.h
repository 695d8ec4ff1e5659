// Packed weights behind JS handles: what packGate / packFfn build, and how an op gets one back from its
// argument. A pack lives in native memory behind a type-tagged External holding a shared_ptr:
// dispose() drops the handle's reference, an async op in flight keeps its own, so the memory goes when
// the last user is done.
#pragma once
#include <napi.h>

#include <cstddef>
#include <cstdint>
#include <memory>

#include "../runtime/gemm.h"

namespace swiglu {

enum class PackKind { kGate, kFfn };

// One pack: the fused gate/up panels, and for an FFN the down projection. Immutable once built, so
// concurrent calls (sync or async, any thread) share it safely.
struct Packed {
  Packed();
  ~Packed();
  Packed(const Packed&) = delete;
  Packed& operator=(const Packed&) = delete;

  PackKind kind;
  WType type;
  Act act = kSilu;         // the activation its epilogue applies (fused_act_supported)
  bool gated = true;       // gate/up panels (a GLU); an FFN may instead be a plain MLP: act(x Wu) Wd
  size_t in = 0, out = 0;  // gate: inFeatures -> outFeatures; ffn: inFeatures -> hiddenFeatures (-> inFeatures)
  PackedB gate;            // fused gate/up panels; a plain MLP's up panels
  PackedB down;            // ffn only: hidden -> in, plain panels
  size_t bytes() const { return gate.bytes + down.bytes; }
};

// The pack behind argument `index`, which must be a handle of kind `want` made by this addon (else a
// TypeError) that has not been disposed (else an Error).
std::shared_ptr<const Packed> packed_arg(const Napi::CallbackInfo& info, size_t index, PackKind want);

// Packs whose memory is still held, in the whole process (every environment; the testing hook livePacks).
int64_t live_packs();

// packGate, packFfn, packedByteLength, disposePacked.
void RegisterPacks(Napi::Env env, Napi::Object exports);

}  // namespace swiglu
