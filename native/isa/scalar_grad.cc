// The scalar instantiation of the gradient kernels (namespace swiglu::scalar), built with this unit's own flags.
#define SWIGLU_NS scalar
#include "../simd/scalar.h"
#include "instantiate_grad.inc"
