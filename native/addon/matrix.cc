// N-API glue for matmul, the packed SwiGLU gate and the FFN (issue 3). Not yet implemented: the
// binding exposes no matrix functions until the kernels land.
#include "register.h"

namespace swiglu {

void RegisterMatrix(Napi::Env, Napi::Object) {}

}  // namespace swiglu
