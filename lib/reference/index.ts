// The pure-TS reference: array-level twins of the public elementwise and GLU ops, evaluated in
// float64 (results are Float64Array so that tests can measure the float32 kernels' error in ULPs).
// This is also the benchmark's plain-JS baseline.
import * as s from './activations';

export * as scalar from './activations';
export { erfc } from './erf';
export * from './matrix';

type Unary = (x: number) => number;

function map(x: ArrayLike<number>, f: Unary): Float64Array {
  const y = new Float64Array(x.length);
  for (let i = 0; i < x.length; i++) y[i] = f(x[i]);
  return y;
}

export const relu = (x: ArrayLike<number>) => map(x, s.relu);
export const relu6 = (x: ArrayLike<number>) => map(x, s.relu6);
export const sigmoid = (x: ArrayLike<number>) => map(x, s.sigmoid);
export const tanh = (x: ArrayLike<number>) => map(x, s.tanh);
export const quickGelu = (x: ArrayLike<number>) => map(x, s.quickGelu);
export const mish = (x: ArrayLike<number>) => map(x, s.mish);
export const selu = (x: ArrayLike<number>) => map(x, s.selu);
export const hardSigmoid = (x: ArrayLike<number>) => map(x, s.hardSigmoid);
export const hardSwish = (x: ArrayLike<number>) => map(x, s.hardSwish);
export const leakyRelu = (x: ArrayLike<number>, o: { slope?: number } = {}) => map(x, (v) => s.leakyRelu(v, o.slope ?? 0.01));
export const silu = (x: ArrayLike<number>, o: { beta?: number } = {}) => map(x, (v) => s.silu(v, o.beta ?? 1));
export const swish = silu;
export const gelu = (x: ArrayLike<number>, o: { approximate?: 'none' | 'tanh' } = {}) =>
  map(x, o.approximate === 'tanh' ? s.geluTanh : s.gelu);
export const softplus = (x: ArrayLike<number>, o: { beta?: number; threshold?: number } = {}) =>
  map(x, (v) => s.softplus(v, o.beta ?? 1, o.threshold ?? 20));
export const elu = (x: ArrayLike<number>, o: { alpha?: number } = {}) => map(x, (v) => s.elu(v, o.alpha ?? 1));

function gluWith(act: Unary) {
  return (gate: ArrayLike<number>, up: ArrayLike<number>): Float64Array => {
    const y = new Float64Array(gate.length);
    for (let i = 0; i < gate.length; i++) y[i] = act(gate[i]) * up[i];
    return y;
  };
}
/** act(gate) ⊙ up, two-input form. */
export const glu = gluWith(s.sigmoid);
export const reglu = gluWith(s.relu);
export const geglu = (gate: ArrayLike<number>, up: ArrayLike<number>, o: { approximate?: 'none' | 'tanh' } = {}) =>
  gluWith(o.approximate === 'tanh' ? s.geluTanh : s.gelu)(gate, up);
export const swiglu = gluWith((v) => s.silu(v, 1));
export const bilinear = gluWith(s.identity);

/** Splits rows of [gate(width) | up(width)] into the two operands of the two-input form. */
export function splitRows(x: ArrayLike<number>, width: number): [Float64Array, Float64Array] {
  const rows = x.length / (2 * width);
  const gate = new Float64Array(rows * width);
  const up = new Float64Array(rows * width);
  for (let r = 0; r < rows; r++) {
    for (let j = 0; j < width; j++) {
      gate[r * width + j] = x[r * 2 * width + j];
      up[r * width + j] = x[r * 2 * width + width + j];
    }
  }
  return [gate, up];
}
