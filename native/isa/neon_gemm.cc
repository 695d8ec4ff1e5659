// The neon instantiation of the GEMM kernels (namespace swiglu::neon), built with this unit's own flags.
#define SWIGLU_NS neon
#include "../simd/neon.h"
#include "instantiate_gemm.inc"
