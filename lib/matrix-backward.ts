// The backward passes of the fused gate and of the FFN, from raw f32 weights (the training step's
// weights as they are, in either layout): gluMatmulBackward, ffnBackward and their async twins.
// Each recomputes X·Wg and X·Wu in one fused GEMM pass whose epilogue applies the activation and its
// derivative in registers, so neither G, U nor H is kept from the forward pass; then the weight
// gradients and dx run as single GEMMs over [dG | dU] (native/runtime/gemm_backward.h).
import { binding } from './binding';
import * as check from './check';
import type { FusedActivation, Layout } from './matrix';
import { ACT_INDEX, ACTIVATIONS, LAYOUTS, named } from './matrix-internal';
import type { Float32Result } from './results';

/** Options of {@link gluMatmulBackward}: the forward gate's shape, activation and weight layout. */
export interface GluMatmulBackwardOptions {
  /** Columns of X (an integer ≥ 1). */
  inFeatures: number;
  /** Outputs of each projection (an integer ≥ 1). */
  outFeatures: number;
  /** The forward gate's activation (default 'silu', as packGate). */
  activation?: FusedActivation;
  /** The weights' layout, as packGate's: 'out-in' ([outFeatures, inFeatures], nn.Linear; default) or 'in-out'. */
  layout?: Layout;
  /**
   * Arrays to write the gradients into and return (in a training loop, the previous call's result):
   * each a Float32Array of its gradient's length, sharing no memory with another or with an input.
   */
  out?: { [K in keyof GluMatmulGradients]: Float32Array };
}
/** The gradients of H = act(X·Wg) ⊙ (X·Wu): options.out's arrays, or views of one new buffer. */
export interface GluMatmulGradients {
  /** ∂L/∂X, rows × inFeatures. */
  dx: Float32Result;
  /** ∂L/∂Wg in the weights' layout. */
  dWGate: Float32Result;
  /** ∂L/∂Wu in the weights' layout. */
  dWUp: Float32Result;
}
/** An FFN's raw f32 weights, as packFfn takes them: without `gate`, a plain MLP act(X·Wu)·Wd. */
export interface FfnWeights {
  /** Wg, [hiddenFeatures, inFeatures] for 'out-in'; omitted for a plain MLP. */
  gate?: Float32Array;
  /** Wu, [hiddenFeatures, inFeatures] for 'out-in'. */
  up: Float32Array;
  /** Wd, [inFeatures, hiddenFeatures] for 'out-in'. */
  down: Float32Array;
}
/** Options of {@link ffnBackward}: the forward FFN's shape, activation and weight layout. */
export interface FfnBackwardOptions {
  /** Columns of X and of Y (an integer ≥ 1). */
  inFeatures: number;
  /** The hidden width (an integer ≥ 1). */
  hiddenFeatures: number;
  /** The hidden layer's activation (default 'silu', as packFfn). */
  activation?: FusedActivation;
  /** The weights' layout, as packFfn's (default 'out-in'). */
  layout?: Layout;
  /**
   * Arrays to write the gradients into and return (in a training loop, the previous call's result):
   * dx, dUp, dDown, and dGate exactly when the weights have a gate; each a Float32Array of its gradient's
   * length, sharing no memory with another or with an input.
   */
  out?: { [K in keyof FfnGradients]: Float32Array };
}
/** The gradients of Y = (act(X·Wg) ⊙ X·Wu)·Wd (or act(X·Wu)·Wd): options.out's arrays, or views of one new buffer. */
export interface FfnGradients {
  /** ∂L/∂X, rows × inFeatures. */
  dx: Float32Result;
  /** ∂L/∂Wg (GLU FFNs only), in the weights' layout. */
  dGate?: Float32Result;
  /** ∂L/∂Wu, in the weights' layout. */
  dUp: Float32Result;
  /** ∂L/∂Wd, in the weights' layout. */
  dDown: Float32Result;
}

/** A raw weight: a Float32Array of features·inFeatures values (f32 only: gradients are float32). */
function weight(v: unknown, fn: string, name: string, length: number, shape: string): Float32Array {
  if (!(v instanceof Float32Array)) {
    throw new TypeError(`${fn}: ${name} must be a Float32Array (the raw f32 weight), got ${check.describe(v)}`);
  }
  const w = check.float32(v, `${fn}: ${name}`);
  if (w.length !== length) throw new RangeError(`${fn}: ${name} must have length ${shape} = ${length}, got ${w.length}`);
  return w;
}

function shapeText(layout: Layout, features: string, inF: number, outF: number): string {
  return layout === 'out-in'
    ? `${features}·inFeatures ([${outF}, ${inF}], layout 'out-in')`
    : `inFeatures·${features} ([${inF}, ${outF}], layout 'in-out')`;
}

function requiredOptions<T extends object>(v: unknown, fn: string, known: readonly string[], needed: string): Partial<T> {
  if (v === undefined) throw new TypeError(`${fn}: options ${needed} are required, got undefined`);
  return check.options<T>(v, fn, known);
}

function rowsOf(x: Float32Array, inFeatures: number, fn: string): number {
  if (x.length % inFeatures !== 0) {
    throw new RangeError(`${fn}: x must hold whole rows of inFeatures = ${inFeatures} values, got length ${x.length}`);
  }
  return x.length / inFeatures;
}

function gradient(v: unknown, fn: string, name: string, rows: number, width: number, widthName: string): Float32Array {
  const g = check.float32(v, `${fn}: ${name}`);
  if (g.length !== rows * width) {
    throw new RangeError(`${fn}: ${name} must have rows·${widthName} = ${rows}·${width} = ${rows * width} values, got ${g.length}`);
  }
  return g;
}

/**
 * The result arrays: options.out's (checked: an object of Float32Arrays of these lengths, sharing no
 * memory with one another or an input), else views of one new buffer in this order (the weight
 * gradients adjacent, which lets the out-in pass compute them in one GEMM).
 */
function outputs(fn: string, out: unknown, lengths: ReadonlyArray<readonly [string, number]>, inputs: ReadonlyArray<readonly [Float32Array, string]>): Record<string, Float32Array> {
  const r: Record<string, Float32Array> = {};
  if (out === undefined) {
    const buf = check.uninitialized(lengths.reduce((s, [, n]) => s + n, 0));
    let at = 0;
    for (const [name, n] of lengths) {
      r[name] = buf.subarray(at, at + n);
      at += n;
    }
    return r;
  }
  const names = lengths.map(([name]) => name);
  if (out === null || typeof out !== 'object' || ArrayBuffer.isView(out) || Array.isArray(out)) {
    throw new TypeError(`${fn}: options.out must be an object {${names.join(', ')}} of Float32Arrays, got ${check.describe(out)}`);
  }
  const o = check.options<Record<string, unknown>>(out, `${fn}: options.out`, names);
  for (const [name, n] of lengths) {
    const v = o[name];
    if (v === undefined) throw new TypeError(`${fn}: options.out.${name} is missing (options.out needs ${names.join(', ')})`);
    const a = check.float32(v, `${fn}: options.out.${name}`);
    if (a.length !== n) throw new RangeError(`${fn}: options.out.${name} must have length ${n}, got ${a.length}`);
    for (const [input, inName] of inputs) {
      if (check.overlaps(a, input)) throw new RangeError(`${fn}: options.out.${name} overlaps ${inName}; pass a separate array`);
    }
    for (const prev of Object.keys(r)) {
      if (check.overlaps(a, r[prev])) throw new RangeError(`${fn}: options.out.${name} overlaps options.out.${prev}; pass separate arrays`);
    }
    r[name] = a;
  }
  return r;
}

// ---- gluMatmulBackward --------------------------------------------------------------------------

function gluArgs(fn: string, x: unknown, wGate: unknown, wUp: unknown, dh: unknown, options: unknown) {
  const X = check.float32(x, `${fn}: x`);
  const o = requiredOptions<GluMatmulBackwardOptions>(options, fn, ['inFeatures', 'outFeatures', 'activation', 'layout', 'out'], '{inFeatures, outFeatures}');
  const inF = check.integer(o.inFeatures, `${fn}: options.inFeatures`, 1);
  const outF = check.integer(o.outFeatures, `${fn}: options.outFeatures`, 1);
  const layout = check.oneOf(o.layout, `${fn}: options.layout`, LAYOUTS, 'out-in');
  const activation = check.oneOf(o.activation, `${fn}: options.activation`, ACTIVATIONS, 'silu');
  const shape = shapeText(layout, 'outFeatures', inF, outF);
  const wg = weight(wGate, fn, 'wGate', inF * outF, shape);
  const wu = weight(wUp, fn, 'wUp', inF * outF, shape);
  const rows = rowsOf(X, inF, fn);
  const DH = gradient(dh, fn, 'dh', rows, outF, 'outFeatures');
  const inputs = [[X, 'x'], [wg, 'wGate'], [wu, 'wUp'], [DH, 'dh']] as const;
  const r = outputs(fn, o.out, [['dx', rows * inF], ['dWGate', inF * outF], ['dWUp', inF * outF]], inputs);
  const result = (o.out ?? { dx: r.dx, dWGate: r.dWGate, dWUp: r.dWUp }) as GluMatmulGradients;
  return { args: [X, wg, wu, DH, r.dx, r.dWGate, r.dWUp, inF, outF, layout === 'in-out', ACT_INDEX[activation]] as const, result };
}

/**
 * The gradients of the fused gate H = act(X·Wg) ⊙ (X·Wu) (gluMatmul) given dh = ∂L/∂H
 * (rows × outFeatures): dx, and dWGate, dWUp in the weights' layout. X·Wg and X·Wu are recomputed in
 * one fused GEMM pass that applies act and act′ in registers (nothing from the forward is needed).
 * Accuracy: relative Frobenius error ≤ 1e-5 and every element within 1e-4·max|ref| of the float64 reference.
 * @param x X, rows·inFeatures values (row-major).
 * @param wGate Wg, the raw f32 weight in options.layout.
 * @param wUp Wu, the raw f32 weight in options.layout.
 * @param dh ∂L/∂H, rows·outFeatures values.
 * @param options `inFeatures`, `outFeatures` (required), `activation` (default 'silu'), `layout` (default 'out-in').
 * @returns { dx, dWGate, dWUp }: new arrays (views of one buffer), the weight gradients in the weights' layout.
 * @throws {TypeError} x, a weight or dh is not a Float32Array or is detached; options is missing, not an object or has an unknown key; a feature count is not a number.
 * @throws {RangeError} a feature count is not an integer ≥ 1; layout or activation is not one of its values; a weight's length is not inFeatures·outFeatures; x's length is not a multiple of inFeatures; dh's is not rows·outFeatures.
 * @throws {Error} The native memory for the result cannot be allocated.
 * @example
 * const { dx, dWGate, dWUp } = sg.gluMatmulBackward(x, wGate, wUp, dh, { inFeatures: 64, outFeatures: 128, activation: 'gelu' });
 */
export function gluMatmulBackward(x: Float32Array, wGate: Float32Array, wUp: Float32Array, dh: Float32Array, options: GluMatmulBackwardOptions): GluMatmulGradients {
  const c = gluArgs('gluMatmulBackward', x, wGate, wUp, dh, options);
  binding.gluMatmulBackward(...c.args);
  return c.result;
}

/**
 * {@link gluMatmulBackward} off the JS thread: resolves to the same bits as the sync form.
 * Runs on a libuv worker off the JS thread; argument errors reject (it never throws synchronously).
 * @param x X, rows·inFeatures values (row-major).
 * @param wGate Wg, the raw f32 weight in options.layout.
 * @param wUp Wu, the raw f32 weight in options.layout.
 * @param dh ∂L/∂H, rows·outFeatures values.
 * @param options `inFeatures`, `outFeatures` (required), `activation`, `layout`.
 * @returns A promise of { dx, dWGate, dWUp }.
 * @throws {TypeError} (as a rejection) x, a weight or dh is not a Float32Array or is detached; options is missing, not an object or has an unknown key; a feature count is not a number.
 * @throws {RangeError} (as a rejection) a feature count is not an integer ≥ 1; layout or activation is not one of its values; a weight's length is not inFeatures·outFeatures; x's length is not a multiple of inFeatures; dh's is not rows·outFeatures.
 * @throws {Error} (as a rejection) The native memory for the result cannot be allocated.
 * @example
 * const { dx, dWGate, dWUp } = await sg.gluMatmulBackwardAsync(x, wGate, wUp, dh, { inFeatures: 64, outFeatures: 128 });
 */
export async function gluMatmulBackwardAsync(x: Float32Array, wGate: Float32Array, wUp: Float32Array, dh: Float32Array, options: GluMatmulBackwardOptions): Promise<GluMatmulGradients> {
  const fn = 'gluMatmulBackwardAsync';
  const c = gluArgs(fn, x, wGate, wUp, dh, options);
  await named(fn, binding.gluMatmulBackwardAsync(...c.args), c.args[4]);
  return c.result;
}

// ---- ffnBackward ----------------------------------------------------------------------------------

function ffnArgs(fn: string, x: unknown, weights: unknown, dy: unknown, options: unknown) {
  const X = check.float32(x, `${fn}: x`);
  if (weights === null || typeof weights !== 'object' || ArrayBuffer.isView(weights) || Array.isArray(weights)) {
    throw new TypeError(`${fn}: weights must be an object {gate?, up, down}, got ${check.describe(weights)}`);
  }
  const W = check.options<FfnWeights>(weights, `${fn}: weights`, ['gate', 'up', 'down']);
  const o = requiredOptions<FfnBackwardOptions>(options, fn, ['inFeatures', 'hiddenFeatures', 'activation', 'layout', 'out'], '{inFeatures, hiddenFeatures}');
  const inF = check.integer(o.inFeatures, `${fn}: options.inFeatures`, 1);
  const hidden = check.integer(o.hiddenFeatures, `${fn}: options.hiddenFeatures`, 1);
  const layout = check.oneOf(o.layout, `${fn}: options.layout`, LAYOUTS, 'out-in');
  const activation = check.oneOf(o.activation, `${fn}: options.activation`, ACTIVATIONS, 'silu');
  const len = inF * hidden;
  const upShape = shapeText(layout, 'hiddenFeatures', inF, hidden);
  const downShape =
    layout === 'out-in' ? `inFeatures·hiddenFeatures ([${inF}, ${hidden}], layout 'out-in')` : `hiddenFeatures·inFeatures ([${hidden}, ${inF}], layout 'in-out')`;
  const gate = W.gate === undefined ? null : weight(W.gate, fn, 'weights.gate', len, upShape);
  const up = weight(W.up, fn, 'weights.up', len, upShape);
  const down = weight(W.down, fn, 'weights.down', len, downShape);
  const rows = rowsOf(X, inF, fn);
  const DY = gradient(dy, fn, 'dy', rows, inF, 'inFeatures');
  const inputs: Array<readonly [Float32Array, string]> = [[X, 'x'], [up, 'weights.up'], [down, 'weights.down'], [DY, 'dy']];
  if (gate) inputs.push([gate, 'weights.gate']);
  const lengths: Array<readonly [string, number]> = [['dx', rows * inF], ...(gate ? [['dGate', len] as const] : []), ['dUp', len], ['dDown', len]];
  const r = outputs(fn, o.out, lengths, inputs);
  const result = (o.out ?? (gate ? { dx: r.dx, dGate: r.dGate, dUp: r.dUp, dDown: r.dDown } : { dx: r.dx, dUp: r.dUp, dDown: r.dDown })) as FfnGradients;
  return {
    args: [X, gate, up, down, DY, r.dx, gate ? r.dGate : null, r.dUp, r.dDown, inF, hidden, layout === 'in-out', ACT_INDEX[activation]] as const,
    result,
  };
}

/**
 * The gradients of an FFN Y = (act(X·Wg) ⊙ (X·Wu))·Wd, or of a plain MLP act(X·Wu)·Wd (weights without
 * `gate`), given dy = ∂L/∂Y (rows × inFeatures): dx, and dGate (GLU only), dUp, dDown in the weights'
 * layout. The hidden layer is recomputed (X·Wg and X·Wu in one fused pass), never taken from the forward.
 * Accuracy: relative Frobenius error ≤ 1e-5 and every element within 1e-4·max|ref| of the float64 reference.
 * @param x X, rows·inFeatures values (row-major).
 * @param weights { gate?, up, down }: the raw f32 weights in options.layout.
 * @param dy ∂L/∂Y, x's length.
 * @param options `inFeatures`, `hiddenFeatures` (required), `activation` (default 'silu'), `layout` (default 'out-in').
 * @returns { dx, dGate (GLU only), dUp, dDown }: new arrays (views of one buffer), the weight gradients in the weights' layout.
 * @throws {TypeError} x or dy is not a Float32Array or is detached; weights is not an object {gate?, up, down} or has an unknown key, or a weight is not a Float32Array; options is missing, not an object or has an unknown key; a feature count is not a number.
 * @throws {RangeError} a feature count is not an integer ≥ 1; layout or activation is not one of its values; a weight's length is not inFeatures·hiddenFeatures; x's length is not a multiple of inFeatures; dy's is not x's.
 * @throws {Error} The native memory for the result cannot be allocated.
 * @example
 * const w = { gate, up, down };
 * const y = sg.ffn(x, sg.packFfn({ ...w, inFeatures: 64, hiddenFeatures: 172 }));
 * const { dx, dGate, dUp, dDown } = sg.ffnBackward(x, w, dy, { inFeatures: 64, hiddenFeatures: 172 });
 */
export function ffnBackward(x: Float32Array, weights: FfnWeights, dy: Float32Array, options: FfnBackwardOptions): FfnGradients {
  const c = ffnArgs('ffnBackward', x, weights, dy, options);
  binding.ffnBackward(...c.args);
  return c.result;
}

/**
 * {@link ffnBackward} off the JS thread: resolves to the same bits as the sync form.
 * Runs on a libuv worker off the JS thread; argument errors reject (it never throws synchronously).
 * @param x X, rows·inFeatures values (row-major).
 * @param weights { gate?, up, down }: the raw f32 weights in options.layout.
 * @param dy ∂L/∂Y, x's length.
 * @param options `inFeatures`, `hiddenFeatures` (required), `activation`, `layout`.
 * @returns A promise of { dx, dGate (GLU only), dUp, dDown }.
 * @throws {TypeError} (as a rejection) x or dy is not a Float32Array or is detached; weights is not an object {gate?, up, down} or has an unknown key, or a weight is not a Float32Array; options is missing, not an object or has an unknown key; a feature count is not a number.
 * @throws {RangeError} (as a rejection) a feature count is not an integer ≥ 1; layout or activation is not one of its values; a weight's length is not inFeatures·hiddenFeatures; x's length is not a multiple of inFeatures; dy's is not x's.
 * @throws {Error} (as a rejection) The native memory for the result cannot be allocated.
 * @example
 * const { dx, dUp, dDown } = await sg.ffnBackwardAsync(x, { up, down }, dy, { inFeatures: 64, hiddenFeatures: 256, activation: 'gelu' });
 */
export async function ffnBackwardAsync(x: Float32Array, weights: FfnWeights, dy: Float32Array, options: FfnBackwardOptions): Promise<FfnGradients> {
  const fn = 'ffnBackwardAsync';
  const c = ffnArgs(fn, x, weights, dy, options);
  await named(fn, binding.ffnBackwardAsync(...c.args), c.args[5]);
  return c.result;
}
