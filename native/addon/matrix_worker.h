// The async form of a matrix op: runs a job (matrix_jobs.h) on a libuv worker and settles a promise.
// The worker thread never touches JS memory: x is copied when the op starts, the result is computed
// into a private buffer and copied into `out` on the JS thread when it completes (a buffer detached
// meanwhile gives a rejected promise, not a write into freed memory).
#pragma once
#include <napi.h>

#include <cstring>
#include <memory>
#include <string>

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

}  // namespace swiglu
