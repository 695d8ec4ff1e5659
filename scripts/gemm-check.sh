#!/bin/sh
# The GEMM's self-check (native/tools/gemm_bench.cc --check), every ISA this CPU runs: plain and fused-gate
# GEMMs over shapes around the tile and panel edges, f32/bf16/f16 weights, both weight layouts, against a
# float64 reference, and the same bits at 1 and 2 threads, under other cache blockings, and from a 16-bit
# pack as from the f32 pack of its widened weights.
# Builds with plain cmake (Release) in build/tools (scripts/run-tool.sh); exit 1 if any case fails.
exec sh "$(dirname "$0")/run-tool.sh" gemm_bench --check
