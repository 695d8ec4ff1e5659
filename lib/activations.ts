// The elementwise activations (float32). Each takes its input, then an optional options object;
// options.out (a Float32Array of the same length) is written and returned instead of a new array,
// and may be the input itself. Definitions follow PyTorch's torch.nn.functional of the same name.
import { binding } from './binding';
import * as check from './check';
import { Act, BETA_MIN, SCALE_MAX, SLOPE_MIN } from './ops';

export interface OutOption {
  /** Written and returned instead of a new array. Same length as the input; may be the input itself. */
  out?: Float32Array;
}
export interface LeakyReluOptions extends OutOption {
  /** Slope for x < 0 (default 0.01). */
  slope?: number;
}
export interface SiluOptions extends OutOption {
  /** x·sigmoid(beta·x) (default 1). */
  beta?: number;
}
export interface GeluOptions extends OutOption {
  /** 'none' (default): x·Φ(x) with the exact normal CDF; 'tanh': the tanh approximation. */
  approximate?: 'none' | 'tanh';
}
export interface SoftplusOptions extends OutOption {
  /** log1p(exp(beta·x))/beta (default 1, must be > 0). */
  beta?: number;
  /** Above beta·x > threshold the result is x (default 20). */
  threshold?: number;
}
export interface EluOptions extends OutOption {
  /** Value approached as x → -∞ is -alpha (default 1). */
  alpha?: number;
}

const OUT = ['out'] as const;

function run(fn: string, op: number, x: unknown, out: unknown, a = 0, b = 0): Float32Array {
  const input = check.float32(x, `${fn}: x`);
  const o = check.output(out, input.length, fn, [[input, 'x']]);
  return binding.unary(op, input, o, a, b);
}

function simple(fn: string, op: number) {
  return (x: Float32Array, options?: OutOption): Float32Array => {
    const o = check.options<OutOption>(options, fn, OUT);
    return run(fn, op, x, o.out);
  };
}

/** max(x, 0); NaN stays NaN; relu(-0) = +0. */
export const relu = simple('relu', Act.relu);
/** min(max(x, 0), 6); NaN stays NaN. */
export const relu6 = simple('relu6', Act.relu6);
/** 1 / (1 + e^-x). */
export const sigmoid = simple('sigmoid', Act.sigmoid);
/** Hyperbolic tangent. */
export const tanh = simple('tanh', Act.tanh);
/** x·sigmoid(1.702x), the GELU approximation of CLIP / GPT-2 era code. */
export const quickGelu = simple('quickGelu', Act.quickGelu);
/** x·tanh(softplus(x)). */
export const mish = simple('mish', Act.mish);
/** scale·(x > 0 ? x : alpha·(e^x − 1)) with PyTorch's constants. */
export const selu = simple('selu', Act.selu);
/** x ≤ −3 ? 0 : x ≥ 3 ? 1 : x/6 + 1/2. */
export const hardSigmoid = simple('hardSigmoid', Act.hardSigmoid);
/** x ≤ −3 ? 0 : x ≥ 3 ? x : x·(x + 3)/6. */
export const hardSwish = simple('hardSwish', Act.hardSwish);

/** x > 0 ? x : slope·x. */
export function leakyRelu(x: Float32Array, options?: LeakyReluOptions): Float32Array {
  const o = check.options<LeakyReluOptions>(options, 'leakyRelu', ['slope', 'out']);
  const slope = check.scale(o.slope, 'leakyRelu: options.slope', 0.01, SLOPE_MIN, SCALE_MAX);
  return run('leakyRelu', Act.leakyRelu, x, o.out, slope);
}

/** SiLU / swish: x·sigmoid(beta·x). */
export function silu(x: Float32Array, options?: SiluOptions): Float32Array {
  const o = check.options<SiluOptions>(options, 'silu', ['beta', 'out']);
  const beta = check.scale(o.beta, 'silu: options.beta', 1, BETA_MIN, SCALE_MAX);
  return run('silu', Act.silu, x, o.out, beta);
}
/** Alias of silu. */
export const swish = silu;

/** GELU: x·Φ(x) (approximate: 'none') or 0.5x(1 + tanh(√(2/π)(x + 0.044715x³))) ('tanh'). */
export function gelu(x: Float32Array, options?: GeluOptions): Float32Array {
  const o = check.options<GeluOptions>(options, 'gelu', ['approximate', 'out']);
  const approx = check.oneOf(o.approximate, 'gelu: options.approximate', ['none', 'tanh'] as const, 'none');
  return run('gelu', approx === 'tanh' ? Act.geluTanh : Act.gelu, x, o.out);
}

/** beta·x > threshold ? x : log(1 + e^(beta·x))/beta. */
export function softplus(x: Float32Array, options?: SoftplusOptions): Float32Array {
  const o = check.options<SoftplusOptions>(options, 'softplus', ['beta', 'threshold', 'out']);
  const beta = check.positiveNumber(o.beta, 'softplus: options.beta', 1);
  check.scale(beta, 'softplus: options.beta', 1, BETA_MIN, SCALE_MAX, false);
  const threshold = check.finiteNumber(o.threshold, 'softplus: options.threshold', 20);
  return run('softplus', Act.softplus, x, o.out, beta, threshold);
}

/** x > 0 ? x : alpha·(e^x − 1). */
export function elu(x: Float32Array, options?: EluOptions): Float32Array {
  const o = check.options<EluOptions>(options, 'elu', ['alpha', 'out']);
  const alpha = check.scale(o.alpha, 'elu: options.alpha', 1, SLOPE_MIN, SCALE_MAX);
  return run('elu', Act.elu, x, o.out, alpha);
}
