// The neon instantiation of the gradient kernels (namespace swiglu::neon), built with this unit's own flags.
#define SWIGLU_NS neon
#include "../simd/neon.h"
#include "instantiate_grad.inc"
