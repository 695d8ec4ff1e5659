// packGate / packFfn into a SharedArrayBuffer, and the descriptors the ops read packs from (packs.h).
#include "packs.h"

#include <atomic>
#include <cstdint>
#include <cstring>
#include <string>
#if defined(__linux__)
#include <sys/mman.h>
#include <unistd.h>
#endif

#include "instance.h"
#include "matrix_args.h"

namespace swiglu {

namespace {

std::atomic<int64_t> g_live_packs{0};

// A pack's buffer: slack, then from the first byte aligned as start_of() says a header, the gate/up panels
// and (FFN) the down panels, each region on a cache line of its own. Every thread computes the same
// start from the same address (one SharedArrayBuffer has one address per process) and the same
// alignment from the dimensions.
constexpr size_t kAlign = 64;
// Packs of kHugeMin bytes or more start on a kHugePage boundary and ask for transparent huge pages
// (runtime/scratch.h), so that all of their panels sit in huge pages. The slack before the start (up to
// 2 MiB) is never written; its whole pages are given back to the OS after packing (release_slack), in
// case V8's calloc cleared, and so touched, them.

// The header records what was packed. An op compares it with the descriptor's fields on every call:
// a clone whose fields were edited, or an object that only looks like a pack (any bytes of the right
// length), is refused instead of being computed with a wrong shape. The format tag names this layout:
// a pack made by another build of swiglu loaded in the same process is refused, not misread.
struct Header {
  char format[32];
  uint32_t kind, dtype, act, gated;
  uint64_t in, out;
};
static_assert(sizeof(Header) == kAlign, "the header fills one cache line");
const char kFormat[] = "swiglu-pack/1 p32s16g16 a64h8M";
static_assert(sizeof(kFormat) <= sizeof(Header::format), "the format tag fits the header");
static_assert(kPanelWidth == 32 && kStripWidth == 16 && kGateHalf == 16 && kAlign == 64,
              "the pack layout changed: change kFormat's numbers with it");

Header header_of(const Packed& p) {
  Header h;
  std::memset(&h, 0, sizeof h);
  std::memcpy(h.format, kFormat, sizeof kFormat);
  h.kind = p.kind == PackKind::kGate ? 0 : 1;
  h.dtype = static_cast<uint32_t>(p.type);
  h.act = static_cast<uint32_t>(p.act);
  h.gated = p.gated ? 1 : 0;
  h.in = p.in;
  h.out = p.out;
  return h;
}

// The largest buffer a JS number states exactly.
constexpr size_t kMaxBufferBytes = (size_t(1) << 53) - 1;

const char* kind_name(PackKind k) { return k == PackKind::kGate ? "PackedGate" : "PackedFfn"; }

size_t round_up(size_t v, size_t a) { return (v + a - 1) / a * a; }

// Sets p's panel layouts from its dimensions; returns the buffer length they need (0: too large).
size_t pack_layout(Packed* p) {
  const bool ffn = p->kind == PackKind::kFfn;
  if (!panel_layout(&p->gate, p->type, p->gated, p->in, p->out)) return 0;
  if (ffn && !panel_layout(&p->down, p->type, false, p->out, p->in)) return 0;
  if (p->gate.bytes > kMaxBufferBytes || p->down.bytes > kMaxBufferBytes) return 0;
  const size_t regions = sizeof(Header) + round_up(p->gate.bytes, kAlign) + (ffn ? p->down.bytes : 0);
  const size_t total = (regions >= kHugeMin ? kHugePage : kAlign) + regions;
  return total > kMaxBufferBytes ? 0 : total;
}

// Where p's header starts in a buffer at `data`: the first byte aligned to 2 MiB for a pack of
// kHugeMin or more, else to a cache line. pack_layout() must have set p's panel layouts.
uint8_t* start_of(const Packed& p, uint8_t* data) {
  const size_t regions = sizeof(Header) + round_up(p.gate.bytes, kAlign) + (p.kind == PackKind::kFfn ? p.down.bytes : 0);
  return reinterpret_cast<uint8_t*>(round_up(reinterpret_cast<uintptr_t>(data), regions >= kHugeMin ? kHugePage : kAlign));
}

// Points p's panels into the buffer at `data` (pack_layout's length); returns where its header is.
uint8_t* place(Packed* p, uint8_t* data) {
  uint8_t* start = start_of(*p, data);
  p->gate.data.reset(start + sizeof(Header));
  if (p->kind == PackKind::kFfn) p->down.data.reset(start + sizeof(Header) + round_up(p->gate.bytes, kAlign));
  return start;
}

// As the JS side names them: the dtype and activation options' strings.
std::string describe(const Header& h) {
  const bool gate = h.kind == 0;
  const char* dtype = h.dtype == 0 ? "'f32'" : h.dtype == 1 ? "'bf16'" : h.dtype == 2 ? "'f16'" : "unknown";
  // The activation as the option names it: the table's name in kebab case (geluTanh: 'gelu-tanh').
  std::string act = "unknown";
  if (h.act < uint32_t(kActCount) && kActInfo[h.act].fused) {
    act = "'";
    for (const char* c = kActInfo[h.act].name; *c; ++c) {
      if (*c >= 'A' && *c <= 'Z') act += '-', act += char(*c - 'A' + 'a');
      else act += *c;
    }
    act += "'";
  }
  return std::string(gate ? "a PackedGate" : "a PackedFfn") + " of inFeatures " + std::to_string(h.in) +
         (gate ? ", outFeatures " : ", hiddenFeatures ") + std::to_string(h.out) + ", dtype " + dtype + ", activation " + act +
         (gate ? "" : h.gated ? ", gated" : ", not gated");
}

// The header at `start` must be the one packGate / packFfn wrote for these fields. Read once into a
// copy: another thread may write the shared bytes meanwhile (which changes weights, never a size).
void check_header(const Napi::Env& env, const Packed& p, const uint8_t* start) {
  const Header want = header_of(p);
  Header got;
  std::memcpy(&got, start, sizeof got);
  if (std::memcmp(got.format, want.format, sizeof want.format) != 0) {
    throw Napi::TypeError::New(env, std::string("packed.bytes holds no pack in this build's layout (") + kFormat + ")");
  }
  if (std::memcmp(&got, &want, sizeof want) != 0) {
    throw Napi::RangeError::New(env, "packed describes " + describe(want) + ", but its bytes hold " + describe(got));
  }
}

// The bytes of a Uint8Array over a SharedArrayBuffer at argument or field `v`, or a TypeError naming it.
// Only a SharedArrayBuffer can neither be detached nor have its memory freed while some thread still
// holds it, which an op that reads the pack on a worker thread relies on.
uint8_t* shared_bytes(const Napi::Env& env, Napi::Value v, const std::string& name, size_t* length) {
  napi_typedarray_type type;
  napi_value buffer;
  void* data = nullptr;
  size_t offset = 0;
  bool is_plain = true;
  if (!v.IsTypedArray() || napi_get_typedarray_info(env, v, &type, length, &data, &buffer, &offset) != napi_ok ||
      type != napi_uint8_array || napi_is_arraybuffer(env, buffer, &is_plain) != napi_ok || is_plain) {
    // A typed array's buffer is an ArrayBuffer or a SharedArrayBuffer: not the first means the second.
    throw Napi::TypeError::New(env, name + " must be a Uint8Array over a SharedArrayBuffer");
  }
  return static_cast<uint8_t*>(data);
}

// The destination of packGate / packFfn at argument 0: exactly `want` bytes, all of a SharedArrayBuffer.
uint8_t* dest_arg(const Napi::CallbackInfo& info, size_t want) {
  size_t length = 0;
  uint8_t* data = shared_bytes(info.Env(), info[0], "dest", &length);
  if (length != want) {
    throw Napi::RangeError::New(info.Env(), "dest must be " + std::to_string(want) + " bytes long for these dimensions, got " +
                                                std::to_string(length));
  }
  return data;
}

// Gives the whole pages of the slack [data, start) back to the OS. Those bytes are zeros that nothing reads
// (the ops start at `start`; JS sees zeros either way, MADV_DONTNEED refills private memory with zeros),
// and no other thread holds the buffer yet. Only a big pack has slack of whole pages.
void release_slack(uint8_t* data, uint8_t* start) {
#if defined(__linux__) && defined(MADV_DONTNEED)
  const uintptr_t page = static_cast<uintptr_t>(sysconf(_SC_PAGESIZE));
  const uintptr_t b = round_up(reinterpret_cast<uintptr_t>(data), page);
  const uintptr_t e = reinterpret_cast<uintptr_t>(start) / page * page;
  if (page > 0 && e > b) madvise(reinterpret_cast<void*>(b), e - b, MADV_DONTNEED);
#else
  (void)data;
  (void)start;
#endif
}

// The activation index of argument `index` (absent: silu), one the fused epilogues apply.
Act fused_act_arg(const Napi::CallbackInfo& info, size_t index) {
  if (info.Length() <= index || info[index].IsUndefined()) return kSilu;
  const Act a = static_cast<Act>(integer_arg(info, index, "activation", 0, kActCount - 1));
  if (!fused_act_supported(a)) throw Napi::RangeError::New(info.Env(), "activation is not one the fused kernels apply");
  return a;
}

// packBytes(kind, inFeatures, outFeatures, dtype, gated) -> the length of the SharedArrayBuffer that
// packGate (kind 0) or packFfn (kind 1, outFeatures = hiddenFeatures) fills.
Napi::Value PackBytes(const Napi::CallbackInfo& info) {
  Packed p;
  p.kind = integer_arg(info, 0, "kind", 0, 1) == 0 ? PackKind::kGate : PackKind::kFfn;
  p.in = static_cast<size_t>(integer_arg(info, 1, "inFeatures", 1, kMaxDim));
  p.out = static_cast<size_t>(integer_arg(info, 2, "outFeatures", 1, kMaxDim));
  p.type = dtype_arg(info, 3);
  p.gated = bool_arg(info, 4, "gated");
  if (p.kind == PackKind::kGate && !p.gated) throw Napi::RangeError::New(info.Env(), "a PackedGate is always gated");
  const size_t bytes = pack_layout(&p);
  if (!bytes) throw Napi::RangeError::New(info.Env(), "the packed weights would be too large");
  return Napi::Number::New(info.Env(), static_cast<double>(bytes));
}

// checkPack(descriptor, kind): throws what an op given this descriptor would (lib/packs.ts names the
// call in front of the message); the panels are not read.
Napi::Value CheckPack(const Napi::CallbackInfo& info) {
  const PackKind want = integer_arg(info, 1, "kind", 0, 1) == 0 ? PackKind::kGate : PackKind::kFfn;
  packed_arg(info, 0, want, false);
  return info.Env().Undefined();
}

// packGate(dest, wGate, wUp, inFeatures, outFeatures, inOut, dtype, activation?): fills dest.
Napi::Value PackGate(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Packed p;
  p.kind = PackKind::kGate;
  p.in = static_cast<size_t>(integer_arg(info, 3, "inFeatures", 1, kMaxDim));
  p.out = static_cast<size_t>(integer_arg(info, 4, "outFeatures", 1, kMaxDim));
  const bool in_out = bool_arg(info, 5, "inOut");
  p.type = dtype_arg(info, 6);
  p.act = fused_act_arg(info, 7);
  const size_t len = mul_or_throw(env, p.in, p.out, "inFeatures*outFeatures");
  const void* g = weight_arg(info, 1, "wGate", p.type, len);
  const void* u = weight_arg(info, 2, "wUp", p.type, len);
  const size_t bytes = pack_layout(&p);
  if (!bytes) throw Napi::RangeError::New(env, "packGate: the packed weights would be too large");
  uint8_t* data = dest_arg(info, bytes);
  advise_huge_pages(data, bytes);
  uint8_t* start = place(&p, data);
  // 'out-in' (nn.Linear [out][in]) is element (k, n) at w[n*in + k]: the transposed source.
  pack_gate_into(&p.gate, {g, !in_out}, {u, !in_out}, addon_data(env).threads);
  const Header h = header_of(p);
  std::memcpy(start, &h, sizeof h);
  release_slack(data, start);
  return env.Undefined();
}

// packFfn(dest, gate | null, up, down, inFeatures, hiddenFeatures, inOut, dtype, activation?): fills
// dest. With a gate: a GLU FFN (act(x Wg) * (x Wu)) Wd; with null: a plain MLP act(x Wu) Wd.
Napi::Value PackFfn(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Packed p;
  p.kind = PackKind::kFfn;
  p.in = static_cast<size_t>(integer_arg(info, 4, "inFeatures", 1, kMaxDim));
  p.out = static_cast<size_t>(integer_arg(info, 5, "hiddenFeatures", 1, kMaxDim));
  const bool in_out = bool_arg(info, 6, "inOut");
  p.type = dtype_arg(info, 7);
  p.act = fused_act_arg(info, 8);
  const size_t len = mul_or_throw(env, p.in, p.out, "inFeatures*hiddenFeatures");
  p.gated = !info[1].IsNull();
  const void* g = p.gated ? weight_arg(info, 1, "gate", p.type, len) : nullptr;
  const void* u = weight_arg(info, 2, "up", p.type, len);
  const void* d = weight_arg(info, 3, "down", p.type, len);
  const size_t bytes = pack_layout(&p);
  if (!bytes) throw Napi::RangeError::New(env, "packFfn: the packed weights would be too large");
  uint8_t* data = dest_arg(info, bytes);
  const int threads = addon_data(env).threads;
  // down: 'out-in' is [in][hidden] = element (k=h, n=i) at d[i*hidden + h] (transposed source);
  // 'in-out' is [hidden][in].
  advise_huge_pages(data, bytes);
  uint8_t* start = place(&p, data);
  if (p.gated) {
    pack_gate_into(&p.gate, {g, !in_out}, {u, !in_out}, threads);
  } else {
    pack_b_into(&p.gate, {u, !in_out}, threads);
  }
  pack_b_into(&p.down, {d, !in_out}, threads);
  const Header h = header_of(p);
  std::memcpy(start, &h, sizeof h);
  release_slack(data, start);
  return env.Undefined();
}

// A field of the descriptor's dims, named `name`, as an integer in [lo, hi], or a RangeError naming it.
int64_t integer_field(const Napi::Env& env, double d, const char* name, int64_t lo, int64_t hi) {
  if (!(d >= static_cast<double>(lo) && d <= static_cast<double>(hi)) || d != static_cast<double>(static_cast<int64_t>(d))) {
    throw Napi::RangeError::New(env, std::string("packed.") + name + " must be an integer in [" + std::to_string(lo) + ", " +
                                         std::to_string(hi) + "]");
  }
  return static_cast<int64_t>(d);
}

}  // namespace

int64_t live_packs() { return g_live_packs.load(std::memory_order_relaxed); }

Packed::Packed() { g_live_packs.fetch_add(1, std::memory_order_relaxed); }

// The panels are the buffer's: never freed here.
Packed::~Packed() {
  (void)gate.data.release();
  (void)down.data.release();
  g_live_packs.fetch_sub(1, std::memory_order_relaxed);
}

std::shared_ptr<const Packed> packed_arg(const Napi::CallbackInfo& info, size_t index, PackKind want, bool keep_alive) {
  Napi::Env env = info.Env();
  Napi::Value v = info[index];
  if (!v.IsArray()) throw Napi::TypeError::New(env, std::string("packed must be a ") + kind_name(want) + " descriptor");
  Napi::Array o = v.As<Napi::Array>();
  // Each element read once, the dims copied, then checked: a getter or another thread cannot change a
  // value after its check.
  Napi::Value bytes_value = o.Get(0u);
  Napi::Value dims_value = o.Get(1u);
  napi_typedarray_type dims_type;
  size_t dims_length = 0;
  void* dims_data = nullptr;
  if (!dims_value.IsTypedArray() ||
      napi_get_typedarray_info(env, dims_value, &dims_type, &dims_length, &dims_data, nullptr, nullptr) != napi_ok ||
      dims_type != napi_float64_array || dims_length != 6) {
    throw Napi::TypeError::New(env, "packed.dims must be a Float64Array of 6");
  }
  double d[6];
  std::memcpy(d, dims_data, sizeof d);
  auto p = std::make_shared<Packed>();
  p->kind = integer_field(env, d[0], "kind", 0, 1) == 0 ? PackKind::kGate : PackKind::kFfn;
  if (p->kind != want) {
    throw Napi::TypeError::New(env, std::string("packed must be a ") + kind_name(want) + ", got a " + kind_name(p->kind));
  }
  p->in = static_cast<size_t>(integer_field(env, d[1], "inFeatures", 1, kMaxDim));
  p->out = static_cast<size_t>(integer_field(env, d[2], "outFeatures", 1, kMaxDim));
  p->type = static_cast<WType>(integer_field(env, d[3], "dtype", 0, kWTypeCount - 1));
  p->act = static_cast<Act>(integer_field(env, d[4], "activation", 0, kActCount - 1));
  if (!fused_act_supported(p->act)) throw Napi::RangeError::New(env, "packed.activation is not one the fused kernels apply");
  p->gated = integer_field(env, d[5], "gated", 0, 1) == 1;
  if (want == PackKind::kGate && !p->gated) throw Napi::RangeError::New(env, "packed.gated must be 1 for a PackedGate");
  const size_t want_bytes = pack_layout(p.get());
  if (!want_bytes) throw Napi::RangeError::New(env, "packed describes weights too large to exist");
  size_t length = 0;
  uint8_t* data = shared_bytes(env, bytes_value, "packed.bytes", &length);
  if (length != want_bytes) {
    throw Napi::RangeError::New(env, "packed.bytes must be " + std::to_string(want_bytes) + " bytes long for its dimensions, got " +
                                         std::to_string(length));
  }
  check_header(env, *p, place(p.get(), data));
  if (keep_alive) p->keep = Napi::Persistent(bytes_value);
  return p;
}

void RegisterPacks(Napi::Env env, Napi::Object exports) {
  exports.Set("packBytes", Napi::Function::New(env, PackBytes, "packBytes"));
  exports.Set("checkPack", Napi::Function::New(env, CheckPack, "checkPack"));
  exports.Set("packGate", Napi::Function::New(env, PackGate, "packGate"));
  exports.Set("packFfn", Napi::Function::New(env, PackFfn, "packFfn"));
}

}  // namespace swiglu
