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

/**
 * relu′(x), the derivative of reference.scalar.relu, in float64: 1 for x > 0, else 0 (relu′(0) = 0, PyTorch's convention); NaN gives NaN.
 * @param x The input.
 * @returns The derivative, a float64 number.
 * @throws Never for a number: arithmetic only, nothing is checked.
 * @example
 * sg.reference.derivative.relu(0); // 0
 */
export function relu(x: number): number {
  return x !== x ? x : x > 0 ? 1 : 0;
}
/**
 * leakyRelu′(x), the derivative of reference.scalar.leakyRelu, in float64: 1 for x > 0, else slope (leakyRelu′(0) = slope); NaN gives NaN.
 * @param x The input.
 * @param slope The slope for x ≤ 0 (default 0.01).
 * @returns The derivative, a float64 number.
 * @throws Never for a number: arithmetic only, nothing is checked.
 * @example
 * sg.reference.derivative.leakyRelu(-1, 0.2); // 0.2
 */
export function leakyRelu(x: number, slope = 0.01): number {
  return x !== x ? x : x > 0 ? 1 : slope;
}
/**
 * relu6′(x), the derivative of reference.scalar.relu6, in float64: 1 on (0, 6), else 0; NaN gives NaN.
 * @param x The input.
 * @returns The derivative, a float64 number.
 * @throws Never for a number: arithmetic only, nothing is checked.
 * @example
 * sg.reference.derivative.relu6(3); // 1
 */
export function relu6(x: number): number {
  return x !== x ? x : x > 0 && x < 6 ? 1 : 0;
}
/**
 * sigmoid′(x), the derivative of reference.scalar.sigmoid, in float64: s(x)·s(−x), from e^−|x|; NaN gives NaN.
 * @param x The input.
 * @returns The derivative, a float64 number.
 * @throws Never for a number: arithmetic only, nothing is checked.
 * @example
 * sg.reference.derivative.sigmoid(0); // 0.25
 */
export function sigmoid(x: number): number {
  return bell(Math.exp(-Math.abs(x)));
}
/**
 * tanh′(x), the derivative of reference.scalar.tanh, in float64: 1 − tanh²(x), as 4E/(1 + E)² with E = e^−2|x| (no cancellation); NaN gives NaN.
 * @param x The input.
 * @returns The derivative, a float64 number.
 * @throws Never for a number: arithmetic only, nothing is checked.
 * @example
 * sg.reference.derivative.tanh(0); // 1
 */
export function tanh(x: number): number {
  return 4 * bell(Math.exp(-2 * Math.abs(x)));
}
/**
 * silu′(x), the derivative of reference.scalar.silu, in float64: s(βx)·(1 + βx·s(−βx)), from E = e^−|βx|; NaN gives NaN.
 * @param x The input.
 * @param beta The β (default 1).
 * @returns The derivative, a float64 number.
 * @throws Never for a number: arithmetic only, nothing is checked.
 * @example
 * sg.reference.derivative.silu(0); // 0.5
 */
export function silu(x: number, beta = 1): number {
  if (x !== x) return x;
  if (beta === 0) return 0.5;
  const z = beta * x;
  if (!Number.isFinite(z)) return z > 0 ? 1 : -0;
  return sigmoidChain(z, z);
}
/**
 * quickGelu′(x), the derivative of reference.scalar.quickGelu, in float64: silu′ with β = 1.702; NaN gives NaN.
 * @param x The input.
 * @returns The derivative, a float64 number.
 * @throws Never for a number: arithmetic only, nothing is checked.
 * @example
 * sg.reference.derivative.quickGelu(0); // 0.5
 */
export function quickGelu(x: number): number {
  return silu(x, 1.702);
}
/**
 * gelu′(x), the derivative of reference.scalar.gelu, in float64: Φ(x) + x·φ(x); NaN gives NaN.
 * @param x The input.
 * @returns The derivative, a float64 number.
 * @throws Never for a number: arithmetic only, nothing is checked.
 * @example
 * sg.reference.derivative.gelu(0); // 0.5
 */
export function gelu(x: number): number {
  if (x !== x) return x;
  if (!Number.isFinite(x)) return x > 0 ? 1 : -0;
  return 0.5 * erfc(-x * SQRT_HALF) + x * INV_SQRT_2PI * Math.exp(-0.5 * x * x);
}
/**
 * geluTanh′(x), the derivative of reference.scalar.geluTanh, in float64: the derivative of the tanh form; NaN gives NaN.
 * @param x The input.
 * @returns The derivative, a float64 number.
 * @throws Never for a number: arithmetic only, nothing is checked.
 * @example
 * sg.reference.derivative.geluTanh(0); // 0.5
 */
export function geluTanh(x: number): number {
  if (x !== x) return x;
  if (Math.abs(x) > 100) return x > 0 ? 1 : -0; // |w| > 10^4: f′ is 1 or below 2^−1000
  const w = GELU_A * (x + GELU_C * x * x * x);
  const t = x * (GELU_A + 3 * GELU_A * GELU_C * x * x);
  return sigmoidChain(w, t);
}
/**
 * softplus′(x), the derivative of reference.scalar.softplus, in float64: sigmoid(β·x), or 1 where β·x > threshold; NaN gives NaN.
 * @param x The input.
 * @param beta The β (default 1).
 * @param threshold Above β·x > threshold the result is x (default 20).
 * @returns The derivative, a float64 number.
 * @throws Never for a number: arithmetic only, nothing is checked.
 * @example
 * sg.reference.derivative.softplus(0); // 0.5
 */
export function softplus(x: number, beta = 1, threshold = 20): number {
  if (x !== x) return x;
  if (Math.fround(Math.fround(beta) * x) > Math.fround(threshold)) return 1;
  const z = beta * x;
  const E = Math.exp(-Math.abs(z));
  return z < 0 ? E / (1 + E) : 1 / (1 + E);
}
/**
 * mish′(x), the derivative of reference.scalar.mish, in float64: the derivative of x·tanh(softplus(x)), in a form without cancellation; NaN gives NaN.
 * @param x The input.
 * @returns The derivative, a float64 number.
 * @throws Never for a number: arithmetic only, nothing is checked.
 * @example
 * sg.reference.derivative.mish(0); // 0.6
 */
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
/**
 * elu′(x), the derivative of reference.scalar.elu, in float64: 1 for x > 0, alpha·e^x for x ≤ 0 (the left branch at 0); NaN gives NaN.
 * @param x The input.
 * @param alpha The α (default 1).
 * @returns The derivative, a float64 number.
 * @throws Never for a number: arithmetic only, nothing is checked.
 * @example
 * sg.reference.derivative.elu(0); // 1
 */
export function elu(x: number, alpha = 1): number {
  return x !== x ? x : x > 0 ? 1 : alpha * Math.exp(x);
}
/**
 * selu′(x), the derivative of reference.scalar.selu, in float64: SELU_SCALE for x > 0, SELU_SCALE·SELU_ALPHA·e^x for x ≤ 0; NaN gives NaN.
 * @param x The input.
 * @returns The derivative, a float64 number.
 * @throws Never for a number: arithmetic only, nothing is checked.
 * @example
 * sg.reference.derivative.selu(1); // 1.0507009873554805
 */
export function selu(x: number): number {
  return x !== x ? x : x > 0 ? SELU_SCALE : SELU_SCALE * SELU_ALPHA * Math.exp(x);
}
/**
 * hardSigmoid′(x), the derivative of reference.scalar.hardSigmoid, in float64: 1/6 on (−3, 3), else 0; NaN gives NaN.
 * @param x The input.
 * @returns The derivative, a float64 number.
 * @throws Never for a number: arithmetic only, nothing is checked.
 * @example
 * sg.reference.derivative.hardSigmoid(0); // 0.16666666666666666
 */
export function hardSigmoid(x: number): number {
  return x !== x ? x : x > -3 && x < 3 ? 1 / 6 : 0;
}
/**
 * hardSwish′(x), the derivative of reference.scalar.hardSwish, in float64: 0 for x ≤ −3, x/3 + 1/2 on (−3, 3), 1 for x ≥ 3; NaN gives NaN.
 * @param x The input.
 * @returns The derivative, a float64 number.
 * @throws Never for a number: arithmetic only, nothing is checked.
 * @example
 * sg.reference.derivative.hardSwish(0); // 0.5
 */
export function hardSwish(x: number): number {
  return x !== x ? x : x <= -3 ? 0 : x >= 3 ? 1 : (2 * x + 3) / 6;
}
/**
 * identity′: 1 everywhere (bilinear's gate has no activation).
 * @returns The number 1.
 * @throws Never: it takes no argument and returns 1.
 * @example
 * sg.reference.derivative.identity(); // 1
 */
export function identity(): number {
  return 1;
}

/** Where f′ is 0 by definition, per activation name: there the gradient is 0 whatever dy is (NaN and ±Inf too, as PyTorch's select). */
export const flat: Partial<Record<string, (x: number) => boolean>> = {
  relu: (x) => x <= 0,
  relu6: (x) => x <= 0 || x >= 6,
  hardSigmoid: (x) => x <= -3 || x >= 3,
  hardSwish: (x) => x <= -3,
};

/**
 * The gradient rule the kernels follow: (x, dy) ↦ dy·fp(x), except 0 where isFlat(x) whatever dy is, and NaN where x is NaN.
 * @param fp The derivative, e.g. reference.derivative.silu.
 * @param isFlat Where f′ is 0 by definition (reference.derivative.flat[name]); none if omitted.
 * @returns A function (x, dy) => the gradient, a float64 number.
 * @throws Never: building the rule calls neither function; the rule itself throws only what fp or isFlat throws (the derivatives here never do).
 * @example
 * const { derivative } = sg.reference;
 * const rule = derivative.chain(derivative.relu, derivative.flat.relu);
 * rule(2, 3); // 3
 * rule(-1, NaN); // 0
 */
export function chain(fp: (x: number) => number, isFlat?: (x: number) => boolean) {
  return (x: number, dy: number): number => {
    if (x !== x) return x;
    if (isFlat && isFlat(x)) return 0;
    return dy * fp(x);
  };
}
