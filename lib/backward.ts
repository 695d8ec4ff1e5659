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
import { Act, BETA_MIN, SCALE_MAX, SLOPE_MIN } from './ops';
import type { EluOptions, GeluOptions, LeakyReluOptions, OutOption, SiluOptions, SoftplusOptions } from './activations';

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
  return (x: Float32Array, dy: Float32Array, options?: OutOption): Float32Array => {
    const o = check.options<OutOption>(options, fn, OUT);
    return run(fn, op, x, dy, o.out);
  };
}

/** dy ⊙ relu′(x): dy where x > 0, else 0 (relu′(0) = 0). */
export const reluBackward = simple('reluBackward', Act.relu);
/** dy ⊙ relu6′(x): dy where 0 < x < 6, else 0. */
export const relu6Backward = simple('relu6Backward', Act.relu6);
/** dy ⊙ sigmoid′(x), sigmoid′ = s(x)·s(−x). */
export const sigmoidBackward = simple('sigmoidBackward', Act.sigmoid);
/** dy ⊙ tanh′(x), tanh′ = 1 − tanh² (computed as 4e^(−2|x|)/(1 + e^(−2|x|))²). */
export const tanhBackward = simple('tanhBackward', Act.tanh);
/** dy ⊙ quickGelu′(x) (x·sigmoid(1.702x)). */
export const quickGeluBackward = simple('quickGeluBackward', Act.quickGelu);
/** dy ⊙ mish′(x). */
export const mishBackward = simple('mishBackward', Act.mish);
/** dy ⊙ selu′(x): scale for x > 0, scale·alpha·e^x for x ≤ 0. */
export const seluBackward = simple('seluBackward', Act.selu);
/** dy ⊙ hardSigmoid′(x): dy/6 on (−3, 3), else 0. */
export const hardSigmoidBackward = simple('hardSigmoidBackward', Act.hardSigmoid);
/** dy ⊙ hardSwish′(x): 0 for x ≤ −3, dy·(x/3 + 1/2) on (−3, 3), dy for x ≥ 3. */
export const hardSwishBackward = simple('hardSwishBackward', Act.hardSwish);

/** dy ⊙ leakyRelu′(x): dy for x > 0, slope·dy for x ≤ 0. */
export function leakyReluBackward(x: Float32Array, dy: Float32Array, options?: LeakyReluOptions): Float32Array {
  const o = check.options<LeakyReluOptions>(options, 'leakyReluBackward', ['slope', 'out']);
  const slope = check.scale(o.slope, 'leakyReluBackward: options.slope', 0.01, SLOPE_MIN, SCALE_MAX);
  return run('leakyReluBackward', Act.leakyRelu, x, dy, o.out, slope);
}

function siluLike(fn: string) {
  return (x: Float32Array, dy: Float32Array, options?: SiluOptions): Float32Array => {
    const o = check.options<SiluOptions>(options, fn, ['beta', 'out']);
    const beta = check.scale(o.beta, `${fn}: options.beta`, 1, BETA_MIN, SCALE_MAX);
    return run(fn, Act.silu, x, dy, o.out, beta);
  };
}
/** dy ⊙ silu′(x), silu′ = s(βx)·(1 + βx·s(−βx)). */
export const siluBackward = siluLike('siluBackward');
/** Alias of siluBackward. */
export const swishBackward = siluLike('swishBackward');

/** dy ⊙ gelu′(x): Φ(x) + x·φ(x) (approximate: 'none'), or the derivative of the tanh form ('tanh'). */
export function geluBackward(x: Float32Array, dy: Float32Array, options?: GeluOptions): Float32Array {
  const o = check.options<GeluOptions>(options, 'geluBackward', ['approximate', 'out']);
  const approx = check.oneOf(o.approximate, 'geluBackward: options.approximate', ['none', 'tanh'] as const, 'none');
  return run('geluBackward', approx === 'tanh' ? Act.geluTanh : Act.gelu, x, dy, o.out);
}

/** dy ⊙ softplus′(x): sigmoid(beta·x), or 1 where beta·x > threshold. */
export function softplusBackward(x: Float32Array, dy: Float32Array, options?: SoftplusOptions): Float32Array {
  const o = check.options<SoftplusOptions>(options, 'softplusBackward', ['beta', 'threshold', 'out']);
  const beta = check.positiveNumber(o.beta, 'softplusBackward: options.beta', 1);
  check.scale(beta, 'softplusBackward: options.beta', 1, BETA_MIN, SCALE_MAX, false);
  const threshold = check.finiteNumber(o.threshold, 'softplusBackward: options.threshold', 20);
  return run('softplusBackward', Act.softplus, x, dy, o.out, beta, threshold);
}

/** dy ⊙ elu′(x): dy for x > 0, alpha·e^x·dy for x ≤ 0. */
export function eluBackward(x: Float32Array, dy: Float32Array, options?: EluOptions): Float32Array {
  const o = check.options<EluOptions>(options, 'eluBackward', ['alpha', 'out']);
  const alpha = check.scale(o.alpha, 'eluBackward: options.alpha', 1, SLOPE_MIN, SCALE_MAX);
  return run('eluBackward', Act.elu, x, dy, o.out, alpha);
}

// ---- the GLU family -------------------------------------------------------------------------------

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
export interface GegluBackwardOptions extends GluBackwardOptions {
  approximate?: 'none' | 'tanh';
}
export interface GluGradients {
  /** dh ⊙ up ⊙ act′(gate). */
  dGate: Float32Array;
  /** dh ⊙ act(gate). */
  dUp: Float32Array;
}

type GluBackwardFn<O extends GluBackwardOptions> = {
  (gate: Float32Array, up: Float32Array, dh: Float32Array, options?: O): GluGradients;
  (x: Float32Array, dh: Float32Array, options: O & { width: number }): Float32Array;
};

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
): GluBackwardFn<O> {
  return ((first: unknown, second: unknown, third?: unknown, fourth?: unknown): GluGradients | Float32Array => {
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
      return { dGate, dUp };
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
  }) as GluBackwardFn<O>;
}

/** Gradients of glu: sigmoid(gate) ⊙ up. */
export const gluBackward = makeGluBackward<GluBackwardOptions>('gluBackward', () => [Act.sigmoid, 0]);
/** Gradients of reglu: relu(gate) ⊙ up (dGate = 0 where gate ≤ 0). */
export const regluBackward = makeGluBackward<GluBackwardOptions>('regluBackward', () => [Act.relu, 0]);
/** Gradients of geglu: gelu(gate) ⊙ up, {approximate: 'none' | 'tanh'}. */
export const gegluBackward = makeGluBackward<GegluBackwardOptions>(
  'gegluBackward',
  (o) => [check.oneOf(o.approximate, 'gegluBackward: options.approximate', ['none', 'tanh'] as const, 'none') === 'tanh' ? Act.geluTanh : Act.gelu, 0],
  ['approximate'],
);
/** Gradients of swiglu: silu(gate) ⊙ up. */
export const swigluBackward = makeGluBackward<GluBackwardOptions>('swigluBackward', () => [Act.silu, 1]);
/** Gradients of bilinear: gate ⊙ up (dGate = dh ⊙ up, dUp = dh ⊙ gate). */
export const bilinearBackward = makeGluBackward<GluBackwardOptions>('bilinearBackward', () => [Act.identity, 0]);
