// The neon instantiation of the 16-bit float conversions (namespace swiglu::neon), built with this unit's own flags.
#define SWIGLU_NS neon
#include "../simd/neon.h"
#include "instantiate_convert.inc"
