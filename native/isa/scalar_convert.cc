// The scalar instantiation of the 16-bit float conversions (namespace swiglu::scalar), built with this unit's own flags.
#define SWIGLU_NS scalar
#include "../simd/scalar.h"
#include "instantiate_convert.inc"
