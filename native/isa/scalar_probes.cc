// The scalar instantiation of the roofline probes (namespace swiglu::scalar), built with this unit's own flags.
#define SWIGLU_NS scalar
#include "../simd/scalar.h"
#include "instantiate_probes.inc"
