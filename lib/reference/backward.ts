// Pure-TypeScript float64 derivatives of every activation (reference.derivative.*): the truth the
// gradient kernels are measured against. Written as rational functions of E = e^−|w| (w the argument of
// the sigmoid inside), which neither cancel nor overflow in the tails: no 1 − tanh² and no s·(1 − s).
// Kinks follow PyTorch CPU (README, "Training"); `flat` says where f′ is 0 by definition, where the
// gradient is 0 whatever dy is.
import { erfc } from './erf';
import { SELU_ALPHA, SELU_SCALE } from './activations';

const INV_SQRT_2PI = 0.3989422804014327;
const SQRT_HALF = Math.SQRT1_2;
const GELU_A = 2 * 0.7978845608028654; // 2·√(2/π)
const GELU_C = 0.044715;

/** E/(1 + E)² = s(w)·s(−w) for E = e^−|w|. */
function bell(E: number): number {
  return E / ((1 + E) * (1 + E));
}

/** d/dx of x·s(w(x)) = s(w)·(1 + t·s(−w)), t = x·w′(x), from E = e^−|w|. */
function sigmoidChain(w: number, t: number): number {
  const E = Math.exp(-Math.abs(w));
  const d = (1 + E) * (1 + E);
  return w < 0 ? (E * (1 + E + t)) / d : (1 + E * (1 + t)) / d;
}

export function relu(x: number): number {
  return x !== x ? x : x > 0 ? 1 : 0;
}
export function leakyRelu(x: number, slope = 0.01): number {
  return x !== x ? x : x > 0 ? 1 : slope;
}
export function relu6(x: number): number {
  return x !== x ? x : x > 0 && x < 6 ? 1 : 0;
}
export function sigmoid(x: number): number {
  return bell(Math.exp(-Math.abs(x)));
}
export function tanh(x: number): number {
  return 4 * bell(Math.exp(-2 * Math.abs(x)));
}
export function silu(x: number, beta = 1): number {
  if (x !== x) return x;
  if (beta === 0) return 0.5;
  const z = beta * x;
  if (!Number.isFinite(z)) return z > 0 ? 1 : -0;
  return sigmoidChain(z, z);
}
export function quickGelu(x: number): number {
  return silu(x, 1.702);
}
export function gelu(x: number): number {
  if (x !== x) return x;
  if (!Number.isFinite(x)) return x > 0 ? 1 : -0;
  return 0.5 * erfc(-x * SQRT_HALF) + x * INV_SQRT_2PI * Math.exp(-0.5 * x * x);
}
export function geluTanh(x: number): number {
  if (x !== x) return x;
  if (Math.abs(x) > 100) return x > 0 ? 1 : -0; // |w| > 10^4: f′ is 1 or below 2^−1000
  const w = GELU_A * (x + GELU_C * x * x * x);
  const t = x * (GELU_A + 3 * GELU_A * GELU_C * x * x);
  return sigmoidChain(w, t);
}
/** PyTorch compares the float32 product beta·x with the threshold converted to float32 (as the kernels). */
export function softplus(x: number, beta = 1, threshold = 20): number {
  if (x !== x) return x;
  if (Math.fround(Math.fround(beta) * x) > Math.fround(threshold)) return 1;
  const z = beta * x;
  const E = Math.exp(-Math.abs(z));
  return z < 0 ? E / (1 + E) : 1 / (1 + E);
}
export function mish(x: number): number {
  if (x !== x) return x;
  if (!Number.isFinite(x)) return x > 0 ? 1 : -0;
  const E = Math.exp(-Math.abs(x));
  if (x < 0) {
    const q = 2 + E * (E + 2);
    return (E * ((E + 2) * q + 4 * x * (1 + E))) / (q * q);
  }
  const k = 1 + 2 * E;
  const q = k + 2 * E * E;
  return (k * q + 4 * x * E * E * (1 + E)) / (q * q);
}
export function elu(x: number, alpha = 1): number {
  return x !== x ? x : x > 0 ? 1 : alpha * Math.exp(x);
}
export function selu(x: number): number {
  return x !== x ? x : x > 0 ? SELU_SCALE : SELU_SCALE * SELU_ALPHA * Math.exp(x);
}
export function hardSigmoid(x: number): number {
  return x !== x ? x : x > -3 && x < 3 ? 1 / 6 : 0;
}
export function hardSwish(x: number): number {
  return x !== x ? x : x <= -3 ? 0 : x >= 3 ? 1 : (2 * x + 3) / 6;
}
/** The bilinear GLU's "activation": f′ = 1 everywhere (its dGate = dh·up does not depend on gate). */
export function identity(): number {
  return 1;
}

/** Where f′ is 0 by definition (a flat piece): the gradient there is 0 whatever dy is (NaN, ±Inf too). */
export const flat: Partial<Record<string, (x: number) => boolean>> = {
  relu: (x) => x <= 0,
  relu6: (x) => x <= 0 || x >= 6,
  hardSigmoid: (x) => x <= -3 || x >= 3,
  hardSwish: (x) => x <= -3,
};

/** dy·f′(x), 0 on f's flat pieces whatever dy is, NaN where x is NaN. */
export function chain(fp: (x: number) => number, isFlat?: (x: number) => boolean) {
  return (x: number, dy: number): number => {
    if (x !== x) return x;
    if (isFlat && isFlat(x)) return 0;
    return dy * fp(x);
  };
}
