// The avx512 instantiation of the roofline probes (namespace swiglu::avx512), built with this unit's own flags.
#define SWIGLU_NS avx512
#include "../simd/avx512.h"
#include "instantiate_probes.inc"
