// Each N-API source file registers its own functions on the exports object.
#pragma once
#include <napi.h>

namespace swiglu {

void RegisterRuntime(Napi::Env env, Napi::Object exports);      // runtime.cc: isa, threads
void RegisterElementwise(Napi::Env env, Napi::Object exports);  // elementwise.cc: activations, GLU
void RegisterMatrix(Napi::Env env, Napi::Object exports);       // matrix.cc: matmul, packed gate, FFN
void RegisterMatrixBackward(Napi::Env env, Napi::Object exports);  // matrix_backward.cc: gate and FFN backward
void RegisterGrad(Napi::Env env, Napi::Object exports);         // grad.cc: activation and GLU gradients
void RegisterConvert(Napi::Env env, Napi::Object exports);      // convert.cc: f32 <-> bf16 / f16
void RegisterTesting(Napi::Env env, Napi::Object exports);      // testing.cc: exports._testing, the tests' hooks

}  // namespace swiglu
