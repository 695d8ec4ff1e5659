// Indices of the native activation table, native/runtime/activation_list.h (test/op-table.test.ts checks
// them against it).
export const Act = {
  relu: 0,
  leakyRelu: 1,
  relu6: 2,
  sigmoid: 3,
  tanh: 4,
  silu: 5,
  gelu: 6,
  geluTanh: 7,
  quickGelu: 8,
  softplus: 9,
  mish: 10,
  elu: 11,
  selu: 12,
  hardSigmoid: 13,
  hardSwish: 14,
  identity: 15,
} as const;
export type ActName = keyof typeof Act;

// Domains of the scale parameters (see check.scale): the kernels split them into float hi/lo pairs;
// slope/alpha down to the smallest normal float, beta down to 2^-20 (below it the kernels' argument
// reduction for beta·x loses the low part). Up to 2^64 for all: far beyond any real use.
export const SLOPE_MIN = 2 ** -126;
export const BETA_MIN = 2 ** -20;
export const SCALE_MAX = 2 ** 64;

// The GLU family, op(gate, up) = act(gate) ⊙ up: each op's gate activation (a key of Act) and the
// parameter passed with it (the activation's default in native/runtime/activation_list.h: silu's
// beta = 1). geglu with options.approximate 'tanh' takes approximateTanh instead of act. The one place
// this mapping is written: lib/glu.ts and lib/backward.ts read it through gluGate, the bench's GLU rows
// derive from it, and test/op-table.test.ts checks it against the native table, the bench's plain-JS
// loops and the fuzzer's models (scripts/fuzz.js), which are written independently.
export const GLU_GATES = {
  glu: { act: 'sigmoid', a: 0 },
  reglu: { act: 'relu', a: 0 },
  geglu: { act: 'gelu', a: 0, approximateTanh: 'geluTanh' },
  swiglu: { act: 'silu', a: 1 },
  bilinear: { act: 'identity', a: 0 },
} as const satisfies Record<string, { act: ActName; a: number; approximateTanh?: ActName }>;
export type GluName = keyof typeof GLU_GATES;

/** The gate activation of GLU op `name` (its approximateTanh form if `tanh` and it has one). */
export function gluGateName(name: GluName, tanh = false): ActName {
  const g: { act: ActName; approximateTanh?: ActName } = GLU_GATES[name];
  return tanh && g.approximateTanh !== undefined ? g.approximateTanh : g.act;
}

/** The native activation index and parameter that GLU op `name` passes to the addon. */
export function gluGate(name: GluName, tanh = false): readonly [number, number] {
  return [Act[gluGateName(name, tanh)], GLU_GATES[name].a];
}
