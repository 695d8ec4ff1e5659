// The experiment's configuration and presets, and the arms' names: no dependency on the addon, so that
// `swiglu-bench train` parses its arguments where the addon cannot load.

export const ARMS = ['relu', 'gelu', 'swiglu', 'geglu'] as const;
export type Arm = (typeof ARMS)[number];

export interface TrainConfig {
  preset: 'default' | 'smoke';
  arms: Arm[];
  seeds: number[];
  dataSeed: number;
  steps: number;
  layers: number;
  width: number;
  heads: number;
  context: number;
  batch: number;
  lr: number;
  warmup: number;
  clip: number;
  weightDecay: number;
  evalEvery: number;
  evalWindows: number; // validation windows for the curve
  finalWindows: number; // validation windows for the final loss and the firing statistics
  plainHidden: number; // relu/gelu hidden width (4·width); GLU arms get gluHidden() of it
}

export const PRESETS: Record<'default' | 'smoke', Omit<TrainConfig, 'arms' | 'preset' | 'plainHidden'>> = {
  default: { seeds: [1, 2, 3], dataSeed: 0, steps: 2000, layers: 4, width: 128, heads: 4, context: 64, batch: 12, lr: 2e-3, warmup: 100, clip: 1, weightDecay: 0.1, evalEvery: 100, evalWindows: 64, finalWindows: 1024 },
  // Seconds, not minutes: CI runs it. Width 48 so that the GLU hidden (128 = 2/3 of 192) matches exactly.
  smoke: { seeds: [1], dataSeed: 0, steps: 150, layers: 1, width: 48, heads: 2, context: 32, batch: 8, lr: 1e-2, warmup: 10, clip: 1, weightDecay: 0.1, evalEvery: 25, evalWindows: 16, finalWindows: 64 },
};

