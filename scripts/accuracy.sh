#!/bin/sh
# Accuracy sweep of the elementwise activations and their gradients (native/tools/accuracy.cc), every ISA
# this CPU runs.
#   sh scripts/accuracy.sh                   # all 2^32 - 2^24 finite inputs per op and ISA (the forward rows
#                                            # ~30 min on 2 idle cores; each gradient row ~6 more CPU-minutes)
#   sh scripts/accuracy.sh --ops geluBackward,gegluBackward   # the full sweep of some rows
#   sh scripts/accuracy.sh --sample 4093     # ~1e6 inputs per op and ISA (CI; seconds)
#   sh scripts/accuracy.sh --ops silu,gelu --isa avx512 --md
# Builds with plain cmake (Release) in build/tools (scripts/run-tool.sh); arguments pass through; exit 1 if
# any bar is missed.
exec sh "$(dirname "$0")/run-tool.sh" accuracy "$@"
