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
