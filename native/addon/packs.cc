// packGate / packFfn and the lifetime of their handles (packs.h).
#include "packs.h"

#include <atomic>
#include <string>

#include "instance.h"
#include "matrix_args.h"

namespace swiglu {

namespace {

// Packs alive in the process (every environment): the memory test counts them, which is exact where
// RSS is only a hint (a disposed or collected pack whose memory is never freed shows up here).
std::atomic<int64_t> g_live_packs{0};

// What a JS handle holds: its reference to the pack (empty once disposed).
struct PackHandle {
  std::shared_ptr<const Packed> p;
};

// Tags the Externals this file creates, so an External from any other addon is rejected, not
// reinterpreted.
constexpr napi_type_tag kPackedTag = {0x7377696775c0ffeeULL, 0x9a1d5e3b4c2f8a61ULL};

const char* kind_name(PackKind k) { return k == PackKind::kGate ? "PackedGate" : "PackedFfn"; }

PackHandle* handle_arg(const Napi::CallbackInfo& info, size_t index, PackKind want) {
  Napi::Value v = info[index];
  if (!v.IsExternal() || !v.As<Napi::External<PackHandle>>().CheckTypeTag(&kPackedTag)) {
    throw Napi::TypeError::New(info.Env(), std::string("packed must be a ") + kind_name(want));
  }
  return v.As<Napi::External<PackHandle>>().Data();
}

Napi::Value make_handle(Napi::Env env, std::shared_ptr<const Packed> p) {
  const int64_t bytes = static_cast<int64_t>(p->bytes());
  auto* h = new PackHandle{std::move(p)};
  auto ext = Napi::External<PackHandle>::New(env, h, [](Napi::Env e, PackHandle* hh) {
    if (hh->p) Napi::MemoryManagement::AdjustExternalMemory(e, -static_cast<int64_t>(hh->p->bytes()));
    delete hh;
  });
  ext.TypeTag(&kPackedTag);
  // Tell the GC how much memory hangs off this small object, so dropped packs are collected.
  Napi::MemoryManagement::AdjustExternalMemory(env, bytes);
  return ext;
}

// The activation index of argument `index` (absent: silu), one the fused epilogues apply.
Act fused_act_arg(const Napi::CallbackInfo& info, size_t index) {
  if (info.Length() <= index || info[index].IsUndefined()) return kSilu;
  const Act a = static_cast<Act>(integer_arg(info, index, "activation", 0, kActCount - 1));
  if (!fused_act_supported(a)) throw Napi::RangeError::New(info.Env(), "activation is not one the fused kernels apply");
  return a;
}

// packGate(wGate, wUp, inFeatures, outFeatures, inOut, dtype, activation?) -> handle
Napi::Value PackGate(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const size_t in = static_cast<size_t>(integer_arg(info, 2, "inFeatures", 1, kMaxDim));
  const size_t out = static_cast<size_t>(integer_arg(info, 3, "outFeatures", 1, kMaxDim));
  const bool in_out = bool_arg(info, 4, "inOut");
  const WType type = dtype_arg(info, 5);
  const Act act = fused_act_arg(info, 6);
  const size_t len = mul_or_throw(env, in, out, "inFeatures*outFeatures");
  const void* g = weight_arg(info, 0, "wGate", type, len);
  const void* u = weight_arg(info, 1, "wUp", type, len);
  auto p = std::make_shared<Packed>();
  p->kind = PackKind::kGate;
  p->type = type;
  p->act = act;
  p->in = in;
  p->out = out;
  // 'out-in' (nn.Linear [out][in]) is element (k, n) at w[n*in + k]: the transposed source.
  if (!pack_gate(&p->gate, {g, !in_out}, {u, !in_out}, type, in, out, addon_data(env).threads, PackStorage::kMapped)) {
    throw Napi::Error::New(env, "packGate: out of memory");
  }
  return make_handle(env, std::move(p));
}

// packFfn(gate | null, up, down, inFeatures, hiddenFeatures, inOut, dtype, activation?) -> handle. With a
// gate: a GLU FFN (act(x Wg) * (x Wu)) Wd; with null: a plain MLP act(x Wu) Wd.
Napi::Value PackFfn(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const size_t in = static_cast<size_t>(integer_arg(info, 3, "inFeatures", 1, kMaxDim));
  const size_t hidden = static_cast<size_t>(integer_arg(info, 4, "hiddenFeatures", 1, kMaxDim));
  const bool in_out = bool_arg(info, 5, "inOut");
  const WType type = dtype_arg(info, 6);
  const Act act = fused_act_arg(info, 7);
  const size_t len = mul_or_throw(env, in, hidden, "inFeatures*hiddenFeatures");
  const bool gated = !info[0].IsNull();
  const void* g = gated ? weight_arg(info, 0, "gate", type, len) : nullptr;
  const void* u = weight_arg(info, 1, "up", type, len);
  const void* d = weight_arg(info, 2, "down", type, len);
  auto p = std::make_shared<Packed>();
  p->kind = PackKind::kFfn;
  p->type = type;
  p->act = act;
  p->gated = gated;
  p->in = in;
  p->out = hidden;
  const int threads = addon_data(env).threads;
  // down: 'out-in' is [in][hidden] = element (k=h, n=i) at d[i*hidden + h] (transposed source);
  // 'in-out' is [hidden][in].
  const bool first = gated ? pack_gate(&p->gate, {g, !in_out}, {u, !in_out}, type, in, hidden, threads, PackStorage::kMapped)
                           : pack_b(&p->gate, {u, !in_out}, type, in, hidden, threads, PackStorage::kMapped);
  if (!first || !pack_b(&p->down, {d, !in_out}, type, hidden, in, threads, PackStorage::kMapped)) {
    throw Napi::Error::New(env, "packFfn: out of memory");
  }
  return make_handle(env, std::move(p));
}

Napi::Value PackedByteLength(const Napi::CallbackInfo& info) {
  PackHandle* h = handle_arg(info, 0, PackKind::kGate);
  return Napi::Number::New(info.Env(), h->p ? static_cast<double>(h->p->bytes()) : 0.0);
}

// Drops this handle's reference; an async op still using the pack keeps it alive until it ends.
Napi::Value DisposePacked(const Napi::CallbackInfo& info) {
  PackHandle* h = handle_arg(info, 0, PackKind::kGate);
  if (h->p) {
    Napi::MemoryManagement::AdjustExternalMemory(info.Env(), -static_cast<int64_t>(h->p->bytes()));
    h->p.reset();
  }
  return info.Env().Undefined();
}

}  // namespace

int64_t live_packs() { return g_live_packs.load(std::memory_order_relaxed); }

Packed::Packed() { g_live_packs.fetch_add(1, std::memory_order_relaxed); }
Packed::~Packed() { g_live_packs.fetch_sub(1, std::memory_order_relaxed); }

std::shared_ptr<const Packed> packed_arg(const Napi::CallbackInfo& info, size_t index, PackKind want) {
  PackHandle* h = handle_arg(info, index, want);
  if (!h->p) throw Napi::Error::New(info.Env(), std::string(kind_name(want)) + " has been disposed");
  if (h->p->kind != want) {
    throw Napi::TypeError::New(info.Env(),
                               std::string("packed must be a ") + kind_name(want) + ", got a " + kind_name(h->p->kind));
  }
  return h->p;
}

void RegisterPacks(Napi::Env env, Napi::Object exports) {
  exports.Set("packGate", Napi::Function::New(env, PackGate, "packGate"));
  exports.Set("packFfn", Napi::Function::New(env, PackFfn, "packFfn"));
  exports.Set("packedByteLength", Napi::Function::New(env, PackedByteLength, "packedByteLength"));
  exports.Set("disposePacked", Napi::Function::New(env, DisposePacked, "disposePacked"));
}

}  // namespace swiglu
