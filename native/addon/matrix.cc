// N-API glue for matmul, the packed SwiGLU gate and the SwiGLU FFN, sync and async.
// Validates only what memory safety needs (types, sizes with overflow checks, overlap); lib/matrix.ts
// gives users the friendly errors before this is reached.
//
// Packed weights live in native memory behind a type-tagged External holding a shared_ptr: dispose()
// drops the handle's reference, an async op in flight keeps its own, so the memory goes when the last
// user is done. Async ops never touch JS memory off the JS thread: inputs are copied (or packed) when
// the op starts, the result is copied into `out` when it completes (a buffer detached meanwhile gives
// a rejected promise, not a write into freed memory).
#include <atomic>
#include <cstring>
#include <memory>
#include <string>

#include "args.h"
#include "instance.h"
#include "register.h"
#include "../runtime/gemm.h"

namespace swiglu {
namespace {

// ---- packed weights --------------------------------------------------------------------------

enum class PackKind { kGate, kFfn };

// Packs alive in the process (every environment): the memory test counts them, which is exact where
// RSS is only a hint (a disposed or collected pack whose memory is never freed shows up here).
std::atomic<int64_t> g_live_packs{0};

struct Packed {
  Packed() { g_live_packs.fetch_add(1, std::memory_order_relaxed); }
  ~Packed() { g_live_packs.fetch_sub(1, std::memory_order_relaxed); }
  Packed(const Packed&) = delete;
  Packed& operator=(const Packed&) = delete;

  PackKind kind;
  WType type;
  size_t in = 0, out = 0;  // gate: inFeatures -> outFeatures; ffn: inFeatures -> hiddenFeatures (-> inFeatures)
  PackedB gate;            // fused gate/up panels
  PackedB down;            // ffn only: hidden -> in, plain panels
  size_t bytes() const { return gate.bytes + down.bytes; }
};

struct Holder {
  std::shared_ptr<const Packed> p;
};

// Tags the Externals this file creates, so an External from any other addon is rejected, not
// reinterpreted.
constexpr napi_type_tag kPackedTag = {0x7377696775c0ffeeULL, 0x9a1d5e3b4c2f8a61ULL};

const char* kind_name(PackKind k) { return k == PackKind::kGate ? "PackedGate" : "PackedFfn"; }

[[noreturn]] void throw_range(const Napi::Env& env, const std::string& msg) { throw Napi::RangeError::New(env, msg); }
[[noreturn]] void throw_type(const Napi::Env& env, const std::string& msg) { throw Napi::TypeError::New(env, msg); }

size_t mul_or_throw(const Napi::Env& env, size_t a, size_t b, const char* what) {
  size_t r;
  if (__builtin_mul_overflow(a, b, &r) || r > (size_t(1) << 52)) throw_range(env, std::string(what) + " is too large");
  return r;
}

Holder* holder_arg(const Napi::CallbackInfo& info, size_t index, PackKind want) {
  Napi::Value v = info[index];
  if (!v.IsExternal() || !v.As<Napi::External<Holder>>().CheckTypeTag(&kPackedTag)) {
    throw_type(info.Env(), std::string("packed must be a ") + kind_name(want));
  }
  return v.As<Napi::External<Holder>>().Data();
}

std::shared_ptr<const Packed> packed_arg(const Napi::CallbackInfo& info, size_t index, PackKind want) {
  Holder* h = holder_arg(info, index, want);
  if (!h->p) throw Napi::Error::New(info.Env(), std::string(kind_name(want)) + " has been disposed");
  if (h->p->kind != want) {
    throw_type(info.Env(), std::string("packed must be a ") + kind_name(want) + ", got a " + kind_name(h->p->kind));
  }
  return h->p;
}

Napi::Value make_handle(Napi::Env env, std::shared_ptr<const Packed> p) {
  const int64_t bytes = static_cast<int64_t>(p->bytes());
  auto* h = new Holder{std::move(p)};
  auto ext = Napi::External<Holder>::New(env, h, [](Napi::Env e, Holder* hh) {
    if (hh->p) Napi::MemoryManagement::AdjustExternalMemory(e, -static_cast<int64_t>(hh->p->bytes()));
    delete hh;
  });
  ext.TypeTag(&kPackedTag);
  // Tell the GC how much memory hangs off this small object, so dropped packs are collected.
  Napi::MemoryManagement::AdjustExternalMemory(env, bytes);
  return ext;
}

// A weight argument: Float32Array for f32, Uint16Array (bf16/f16 bits) otherwise.
const void* weight_arg(const Napi::CallbackInfo& info, size_t index, const char* name, WType type, size_t expected) {
  Napi::Value v = info[index];
  const napi_typedarray_type want = type == WType::kF32 ? napi_float32_array : napi_uint16_array;
  if (!v.IsTypedArray() || v.As<Napi::TypedArray>().TypedArrayType() != want) {
    throw_type(info.Env(), std::string(name) + " must be a " + (type == WType::kF32 ? "Float32Array" : "Uint16Array") +
                               " for dtype " + (type == WType::kF32 ? "f32" : type == WType::kBF16 ? "bf16" : "f16"));
  }
  Napi::TypedArray a = v.As<Napi::TypedArray>();
  check_length(info.Env(), name, expected, a.ElementLength(), "rows*cols");
  // The typed array's own data pointer (offset included): going through ArrayBuffer() would reject
  // SharedArrayBuffer-backed weights, which are valid.
  void* data = nullptr;
  if (napi_get_typedarray_info(info.Env(), v, nullptr, nullptr, &data, nullptr, nullptr) != napi_ok) {
    throw_type(info.Env(), std::string(name) + " could not be read");
  }
  return data;
}

WType dtype_arg(const Napi::CallbackInfo& info, size_t index) {
  return static_cast<WType>(integer_arg(info, index, "dtype", 0, kWTypeCount - 1));
}

bool bool_arg(const Napi::CallbackInfo& info, size_t index, const char* name) {
  if (!info[index].IsBoolean()) throw_type(info.Env(), std::string(name) + " must be a boolean");
  return info[index].As<Napi::Boolean>().Value();
}

constexpr int64_t kMaxDim = int64_t(1) << 40;

// packGate(wGate, wUp, inFeatures, outFeatures, inOut, dtype) -> handle
Napi::Value PackGate(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const size_t in = static_cast<size_t>(integer_arg(info, 2, "inFeatures", 1, kMaxDim));
  const size_t out = static_cast<size_t>(integer_arg(info, 3, "outFeatures", 1, kMaxDim));
  const bool in_out = bool_arg(info, 4, "inOut");
  const WType type = dtype_arg(info, 5);
  const size_t len = mul_or_throw(env, in, out, "inFeatures*outFeatures");
  const void* g = weight_arg(info, 0, "wGate", type, len);
  const void* u = weight_arg(info, 1, "wUp", type, len);
  auto p = std::make_shared<Packed>();
  p->kind = PackKind::kGate;
  p->type = type;
  p->in = in;
  p->out = out;
  // 'out-in' (nn.Linear [out][in]) is element (k, n) at w[n*in + k]: the transposed source.
  if (!pack_gate(&p->gate, {g, !in_out}, {u, !in_out}, type, in, out, addon_data(env).threads, PackStorage::kMapped)) {
    throw Napi::Error::New(env, "packGate: out of memory");
  }
  return make_handle(env, std::move(p));
}

// packFfn(gate, up, down, inFeatures, hiddenFeatures, inOut, dtype) -> handle
Napi::Value PackFfn(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const size_t in = static_cast<size_t>(integer_arg(info, 3, "inFeatures", 1, kMaxDim));
  const size_t hidden = static_cast<size_t>(integer_arg(info, 4, "hiddenFeatures", 1, kMaxDim));
  const bool in_out = bool_arg(info, 5, "inOut");
  const WType type = dtype_arg(info, 6);
  const size_t len = mul_or_throw(env, in, hidden, "inFeatures*hiddenFeatures");
  const void* g = weight_arg(info, 0, "gate", type, len);
  const void* u = weight_arg(info, 1, "up", type, len);
  const void* d = weight_arg(info, 2, "down", type, len);
  auto p = std::make_shared<Packed>();
  p->kind = PackKind::kFfn;
  p->type = type;
  p->in = in;
  p->out = hidden;
  const int threads = addon_data(env).threads;
  // down: 'out-in' is [in][hidden] = element (k=h, n=i) at d[i*hidden + h] (transposed source);
  // 'in-out' is [hidden][in].
  if (!pack_gate(&p->gate, {g, !in_out}, {u, !in_out}, type, in, hidden, threads, PackStorage::kMapped) ||
      !pack_b(&p->down, {d, !in_out}, type, hidden, in, threads, PackStorage::kMapped)) {
    throw Napi::Error::New(env, "packFfn: out of memory");
  }
  return make_handle(env, std::move(p));
}

Napi::Value PackedByteLength(const Napi::CallbackInfo& info) {
  Holder* h = holder_arg(info, 0, PackKind::kGate);
  return Napi::Number::New(info.Env(), h->p ? static_cast<double>(h->p->bytes()) : 0.0);
}

// Drops this handle's reference; an async op still using the pack keeps it alive until it ends.
Napi::Value DisposePacked(const Napi::CallbackInfo& info) {
  Holder* h = holder_arg(info, 0, PackKind::kGate);
  if (h->p) {
    Napi::MemoryManagement::AdjustExternalMemory(info.Env(), -static_cast<int64_t>(h->p->bytes()));
    h->p.reset();
  }
  return info.Env().Undefined();
}

Napi::Value LivePacks(const Napi::CallbackInfo& info) {
  return Napi::Number::New(info.Env(), static_cast<double>(g_live_packs.load(std::memory_order_relaxed)));
}

Napi::Value IsDetached(const Napi::CallbackInfo& info) {
  if (!info[0].IsTypedArray()) throw_type(info.Env(), "value must be a TypedArray");
  return Napi::Boolean::New(info.Env(), info[0].As<Napi::TypedArray>().ArrayBuffer().IsDetached());
}

// ---- the computations, shared by the sync and async forms ---------------------------------------

struct Job {
  Isa isa;
  int threads;
  GemmTuning tuning;
  // matmul
  std::unique_ptr<PackedB> b_own;
  // small-M matmul (m <= kSmallM): B read unpacked; private copies where the caller's memory may not
  // be read (off the JS thread) or is also the output (in place)
  bool small = false;
  bool trans = false;
  size_t k = 0, n = 0;
  const float* b_small = nullptr;
  std::unique_ptr<float, AlignedFree> b_copy, a_copy;
  // swiglu / ffn
  std::shared_ptr<const Packed> packed;
  bool ffn = false;
  size_t rows = 0;
  const float* x = nullptr;  // A operand
  float* y = nullptr;        // output
  size_t y_len = 0;

  // Returns false on allocation failure.
  bool run() const {
    if (small) {
      matmul_small(isa, a_copy ? a_copy.get() : x, k, rows, b_small, trans, k, n, y, n, threads);
      return true;
    }
    if (b_own) return gemm(isa, x, b_own->K, rows, *b_own, Epilogue::kStore, y, b_own->N, threads, tuning);
    const Packed& p = *packed;
    if (!ffn) return gemm(isa, x, p.in, rows, p.gate, Epilogue::kSwiglu, y, p.out, threads, tuning);
    if (rows == 0) return true;
    // H never leaves native memory: Y = (SiLU(X Wg) * (X Wu)) Wd.
    std::unique_ptr<void, AlignedFree> h(aligned_bytes(rows * p.out, sizeof(float)));
    if (!h) return false;
    float* H = static_cast<float*>(h.get());
    return gemm(isa, x, p.in, rows, p.gate, Epilogue::kSwiglu, H, p.out, threads, tuning) &&
           gemm(isa, H, p.out, rows, p.down, Epilogue::kStore, y, p.in, threads, tuning);
  }
};

float* copy_floats(const Napi::Env& env, const float* src, size_t count, std::unique_ptr<float, AlignedFree>* keep) {
  keep->reset(static_cast<float*>(aligned_bytes(count ? count : 1, sizeof(float))));
  if (!*keep) throw Napi::Error::New(env, "matmul: out of memory");
  if (count) std::memcpy(keep->get(), src, count * sizeof(float));
  return keep->get();
}

// matmul(a, b, out, m, k, n, transB): validates and packs B (or, for m <= kSmallM, keeps B unpacked:
// the GEMV-like kernel reads it once, which is cheaper than packing it). The Job reads a and writes
// out in place. `async`: the Job will run off the JS thread, so B is copied now.
Job matmul_job(const Napi::CallbackInfo& info, F32View* a_out, F32View* out_out, bool async) {
  Napi::Env env = info.Env();
  const F32View a = float32_arg(info, 0, "a");
  const F32View b = float32_arg(info, 1, "b");
  const F32View out = float32_arg(info, 2, "out");
  const size_t m = static_cast<size_t>(integer_arg(info, 3, "m", 0, kMaxDim));
  const size_t k = static_cast<size_t>(integer_arg(info, 4, "k", 0, kMaxDim));
  const size_t n = static_cast<size_t>(integer_arg(info, 5, "n", 0, kMaxDim));
  const bool trans = bool_arg(info, 6, "transB");
  check_length(env, "a", mul_or_throw(env, m, k, "m*k"), a.length, "m*k");
  check_length(env, "b", mul_or_throw(env, k, n, "k*n"), b.length, "k*n");
  check_length(env, "out", mul_or_throw(env, m, n, "m*n"), out.length, "m*n");
  // A and B are both packed before C is stored, so out may be exactly a or b; partial overlap may not.
  check_alias(env, a, "a", out);
  check_alias(env, b, "b", out);
  const AddonData& d = addon_data(env);
  Job job;
  job.isa = d.isa;
  job.threads = d.threads;
  job.tuning = d.gemm_tuning;
  job.rows = m;
  *a_out = a;
  *out_out = out;
  if (m <= kSmallM) {
    job.small = true;
    job.trans = trans;
    job.k = k;
    job.n = n;
    // Same kernel (same bits) whether sync, async or in place: only where B comes from differs.
    const bool b_is_out = b.data && b.data == out.data;
    job.b_small = async || b_is_out ? copy_floats(env, b.data, b.length, &job.b_copy) : b.data;
    if (!async && a.data && a.data == out.data) copy_floats(env, a.data, a.length, &job.a_copy);
    return job;
  }
  job.b_own.reset(new PackedB());
  if (!pack_b(job.b_own.get(), {b.data, trans}, WType::kF32, k, n, d.threads)) throw Napi::Error::New(env, "matmul: out of memory");
  return job;
}

// swigluMatmul / swigluFfn (x, packed, out)
Job packed_job(const Napi::CallbackInfo& info, bool ffn, F32View* x_out, F32View* out_out) {
  Napi::Env env = info.Env();
  const F32View x = float32_arg(info, 0, "x");
  auto p = packed_arg(info, 1, ffn ? PackKind::kFfn : PackKind::kGate);
  const F32View out = float32_arg(info, 2, "out");
  if (x.length % p->in != 0) {
    throw_range(env, "x length " + std::to_string(x.length) + " is not a multiple of inFeatures = " + std::to_string(p->in));
  }
  const size_t rows = x.length / p->in;
  const size_t width = ffn ? p->in : p->out;
  check_length(env, "out", mul_or_throw(env, rows, width, "rows*width"), out.length, "rows*outFeatures");
  // x is packed before the first store, so out === x is a valid in-place call when the sizes match.
  check_alias(env, x, "x", out);
  const AddonData& d = addon_data(env);
  Job job;
  job.isa = d.isa;
  job.threads = d.threads;
  job.tuning = d.gemm_tuning;
  job.packed = std::move(p);
  job.ffn = ffn;
  job.rows = rows;
  *x_out = x;
  *out_out = out;
  return job;
}

Napi::Value run_sync(const Napi::CallbackInfo& info, Job job, const F32View& x, const F32View& out, size_t out_index) {
  job.x = x.data;
  job.y = out.data;
  job.y_len = out.length;
  if (!job.run()) throw Napi::Error::New(info.Env(), "out of memory");
  return info[out_index];
}

Napi::Value Matmul(const Napi::CallbackInfo& info) {
  F32View a, out;
  Job job = matmul_job(info, &a, &out, false);
  return run_sync(info, std::move(job), a, out, 2);
}

Napi::Value SwigluMatmul(const Napi::CallbackInfo& info) {
  F32View x, out;
  Job job = packed_job(info, false, &x, &out);
  return run_sync(info, std::move(job), x, out, 2);
}

Napi::Value SwigluFfn(const Napi::CallbackInfo& info) {
  F32View x, out;
  Job job = packed_job(info, true, &x, &out);
  return run_sync(info, std::move(job), x, out, 2);
}

// ---- async ---------------------------------------------------------------------------------

class GemmWorker : public Napi::AsyncWorker {
 public:
  GemmWorker(Napi::Env env, Job job, const F32View& x, Napi::Float32Array out, const char* name)
      : Napi::AsyncWorker(env, name), deferred_(Napi::Promise::Deferred::New(env)), job_(std::move(job)) {
    // Private copies: the worker thread never reads or writes JS-owned memory.
    x_.reset(static_cast<float*>(aligned_bytes(x.length, sizeof(float))));
    y_.reset(static_cast<float*>(aligned_bytes(out.ElementLength(), sizeof(float))));
    if (!x_ || !y_) throw Napi::Error::New(env, std::string(name) + ": out of memory");
    if (x.length) std::memcpy(x_.get(), x.data, x.length * sizeof(float));
    y_len_ = out.ElementLength();
    job_.x = x_.get();
    job_.y = y_.get();
    job_.y_len = y_len_;
    out_ = Napi::Persistent(out);
  }
  Napi::Promise promise() const { return deferred_.Promise(); }

 protected:
  void Execute() override {
    if (!job_.run()) SetError("out of memory");
  }
  // Both completions may run while the environment is being torn down (a worker_thread terminated
  // mid-op): settling the promise can then fail, and nothing may escape into libuv's callback.
  void OnOK() override {
    try {
      Napi::Env env = Env();
      Napi::Float32Array out = out_.Value();
      // Read length and pointer from the typed array itself (valid for SharedArrayBuffer too); a
      // transferred buffer reports length 0.
      size_t length = 0;
      void* data = nullptr;
      napi_get_typedarray_info(env, out, nullptr, &length, &data, nullptr, nullptr);
      if (length != y_len_ || (y_len_ && !data)) {
        deferred_.Reject(Napi::TypeError::New(env, "out was detached (its ArrayBuffer transferred) while the operation ran").Value());
        return;
      }
      if (y_len_) std::memcpy(data, y_.get(), y_len_ * sizeof(float));
      deferred_.Resolve(out);
    } catch (const Napi::Error&) {
    }
  }
  void OnError(const Napi::Error& e) override {
    try {
      deferred_.Reject(e.Value());
    } catch (const Napi::Error&) {
    }
  }

 private:
  Napi::Promise::Deferred deferred_;
  Job job_;
  std::unique_ptr<float, AlignedFree> x_, y_;
  size_t y_len_ = 0;
  Napi::Reference<Napi::Float32Array> out_;
};

void reject_detached(const Napi::CallbackInfo& info, std::initializer_list<std::pair<size_t, const char*>> args) {
  for (auto& a : args) {
    Napi::Value v = info[a.first];
    if (v.IsTypedArray() && v.As<Napi::TypedArray>().ArrayBuffer().IsDetached()) {
      throw_type(info.Env(), std::string(a.second) + " is detached (its ArrayBuffer was transferred)");
    }
  }
}

template <class MakeJob>
Napi::Value run_async(const Napi::CallbackInfo& info, const char* name, MakeJob make) {
  Napi::Env env = info.Env();
  auto deferred_error = [&](const Napi::Error& e) {
    auto d = Napi::Promise::Deferred::New(env);
    d.Reject(e.Value());
    return d.Promise();
  };
  try {
    F32View x, out;
    Job job = make(&x, &out);
    auto* w = new GemmWorker(env, std::move(job), x, info[2].As<Napi::Float32Array>(), name);
    Napi::Promise p = w->promise();
    w->Queue();  // the worker deletes itself after OnOK/OnError
    return p;
  } catch (const Napi::Error& e) {
    return deferred_error(e);  // every failure is a rejection, never a synchronous throw
  }
}

Napi::Value MatmulAsync(const Napi::CallbackInfo& info) {
  return run_async(info, "matmulAsync", [&](F32View* x, F32View* out) {
    reject_detached(info, {{0, "a"}, {1, "b"}, {2, "out"}});
    return matmul_job(info, x, out, true);
  });
}

Napi::Value SwigluMatmulAsync(const Napi::CallbackInfo& info) {
  return run_async(info, "swigluMatmulAsync", [&](F32View* x, F32View* out) {
    reject_detached(info, {{0, "x"}, {2, "out"}});
    return packed_job(info, false, x, out);
  });
}

Napi::Value SwigluFfnAsync(const Napi::CallbackInfo& info) {
  return run_async(info, "swigluFfnAsync", [&](F32View* x, F32View* out) {
    reject_detached(info, {{0, "x"}, {2, "out"}});
    return packed_job(info, true, x, out);
  });
}

}  // namespace

void RegisterMatrix(Napi::Env env, Napi::Object exports) {
  exports.Set("matmul", Napi::Function::New(env, Matmul, "matmul"));
  exports.Set("matmulAsync", Napi::Function::New(env, MatmulAsync, "matmulAsync"));
  exports.Set("packGate", Napi::Function::New(env, PackGate, "packGate"));
  exports.Set("packFfn", Napi::Function::New(env, PackFfn, "packFfn"));
  exports.Set("packedByteLength", Napi::Function::New(env, PackedByteLength, "packedByteLength"));
  exports.Set("disposePacked", Napi::Function::New(env, DisposePacked, "disposePacked"));
  exports.Set("swigluMatmul", Napi::Function::New(env, SwigluMatmul, "swigluMatmul"));
  exports.Set("swigluMatmulAsync", Napi::Function::New(env, SwigluMatmulAsync, "swigluMatmulAsync"));
  exports.Set("swigluFfn", Napi::Function::New(env, SwigluFfn, "swigluFfn"));
  exports.Set("swigluFfnAsync", Napi::Function::New(env, SwigluFfnAsync, "swigluFfnAsync"));
  exports.Set("livePacks", Napi::Function::New(env, LivePacks, "livePacks"));
  exports.Set("isDetached", Napi::Function::New(env, IsDetached, "isDetached"));
}

}  // namespace swiglu
