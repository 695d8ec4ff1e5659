// Pure-TypeScript float64 definitions of every activation: the truth the tests measure the native
// kernels against, and the plain-JS baseline of the benchmark. Written in forms that neither cancel
// nor overflow in the tails (sigmoid via e^−|x|, softplus via max + log1p, erfc for gelu).
import { erfc } from './erf';

export const SELU_SCALE = 1.0507009873554804934193349852946;
export const SELU_ALPHA = 1.6732632423543772848170429916717;
const SQRT_HALF = Math.SQRT1_2;
const SQRT_2_OVER_PI = 0.7978845608028654;

export function sigmoid(x: number): number {
  if (x >= 0) return 1 / (1 + Math.exp(-x));
  const e = Math.exp(x);
  return e / (1 + e);
}
export function relu(x: number): number {
  return x !== x ? x : x > 0 ? x : 0;
}
export function leakyRelu(x: number, slope = 0.01): number {
  return x > 0 ? x : slope * x;
}
export function relu6(x: number): number {
  return x !== x ? x : x > 6 ? 6 : x > 0 ? x : 0;
}
export function tanh(x: number): number {
  return Math.tanh(x);
}
export function silu(x: number, beta = 1): number {
  if (x === -Infinity) return beta > 0 ? -0 : beta < 0 ? -Infinity : -Infinity * 0.5;
  if (x === Infinity) return beta > 0 ? Infinity : beta < 0 ? 0 : Infinity;
  return x * sigmoid(beta * x);
}
export function gelu(x: number): number {
  if (x === -Infinity) return -0;
  return 0.5 * x * erfc(-x * SQRT_HALF);
}
export function geluTanh(x: number): number {
  if (x === -Infinity) return -0;
  if (x === Infinity) return Infinity;
  // 0.5x(1 + tanh(u)) = x·sigmoid(2u): no cancellation of 1 + tanh(u) for very negative u.
  const u = SQRT_2_OVER_PI * (x + 0.044715 * x * x * x);
  return x * sigmoid(2 * u);
}
export function quickGelu(x: number): number {
  if (x === -Infinity) return -0;
  return x * sigmoid(1.702 * x);
}
/** PyTorch compares the float32 product beta·x with the threshold converted to float32 (as the kernels). */
export function softplus(x: number, beta = 1, threshold = 20): number {
  const bx = beta * x;
  if (Math.fround(Math.fround(beta) * x) > Math.fround(threshold)) return x;
  // log1p(e^bx) = max(bx, 0) + log1p(e^−|bx|)
  return (Math.max(bx, 0) + Math.log1p(Math.exp(-Math.abs(bx)))) / beta;
}
export function mish(x: number): number {
  if (x === -Infinity) return -0;
  const sp = x > 0 ? x + Math.log1p(Math.exp(-x)) : Math.log1p(Math.exp(x));
  return x * Math.tanh(sp);
}
export function elu(x: number, alpha = 1): number {
  return x > 0 ? x : alpha * Math.expm1(x);
}
export function selu(x: number): number {
  return SELU_SCALE * (x > 0 ? x : SELU_ALPHA * Math.expm1(x));
}
export function hardSigmoid(x: number): number {
  return x <= -3 ? 0 : x >= 3 ? 1 : x / 6 + 0.5;
}
export function hardSwish(x: number): number {
  return x <= -3 ? 0 : x >= 3 ? x : (x * (x + 3)) / 6;
}
export function identity(x: number): number {
  return x;
}
