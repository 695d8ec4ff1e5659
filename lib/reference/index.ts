// The pure-TS reference: array-level twins of the public elementwise and GLU ops, evaluated in
// float64 (results are Float64Array so that tests can measure the float32 kernels' error in ULPs).
// This is also the benchmark's plain-JS baseline.
import * as s from './activations';
import * as d from './backward';

export * as scalar from './activations';
export * as derivative from './backward';
export { erfc } from './erf';
export * from './matrix';
export * from './matrix-backward';

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

// ---- gradients (float64): dx = dy·f′(x), 0 on the flat pieces whatever dy is (README, "Training") ----
type Grad = (x: number, dy: number) => number;

function mapGrad(x: ArrayLike<number>, dy: ArrayLike<number>, g: Grad): Float64Array {
  const r = new Float64Array(x.length);
  for (let i = 0; i < x.length; i++) r[i] = g(x[i], dy[i]);
  return r;
}
const grad = (name: string, fp: (x: number) => number): Grad =>
  name === 'identity' ? (_x, dy) => dy : d.chain(fp, d.flat[name]);

export const reluBackward = (x: ArrayLike<number>, dy: ArrayLike<number>) => mapGrad(x, dy, grad('relu', d.relu));
export const relu6Backward = (x: ArrayLike<number>, dy: ArrayLike<number>) => mapGrad(x, dy, grad('relu6', d.relu6));
export const sigmoidBackward = (x: ArrayLike<number>, dy: ArrayLike<number>) => mapGrad(x, dy, grad('sigmoid', d.sigmoid));
export const tanhBackward = (x: ArrayLike<number>, dy: ArrayLike<number>) => mapGrad(x, dy, grad('tanh', d.tanh));
export const quickGeluBackward = (x: ArrayLike<number>, dy: ArrayLike<number>) => mapGrad(x, dy, grad('quickGelu', d.quickGelu));
export const mishBackward = (x: ArrayLike<number>, dy: ArrayLike<number>) => mapGrad(x, dy, grad('mish', d.mish));
export const seluBackward = (x: ArrayLike<number>, dy: ArrayLike<number>) => mapGrad(x, dy, grad('selu', d.selu));
export const hardSigmoidBackward = (x: ArrayLike<number>, dy: ArrayLike<number>) => mapGrad(x, dy, grad('hardSigmoid', d.hardSigmoid));
export const hardSwishBackward = (x: ArrayLike<number>, dy: ArrayLike<number>) => mapGrad(x, dy, grad('hardSwish', d.hardSwish));
export const leakyReluBackward = (x: ArrayLike<number>, dy: ArrayLike<number>, o: { slope?: number } = {}) =>
  mapGrad(x, dy, grad('leakyRelu', (v) => d.leakyRelu(v, o.slope ?? 0.01)));
export const siluBackward = (x: ArrayLike<number>, dy: ArrayLike<number>, o: { beta?: number } = {}) =>
  mapGrad(x, dy, grad('silu', (v) => d.silu(v, o.beta ?? 1)));
export const swishBackward = siluBackward;
export const geluBackward = (x: ArrayLike<number>, dy: ArrayLike<number>, o: { approximate?: 'none' | 'tanh' } = {}) =>
  mapGrad(x, dy, grad('gelu', o.approximate === 'tanh' ? d.geluTanh : d.gelu));
export const softplusBackward = (x: ArrayLike<number>, dy: ArrayLike<number>, o: { beta?: number; threshold?: number } = {}) =>
  mapGrad(x, dy, grad('softplus', (v) => d.softplus(v, o.beta ?? 1, o.threshold ?? 20)));
export const eluBackward = (x: ArrayLike<number>, dy: ArrayLike<number>, o: { alpha?: number } = {}) =>
  mapGrad(x, dy, grad('elu', (v) => d.elu(v, o.alpha ?? 1)));

/** Gradients of act(gate) ⊙ up: dGate = dh·up·act′(gate) (0 on act's flat pieces), dUp = dh·act(gate). */
function gluBackwardWith(name: string, act: Unary, fp: Unary) {
  const g = grad(name, fp);
  return (gate: ArrayLike<number>, up: ArrayLike<number>, dh: ArrayLike<number>) => {
    const dGate = new Float64Array(gate.length);
    const dUp = new Float64Array(gate.length);
    for (let i = 0; i < gate.length; i++) {
      dGate[i] = g(gate[i], dh[i] * up[i]);
      dUp[i] = dh[i] * act(gate[i]);
    }
    return { dGate, dUp };
  };
}
export const gluBackward = gluBackwardWith('sigmoid', s.sigmoid, d.sigmoid);
export const regluBackward = gluBackwardWith('relu', s.relu, d.relu);
export const gegluBackward = (gate: ArrayLike<number>, up: ArrayLike<number>, dh: ArrayLike<number>, o: { approximate?: 'none' | 'tanh' } = {}) =>
  (o.approximate === 'tanh' ? gluBackwardWith('gelu', s.geluTanh, d.geluTanh) : gluBackwardWith('gelu', s.gelu, d.gelu))(gate, up, dh);
export const swigluBackward = gluBackwardWith('silu', (v) => s.silu(v, 1), (v) => d.silu(v, 1));
export const bilinearBackward = gluBackwardWith('identity', s.identity, d.identity);

// ---- 16-bit floats: bfloat16 / binary16 <-> float32, bit for bit ----
export { toBf16, toF16, fromBf16, fromF16 } from './convert';
export * as convert from './convert';
