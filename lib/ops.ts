// Indices of the native activation table; must match enum Act in native/runtime/op_table.h.
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
