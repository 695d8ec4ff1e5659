// The neon instantiation of the roofline probes (namespace swiglu::neon), built with this unit's own flags.
#define SWIGLU_NS neon
#include "../simd/neon.h"
#include "instantiate_probes.inc"
