// The elementwise activations (float32). Each takes its input, then an optional options object;
// options.out (a Float32Array of the same length) is written and returned instead of a new array,
// and may be the input itself. Definitions follow PyTorch's torch.nn.functional of the same name.
import { binding } from './binding';
import * as check from './check';
import { Act, BETA_MIN, SCALE_MAX, SLOPE_MIN } from './ops';
import type { Float32Result } from './results';

/** The option every elementwise op takes. */
export interface OutOption {
  /** Written and returned instead of a new array: the input's length; may be the input itself (in place), no other overlap. */
  out?: Float32Array;
}
/** Options of {@link leakyRelu} (and {@link leakyReluBackward}). */
export interface LeakyReluOptions extends OutOption {
  /** Slope for x ≤ 0 (default 0.01): 0 or of magnitude in [2^-126, 2^64]. */
  slope?: number;
}
/** Options of {@link silu} / {@link swish} (and their gradients). */
export interface SiluOptions extends OutOption {
  /** The β of x·sigmoid(β·x) (default 1): 0 or of magnitude in [2^-20, 2^64]. */
  beta?: number;
}
/** Options of {@link gelu} (and {@link geluBackward}). */
export interface GeluOptions extends OutOption {
  /** 'none' (default): x·Φ(x) with the exact normal CDF; 'tanh': the tanh approximation. */
  approximate?: 'none' | 'tanh';
}
/** Options of {@link softplus} (and {@link softplusBackward}). */
export interface SoftplusOptions extends OutOption {
  /** The β of log(1 + e^(β·x))/β (default 1): in [2^-20, 2^64]. */
  beta?: number;
  /** Where β·x > threshold the result is x itself (default 20; any finite number). */
  threshold?: number;
}
/** Options of {@link elu} (and {@link eluBackward}). */
export interface EluOptions extends OutOption {
  /** The value approached as x → −∞ is −alpha (default 1): 0 or of magnitude in [2^-126, 2^64]. */
  alpha?: number;
}

const OUT = ['out'] as const;

function run(fn: string, op: number, x: unknown, out: unknown, a = 0, b = 0): Float32Array {
  const input = check.float32(x, `${fn}: x`);
  const o = check.output(out, input.length, fn, [[input, 'x']]);
  return binding.unary(op, input, o, a, b);
}

function simple(fn: string, op: number) {
  return (x: Float32Array, options?: OutOption): Float32Result => {
    const o = check.options<OutOption>(options, fn, OUT);
    return run(fn, op, x, o.out) as Float32Result;
  };
}

// The errors of every op below, as lib/check.ts raises them (messages start with the op's name):
//   TypeError   x or options.out is not a Float32Array, or is detached; options is not an object or
//               has an unknown key; a parameter is not a number (or, for approximate, not a string)
//   RangeError  options.out's length is not x's, or it overlaps x without being x; a parameter is out
//               of its domain (not finite, or outside the magnitudes its option states)

/**
 * ReLU: max(x, 0) elementwise. Exact; NaN stays NaN, relu(−0) = +0.
 * @param x The input (any Float32Array view, SharedArrayBuffer-backed too); not changed unless it is options.out.
 * @param options `out`: the array to write and return instead of a new one (may be x itself).
 * @returns options.out if given, else a new Float32Array of x's length.
 * @throws {TypeError} x or options.out is not a Float32Array or is detached; options is not an object or has an unknown key.
 * @throws {RangeError} options.out's length is not x's, or it overlaps x without being x.
 * @example
 * sg.relu(new Float32Array([-1, 0, 2])); // Float32Array [0, 0, 2]
 */
export const relu = simple('relu', Act.relu);
/**
 * ReLU6: min(max(x, 0), 6) elementwise. Exact; NaN stays NaN.
 * @param x The input (any Float32Array view); not changed unless it is options.out.
 * @param options `out`: the array to write and return instead of a new one (may be x itself).
 * @returns options.out if given, else a new Float32Array of x's length.
 * @throws {TypeError} x or options.out is not a Float32Array or is detached; options is not an object or has an unknown key.
 * @throws {RangeError} options.out's length is not x's, or it overlaps x without being x.
 * @example
 * sg.relu6(new Float32Array([-1, 3, 9])); // Float32Array [0, 3, 6]
 */
export const relu6 = simple('relu6', Act.relu6);
/**
 * Sigmoid: 1 / (1 + e^−x) elementwise, within 4 ULP of the exact value for every float32 x;
 * sigmoid(+Inf) = 1, sigmoid(−Inf) = 0, NaN stays NaN.
 * @param x The input (any Float32Array view); not changed unless it is options.out.
 * @param options `out`: the array to write and return instead of a new one (may be x itself).
 * @returns options.out if given, else a new Float32Array of x's length.
 * @throws {TypeError} x or options.out is not a Float32Array or is detached; options is not an object or has an unknown key.
 * @throws {RangeError} options.out's length is not x's, or it overlaps x without being x.
 * @example
 * sg.sigmoid(new Float32Array([0])); // Float32Array [0.5]
 */
export const sigmoid = simple('sigmoid', Act.sigmoid);
/**
 * Hyperbolic tangent elementwise, within 4 ULP for every float32 x; tanh(±Inf) = ±1, NaN stays NaN.
 * @param x The input (any Float32Array view); not changed unless it is options.out.
 * @param options `out`: the array to write and return instead of a new one (may be x itself).
 * @returns options.out if given, else a new Float32Array of x's length.
 * @throws {TypeError} x or options.out is not a Float32Array or is detached; options is not an object or has an unknown key.
 * @throws {RangeError} options.out's length is not x's, or it overlaps x without being x.
 * @example
 * sg.tanh(new Float32Array([0, 20])); // Float32Array [0, 1]
 */
export const tanh = simple('tanh', Act.tanh);
/**
 * QuickGELU: x·sigmoid(1.702·x) elementwise (the GELU approximation of CLIP / GPT-2-era code), within 4 ULP.
 * @param x The input (any Float32Array view); not changed unless it is options.out.
 * @param options `out`: the array to write and return instead of a new one (may be x itself).
 * @returns options.out if given, else a new Float32Array of x's length.
 * @throws {TypeError} x or options.out is not a Float32Array or is detached; options is not an object or has an unknown key.
 * @throws {RangeError} options.out's length is not x's, or it overlaps x without being x.
 * @example
 * const y = sg.quickGelu(x);
 */
export const quickGelu = simple('quickGelu', Act.quickGelu);
/**
 * Mish: x·tanh(softplus(x)) elementwise, within 8 ULP for every float32 x.
 * @param x The input (any Float32Array view); not changed unless it is options.out.
 * @param options `out`: the array to write and return instead of a new one (may be x itself).
 * @returns options.out if given, else a new Float32Array of x's length.
 * @throws {TypeError} x or options.out is not a Float32Array or is detached; options is not an object or has an unknown key.
 * @throws {RangeError} options.out's length is not x's, or it overlaps x without being x.
 * @example
 * const y = sg.mish(x);
 */
export const mish = simple('mish', Act.mish);
/**
 * SELU: scale·(x > 0 ? x : alpha·(e^x − 1)) elementwise with PyTorch's constants (scale ≈ 1.0507,
 * alpha ≈ 1.6733), within 4 ULP.
 * @param x The input (any Float32Array view); not changed unless it is options.out.
 * @param options `out`: the array to write and return instead of a new one (may be x itself).
 * @returns options.out if given, else a new Float32Array of x's length.
 * @throws {TypeError} x or options.out is not a Float32Array or is detached; options is not an object or has an unknown key.
 * @throws {RangeError} options.out's length is not x's, or it overlaps x without being x.
 * @example
 * const y = sg.selu(x);
 */
export const selu = simple('selu', Act.selu);
/**
 * Hard sigmoid: x ≤ −3 ? 0 : x ≥ 3 ? 1 : x/6 + 1/2 elementwise, within 4 ULP.
 * @param x The input (any Float32Array view); not changed unless it is options.out.
 * @param options `out`: the array to write and return instead of a new one (may be x itself).
 * @returns options.out if given, else a new Float32Array of x's length.
 * @throws {TypeError} x or options.out is not a Float32Array or is detached; options is not an object or has an unknown key.
 * @throws {RangeError} options.out's length is not x's, or it overlaps x without being x.
 * @example
 * sg.hardSigmoid(new Float32Array([-4, 0, 4])); // Float32Array [0, 0.5, 1]
 */
export const hardSigmoid = simple('hardSigmoid', Act.hardSigmoid);
/**
 * Hard swish: x ≤ −3 ? 0 : x ≥ 3 ? x : x·(x + 3)/6 elementwise, within 4 ULP.
 * @param x The input (any Float32Array view); not changed unless it is options.out.
 * @param options `out`: the array to write and return instead of a new one (may be x itself).
 * @returns options.out if given, else a new Float32Array of x's length.
 * @throws {TypeError} x or options.out is not a Float32Array or is detached; options is not an object or has an unknown key.
 * @throws {RangeError} options.out's length is not x's, or it overlaps x without being x.
 * @example
 * sg.hardSwish(new Float32Array([-4, 0, 4])); // Float32Array [0, 0, 4]
 */
export const hardSwish = simple('hardSwish', Act.hardSwish);

/**
 * Leaky ReLU: x > 0 ? x : slope·x elementwise, within 1 ULP.
 * @param x The input (any Float32Array view); not changed unless it is options.out.
 * @param options `slope` (default 0.01; 0 or of magnitude in [2^-126, 2^64]); `out`: the array to write and return (may be x itself).
 * @returns options.out if given, else a new Float32Array of x's length.
 * @throws {TypeError} x or options.out is not a Float32Array or is detached; options is not an object or has an unknown key; slope is not a number.
 * @throws {RangeError} options.out's length is not x's, or it overlaps x without being x; slope is not finite or outside its range.
 * @example
 * sg.leakyRelu(new Float32Array([-10, 1]), { slope: 0.1 }); // Float32Array [-1, 1]
 */
export function leakyRelu(x: Float32Array, options?: LeakyReluOptions): Float32Result {
  const o = check.options<LeakyReluOptions>(options, 'leakyRelu', ['slope', 'out']);
  const slope = check.scale(o.slope, 'leakyRelu: options.slope', 0.01, SLOPE_MIN, SCALE_MAX);
  return run('leakyRelu', Act.leakyRelu, x, o.out, slope) as Float32Result;
}

/**
 * SiLU / swish: x·sigmoid(β·x) elementwise, within 4 ULP for every float32 x; silu(−Inf) = −0.
 * @param x The input (any Float32Array view); not changed unless it is options.out.
 * @param options `beta` (default 1; 0 or of magnitude in [2^-20, 2^64]); `out`: the array to write and return (may be x itself).
 * @returns options.out if given, else a new Float32Array of x's length.
 * @throws {TypeError} x or options.out is not a Float32Array or is detached; options is not an object or has an unknown key; beta is not a number.
 * @throws {RangeError} options.out's length is not x's, or it overlaps x without being x; beta is not finite or outside its range.
 * @example
 * const y = sg.silu(x);              // a new array
 * sg.silu(x, { beta: 1.5, out: x }); // in place
 */
export function silu(x: Float32Array, options?: SiluOptions): Float32Result {
  const o = check.options<SiluOptions>(options, 'silu', ['beta', 'out']);
  const beta = check.scale(o.beta, 'silu: options.beta', 1, BETA_MIN, SCALE_MAX);
  return run('silu', Act.silu, x, o.out, beta) as Float32Result;
}
/**
 * Swish: the same function as {@link silu}, x·sigmoid(β·x); its errors name `silu`.
 * @param x The input (any Float32Array view); not changed unless it is options.out.
 * @param options `beta` (default 1); `out`: the array to write and return (may be x itself).
 * @returns options.out if given, else a new Float32Array of x's length.
 * @throws {TypeError} As silu: wrong types, detached arrays, unknown options.
 * @throws {RangeError} As silu: out's length or overlap, beta out of range.
 * @example
 * const y = sg.swish(x, { beta: 1 });
 */
export const swish = silu;

/**
 * GELU: x·Φ(x) with the exact normal CDF (approximate: 'none', the default), or
 * 0.5·x·(1 + tanh(√(2/π)·(x + 0.044715·x³))) ('tanh'), elementwise, within 4 ULP; gelu(−Inf) = −0.
 * @param x The input (any Float32Array view); not changed unless it is options.out.
 * @param options `approximate` ('none' | 'tanh'); `out`: the array to write and return (may be x itself).
 * @returns options.out if given, else a new Float32Array of x's length.
 * @throws {TypeError} x or options.out is not a Float32Array or is detached; options is not an object or has an unknown key; approximate is not a string.
 * @throws {RangeError} options.out's length is not x's, or it overlaps x without being x; approximate is not 'none' or 'tanh'.
 * @example
 * const y = sg.gelu(x, { approximate: 'tanh' });
 */
export function gelu(x: Float32Array, options?: GeluOptions): Float32Result {
  const o = check.options<GeluOptions>(options, 'gelu', ['approximate', 'out']);
  const approx = check.oneOf(o.approximate, 'gelu: options.approximate', ['none', 'tanh'] as const, 'none');
  return run('gelu', approx === 'tanh' ? Act.geluTanh : Act.gelu, x, o.out) as Float32Result;
}

/**
 * Softplus: β·x > threshold ? x : log(1 + e^(β·x))/β elementwise, within 4 ULP; softplus(+Inf) = +Inf.
 * @param x The input (any Float32Array view); not changed unless it is options.out.
 * @param options `beta` (default 1; in [2^-20, 2^64]), `threshold` (default 20, finite); `out`: the array to write and return (may be x itself).
 * @returns options.out if given, else a new Float32Array of x's length.
 * @throws {TypeError} x or options.out is not a Float32Array or is detached; options is not an object or has an unknown key; beta or threshold is not a number.
 * @throws {RangeError} options.out's length is not x's, or it overlaps x without being x; beta is not > 0 or outside its range; threshold is not finite.
 * @example
 * const y = sg.softplus(x, { beta: 2 });
 */
export function softplus(x: Float32Array, options?: SoftplusOptions): Float32Result {
  const o = check.options<SoftplusOptions>(options, 'softplus', ['beta', 'threshold', 'out']);
  const beta = check.positiveNumber(o.beta, 'softplus: options.beta', 1);
  check.scale(beta, 'softplus: options.beta', 1, BETA_MIN, SCALE_MAX, false);
  const threshold = check.finiteNumber(o.threshold, 'softplus: options.threshold', 20);
  return run('softplus', Act.softplus, x, o.out, beta, threshold) as Float32Result;
}

/**
 * ELU: x > 0 ? x : alpha·(e^x − 1) elementwise, within 4 ULP.
 * @param x The input (any Float32Array view); not changed unless it is options.out.
 * @param options `alpha` (default 1; 0 or of magnitude in [2^-126, 2^64]); `out`: the array to write and return (may be x itself).
 * @returns options.out if given, else a new Float32Array of x's length.
 * @throws {TypeError} x or options.out is not a Float32Array or is detached; options is not an object or has an unknown key; alpha is not a number.
 * @throws {RangeError} options.out's length is not x's, or it overlaps x without being x; alpha is not finite or outside its range.
 * @example
 * const y = sg.elu(x, { alpha: 0.5 });
 */
export function elu(x: Float32Array, options?: EluOptions): Float32Result {
  const o = check.options<EluOptions>(options, 'elu', ['alpha', 'out']);
  const alpha = check.scale(o.alpha, 'elu: options.alpha', 1, SLOPE_MIN, SCALE_MAX);
  return run('elu', Act.elu, x, o.out, alpha) as Float32Result;
}
