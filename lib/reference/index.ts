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

/**
 * The float64 twin of `relu`: reference.scalar.relu of each element, what the tests measure the kernels' ULP error against.
 * @param x The inputs (any array-like of numbers; nothing is checked).
 * @returns A new Float64Array of x's length.
 * @throws Never for an array-like x: nothing is checked (an element that is not a number gives NaN). Only a null or undefined x fails (the engine's TypeError), or a length no Float64Array can have (its RangeError).
 * @example
 * sg.reference.relu([-1, 0.5]); // Float64Array [0, 0.5]
 */
export const relu = (x: ArrayLike<number>) => map(x, s.relu);
/**
 * The float64 twin of `relu6`: reference.scalar.relu6 of each element, what the tests measure the kernels' ULP error against.
 * @param x The inputs (any array-like of numbers; nothing is checked).
 * @returns A new Float64Array of x's length.
 * @throws Never for an array-like x: nothing is checked (an element that is not a number gives NaN). Only a null or undefined x fails (the engine's TypeError), or a length no Float64Array can have (its RangeError).
 * @example
 * sg.reference.relu6([-1, 3, 9]); // Float64Array [0, 3, 6]
 */
export const relu6 = (x: ArrayLike<number>) => map(x, s.relu6);
/**
 * The float64 twin of `sigmoid`: reference.scalar.sigmoid of each element, what the tests measure the kernels' ULP error against.
 * @param x The inputs (any array-like of numbers; nothing is checked).
 * @returns A new Float64Array of x's length.
 * @throws Never for an array-like x: nothing is checked (an element that is not a number gives NaN). Only a null or undefined x fails (the engine's TypeError), or a length no Float64Array can have (its RangeError).
 * @example
 * sg.reference.sigmoid([0]); // Float64Array [0.5]
 */
export const sigmoid = (x: ArrayLike<number>) => map(x, s.sigmoid);
/**
 * The float64 twin of `tanh`: reference.scalar.tanh of each element, what the tests measure the kernels' ULP error against.
 * @param x The inputs (any array-like of numbers; nothing is checked).
 * @returns A new Float64Array of x's length.
 * @throws Never for an array-like x: nothing is checked (an element that is not a number gives NaN). Only a null or undefined x fails (the engine's TypeError), or a length no Float64Array can have (its RangeError).
 * @example
 * sg.reference.tanh([0, 20]); // Float64Array [0, 1]
 */
export const tanh = (x: ArrayLike<number>) => map(x, s.tanh);
/**
 * The float64 twin of `quickGelu`: reference.scalar.quickGelu of each element, what the tests measure the kernels' ULP error against.
 * @param x The inputs (any array-like of numbers; nothing is checked).
 * @returns A new Float64Array of x's length.
 * @throws Never for an array-like x: nothing is checked (an element that is not a number gives NaN). Only a null or undefined x fails (the engine's TypeError), or a length no Float64Array can have (its RangeError).
 * @example
 * sg.reference.quickGelu([0, -Infinity]); // Float64Array [0, -0]
 */
export const quickGelu = (x: ArrayLike<number>) => map(x, s.quickGelu);
/**
 * The float64 twin of `mish`: reference.scalar.mish of each element, what the tests measure the kernels' ULP error against.
 * @param x The inputs (any array-like of numbers; nothing is checked).
 * @returns A new Float64Array of x's length.
 * @throws Never for an array-like x: nothing is checked (an element that is not a number gives NaN). Only a null or undefined x fails (the engine's TypeError), or a length no Float64Array can have (its RangeError).
 * @example
 * sg.reference.mish([0, -Infinity]); // Float64Array [0, -0]
 */
export const mish = (x: ArrayLike<number>) => map(x, s.mish);
/**
 * The float64 twin of `selu`: reference.scalar.selu of each element, what the tests measure the kernels' ULP error against.
 * @param x The inputs (any array-like of numbers; nothing is checked).
 * @returns A new Float64Array of x's length.
 * @throws Never for an array-like x: nothing is checked (an element that is not a number gives NaN). Only a null or undefined x fails (the engine's TypeError), or a length no Float64Array can have (its RangeError).
 * @example
 * sg.reference.selu([0, 1]); // Float64Array [0, 1.0507009873554805]
 */
export const selu = (x: ArrayLike<number>) => map(x, s.selu);
/**
 * The float64 twin of `hardSigmoid`: reference.scalar.hardSigmoid of each element, what the tests measure the kernels' ULP error against.
 * @param x The inputs (any array-like of numbers; nothing is checked).
 * @returns A new Float64Array of x's length.
 * @throws Never for an array-like x: nothing is checked (an element that is not a number gives NaN). Only a null or undefined x fails (the engine's TypeError), or a length no Float64Array can have (its RangeError).
 * @example
 * sg.reference.hardSigmoid([-4, 0, 4]); // Float64Array [0, 0.5, 1]
 */
export const hardSigmoid = (x: ArrayLike<number>) => map(x, s.hardSigmoid);
/**
 * The float64 twin of `hardSwish`: reference.scalar.hardSwish of each element, what the tests measure the kernels' ULP error against.
 * @param x The inputs (any array-like of numbers; nothing is checked).
 * @returns A new Float64Array of x's length.
 * @throws Never for an array-like x: nothing is checked (an element that is not a number gives NaN). Only a null or undefined x fails (the engine's TypeError), or a length no Float64Array can have (its RangeError).
 * @example
 * sg.reference.hardSwish([-4, 0, 4]); // Float64Array [0, 0, 4]
 */
export const hardSwish = (x: ArrayLike<number>) => map(x, s.hardSwish);
/**
 * The float64 twin of `leakyRelu`: reference.scalar.leakyRelu of each element, what the tests measure the kernels' ULP error against.
 * @param x The inputs (any array-like of numbers; nothing is checked).
 * @param o Options: the op's options: `slope` (default 0.01).
 * @returns A new Float64Array of x's length.
 * @throws Never for an array-like x and an options object: nothing is checked (an element that is not a number gives NaN). Only a null or undefined x or a null o fails (the engine's TypeError), or a length no Float64Array can have (its RangeError).
 * @example
 * sg.reference.leakyRelu([-10, 1], { slope: 0.1 }); // Float64Array [-1, 1]
 */
export const leakyRelu = (x: ArrayLike<number>, o: { slope?: number } = {}) => map(x, (v) => s.leakyRelu(v, o.slope ?? 0.01));
/**
 * The float64 twin of `silu`: reference.scalar.silu of each element, what the tests measure the kernels' ULP error against.
 * @param x The inputs (any array-like of numbers; nothing is checked).
 * @param o Options: the op's options: `beta` (default 1).
 * @returns A new Float64Array of x's length.
 * @throws Never for an array-like x and an options object: nothing is checked (an element that is not a number gives NaN). Only a null or undefined x or a null o fails (the engine's TypeError), or a length no Float64Array can have (its RangeError).
 * @example
 * sg.reference.silu([0, 1]); // Float64Array [0, 0.7310585786300049]
 */
export const silu = (x: ArrayLike<number>, o: { beta?: number } = {}) => map(x, (v) => s.silu(v, o.beta ?? 1));
/**
 * The float64 twin of `swish`: the same function as reference.silu.
 * @param x The inputs (any array-like of numbers; nothing is checked).
 * @param o Options: the op's options: `beta` (default 1).
 * @returns A new Float64Array of x's length.
 * @throws Never for an array-like x and an options object: nothing is checked (an element that is not a number gives NaN). Only a null or undefined x or a null o fails (the engine's TypeError), or a length no Float64Array can have (its RangeError).
 * @example
 * sg.reference.swish([0, 1], { beta: 0 }); // Float64Array [0, 0.5]
 */
export const swish = silu;
/**
 * The float64 twin of `gelu`: reference.scalar.gelu (or geluTanh) of each element, what the tests measure the kernels' ULP error against.
 * @param x The inputs (any array-like of numbers; nothing is checked).
 * @param o Options: the op's options: `approximate` ('none', the default, or 'tanh').
 * @returns A new Float64Array of x's length.
 * @throws Never for an array-like x and an options object: nothing is checked (an element that is not a number gives NaN). Only a null or undefined x or a null o fails (the engine's TypeError), or a length no Float64Array can have (its RangeError).
 * @example
 * sg.reference.gelu([0, 1], { approximate: 'tanh' }); // Float64Array [0, 0.8411919906082768]
 */
export const gelu = (x: ArrayLike<number>, o: { approximate?: 'none' | 'tanh' } = {}) =>
  map(x, o.approximate === 'tanh' ? s.geluTanh : s.gelu);
/**
 * The float64 twin of `softplus`: reference.scalar.softplus of each element, what the tests measure the kernels' ULP error against.
 * @param x The inputs (any array-like of numbers; nothing is checked).
 * @param o Options: the op's options: `beta` (default 1), `threshold` (default 20).
 * @returns A new Float64Array of x's length.
 * @throws Never for an array-like x and an options object: nothing is checked (an element that is not a number gives NaN). Only a null or undefined x or a null o fails (the engine's TypeError), or a length no Float64Array can have (its RangeError).
 * @example
 * sg.reference.softplus([0, 30]); // Float64Array [0.6931471805599453, 30]
 */
export const softplus = (x: ArrayLike<number>, o: { beta?: number; threshold?: number } = {}) =>
  map(x, (v) => s.softplus(v, o.beta ?? 1, o.threshold ?? 20));
/**
 * The float64 twin of `elu`: reference.scalar.elu of each element, what the tests measure the kernels' ULP error against.
 * @param x The inputs (any array-like of numbers; nothing is checked).
 * @param o Options: the op's options: `alpha` (default 1).
 * @returns A new Float64Array of x's length.
 * @throws Never for an array-like x and an options object: nothing is checked (an element that is not a number gives NaN). Only a null or undefined x or a null o fails (the engine's TypeError), or a length no Float64Array can have (its RangeError).
 * @example
 * sg.reference.elu([-Infinity, 2], { alpha: 0.5 }); // Float64Array [-0.5, 2]
 */
export const elu = (x: ArrayLike<number>, o: { alpha?: number } = {}) => map(x, (v) => s.elu(v, o.alpha ?? 1));

function gluWith(act: Unary) {
  return (gate: ArrayLike<number>, up: ArrayLike<number>): Float64Array => {
    const y = new Float64Array(gate.length);
    for (let i = 0; i < gate.length; i++) y[i] = act(gate[i]) * up[i];
    return y;
  };
}
/**
 * The float64 twin of `glu` (two-input form): sigmoid(gate[i])·up[i] for each element.
 * @param gate The gate inputs.
 * @param up The up inputs, gate's length (not checked).
 * @returns A new Float64Array of gate's length.
 * @throws Never for array-like gate and up: nothing is checked (past the end of a shorter up the result is NaN). Only a null or undefined gate, or up when gate is not empty, fails (the engine's TypeError), or a length no Float64Array can have (its RangeError).
 * @example
 * sg.reference.glu([0], [4]); // Float64Array [2]
 */
export const glu = gluWith(s.sigmoid);
/**
 * The float64 twin of `reglu` (two-input form): relu(gate[i])·up[i] for each element.
 * @param gate The gate inputs.
 * @param up The up inputs, gate's length (not checked).
 * @returns A new Float64Array of gate's length.
 * @throws Never for array-like gate and up: nothing is checked (past the end of a shorter up the result is NaN). Only a null or undefined gate, or up when gate is not empty, fails (the engine's TypeError), or a length no Float64Array can have (its RangeError).
 * @example
 * sg.reference.reglu([-1, 2], [5, 3]); // Float64Array [0, 6]
 */
export const reglu = gluWith(s.relu);
/**
 * The float64 twin of `geglu` (two-input form): gelu(gate[i])·up[i] for each element.
 * @param gate The gate inputs.
 * @param up The up inputs, gate's length (not checked).
 * @param o Options: `approximate` ('none', the default, or 'tanh').
 * @returns A new Float64Array of gate's length.
 * @throws Never for array-like gate and up and an options object: nothing is checked (past the end of a shorter up the result is NaN). Only a null or undefined gate, up when gate is not empty, or a null o fails (the engine's TypeError), or a length no Float64Array can have (its RangeError).
 * @example
 * sg.reference.geglu([0, -Infinity], [4, 4]); // Float64Array [0, -0]
 */
export const geglu = (gate: ArrayLike<number>, up: ArrayLike<number>, o: { approximate?: 'none' | 'tanh' } = {}) =>
  gluWith(o.approximate === 'tanh' ? s.geluTanh : s.gelu)(gate, up);
/**
 * The float64 twin of `swiglu` (two-input form): silu(gate[i])·up[i] for each element.
 * @param gate The gate inputs.
 * @param up The up inputs, gate's length (not checked).
 * @returns A new Float64Array of gate's length.
 * @throws Never for array-like gate and up: nothing is checked (past the end of a shorter up the result is NaN). Only a null or undefined gate, or up when gate is not empty, fails (the engine's TypeError), or a length no Float64Array can have (its RangeError).
 * @example
 * sg.reference.swiglu([0, 1], [3, 2]); // Float64Array [0, 1.4621171572600098]
 */
export const swiglu = gluWith((v) => s.silu(v, 1));
/**
 * The float64 twin of `bilinear` (two-input form): identity(gate[i])·up[i] for each element.
 * @param gate The gate inputs.
 * @param up The up inputs, gate's length (not checked).
 * @returns A new Float64Array of gate's length.
 * @throws Never for array-like gate and up: nothing is checked (past the end of a shorter up the result is NaN). Only a null or undefined gate, or up when gate is not empty, fails (the engine's TypeError), or a length no Float64Array can have (its RangeError).
 * @example
 * sg.reference.bilinear([2, -1], [3, 4]); // Float64Array [6, -4]
 */
export const bilinear = gluWith(s.identity);

/**
 * Splits rows of [gate(width) | up(width)] (the GLU split form's input) into the two operands of the two-input form.
 * @param x Rows of 2·width values.
 * @param width Values of gate (and of up) per row.
 * @returns Two new Float64Arrays, [gate, up], of rows·width values each.
 * @throws {RangeError} width is not a positive integer. Nothing else is checked (a partial last row is dropped); a null or undefined x fails with the engine's TypeError.
 * @example
 * sg.reference.splitRows([1, 2, 3, 4, 5, 6, 7, 8], 2); // [Float64Array [1, 2, 5, 6], Float64Array [3, 4, 7, 8]]
 */
export function splitRows(x: ArrayLike<number>, width: number): [Float64Array, Float64Array] {
  if (!Number.isInteger(width) || width < 1) throw new RangeError(`reference.splitRows: width must be a positive integer, got ${width}`);
  const rows = Math.floor(x.length / (2 * width));
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

/**
 * The float64 twin of `reluBackward`: dy[i]·f′(x[i]) with f′ from reference.derivative, and 0 on f's flat pieces whatever dy is (the kernels' convention).
 * @param x The forward's inputs (nothing is checked).
 * @param dy The gradient with respect to the forward's outputs, x's length.
 * @returns A new Float64Array of x's length.
 * @throws Never for array-like x and dy: nothing is checked (past the end of a shorter dy the result is NaN, or 0 on f's flat pieces). Only a null or undefined x, or dy when x is not empty, fails (the engine's TypeError), or a length no Float64Array can have (its RangeError).
 * @example
 * sg.reference.reluBackward([-1, 2], [5, 5]); // Float64Array [0, 5]
 */
export const reluBackward = (x: ArrayLike<number>, dy: ArrayLike<number>) => mapGrad(x, dy, grad('relu', d.relu));
/**
 * The float64 twin of `relu6Backward`: dy[i]·f′(x[i]) with f′ from reference.derivative, and 0 on f's flat pieces whatever dy is (the kernels' convention).
 * @param x The forward's inputs (nothing is checked).
 * @param dy The gradient with respect to the forward's outputs, x's length.
 * @returns A new Float64Array of x's length.
 * @throws Never for array-like x and dy: nothing is checked (past the end of a shorter dy the result is NaN, or 0 on f's flat pieces). Only a null or undefined x, or dy when x is not empty, fails (the engine's TypeError), or a length no Float64Array can have (its RangeError).
 * @example
 * sg.reference.relu6Backward([3, 7], [2, 2]); // Float64Array [2, 0]
 */
export const relu6Backward = (x: ArrayLike<number>, dy: ArrayLike<number>) => mapGrad(x, dy, grad('relu6', d.relu6));
/**
 * The float64 twin of `sigmoidBackward`: dy[i]·f′(x[i]) with f′ from reference.derivative, and 0 on f's flat pieces whatever dy is (the kernels' convention).
 * @param x The forward's inputs (nothing is checked).
 * @param dy The gradient with respect to the forward's outputs, x's length.
 * @returns A new Float64Array of x's length.
 * @throws Never for array-like x and dy: nothing is checked (past the end of a shorter dy the result is NaN, or 0 on f's flat pieces). Only a null or undefined x, or dy when x is not empty, fails (the engine's TypeError), or a length no Float64Array can have (its RangeError).
 * @example
 * sg.reference.sigmoidBackward([0], [1]); // Float64Array [0.25]
 */
export const sigmoidBackward = (x: ArrayLike<number>, dy: ArrayLike<number>) => mapGrad(x, dy, grad('sigmoid', d.sigmoid));
/**
 * The float64 twin of `tanhBackward`: dy[i]·f′(x[i]) with f′ from reference.derivative, and 0 on f's flat pieces whatever dy is (the kernels' convention).
 * @param x The forward's inputs (nothing is checked).
 * @param dy The gradient with respect to the forward's outputs, x's length.
 * @returns A new Float64Array of x's length.
 * @throws Never for array-like x and dy: nothing is checked (past the end of a shorter dy the result is NaN, or 0 on f's flat pieces). Only a null or undefined x, or dy when x is not empty, fails (the engine's TypeError), or a length no Float64Array can have (its RangeError).
 * @example
 * sg.reference.tanhBackward([0], [3]); // Float64Array [3]
 */
export const tanhBackward = (x: ArrayLike<number>, dy: ArrayLike<number>) => mapGrad(x, dy, grad('tanh', d.tanh));
/**
 * The float64 twin of `quickGeluBackward`: dy[i]·f′(x[i]) with f′ from reference.derivative, and 0 on f's flat pieces whatever dy is (the kernels' convention).
 * @param x The forward's inputs (nothing is checked).
 * @param dy The gradient with respect to the forward's outputs, x's length.
 * @returns A new Float64Array of x's length.
 * @throws Never for array-like x and dy: nothing is checked (past the end of a shorter dy the result is NaN, or 0 on f's flat pieces). Only a null or undefined x, or dy when x is not empty, fails (the engine's TypeError), or a length no Float64Array can have (its RangeError).
 * @example
 * sg.reference.quickGeluBackward([0], [1]); // Float64Array [0.5]
 */
export const quickGeluBackward = (x: ArrayLike<number>, dy: ArrayLike<number>) => mapGrad(x, dy, grad('quickGelu', d.quickGelu));
/**
 * The float64 twin of `mishBackward`: dy[i]·f′(x[i]) with f′ from reference.derivative, and 0 on f's flat pieces whatever dy is (the kernels' convention).
 * @param x The forward's inputs (nothing is checked).
 * @param dy The gradient with respect to the forward's outputs, x's length.
 * @returns A new Float64Array of x's length.
 * @throws Never for array-like x and dy: nothing is checked (past the end of a shorter dy the result is NaN, or 0 on f's flat pieces). Only a null or undefined x, or dy when x is not empty, fails (the engine's TypeError), or a length no Float64Array can have (its RangeError).
 * @example
 * sg.reference.mishBackward([0], [1]); // Float64Array [0.6]
 */
export const mishBackward = (x: ArrayLike<number>, dy: ArrayLike<number>) => mapGrad(x, dy, grad('mish', d.mish));
/**
 * The float64 twin of `seluBackward`: dy[i]·f′(x[i]) with f′ from reference.derivative, and 0 on f's flat pieces whatever dy is (the kernels' convention).
 * @param x The forward's inputs (nothing is checked).
 * @param dy The gradient with respect to the forward's outputs, x's length.
 * @returns A new Float64Array of x's length.
 * @throws Never for array-like x and dy: nothing is checked (past the end of a shorter dy the result is NaN, or 0 on f's flat pieces). Only a null or undefined x, or dy when x is not empty, fails (the engine's TypeError), or a length no Float64Array can have (its RangeError).
 * @example
 * sg.reference.seluBackward([1], [1]); // Float64Array [1.0507009873554805]
 */
export const seluBackward = (x: ArrayLike<number>, dy: ArrayLike<number>) => mapGrad(x, dy, grad('selu', d.selu));
/**
 * The float64 twin of `hardSigmoidBackward`: dy[i]·f′(x[i]) with f′ from reference.derivative, and 0 on f's flat pieces whatever dy is (the kernels' convention).
 * @param x The forward's inputs (nothing is checked).
 * @param dy The gradient with respect to the forward's outputs, x's length.
 * @returns A new Float64Array of x's length.
 * @throws Never for array-like x and dy: nothing is checked (past the end of a shorter dy the result is NaN, or 0 on f's flat pieces). Only a null or undefined x, or dy when x is not empty, fails (the engine's TypeError), or a length no Float64Array can have (its RangeError).
 * @example
 * sg.reference.hardSigmoidBackward([0, 4], [6, 6]); // Float64Array [1, 0]
 */
export const hardSigmoidBackward = (x: ArrayLike<number>, dy: ArrayLike<number>) => mapGrad(x, dy, grad('hardSigmoid', d.hardSigmoid));
/**
 * The float64 twin of `hardSwishBackward`: dy[i]·f′(x[i]) with f′ from reference.derivative, and 0 on f's flat pieces whatever dy is (the kernels' convention).
 * @param x The forward's inputs (nothing is checked).
 * @param dy The gradient with respect to the forward's outputs, x's length.
 * @returns A new Float64Array of x's length.
 * @throws Never for array-like x and dy: nothing is checked (past the end of a shorter dy the result is NaN, or 0 on f's flat pieces). Only a null or undefined x, or dy when x is not empty, fails (the engine's TypeError), or a length no Float64Array can have (its RangeError).
 * @example
 * sg.reference.hardSwishBackward([0, -4], [2, NaN]); // Float64Array [1, 0]
 */
export const hardSwishBackward = (x: ArrayLike<number>, dy: ArrayLike<number>) => mapGrad(x, dy, grad('hardSwish', d.hardSwish));
/**
 * The float64 twin of `leakyReluBackward`: dy[i]·f′(x[i]) with f′ from reference.derivative, and 0 on f's flat pieces whatever dy is (the kernels' convention).
 * @param x The forward's inputs (nothing is checked).
 * @param dy The gradient with respect to the forward's outputs, x's length.
 * @param o Options: the op's options: `slope` (default 0.01).
 * @returns A new Float64Array of x's length.
 * @throws Never for array-like x and dy and an options object: nothing is checked (past the end of a shorter dy the result is NaN, or 0 on f's flat pieces). Only a null or undefined x, dy when x is not empty, or a null o fails (the engine's TypeError), or a length no Float64Array can have (its RangeError).
 * @example
 * sg.reference.leakyReluBackward([-1, 1], [10, 10], { slope: 0.5 }); // Float64Array [5, 10]
 */
export const leakyReluBackward = (x: ArrayLike<number>, dy: ArrayLike<number>, o: { slope?: number } = {}) =>
  mapGrad(x, dy, grad('leakyRelu', (v) => d.leakyRelu(v, o.slope ?? 0.01)));
/**
 * The float64 twin of `siluBackward`: dy[i]·f′(x[i]) with f′ from reference.derivative, and 0 on f's flat pieces whatever dy is (the kernels' convention).
 * @param x The forward's inputs (nothing is checked).
 * @param dy The gradient with respect to the forward's outputs, x's length.
 * @param o Options: the op's options: `beta` (default 1).
 * @returns A new Float64Array of x's length.
 * @throws Never for array-like x and dy and an options object: nothing is checked (past the end of a shorter dy the result is NaN, or 0 on f's flat pieces). Only a null or undefined x, dy when x is not empty, or a null o fails (the engine's TypeError), or a length no Float64Array can have (its RangeError).
 * @example
 * sg.reference.siluBackward([0], [2]); // Float64Array [1]
 */
export const siluBackward = (x: ArrayLike<number>, dy: ArrayLike<number>, o: { beta?: number } = {}) =>
  mapGrad(x, dy, grad('silu', (v) => d.silu(v, o.beta ?? 1)));
/**
 * The float64 twin of `swishBackward`: the same function as reference.siluBackward.
 * @param x The forward's inputs.
 * @param dy The gradient with respect to the forward's outputs, x's length.
 * @param o Options: the op's options: `beta` (default 1).
 * @returns A new Float64Array of x's length.
 * @throws Never for array-like x and dy and an options object: nothing is checked (past the end of a shorter dy the result is NaN, or 0 on f's flat pieces). Only a null or undefined x, dy when x is not empty, or a null o fails (the engine's TypeError), or a length no Float64Array can have (its RangeError).
 * @example
 * sg.reference.swishBackward([1], [1], { beta: 0 }); // Float64Array [0.5]
 */
export const swishBackward = siluBackward;
/**
 * The float64 twin of `geluBackward`: dy[i]·f′(x[i]) with f′ from reference.derivative, and 0 on f's flat pieces whatever dy is (the kernels' convention).
 * @param x The forward's inputs (nothing is checked).
 * @param dy The gradient with respect to the forward's outputs, x's length.
 * @param o Options: the op's options: `approximate` ('none', the default, or 'tanh').
 * @returns A new Float64Array of x's length.
 * @throws Never for array-like x and dy and an options object: nothing is checked (past the end of a shorter dy the result is NaN, or 0 on f's flat pieces). Only a null or undefined x, dy when x is not empty, or a null o fails (the engine's TypeError), or a length no Float64Array can have (its RangeError).
 * @example
 * sg.reference.geluBackward([0, Infinity], [2, 2]); // Float64Array [1, 2]
 */
export const geluBackward = (x: ArrayLike<number>, dy: ArrayLike<number>, o: { approximate?: 'none' | 'tanh' } = {}) =>
  mapGrad(x, dy, grad('gelu', o.approximate === 'tanh' ? d.geluTanh : d.gelu));
/**
 * The float64 twin of `softplusBackward`: dy[i]·f′(x[i]) with f′ from reference.derivative, and 0 on f's flat pieces whatever dy is (the kernels' convention).
 * @param x The forward's inputs (nothing is checked).
 * @param dy The gradient with respect to the forward's outputs, x's length.
 * @param o Options: the op's options: `beta` (default 1), `threshold` (default 20).
 * @returns A new Float64Array of x's length.
 * @throws Never for array-like x and dy and an options object: nothing is checked (past the end of a shorter dy the result is NaN, or 0 on f's flat pieces). Only a null or undefined x, dy when x is not empty, or a null o fails (the engine's TypeError), or a length no Float64Array can have (its RangeError).
 * @example
 * sg.reference.softplusBackward([0, 30], [2, 2]); // Float64Array [1, 2]
 */
export const softplusBackward = (x: ArrayLike<number>, dy: ArrayLike<number>, o: { beta?: number; threshold?: number } = {}) =>
  mapGrad(x, dy, grad('softplus', (v) => d.softplus(v, o.beta ?? 1, o.threshold ?? 20)));
/**
 * The float64 twin of `eluBackward`: dy[i]·f′(x[i]) with f′ from reference.derivative, and 0 on f's flat pieces whatever dy is (the kernels' convention).
 * @param x The forward's inputs (nothing is checked).
 * @param dy The gradient with respect to the forward's outputs, x's length.
 * @param o Options: the op's options: `alpha` (default 1).
 * @returns A new Float64Array of x's length.
 * @throws Never for array-like x and dy and an options object: nothing is checked (past the end of a shorter dy the result is NaN, or 0 on f's flat pieces). Only a null or undefined x, dy when x is not empty, or a null o fails (the engine's TypeError), or a length no Float64Array can have (its RangeError).
 * @example
 * sg.reference.eluBackward([0, 2], [3, 3]); // Float64Array [3, 3]
 */
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
/**
 * The float64 twin of `gluBackward` (two-input form): dGate = dh·up·sigmoid′(gate) (0 on the flat pieces), dUp = dh·sigmoid(gate), elementwise.
 * @param gate The forward's gate inputs.
 * @param up The forward's up inputs, gate's length.
 * @param dh The gradient with respect to the forward's outputs, gate's length.
 * @returns { dGate, dUp }: new Float64Arrays of gate's length.
 * @throws Never for array-like gate, up and dh: nothing is checked (past the end of a shorter up or dh the results are NaN). Only a null or undefined gate, or up or dh when gate is not empty, fails (the engine's TypeError), or a length no Float64Array can have (its RangeError).
 * @example
 * sg.reference.gluBackward([0], [4], [1]); // { dGate: Float64Array [1], dUp: Float64Array [0.5] }
 */
export const gluBackward = gluBackwardWith('sigmoid', s.sigmoid, d.sigmoid);
/**
 * The float64 twin of `regluBackward` (two-input form): dGate = dh·up·relu′(gate) (0 on the flat pieces), dUp = dh·relu(gate), elementwise.
 * @param gate The forward's gate inputs.
 * @param up The forward's up inputs, gate's length.
 * @param dh The gradient with respect to the forward's outputs, gate's length.
 * @returns { dGate, dUp }: new Float64Arrays of gate's length.
 * @throws Never for array-like gate, up and dh: nothing is checked (past the end of a shorter up or dh the results are NaN). Only a null or undefined gate, or up or dh when gate is not empty, fails (the engine's TypeError), or a length no Float64Array can have (its RangeError).
 * @example
 * sg.reference.regluBackward([-1, 2], [5, 3], [1, 1]); // { dGate: Float64Array [0, 3], dUp: Float64Array [0, 2] }
 */
export const regluBackward = gluBackwardWith('relu', s.relu, d.relu);
/**
 * The float64 twin of `gegluBackward` (two-input form): dGate = dh·up·gelu′(gate) (0 on the flat pieces), dUp = dh·gelu(gate), elementwise.
 * @param gate The forward's gate inputs.
 * @param up The forward's up inputs, gate's length.
 * @param dh The gradient with respect to the forward's outputs, gate's length.
 * @param o Options: `approximate` ('none', the default, or 'tanh').
 * @returns { dGate, dUp }: new Float64Arrays of gate's length.
 * @throws Never for array-like gate, up and dh and an options object: nothing is checked (past the end of a shorter up or dh the results are NaN). Only a null or undefined gate, up or dh when gate is not empty, or a null o fails (the engine's TypeError), or a length no Float64Array can have (its RangeError).
 * @example
 * sg.reference.gegluBackward([0], [4], [1]); // { dGate: Float64Array [2], dUp: Float64Array [0] }
 */
export const gegluBackward = (gate: ArrayLike<number>, up: ArrayLike<number>, dh: ArrayLike<number>, o: { approximate?: 'none' | 'tanh' } = {}) =>
  (o.approximate === 'tanh' ? gluBackwardWith('gelu', s.geluTanh, d.geluTanh) : gluBackwardWith('gelu', s.gelu, d.gelu))(gate, up, dh);
/**
 * The float64 twin of `swigluBackward` (two-input form): dGate = dh·up·silu′(gate) (0 on the flat pieces), dUp = dh·silu(gate), elementwise.
 * @param gate The forward's gate inputs.
 * @param up The forward's up inputs, gate's length.
 * @param dh The gradient with respect to the forward's outputs, gate's length.
 * @returns { dGate, dUp }: new Float64Arrays of gate's length.
 * @throws Never for array-like gate, up and dh: nothing is checked (past the end of a shorter up or dh the results are NaN). Only a null or undefined gate, or up or dh when gate is not empty, fails (the engine's TypeError), or a length no Float64Array can have (its RangeError).
 * @example
 * sg.reference.swigluBackward([0], [4], [1]); // { dGate: Float64Array [2], dUp: Float64Array [0] }
 */
export const swigluBackward = gluBackwardWith('silu', (v) => s.silu(v, 1), (v) => d.silu(v, 1));
/**
 * The float64 twin of `bilinearBackward` (two-input form): dGate = dh·up·identity′(gate) (0 on the flat pieces), dUp = dh·identity(gate), elementwise.
 * @param gate The forward's gate inputs.
 * @param up The forward's up inputs, gate's length.
 * @param dh The gradient with respect to the forward's outputs, gate's length.
 * @returns { dGate, dUp }: new Float64Arrays of gate's length.
 * @throws Never for array-like gate, up and dh: nothing is checked (past the end of a shorter up or dh the results are NaN). Only a null or undefined gate, or up or dh when gate is not empty, fails (the engine's TypeError), or a length no Float64Array can have (its RangeError).
 * @example
 * sg.reference.bilinearBackward([2], [3], [1]); // { dGate: Float64Array [3], dUp: Float64Array [2] }
 */
export const bilinearBackward = gluBackwardWith('identity', s.identity, d.identity);

// ---- 16-bit floats: bfloat16 / binary16 <-> float32, bit for bit ----
export { toBf16, toF16, fromBf16, fromF16 } from './convert';
export * as convert from './convert';
