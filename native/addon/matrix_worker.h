// The async form of a matrix op: runs a job (matrix_jobs.h) on a libuv worker and settles a promise.
// The worker thread never touches JS memory: x is copied when the op starts, the result is computed
// into a private buffer and copied into `out` on the JS thread when it completes (a buffer detached
// meanwhile gives a rejected promise, not a write into freed memory).
#pragma once
#include <napi.h>

#include <cstring>
#include <initializer_list>
#include <memory>
#include <string>
#include <utility>

#include "args.h"
#include "../runtime/gemm.h"

namespace swiglu {

template <class Job>
class MatrixWorker : public Napi::AsyncWorker {
 public:
  MatrixWorker(Napi::Env env, Job job, const F32View& x, Napi::Float32Array out, const char* name)
      : Napi::AsyncWorker(env, name), deferred_(Napi::Promise::Deferred::New(env)), job_(std::move(job)), name_(name) {
    x_.reset(static_cast<float*>(aligned_bytes(x.length ? x.length : 1, sizeof(float))));
    y_len_ = out.ElementLength();
    y_.reset(static_cast<float*>(aligned_bytes(y_len_ ? y_len_ : 1, sizeof(float))));
    if (!x_ || !y_) throw Napi::Error::New(env, name_ + ": out of memory");
    if (x.length) std::memcpy(x_.get(), x.data, x.length * sizeof(float));
    // A job that reads its output (matmul's accumulate) starts from out's values, copied now.
    if (job_.reads_out() && y_len_) std::memcpy(y_.get(), out.Data(), y_len_ * sizeof(float));
    out_ = Napi::Persistent(out);
  }
  Napi::Promise promise() const { return deferred_.Promise(); }

 protected:
  void Execute() override {
    if (!job_.run(x_.get(), y_.get())) SetError("out of memory");
  }
  // Both completions may run while the environment is being torn down (a worker_thread terminated
  // mid-op): settling the promise can then fail, and nothing may escape into libuv's callback.
  void OnOK() override {
    try {
      Napi::Env env = Env();
      Napi::Float32Array out = out_.Value();
      // Length and pointer from the typed array itself (valid for SharedArrayBuffer too); a transferred
      // buffer reports length 0.
      size_t length = 0;
      void* data = nullptr;
      napi_get_typedarray_info(env, out, nullptr, &length, &data, nullptr, nullptr);
      if (length != y_len_ || (y_len_ && !data)) {
        deferred_.Reject(
            Napi::TypeError::New(env, "out was detached (its ArrayBuffer transferred) while the operation ran").Value());
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
  std::string name_;
  std::unique_ptr<float, AlignedFree> x_, y_;
  size_t y_len_ = 0;
  Napi::Reference<Napi::Float32Array> out_;
};

// A TypeError naming the first of the given (index, name) arguments whose buffer has been detached.
inline void reject_detached(const Napi::CallbackInfo& info, std::initializer_list<std::pair<size_t, const char*>> args) {
  for (auto& a : args) {
    Napi::Value v = info[a.first];
    if (v.IsTypedArray() && v.As<Napi::TypedArray>().ArrayBuffer().IsDetached()) {
      throw Napi::TypeError::New(info.Env(), std::string(a.second) + " is detached (its ArrayBuffer was transferred)");
    }
  }
}

// The async form of an op whose output is argument `out_index`: make(&x, &out) validates the arguments
// and builds the job (x: the input the worker copies). Every failure is a rejected promise, never a
// synchronous throw.
template <class MakeJob>
Napi::Value run_async(const Napi::CallbackInfo& info, const char* name, size_t out_index, MakeJob make) {
  Napi::Env env = info.Env();
  try {
    F32View x, out;
    auto job = make(&x, &out);
    auto* w = new MatrixWorker<decltype(job)>(env, std::move(job), x, info[out_index].As<Napi::Float32Array>(), name);
    Napi::Promise p = w->promise();
    w->Queue();  // the worker deletes itself after OnOK/OnError
    return p;
  } catch (const Napi::Error& e) {
    auto d = Napi::Promise::Deferred::New(env);
    d.Reject(e.Value());
    return d.Promise();
  }
}

}  // namespace swiglu
