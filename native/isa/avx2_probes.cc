// The avx2 instantiation of the roofline probes (namespace swiglu::avx2), built with this unit's own flags.
#define SWIGLU_NS avx2
#include "../simd/avx2.h"
#include "instantiate_probes.inc"
