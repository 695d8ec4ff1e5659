// The async form of a matrix op: runs a job (matrix_jobs.h) on a libuv worker and settles a promise.
// The worker thread never touches JS memory: x is copied when the op starts, the result is computed
// into a private buffer and copied into `out` (or each of several outputs) on the JS thread when it
// completes (a buffer detached meanwhile gives a rejected promise, not a write into freed memory).
#pragma once
#include <napi.h>

#include <cstring>
#include <initializer_list>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "args.h"
#include "../runtime/gemm.h"

namespace swiglu {

template <class Job>
class MatrixWorker : public Napi::AsyncWorker {
 public:
  // One output: the result is `out` itself. A job that reads its output (matmul's accumulate) starts
  // from out's values, copied now.
  MatrixWorker(Napi::Env env, Job job, const F32View& x, Napi::Float32Array out, const char* name)
      : MatrixWorker(env, std::move(job), x, std::vector<Napi::Float32Array>{out}, name) {
    if (job_.reads_out() && y_len_) std::memcpy(y_.get(), out.Data(), y_len_ * sizeof(float));
  }
  // Several outputs (the fused backward passes' gradients): the job computes into one private buffer
  // holding them one after the other, in this order; each is copied into its own array at the end.
  MatrixWorker(Napi::Env env, Job job, const F32View& x, const std::vector<Napi::Float32Array>& outs, const char* name)
      : Napi::AsyncWorker(env, name), deferred_(Napi::Promise::Deferred::New(env)), job_(std::move(job)), name_(name) {
    x_.reset(static_cast<float*>(aligned_bytes(x.length ? x.length : 1, sizeof(float))));
    for (const Napi::Float32Array& o : outs) {
      outs_.push_back(Output{Napi::Persistent(o), y_len_, o.ElementLength()});
      y_len_ += o.ElementLength();
    }
    y_.reset(static_cast<float*>(aligned_bytes(y_len_ ? y_len_ : 1, sizeof(float))));
    if (!x_ || !y_) throw Napi::Error::New(env, name_ + ": out of memory");
    if (x.length) std::memcpy(x_.get(), x.data, x.length * sizeof(float));
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
      // Lengths and pointers from the typed arrays themselves (valid for SharedArrayBuffer too); a
      // transferred buffer reports length 0. Every output is checked before any is written.
      std::vector<void*> data(outs_.size(), nullptr);
      for (size_t i = 0; i < outs_.size(); ++i) {
        size_t length = 0;
        napi_get_typedarray_info(env, outs_[i].ref.Value(), nullptr, &length, &data[i], nullptr, nullptr);
        if (length != outs_[i].length || (length && !data[i])) {
          deferred_.Reject(
              Napi::TypeError::New(env, "out was detached (its ArrayBuffer transferred) while the operation ran").Value());
          return;
        }
      }
      for (size_t i = 0; i < outs_.size(); ++i)
        if (outs_[i].length) std::memcpy(data[i], y_.get() + outs_[i].offset, outs_[i].length * sizeof(float));
      deferred_.Resolve(outs_.size() == 1 ? Napi::Value(outs_[0].ref.Value()) : env.Undefined());
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
  struct Output {
    Napi::Reference<Napi::Float32Array> ref;
    size_t offset, length;  // in the private buffer, in floats
  };
  Napi::Promise::Deferred deferred_;
  Job job_;
  std::string name_;
  std::unique_ptr<float, AlignedFree> x_, y_;
  size_t y_len_ = 0;
  std::vector<Output> outs_;
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

// Queues the worker make() returns and hands back its promise; a failure while making it (argument
// errors included) is a rejected promise, never a synchronous throw.
template <class MakeWorker>
Napi::Value queue_worker(Napi::Env env, MakeWorker make) {
  try {
    auto* w = make();
    Napi::Promise p = w->promise();
    w->Queue();  // the worker deletes itself after OnOK/OnError
    return p;
  } catch (const Napi::Error& e) {
    auto d = Napi::Promise::Deferred::New(env);
    d.Reject(e.Value());
    return d.Promise();
  }
}

// The async form of an op whose output is argument `out_index`: make(&x, &out) validates the arguments
// and builds the job (x: the input the worker copies).
template <class MakeJob>
Napi::Value run_async(const Napi::CallbackInfo& info, const char* name, size_t out_index, MakeJob make) {
  Napi::Env env = info.Env();
  return queue_worker(env, [&] {
    F32View x, out;
    auto job = make(&x, &out);
    return new MatrixWorker<decltype(job)>(env, std::move(job), x, info[out_index].As<Napi::Float32Array>(), name);
  });
}

// The async form of an op with several outputs: make(&x, &outs) validates the arguments, builds the job
// and lists the output arrays in the order the job writes them into its one buffer.
template <class MakeJob>
Napi::Value run_async_outputs(const Napi::CallbackInfo& info, const char* name, MakeJob make) {
  Napi::Env env = info.Env();
  return queue_worker(env, [&] {
    F32View x;
    std::vector<Napi::Float32Array> outs;
    auto job = make(&x, &outs);
    return new MatrixWorker<decltype(job)>(env, std::move(job), x, outs, name);
  });
}

}  // namespace swiglu
