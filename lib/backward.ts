// Gradients of the elementwise activations and the GLU family (float32), for training.
//   elementwise: opBackward(x, dy, options?) → dx = dy ⊙ f′(x). options: the forward's options plus
//                `out` (written and returned; may be x or dy itself).
//   GLU:         opBackward(gate, up, dh, options?) → { dGate, dUp }, dUp = dh ⊙ act(gate),
//                dGate = dh ⊙ up ⊙ act′(gate) (options outGate, outUp, and the forward's);
//                opBackward(x, dh, { width, out? }) → one array shaped like x, rows of [dGate | dUp]
//                for the forward's split form (rows of [gate | up]).
// Conventions at the kinks are PyTorch CPU's (README, "Training"): relu′(0) = 0; relu6′ = 0 at 0 and 6;
// leakyRelu′(0) = slope; hardSigmoid′ = 1/6 on (−3, 3) only; hardSwish′ = 0 for x ≤ −3, 1 for x ≥ 3;
// elu′(0), selu′(0) take the left branch; softplus′ = 1 where beta·x > threshold. On a flat piece
// (f′ = 0 by definition) dx is 0 whatever dy is; NaN in x gives NaN.
import { binding } from './binding';
import * as check from './check';
import { Act, BETA_MIN, SCALE_MAX, SLOPE_MIN, gluGate } from './ops';
import type { EluOptions, GeluOptions, LeakyReluOptions, OutOption, SiluOptions, SoftplusOptions } from './activations';
import type { Float32Result } from './results';

const OUT = ['out'] as const;

function run(fn: string, op: number, x: unknown, dy: unknown, out: unknown, a = 0, b = 0): Float32Array {
  const input = check.float32(x, `${fn}: x`);
  const grad = check.float32(dy, `${fn}: dy`);
  if (grad.length !== input.length) {
    throw new RangeError(`${fn}: dy must have the length of x (${input.length}), got ${grad.length}`);
  }
  const o = check.output(out, input.length, fn, [[input, 'x'], [grad, 'dy']]);
  return binding.unaryBackward(op, input, grad, o, a, b);
}

function simple(fn: string, op: number) {
  return (x: Float32Array, dy: Float32Array, options?: OutOption): Float32Result => {
    const o = check.options<OutOption>(options, fn, OUT);
    return run(fn, op, x, dy, o.out) as Float32Result;
  };
}

/**
 * dx = dy ⊙ relu′(x): dy where x > 0, else 0 (relu′(0) = 0, as PyTorch). Exact (no rounding).
 * @param x The forward's input.
 * @param dy The gradient of the loss with respect to the forward's output, x's length.
 * @param options `out`: the array to write and return (x's length; may be x or dy itself).
 * @returns options.out if given, else a new Float32Array of x's length: dx.
 * @throws {TypeError} x, dy or options.out is not a Float32Array or is detached; options is not an object or has an unknown key.
 * @throws {RangeError} dy's length is not x's; options.out's length is not x's, or it overlaps x or dy without being that array.
 * @example
 * const dx = sg.reluBackward(x, dy);
 */
export const reluBackward = simple('reluBackward', Act.relu);
/**
 * dx = dy ⊙ relu6′(x): dy where 0 < x < 6, else 0. Exact (no rounding).
 * @param x The forward's input.
 * @param dy The gradient of the loss with respect to the forward's output, x's length.
 * @param options `out`: the array to write and return (x's length; may be x or dy itself).
 * @returns options.out if given, else a new Float32Array of x's length: dx.
 * @throws {TypeError} x, dy or options.out is not a Float32Array or is detached; options is not an object or has an unknown key.
 * @throws {RangeError} dy's length is not x's; options.out's length is not x's, or it overlaps x or dy without being that array.
 * @example
 * const dx = sg.relu6Backward(x, dy);
 */
export const relu6Backward = simple('relu6Backward', Act.relu6);
/**
 * dx = dy ⊙ sigmoid′(x), sigmoid′ = s(x)·s(−x). Within 4 ULP of the exact value (README, "Training", for the allowances near roots of f′).
 * @param x The forward's input.
 * @param dy The gradient of the loss with respect to the forward's output, x's length.
 * @param options `out`: the array to write and return (x's length; may be x or dy itself).
 * @returns options.out if given, else a new Float32Array of x's length: dx.
 * @throws {TypeError} x, dy or options.out is not a Float32Array or is detached; options is not an object or has an unknown key.
 * @throws {RangeError} dy's length is not x's; options.out's length is not x's, or it overlaps x or dy without being that array.
 * @example
 * const dx = sg.sigmoidBackward(x, dy);
 */
export const sigmoidBackward = simple('sigmoidBackward', Act.sigmoid);
/**
 * dx = dy ⊙ tanh′(x), tanh′ = 1 − tanh² (computed as 4e^(−2|x|)/(1 + e^(−2|x|))², which does not cancel). Within 4 ULP of the exact value (README, "Training", for the allowances near roots of f′).
 * @param x The forward's input.
 * @param dy The gradient of the loss with respect to the forward's output, x's length.
 * @param options `out`: the array to write and return (x's length; may be x or dy itself).
 * @returns options.out if given, else a new Float32Array of x's length: dx.
 * @throws {TypeError} x, dy or options.out is not a Float32Array or is detached; options is not an object or has an unknown key.
 * @throws {RangeError} dy's length is not x's; options.out's length is not x's, or it overlaps x or dy without being that array.
 * @example
 * const dx = sg.tanhBackward(x, dy);
 */
export const tanhBackward = simple('tanhBackward', Act.tanh);
/**
 * dx = dy ⊙ quickGelu′(x) (quickGelu = x·sigmoid(1.702x)). Within 4 ULP of the exact value (README, "Training", for the allowances near roots of f′).
 * @param x The forward's input.
 * @param dy The gradient of the loss with respect to the forward's output, x's length.
 * @param options `out`: the array to write and return (x's length; may be x or dy itself).
 * @returns options.out if given, else a new Float32Array of x's length: dx.
 * @throws {TypeError} x, dy or options.out is not a Float32Array or is detached; options is not an object or has an unknown key.
 * @throws {RangeError} dy's length is not x's; options.out's length is not x's, or it overlaps x or dy without being that array.
 * @example
 * const dx = sg.quickGeluBackward(x, dy);
 */
export const quickGeluBackward = simple('quickGeluBackward', Act.quickGelu);
/**
 * dx = dy ⊙ mish′(x). Within 8 ULP of the exact value (README, "Training", for the allowances near roots of f′).
 * @param x The forward's input.
 * @param dy The gradient of the loss with respect to the forward's output, x's length.
 * @param options `out`: the array to write and return (x's length; may be x or dy itself).
 * @returns options.out if given, else a new Float32Array of x's length: dx.
 * @throws {TypeError} x, dy or options.out is not a Float32Array or is detached; options is not an object or has an unknown key.
 * @throws {RangeError} dy's length is not x's; options.out's length is not x's, or it overlaps x or dy without being that array.
 * @example
 * const dx = sg.mishBackward(x, dy);
 */
export const mishBackward = simple('mishBackward', Act.mish);
/**
 * dx = dy ⊙ selu′(x): scale for x > 0, scale·alpha·e^x for x ≤ 0 (selu′(0) the left branch). Within 4 ULP of the exact value (README, "Training", for the allowances near roots of f′).
 * @param x The forward's input.
 * @param dy The gradient of the loss with respect to the forward's output, x's length.
 * @param options `out`: the array to write and return (x's length; may be x or dy itself).
 * @returns options.out if given, else a new Float32Array of x's length: dx.
 * @throws {TypeError} x, dy or options.out is not a Float32Array or is detached; options is not an object or has an unknown key.
 * @throws {RangeError} dy's length is not x's; options.out's length is not x's, or it overlaps x or dy without being that array.
 * @example
 * const dx = sg.seluBackward(x, dy);
 */
export const seluBackward = simple('seluBackward', Act.selu);
/**
 * dx = dy ⊙ hardSigmoid′(x): dy/6 on (−3, 3), else 0. Within 1 ULP of the exact value (README, "Training", for the allowances near roots of f′).
 * @param x The forward's input.
 * @param dy The gradient of the loss with respect to the forward's output, x's length.
 * @param options `out`: the array to write and return (x's length; may be x or dy itself).
 * @returns options.out if given, else a new Float32Array of x's length: dx.
 * @throws {TypeError} x, dy or options.out is not a Float32Array or is detached; options is not an object or has an unknown key.
 * @throws {RangeError} dy's length is not x's; options.out's length is not x's, or it overlaps x or dy without being that array.
 * @example
 * const dx = sg.hardSigmoidBackward(x, dy);
 */
export const hardSigmoidBackward = simple('hardSigmoidBackward', Act.hardSigmoid);
/**
 * dx = dy ⊙ hardSwish′(x): 0 for x ≤ −3, dy·(x/3 + 1/2) on (−3, 3), dy for x ≥ 3. Within 4 ULP of the exact value (README, "Training", for the allowances near roots of f′).
 * @param x The forward's input.
 * @param dy The gradient of the loss with respect to the forward's output, x's length.
 * @param options `out`: the array to write and return (x's length; may be x or dy itself).
 * @returns options.out if given, else a new Float32Array of x's length: dx.
 * @throws {TypeError} x, dy or options.out is not a Float32Array or is detached; options is not an object or has an unknown key.
 * @throws {RangeError} dy's length is not x's; options.out's length is not x's, or it overlaps x or dy without being that array.
 * @example
 * const dx = sg.hardSwishBackward(x, dy);
 */
export const hardSwishBackward = simple('hardSwishBackward', Act.hardSwish);

/**
 * dx = dy ⊙ leakyRelu′(x): dy for x > 0, slope·dy for x ≤ 0. Within 1 ULP of the exact value (README, "Training", for the allowances near roots of f′).
 * @param x The forward's input.
 * @param dy The gradient of the loss with respect to the forward's output, x's length.
 * @param options the forward's `slope` (default 0.01); `out`: the array to write and return (x's length; may be x or dy itself).
 * @returns options.out if given, else a new Float32Array of x's length: dx.
 * @throws {TypeError} x, dy or options.out is not a Float32Array or is detached; options is not an object or has an unknown key; slope is not a number.
 * @throws {RangeError} dy's length is not x's; options.out's length is not x's, or it overlaps x or dy without being that array; slope is not finite or not 0 or of magnitude in [2^-126, 2^64].
 * @example
 * const dx = sg.leakyReluBackward(x, dy, { slope: 0.2 });
 */
export function leakyReluBackward(x: Float32Array, dy: Float32Array, options?: LeakyReluOptions): Float32Result {
  const o = check.options<LeakyReluOptions>(options, 'leakyReluBackward', ['slope', 'out']);
  const slope = check.scale(o.slope, 'leakyReluBackward: options.slope', 0.01, SLOPE_MIN, SCALE_MAX);
  return run('leakyReluBackward', Act.leakyRelu, x, dy, o.out, slope) as Float32Result;
}

function siluLike(fn: string) {
  return (x: Float32Array, dy: Float32Array, options?: SiluOptions): Float32Result => {
    const o = check.options<SiluOptions>(options, fn, ['beta', 'out']);
    const beta = check.scale(o.beta, `${fn}: options.beta`, 1, BETA_MIN, SCALE_MAX);
    return run(fn, Act.silu, x, dy, o.out, beta) as Float32Result;
  };
}
/**
 * dx = dy ⊙ silu′(x), silu′ = s(βx)·(1 + βx·s(−βx)). Within 4 ULP of the exact value (README, "Training", for the allowances near roots of f′).
 * @param x The forward's input.
 * @param dy The gradient of the loss with respect to the forward's output, x's length.
 * @param options the forward's `beta` (default 1); `out`: the array to write and return (x's length; may be x or dy itself).
 * @returns options.out if given, else a new Float32Array of x's length: dx.
 * @throws {TypeError} x, dy or options.out is not a Float32Array or is detached; options is not an object or has an unknown key; beta is not a number.
 * @throws {RangeError} dy's length is not x's; options.out's length is not x's, or it overlaps x or dy without being that array; beta is not finite or not 0 or of magnitude in [2^-20, 2^64].
 * @example
 * const dx = sg.siluBackward(x, dy, { beta: 1 });
 */
export const siluBackward = siluLike('siluBackward');
/**
 * The same gradient as siluBackward, under the swish name (its errors name swishBackward): dx = dy ⊙ silu′(x). Within 4 ULP of the exact value (README, "Training", for the allowances near roots of f′).
 * @param x The forward's input.
 * @param dy The gradient of the loss with respect to the forward's output, x's length.
 * @param options the forward's `beta` (default 1); `out`: the array to write and return (x's length; may be x or dy itself).
 * @returns options.out if given, else a new Float32Array of x's length: dx.
 * @throws {TypeError} x, dy or options.out is not a Float32Array or is detached; options is not an object or has an unknown key; beta is not a number.
 * @throws {RangeError} dy's length is not x's; options.out's length is not x's, or it overlaps x or dy without being that array; beta is not finite or not 0 or of magnitude in [2^-20, 2^64].
 * @example
 * const dx = sg.swishBackward(x, dy);
 */
export const swishBackward = siluLike('swishBackward');

/**
 * dx = dy ⊙ gelu′(x): Φ(x) + x·φ(x) (approximate: 'none'), or the derivative of the tanh form ('tanh'). Within 8 ULP of the exact value (README, "Training", for the allowances near roots of f′).
 * @param x The forward's input.
 * @param dy The gradient of the loss with respect to the forward's output, x's length.
 * @param options the forward's `approximate` ('none' | 'tanh'); `out`: the array to write and return (x's length; may be x or dy itself).
 * @returns options.out if given, else a new Float32Array of x's length: dx.
 * @throws {TypeError} x, dy or options.out is not a Float32Array or is detached; options is not an object or has an unknown key; approximate is not a string.
 * @throws {RangeError} dy's length is not x's; options.out's length is not x's, or it overlaps x or dy without being that array; approximate is not 'none' or 'tanh'.
 * @example
 * const dx = sg.geluBackward(x, dy, { approximate: 'tanh' });
 */
export function geluBackward(x: Float32Array, dy: Float32Array, options?: GeluOptions): Float32Result {
  const o = check.options<GeluOptions>(options, 'geluBackward', ['approximate', 'out']);
  const approx = check.oneOf(o.approximate, 'geluBackward: options.approximate', ['none', 'tanh'] as const, 'none');
  return run('geluBackward', approx === 'tanh' ? Act.geluTanh : Act.gelu, x, dy, o.out) as Float32Result;
}

/**
 * dx = dy ⊙ softplus′(x): sigmoid(β·x), or 1 where β·x > threshold. Within 4 ULP of the exact value (README, "Training", for the allowances near roots of f′).
 * @param x The forward's input.
 * @param dy The gradient of the loss with respect to the forward's output, x's length.
 * @param options the forward's `beta` (default 1) and `threshold` (default 20); `out`: the array to write and return (x's length; may be x or dy itself).
 * @returns options.out if given, else a new Float32Array of x's length: dx.
 * @throws {TypeError} x, dy or options.out is not a Float32Array or is detached; options is not an object or has an unknown key; beta or threshold is not a number.
 * @throws {RangeError} dy's length is not x's; options.out's length is not x's, or it overlaps x or dy without being that array; beta is not in [2^-20, 2^64]; threshold is not finite.
 * @example
 * const dx = sg.softplusBackward(x, dy, { beta: 2 });
 */
export function softplusBackward(x: Float32Array, dy: Float32Array, options?: SoftplusOptions): Float32Result {
  const o = check.options<SoftplusOptions>(options, 'softplusBackward', ['beta', 'threshold', 'out']);
  const beta = check.positiveNumber(o.beta, 'softplusBackward: options.beta', 1);
  check.scale(beta, 'softplusBackward: options.beta', 1, BETA_MIN, SCALE_MAX, false);
  const threshold = check.finiteNumber(o.threshold, 'softplusBackward: options.threshold', 20);
  return run('softplusBackward', Act.softplus, x, dy, o.out, beta, threshold) as Float32Result;
}

/**
 * dx = dy ⊙ elu′(x): dy for x > 0, alpha·e^x·dy for x ≤ 0 (elu′(0) the left branch). Within 4 ULP of the exact value (README, "Training", for the allowances near roots of f′).
 * @param x The forward's input.
 * @param dy The gradient of the loss with respect to the forward's output, x's length.
 * @param options the forward's `alpha` (default 1); `out`: the array to write and return (x's length; may be x or dy itself).
 * @returns options.out if given, else a new Float32Array of x's length: dx.
 * @throws {TypeError} x, dy or options.out is not a Float32Array or is detached; options is not an object or has an unknown key; alpha is not a number.
 * @throws {RangeError} dy's length is not x's; options.out's length is not x's, or it overlaps x or dy without being that array; alpha is not finite or not 0 or of magnitude in [2^-126, 2^64].
 * @example
 * const dx = sg.eluBackward(x, dy, { alpha: 0.5 });
 */
export function eluBackward(x: Float32Array, dy: Float32Array, options?: EluOptions): Float32Result {
  const o = check.options<EluOptions>(options, 'eluBackward', ['alpha', 'out']);
  const alpha = check.scale(o.alpha, 'eluBackward: options.alpha', 1, SLOPE_MIN, SCALE_MAX);
  return run('eluBackward', Act.elu, x, dy, o.out, alpha) as Float32Result;
}

// ---- the GLU family -------------------------------------------------------------------------------

/** Options of the GLU family's gradients ({@link gluBackward}, {@link regluBackward}, {@link swigluBackward}, {@link bilinearBackward}). */
export interface GluBackwardOptions {
  /** Two-input form: written and returned as dGate. Same length as gate; may be gate, up or dh itself. */
  outGate?: Float32Array;
  /** Two-input form: written and returned as dUp. Same length as gate; may be gate, up or dh itself. */
  outUp?: Float32Array;
  /** Split form only: the number of gate (and up) values per row; x holds rows of 2·width. */
  width?: number;
  /** Split form only: written and returned (rows of [dGate | dUp], the length of x); may be x itself. */
  out?: Float32Array;
}
/** Options of {@link gegluBackward}. */
export interface GegluBackwardOptions extends GluBackwardOptions {
  /** The forward's GELU form: 'none' (default, the exact normal CDF) or 'tanh'. */
  approximate?: 'none' | 'tanh';
}
/** What the two-input form of a GLU gradient returns. */
export interface GluGradients {
  /** dh ⊙ up ⊙ act′(gate): options.outGate if given, else a new array. */
  dGate: Float32Result;
  /** dh ⊙ act(gate): options.outUp if given, else a new array. */
  dUp: Float32Result;
}

/**
 * options[name] (outGate, outUp): a new array if absent, else a Float32Array of `length` floats that is
 * disjoint from every input or exactly one of them (as check.output for options.out).
 */
function namedOutput(out: unknown, length: number, fn: string, name: string, inputs: ReadonlyArray<readonly [Float32Array, string]>): Float32Array {
  if (out === undefined) return check.uninitialized(length);
  const o = check.float32(out, `${fn}: options.${name}`);
  if (o.length !== length) throw new RangeError(`${fn}: options.${name} must have length ${length}, got ${o.length}`);
  for (const [input, inName] of inputs) {
    if (check.overlaps(o, input) && !(o.byteOffset === input.byteOffset && o.length === input.length)) {
      throw new RangeError(`${fn}: options.${name} overlaps ${inName} without being the same array; pass ${name} === ${inName} to work in place, or a separate array`);
    }
  }
  return o;
}

function makeGluBackward<O extends GluBackwardOptions>(
  fn: string,
  pick: (o: Partial<O>) => readonly [number, number],
  extra: readonly string[] = [],
) {
  return (first: unknown, second: unknown, third?: unknown, fourth?: unknown): GluGradients | Float32Array => {
    if (third instanceof Float32Array) {
      const gate = check.float32(first, `${fn}: gate`);
      const up = check.float32(second, `${fn}: up`);
      const dh = check.float32(third, `${fn}: dh`);
      const o = check.options<O>(fourth, fn, ['outGate', 'outUp', ...extra]);
      const n = gate.length;
      if (up.length !== n) throw new RangeError(`${fn}: up must have the length of gate (${n}), got ${up.length}`);
      if (dh.length !== n) throw new RangeError(`${fn}: dh must have the length of gate (${n}), got ${dh.length}`);
      const inputs = [[gate, 'gate'], [up, 'up'], [dh, 'dh']] as const;
      const dGate = namedOutput(o.outGate, n, fn, 'outGate', inputs);
      const dUp = namedOutput(o.outUp, n, fn, 'outUp', inputs);
      if (check.overlaps(dGate, dUp)) throw new RangeError(`${fn}: options.outGate and options.outUp overlap; pass separate arrays`);
      const [op, a] = pick(o);
      binding.gluBackward(op, gate, up, dh, dGate, dUp, a);
      return { dGate, dUp } as GluGradients;
    }
    const x = check.float32(first, `${fn}: x`);
    if (ArrayBuffer.isView(third) || Array.isArray(third)) {
      throw new TypeError(`${fn}: dh must be a Float32Array, got ${check.describe(third)}`);
    }
    const dh = check.float32(second, `${fn}: dh`);
    if (fourth !== undefined) throw new TypeError(`${fn}: the split form takes (x, dh, options); got a fourth argument`);
    const o = check.options<O>(third, fn, ['width', 'out', ...extra]);
    if (o.width === undefined) throw new TypeError(`${fn}: give (gate, up, dh) or (x, dh, {width}); options.width is missing`);
    const width = check.integer(o.width, `${fn}: options.width`, 1);
    if (x.length % (2 * width) !== 0) {
      throw new RangeError(`${fn}: x must hold rows of 2·width = ${2 * width} values (gate then up), got length ${x.length}`);
    }
    const rows = x.length / (2 * width);
    if (dh.length !== rows * width) {
      throw new RangeError(`${fn}: dh must have rows·width = ${rows * width} values (${rows} rows of ${width}), got ${dh.length}`);
    }
    const out = check.output(o.out, x.length, fn, [[x, 'x']]);
    if (check.overlaps(out, dh)) throw new RangeError(`${fn}: options.out overlaps dh; pass a separate array`);
    const [op, a] = pick(o);
    return binding.gluBackwardSplit(op, x, dh, out, width, a);
  };
}

const gluBackwardImpl = makeGluBackward<GluBackwardOptions>('gluBackward', () => gluGate('glu'));
/**
 * Gradients of glu: sigmoid(gate) ⊙ up (two-input form): dUp = dh ⊙ act(gate), dGate = dh ⊙ up ⊙ act′(gate). dUp is
 * within the forward's ULP bar + 1, dGate within 8 ULP (README, "Training").
 * @param gate The forward's gate input.
 * @param up The forward's up input, gate's length.
 * @param dh The gradient of the loss with respect to the forward's output, gate's length.
 * @param options `outGate`, `outUp`: arrays to write and return (gate's length; each may be one of the inputs itself).
 * @returns { dGate, dUp }: options.outGate and options.outUp if given, else new arrays.
 * @throws {TypeError} gate, up, dh, options.outGate or options.outUp is not a Float32Array or is detached; options is not an object or has an unknown key.
 * @throws {RangeError} up's or dh's length is not gate's; an out array's length is not gate's, or it overlaps an input without being that input; outGate and outUp overlap.
 * @example
 * const { dGate, dUp } = sg.gluBackward(gate, up, dh);
 */
export function gluBackward(gate: Float32Array, up: Float32Array, dh: Float32Array, options?: GluBackwardOptions): GluGradients;
/**
 * Gradients of glu: sigmoid(gate) ⊙ up for the forward's split form (rows of [gate | up]): one array shaped like x, rows
 * of [dGate | dUp]. dUp within the forward's ULP bar + 1, dGate within 8 ULP.
 * @param x The forward's input: rows of 2·width values, gate then up.
 * @param dh The gradient of the loss with respect to the forward's output: rows·width values.
 * @param options `width` (required), `out` (x's length; may be x itself, no overlap with dh).
 * @returns options.out if given, else a new Float32Array of x's length.
 * @throws {TypeError} x, dh or options.out is not a Float32Array or is detached; options is not an object, has an unknown key, or lacks width; width is not a number.
 * @throws {RangeError} width is not an integer ≥ 1; x's length is not a multiple of 2·width; dh's is not rows·width; options.out's length is not x's, or it overlaps x without being x, or overlaps dh.
 * @example
 * const dGateUp = sg.gluBackward(gateUp, dh, { width: 1024 });
 */
export function gluBackward(x: Float32Array, dh: Float32Array, options: GluBackwardOptions & { width: number }): Float32Result;
export function gluBackward(first: Float32Array, second: Float32Array, third?: unknown, fourth?: unknown): GluGradients | Float32Result {
  return gluBackwardImpl(first, second, third, fourth) as GluGradients | Float32Result;
}

const regluBackwardImpl = makeGluBackward<GluBackwardOptions>('regluBackward', () => gluGate('reglu'));
/**
 * Gradients of reglu: relu(gate) ⊙ up (two-input form): dUp = dh ⊙ act(gate), dGate = dh ⊙ up ⊙ act′(gate) (dGate = 0 where gate ≤ 0). dUp is
 * within the forward's ULP bar + 1, dGate within 8 ULP (README, "Training").
 * @param gate The forward's gate input.
 * @param up The forward's up input, gate's length.
 * @param dh The gradient of the loss with respect to the forward's output, gate's length.
 * @param options `outGate`, `outUp`: arrays to write and return (gate's length; each may be one of the inputs itself).
 * @returns { dGate, dUp }: options.outGate and options.outUp if given, else new arrays.
 * @throws {TypeError} gate, up, dh, options.outGate or options.outUp is not a Float32Array or is detached; options is not an object or has an unknown key.
 * @throws {RangeError} up's or dh's length is not gate's; an out array's length is not gate's, or it overlaps an input without being that input; outGate and outUp overlap.
 * @example
 * const { dGate, dUp } = sg.regluBackward(gate, up, dh);
 */
export function regluBackward(gate: Float32Array, up: Float32Array, dh: Float32Array, options?: GluBackwardOptions): GluGradients;
/**
 * Gradients of reglu: relu(gate) ⊙ up for the forward's split form (rows of [gate | up]): one array shaped like x, rows
 * of [dGate | dUp] (dGate = 0 where gate ≤ 0). dUp within the forward's ULP bar + 1, dGate within 8 ULP.
 * @param x The forward's input: rows of 2·width values, gate then up.
 * @param dh The gradient of the loss with respect to the forward's output: rows·width values.
 * @param options `width` (required), `out` (x's length; may be x itself, no overlap with dh).
 * @returns options.out if given, else a new Float32Array of x's length.
 * @throws {TypeError} x, dh or options.out is not a Float32Array or is detached; options is not an object, has an unknown key, or lacks width; width is not a number.
 * @throws {RangeError} width is not an integer ≥ 1; x's length is not a multiple of 2·width; dh's is not rows·width; options.out's length is not x's, or it overlaps x without being x, or overlaps dh.
 * @example
 * const dGateUp = sg.regluBackward(gateUp, dh, { width: 1024 });
 */
export function regluBackward(x: Float32Array, dh: Float32Array, options: GluBackwardOptions & { width: number }): Float32Result;
export function regluBackward(first: Float32Array, second: Float32Array, third?: unknown, fourth?: unknown): GluGradients | Float32Result {
  return regluBackwardImpl(first, second, third, fourth) as GluGradients | Float32Result;
}

const gegluBackwardImpl = makeGluBackward<GegluBackwardOptions>(
  'gegluBackward',
  (o) => gluGate('geglu', check.oneOf(o.approximate, 'gegluBackward: options.approximate', ['none', 'tanh'] as const, 'none') === 'tanh'),
  ['approximate'],
);
/**
 * Gradients of geglu: gelu(gate) ⊙ up (two-input form): dUp = dh ⊙ act(gate), dGate = dh ⊙ up ⊙ act′(gate). dUp is
 * within the forward's ULP bar + 1, dGate within 8 ULP (README, "Training").
 * @param gate The forward's gate input.
 * @param up The forward's up input, gate's length.
 * @param dh The gradient of the loss with respect to the forward's output, gate's length.
 * @param options `outGate`, `outUp`: arrays to write and return (gate's length; each may be one of the inputs itself), `approximate`.
 * @returns { dGate, dUp }: options.outGate and options.outUp if given, else new arrays.
 * @throws {TypeError} gate, up, dh, options.outGate or options.outUp is not a Float32Array or is detached; options is not an object or has an unknown key.
 * @throws {RangeError} up's or dh's length is not gate's; an out array's length is not gate's, or it overlaps an input without being that input; outGate and outUp overlap.
 * @example
 * const { dGate, dUp } = sg.gegluBackward(gate, up, dh);
 */
export function gegluBackward(gate: Float32Array, up: Float32Array, dh: Float32Array, options?: GegluBackwardOptions): GluGradients;
/**
 * Gradients of geglu: gelu(gate) ⊙ up for the forward's split form (rows of [gate | up]): one array shaped like x, rows
 * of [dGate | dUp]. dUp within the forward's ULP bar + 1, dGate within 8 ULP.
 * @param x The forward's input: rows of 2·width values, gate then up.
 * @param dh The gradient of the loss with respect to the forward's output: rows·width values.
 * @param options `width` (required), `out` (x's length; may be x itself, no overlap with dh), `approximate`.
 * @returns options.out if given, else a new Float32Array of x's length.
 * @throws {TypeError} x, dh or options.out is not a Float32Array or is detached; options is not an object, has an unknown key, or lacks width; width is not a number.
 * @throws {RangeError} width is not an integer ≥ 1; x's length is not a multiple of 2·width; dh's is not rows·width; options.out's length is not x's, or it overlaps x without being x, or overlaps dh.
 * @example
 * const dGateUp = sg.gegluBackward(gateUp, dh, { width: 1024 });
 */
export function gegluBackward(x: Float32Array, dh: Float32Array, options: GegluBackwardOptions & { width: number }): Float32Result;
export function gegluBackward(first: Float32Array, second: Float32Array, third?: unknown, fourth?: unknown): GluGradients | Float32Result {
  return gegluBackwardImpl(first, second, third, fourth) as GluGradients | Float32Result;
}

const swigluBackwardImpl = makeGluBackward<GluBackwardOptions>('swigluBackward', () => gluGate('swiglu'));
/**
 * Gradients of swiglu: silu(gate) ⊙ up (two-input form): dUp = dh ⊙ act(gate), dGate = dh ⊙ up ⊙ act′(gate). dUp is
 * within the forward's ULP bar + 1, dGate within 8 ULP (README, "Training").
 * @param gate The forward's gate input.
 * @param up The forward's up input, gate's length.
 * @param dh The gradient of the loss with respect to the forward's output, gate's length.
 * @param options `outGate`, `outUp`: arrays to write and return (gate's length; each may be one of the inputs itself).
 * @returns { dGate, dUp }: options.outGate and options.outUp if given, else new arrays.
 * @throws {TypeError} gate, up, dh, options.outGate or options.outUp is not a Float32Array or is detached; options is not an object or has an unknown key.
 * @throws {RangeError} up's or dh's length is not gate's; an out array's length is not gate's, or it overlaps an input without being that input; outGate and outUp overlap.
 * @example
 * const { dGate, dUp } = sg.swigluBackward(gate, up, dh);
 */
export function swigluBackward(gate: Float32Array, up: Float32Array, dh: Float32Array, options?: GluBackwardOptions): GluGradients;
/**
 * Gradients of swiglu: silu(gate) ⊙ up for the forward's split form (rows of [gate | up]): one array shaped like x, rows
 * of [dGate | dUp]. dUp within the forward's ULP bar + 1, dGate within 8 ULP.
 * @param x The forward's input: rows of 2·width values, gate then up.
 * @param dh The gradient of the loss with respect to the forward's output: rows·width values.
 * @param options `width` (required), `out` (x's length; may be x itself, no overlap with dh).
 * @returns options.out if given, else a new Float32Array of x's length.
 * @throws {TypeError} x, dh or options.out is not a Float32Array or is detached; options is not an object, has an unknown key, or lacks width; width is not a number.
 * @throws {RangeError} width is not an integer ≥ 1; x's length is not a multiple of 2·width; dh's is not rows·width; options.out's length is not x's, or it overlaps x without being x, or overlaps dh.
 * @example
 * const dGateUp = sg.swigluBackward(gateUp, dh, { width: 1024 });
 */
export function swigluBackward(x: Float32Array, dh: Float32Array, options: GluBackwardOptions & { width: number }): Float32Result;
export function swigluBackward(first: Float32Array, second: Float32Array, third?: unknown, fourth?: unknown): GluGradients | Float32Result {
  return swigluBackwardImpl(first, second, third, fourth) as GluGradients | Float32Result;
}

const bilinearBackwardImpl = makeGluBackward<GluBackwardOptions>('bilinearBackward', () => gluGate('bilinear'));
/**
 * Gradients of bilinear: gate ⊙ up (two-input form): dUp = dh ⊙ act(gate), dGate = dh ⊙ up ⊙ act′(gate) (dGate = dh ⊙ up, dUp = dh ⊙ gate). dUp is
 * within the forward's ULP bar + 1, dGate within 8 ULP (README, "Training").
 * @param gate The forward's gate input.
 * @param up The forward's up input, gate's length.
 * @param dh The gradient of the loss with respect to the forward's output, gate's length.
 * @param options `outGate`, `outUp`: arrays to write and return (gate's length; each may be one of the inputs itself).
 * @returns { dGate, dUp }: options.outGate and options.outUp if given, else new arrays.
 * @throws {TypeError} gate, up, dh, options.outGate or options.outUp is not a Float32Array or is detached; options is not an object or has an unknown key.
 * @throws {RangeError} up's or dh's length is not gate's; an out array's length is not gate's, or it overlaps an input without being that input; outGate and outUp overlap.
 * @example
 * const { dGate, dUp } = sg.bilinearBackward(gate, up, dh);
 */
export function bilinearBackward(gate: Float32Array, up: Float32Array, dh: Float32Array, options?: GluBackwardOptions): GluGradients;
/**
 * Gradients of bilinear: gate ⊙ up for the forward's split form (rows of [gate | up]): one array shaped like x, rows
 * of [dGate | dUp] (dGate = dh ⊙ up, dUp = dh ⊙ gate). dUp within the forward's ULP bar + 1, dGate within 8 ULP.
 * @param x The forward's input: rows of 2·width values, gate then up.
 * @param dh The gradient of the loss with respect to the forward's output: rows·width values.
 * @param options `width` (required), `out` (x's length; may be x itself, no overlap with dh).
 * @returns options.out if given, else a new Float32Array of x's length.
 * @throws {TypeError} x, dh or options.out is not a Float32Array or is detached; options is not an object, has an unknown key, or lacks width; width is not a number.
 * @throws {RangeError} width is not an integer ≥ 1; x's length is not a multiple of 2·width; dh's is not rows·width; options.out's length is not x's, or it overlaps x without being x, or overlaps dh.
 * @example
 * const dGateUp = sg.bilinearBackward(gateUp, dh, { width: 1024 });
 */
export function bilinearBackward(x: Float32Array, dh: Float32Array, options: GluBackwardOptions & { width: number }): Float32Result;
export function bilinearBackward(first: Float32Array, second: Float32Array, third?: unknown, fourth?: unknown): GluGradients | Float32Result {
  return bilinearBackwardImpl(first, second, third, fourth) as GluGradients | Float32Result;
}
