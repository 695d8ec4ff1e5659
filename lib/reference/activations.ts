// Pure-TypeScript float64 definitions of every activation: the truth the tests measure the native
// kernels against, and the plain-JS baseline of the benchmark. Written in forms that neither cancel
// nor overflow in the tails (sigmoid via e^−|x|, softplus via max + log1p, erfc for gelu).
import { erfc } from './erf';

/** SELU's scale λ (PyTorch's constant, to double precision). */
export const SELU_SCALE = 1.0507009873554804934193349852946;
/** SELU's α (PyTorch's constant, to double precision). */
export const SELU_ALPHA = 1.6732632423543772848170429916717;
const SQRT_HALF = Math.SQRT1_2;
const SQRT_2_OVER_PI = 0.7978845608028654;

/**
 * sigmoid(x) for one number, in float64: 1/(1 + e^−x), in a form that overflows in neither tail.
 * @param x The input.
 * @returns The value, a float64 number.
 * @throws Never for a number: arithmetic only, nothing is checked.
 * @example
 * sg.reference.scalar.sigmoid(0); // 0.5
 */
export function sigmoid(x: number): number {
  if (x >= 0) return 1 / (1 + Math.exp(-x));
  const e = Math.exp(x);
  return e / (1 + e);
}
/**
 * relu(x) for one number, in float64: max(x, 0); NaN stays NaN.
 * @param x The input.
 * @returns The value, a float64 number.
 * @throws Never for a number: arithmetic only, nothing is checked.
 * @example
 * sg.reference.scalar.relu(-2); // 0
 */
export function relu(x: number): number {
  return x !== x ? x : x > 0 ? x : 0;
}
/**
 * leakyRelu(x) for one number, in float64: x > 0 ? x : slope·x.
 * @param x The input.
 * @param slope The slope for x ≤ 0 (default 0.01).
 * @returns The value, a float64 number.
 * @throws Never for a number: arithmetic only, nothing is checked.
 * @example
 * sg.reference.scalar.leakyRelu(-10, 0.1); // -1
 */
export function leakyRelu(x: number, slope = 0.01): number {
  return x > 0 ? x : slope * x;
}
/**
 * relu6(x) for one number, in float64: min(max(x, 0), 6); NaN stays NaN.
 * @param x The input.
 * @returns The value, a float64 number.
 * @throws Never for a number: arithmetic only, nothing is checked.
 * @example
 * sg.reference.scalar.relu6(9); // 6
 */
export function relu6(x: number): number {
  return x !== x ? x : x > 6 ? 6 : x > 0 ? x : 0;
}
/**
 * tanh(x) for one number, in float64: tanh(x) (Math.tanh).
 * @param x The input.
 * @returns The value, a float64 number.
 * @throws Never for a number: arithmetic only, nothing is checked.
 * @example
 * sg.reference.scalar.tanh(0); // 0
 */
export function tanh(x: number): number {
  return Math.tanh(x);
}
/**
 * silu(x) for one number, in float64: x·sigmoid(β·x), with the limits at ±Inf.
 * @param x The input.
 * @param beta The β (default 1).
 * @returns The value, a float64 number.
 * @throws Never for a number: arithmetic only, nothing is checked.
 * @example
 * sg.reference.scalar.silu(1); // 0.7310585786300049
 */
export function silu(x: number, beta = 1): number {
  if (x === -Infinity) return beta > 0 ? -0 : beta < 0 ? -Infinity : -Infinity * 0.5;
  if (x === Infinity) return beta > 0 ? Infinity : beta < 0 ? 0 : Infinity;
  return x * sigmoid(beta * x);
}
/**
 * gelu(x) for one number, in float64: x·Φ(x) = x·erfc(−x/√2)/2 (reference.erfc), with gelu(−Inf) = −0.
 * @param x The input.
 * @returns The value, a float64 number.
 * @throws Never for a number: arithmetic only, nothing is checked.
 * @example
 * sg.reference.scalar.gelu(-Infinity); // -0
 */
export function gelu(x: number): number {
  if (x === -Infinity) return -0;
  return 0.5 * x * erfc(-x * SQRT_HALF);
}
/**
 * geluTanh(x) for one number, in float64: the tanh form 0.5·x·(1 + tanh(√(2/π)(x + 0.044715x³))), as x·sigmoid(2u) (no cancellation for very negative u).
 * @param x The input.
 * @returns The value, a float64 number.
 * @throws Never for a number: arithmetic only, nothing is checked.
 * @example
 * sg.reference.scalar.geluTanh(0); // 0
 */
export function geluTanh(x: number): number {
  if (x === -Infinity) return -0;
  if (x === Infinity) return Infinity;
  // 0.5x(1 + tanh(u)) = x·sigmoid(2u): no cancellation of 1 + tanh(u) for very negative u.
  const u = SQRT_2_OVER_PI * (x + 0.044715 * x * x * x);
  return x * sigmoid(2 * u);
}
/**
 * quickGelu(x) for one number, in float64: x·sigmoid(1.702·x).
 * @param x The input.
 * @returns The value, a float64 number.
 * @throws Never for a number: arithmetic only, nothing is checked.
 * @example
 * sg.reference.scalar.quickGelu(0); // 0
 */
export function quickGelu(x: number): number {
  if (x === -Infinity) return -0;
  return x * sigmoid(1.702 * x);
}
/**
 * softplus(x) for one number, in float64: β·x > threshold ? x : log1p(e^(β·x))/β, in a form that neither overflows nor cancels.
 * @param x The input.
 * @param beta The β (default 1).
 * @param threshold Above β·x > threshold the result is x (default 20).
 * @returns The value, a float64 number.
 * @throws Never for a number: arithmetic only, nothing is checked.
 * @example
 * sg.reference.scalar.softplus(30); // 30
 */
export function softplus(x: number, beta = 1, threshold = 20): number {
  const bx = beta * x;
  if (Math.fround(Math.fround(beta) * x) > Math.fround(threshold)) return x;
  // log1p(e^bx) = max(bx, 0) + log1p(e^−|bx|)
  return (Math.max(bx, 0) + Math.log1p(Math.exp(-Math.abs(bx)))) / beta;
}
/**
 * mish(x) for one number, in float64: x·tanh(softplus(x)).
 * @param x The input.
 * @returns The value, a float64 number.
 * @throws Never for a number: arithmetic only, nothing is checked.
 * @example
 * sg.reference.scalar.mish(0); // 0
 */
export function mish(x: number): number {
  if (x === -Infinity) return -0;
  const sp = x > 0 ? x + Math.log1p(Math.exp(-x)) : Math.log1p(Math.exp(x));
  return x * Math.tanh(sp);
}
/**
 * elu(x) for one number, in float64: x > 0 ? x : alpha·(e^x − 1) (Math.expm1).
 * @param x The input.
 * @param alpha The α (default 1).
 * @returns The value, a float64 number.
 * @throws Never for a number: arithmetic only, nothing is checked.
 * @example
 * sg.reference.scalar.elu(-Infinity); // -1
 */
export function elu(x: number, alpha = 1): number {
  return x > 0 ? x : alpha * Math.expm1(x);
}
/**
 * selu(x) for one number, in float64: SELU_SCALE·(x > 0 ? x : SELU_ALPHA·(e^x − 1)).
 * @param x The input.
 * @returns The value, a float64 number.
 * @throws Never for a number: arithmetic only, nothing is checked.
 * @example
 * sg.reference.scalar.selu(1); // 1.0507009873554805
 */
export function selu(x: number): number {
  return SELU_SCALE * (x > 0 ? x : SELU_ALPHA * Math.expm1(x));
}
/**
 * hardSigmoid(x) for one number, in float64: x ≤ −3 ? 0 : x ≥ 3 ? 1 : x/6 + 1/2.
 * @param x The input.
 * @returns The value, a float64 number.
 * @throws Never for a number: arithmetic only, nothing is checked.
 * @example
 * sg.reference.scalar.hardSigmoid(0); // 0.5
 */
export function hardSigmoid(x: number): number {
  return x <= -3 ? 0 : x >= 3 ? 1 : x / 6 + 0.5;
}
/**
 * hardSwish(x) for one number, in float64: x ≤ −3 ? 0 : x ≥ 3 ? x : x·(x + 3)/6.
 * @param x The input.
 * @returns The value, a float64 number.
 * @throws Never for a number: arithmetic only, nothing is checked.
 * @example
 * sg.reference.scalar.hardSwish(-1); // -0.3333333333333333
 */
export function hardSwish(x: number): number {
  return x <= -3 ? 0 : x >= 3 ? x : (x * (x + 3)) / 6;
}
/**
 * identity(x) for one number, in float64: x itself (the bilinear GLU's "activation").
 * @param x The input.
 * @returns The value, a float64 number.
 * @throws Never for a number: arithmetic only, nothing is checked.
 * @example
 * sg.reference.scalar.identity(7); // 7
 */
export function identity(x: number): number {
  return x;
}
