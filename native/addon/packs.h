// Packed weights: what packGate / packFfn lay out, and how an op gets a pack back from its argument.
//
// A pack's panels live in a SharedArrayBuffer that the JS side allocates and owns, never in memory of
// the addon's own: a SharedArrayBuffer is the one kind of memory that V8 itself shares between
// worker_threads (postMessage shares it, never copies it) and frees when the last thread holding it
// drops it, in-flight messages included. So every op re-reads a pack from a descriptor, an array
//   [bytes: Uint8Array over the SharedArrayBuffer, dims: Float64Array [kind, inFeatures, outFeatures,
//    dtype, activation, gated (1 or 0)]]
// and derives the layout from the dimensions alone: the view must be over a SharedArrayBuffer (which
// cannot be detached or shrunk) and exactly as long as those dimensions need, so no descriptor can make
// an op read outside the buffer. A header in the buffer records what was packed, and an op refuses a
// descriptor that disagrees with it (fields edited, or bytes that were never a pack).
#pragma once
#include <napi.h>

#include <cstddef>
#include <cstdint>
#include <memory>

#include "../runtime/gemm.h"

namespace swiglu {

enum class PackKind { kGate, kFfn };

// One pack as an op sees it: the layout of its fused gate/up panels (and for an FFN the down
// projection) over memory it borrows, never frees. Immutable, so concurrent calls (sync or async, any
// thread) share the memory safely.
struct Packed {
  Packed();
  ~Packed();
  Packed(const Packed&) = delete;
  Packed& operator=(const Packed&) = delete;

  PackKind kind = PackKind::kGate;
  WType type = WType::kF32;
  Act act = kSilu;         // the activation its epilogue applies (fused_act_supported)
  bool gated = true;       // gate/up panels (a GLU); an FFN may instead be a plain MLP: act(x Wu) Wd
  size_t in = 0, out = 0;  // gate: inFeatures -> outFeatures; ffn: inFeatures -> hiddenFeatures (-> inFeatures)
  PackedB gate;            // fused gate/up panels; a plain MLP's up panels
  PackedB down;            // ffn only: hidden -> in, plain panels
  // An async op's hold on the buffer, so that it outlives every JS holder until the op ends; released on
  // the JS thread (the op's completion destroys its job there).
  Napi::Reference<Napi::Value> keep;
};

// The pack described by argument `index` (a descriptor as above, of kind `want`), or a TypeError /
// RangeError naming what is wrong. keep_alive: hold the buffer until the Packed is destroyed (async).
std::shared_ptr<const Packed> packed_arg(const Napi::CallbackInfo& info, size_t index, PackKind want, bool keep_alive);

// Packs the addon holds right now, in the whole process (every environment; the testing hook livePacks):
// the calls running and the async ops not yet settled, each holding its pack's buffer. Between calls, 0:
// an op that never let go of a buffer shows up here.
int64_t live_packs();

// packBytes, checkPack, packGate, packFfn.
void RegisterPacks(Napi::Env env, Napi::Object exports);

}  // namespace swiglu
