// Whether a 16-bit (bf16/f16) weight micro-panel that several row panels meet should be widened to f32
// once and run by the f32 tiles, or widened in registers by every tile that reads it. Either way the
// results are the same bits (widening is exact); only the speed differs, and which is faster depends on
// the core (on some the tile's widening ops compete with its FMAs for the same pipes, on others they
// fill idle ones), so it is measured once per process, not assumed.
#pragma once
#include <cstddef>

#include "cpu.h"
#include "gemm.h"

namespace swiglu {

// The fewest row panels that must meet one micro-panel of this weight type for widening it once to
// pay on this CPU, for this ISA's tiles: the break-even of (widening cost) against (per-tile saving),
// both timed on the first call per (ISA, type) on a small in-cache problem (well under a millisecond)
// and cached for the process; later calls are one atomic load. SIZE_MAX where the f32 tile is not
// clearly faster than the 16-bit one, and for f32 weights.
size_t widen_once_min_row_panels(Isa isa, const GemmTable& g, WType type);

}  // namespace swiglu
