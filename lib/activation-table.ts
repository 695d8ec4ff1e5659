// Generated from native/runtime/activation_list.h by scripts/gen-activation-table.js (npm run generate); do not edit.
// test/op-table.test.ts fails while this file differs from what the table gives, and checks the compiled
// addon's table (_testing.activations()) against it.

/** The N-API index of each activation, in the order of the native table (a contract with the addon). */
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

/** One row of the native table. */
export interface ActivationInfo {
  readonly name: ActName;
  readonly index: number;
  /** The parameters the public function passes by default (leakyRelu: slope; silu: beta; softplus: beta, threshold; elu: alpha). */
  readonly a: number;
  readonly b: number;
  /** Max ULP error of f and of dy·f′ over every float32 input (0: bitwise the correctly rounded value). */
  readonly bar: number;
  readonly gradBar: number;
  /** f(±Inf) (bitwise) and f′(±Inf). */
  readonly fPosInf: number;
  readonly fNegInf: number;
  readonly fpPosInf: number;
  readonly fpNegInf: number;
  /** Whether the GEMM epilogue applies it (packGate's and packFfn's activation). */
  readonly fused: boolean;
}

export const ACTIVATIONS: readonly ActivationInfo[] = [
  { name: 'relu', index: 0, a: 0, b: 0, bar: 0, gradBar: 0, fPosInf: Infinity, fNegInf: 0, fpPosInf: 1, fpNegInf: 0, fused: true },
  { name: 'leakyRelu', index: 1, a: 0.01, b: 0, bar: 1, gradBar: 1, fPosInf: Infinity, fNegInf: -Infinity, fpPosInf: 1, fpNegInf: 0.009999999776482582, fused: false },
  { name: 'relu6', index: 2, a: 0, b: 0, bar: 0, gradBar: 0, fPosInf: 6, fNegInf: 0, fpPosInf: 0, fpNegInf: 0, fused: false },
  { name: 'sigmoid', index: 3, a: 0, b: 0, bar: 4, gradBar: 4, fPosInf: 1, fNegInf: 0, fpPosInf: 0, fpNegInf: 0, fused: true },
  { name: 'tanh', index: 4, a: 0, b: 0, bar: 4, gradBar: 4, fPosInf: 1, fNegInf: -1, fpPosInf: 0, fpNegInf: 0, fused: false },
  { name: 'silu', index: 5, a: 1, b: 0, bar: 4, gradBar: 4, fPosInf: Infinity, fNegInf: -0, fpPosInf: 1, fpNegInf: 0, fused: true },
  { name: 'gelu', index: 6, a: 0, b: 0, bar: 4, gradBar: 8, fPosInf: Infinity, fNegInf: -0, fpPosInf: 1, fpNegInf: 0, fused: true },
  { name: 'geluTanh', index: 7, a: 0, b: 0, bar: 4, gradBar: 8, fPosInf: Infinity, fNegInf: -0, fpPosInf: 1, fpNegInf: 0, fused: true },
  { name: 'quickGelu', index: 8, a: 0, b: 0, bar: 4, gradBar: 4, fPosInf: Infinity, fNegInf: -0, fpPosInf: 1, fpNegInf: 0, fused: false },
  { name: 'softplus', index: 9, a: 1, b: 20, bar: 4, gradBar: 4, fPosInf: Infinity, fNegInf: 0, fpPosInf: 1, fpNegInf: 0, fused: false },
  { name: 'mish', index: 10, a: 0, b: 0, bar: 8, gradBar: 8, fPosInf: Infinity, fNegInf: -0, fpPosInf: 1, fpNegInf: 0, fused: false },
  { name: 'elu', index: 11, a: 1, b: 0, bar: 4, gradBar: 4, fPosInf: Infinity, fNegInf: -1, fpPosInf: 1, fpNegInf: 0, fused: false },
  { name: 'selu', index: 12, a: 0, b: 0, bar: 4, gradBar: 4, fPosInf: Infinity, fNegInf: -1.7580993175506592, fpPosInf: 1.0507010221481323, fpNegInf: 0, fused: false },
  { name: 'hardSigmoid', index: 13, a: 0, b: 0, bar: 4, gradBar: 1, fPosInf: 1, fNegInf: 0, fpPosInf: 0, fpNegInf: 0, fused: false },
  { name: 'hardSwish', index: 14, a: 0, b: 0, bar: 4, gradBar: 4, fPosInf: Infinity, fNegInf: 0, fpPosInf: 1, fpNegInf: 0, fused: false },
  { name: 'identity', index: 15, a: 0, b: 0, bar: 0, gradBar: 0, fPosInf: Infinity, fNegInf: -Infinity, fpPosInf: 1, fpNegInf: 1, fused: true },
];

/** The activations the GEMM epilogue fuses, by the names packGate's `activation` takes. */
export const FUSED_ACTIVATIONS = ['relu', 'sigmoid', 'silu', 'gelu', 'gelu-tanh', 'identity'] as const;

/**
 * The GLU family, op(gate, up) = act(gate) ⊙ up: each op's gate activation, the parameter passed with it
 * (that activation's default), and the activation its approximate 'tanh' form takes instead, if any.
 */
export const GLU_GATES = {
  glu: { act: 'sigmoid', a: 0 },
  reglu: { act: 'relu', a: 0 },
  geglu: { act: 'gelu', a: 0, approximateTanh: 'geluTanh' },
  swiglu: { act: 'silu', a: 1 },
  bilinear: { act: 'identity', a: 0 },
} as const;
