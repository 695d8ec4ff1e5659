// The float64 activations of the fused gate and FFN, by name: one table for the forward references
// (matrix.ts) and the backward ones (matrix-backward.ts). Internal: not re-exported by the index.
import * as act from './activations';
import type { FusedActivationRef } from './matrix';

export const FUSED: Record<FusedActivationRef, (v: number) => number> = {
  silu: (v) => act.silu(v),
  gelu: act.gelu,
  'gelu-tanh': act.geluTanh,
  relu: act.relu,
  sigmoid: act.sigmoid,
  identity: (v) => v,
};
