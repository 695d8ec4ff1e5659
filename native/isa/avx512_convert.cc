// The avx512 instantiation of the 16-bit float conversions (namespace swiglu::avx512), built with this unit's own flags.
#define SWIGLU_NS avx512
#include "../simd/avx512.h"
#include "instantiate_convert.inc"
