// Matrix ops: matmul, the fused SwiGLU gate over packed weights, the whole gated FFN, and their
// async twins. Row-major Float32Array with shapes in the options; weights default to PyTorch
// nn.Linear layout [outFeatures, inFeatures] ('out-in'), 'in-out' takes [inFeatures, outFeatures].
import { binding } from './binding';
import * as check from './check';
import { ACT_INDEX, ACTIVATIONS, LAYOUTS, named } from './matrix-internal';
import type { FUSED_ACTIVATIONS } from './activation-table';
import type { ClonedPackedFfn, ClonedPackedGate, UsablePack } from './packs';
import { DTYPES, DTYPE_INDEX, PackedFfn, PackedGate, isPackLike, makeFfn, makeGate, newPack, usablePack } from './packs';
import type { Float32Result } from './results';

export { PackedFfn, PackedGate } from './packs';
export type { ClonedPackedFfn, ClonedPackedGate } from './packs';

/** How a weight matrix is stored: 'out-in' is [outFeatures, inFeatures] (PyTorch nn.Linear's weight), 'in-out' its transpose. */
export type Layout = 'out-in' | 'in-out';
/** A weight's element type: float32, or bfloat16 / IEEE binary16 bit patterns in a Uint16Array. */
export type Dtype = 'f32' | 'bf16' | 'f16';
/** f32 weights are Float32Array; bf16/f16 weights are Uint16Array holding the 16-bit patterns. */
export type WeightArray = Float32Array | Uint16Array;
/**
 * A weight with its own shape and dtype, as loadSafetensors returns it: dtype 'F32' (data a
 * Float32Array), 'BF16' or 'F16' (a Uint16Array of bit patterns). packGate/packFfn check `shape`
 * against the features and the layout, so a transposed or swapped matrix is an error, not garbage;
 * a square matrix cannot be told from its transpose, so for those the layout is the caller's word.
 */
export interface WeightTensor {
  /** The elements: a Float32Array for 'F32', a Uint16Array of bit patterns for 'BF16' and 'F16'. */
  data: ArrayBufferView;
  /** The matrix's [rows, columns]: [outFeatures, inFeatures] for layout 'out-in', the transpose for 'in-out'. */
  shape: readonly number[];
  /** 'F32', 'BF16' or 'F16' (safetensors' names); it sets the pack's dtype. */
  dtype: string;
}
/** What packGate/packFfn take for each weight: a bare array (shape from the options) or a tensor. */
export type Weight = WeightArray | WeightTensor;
/**
 * The activation a fused gate or FFN applies, each as its elementwise op with default parameters:
 * 'silu' (SwiGLU), 'gelu' (GEGLU, erf form), 'gelu-tanh' (GEGLU, tanh form), 'relu' (ReGLU), 'sigmoid'
 * (GLU) or 'identity' (bilinear); for a plain MLP (packFfn without gate) the hidden layer's activation.
 */
export type FusedActivation = (typeof FUSED_ACTIVATIONS)[number];

/** Options of {@link matmul} and {@link matmulAsync}: the shapes, the transposes, accumulation and `out`. */
export interface MatmulOptions {
  /** Rows of the result (and of A, or columns of A when transA). */
  m: number;
  /** The inner dimension: columns of A and rows of B (as stored before any transpose). */
  k: number;
  /** Columns of the result (and of B, or rows of B when transB). */
  n: number;
  /** B is [n×k] (so C = A·Bᵀ) instead of [k×n]. */
  transB?: boolean;
  /** A is [k×m] (so C = Aᵀ·B) instead of [m×k]: e.g. a weight gradient Xᵀ·dY. */
  transA?: boolean;
  /** out += A·B (the product rounded to float32, then added) instead of out = A·B; needs `out`. */
  accumulate?: boolean;
  /** Written and returned instead of a new array; may be exactly a or b, no other overlap. */
  out?: Float32Array;
}
/** Options of {@link packGate}: the shape and how the weights are stored. */
export interface PackGateOptions {
  /** Columns of X: the model width (an integer ≥ 1). */
  inFeatures: number;
  /** Outputs of each projection: the hidden width (an integer ≥ 1). */
  outFeatures: number;
  /** How each weight is stored (default 'out-in', nn.Linear's [outFeatures, inFeatures]). */
  layout?: Layout;
  /** The weights' element type for bare arrays (default 'f32'; tensors bring their own). */
  dtype?: Dtype;
  /** The gate's activation (default 'silu'). */
  activation?: FusedActivation;
}
/** The `out` option of the gate and FFN calls. */
export interface OutOptions {
  /** Written and returned instead of a new array: exactly the result's length; no overlap with x (the FFN: may be x itself). */
  out?: Float32Array;
}
/** Options of {@link swigluMatmul}'s raw-weight form: {@link PackGateOptions} without activation (always silu), plus `out`. */
export interface SwigluMatmulRawOptions extends Omit<PackGateOptions, 'activation'>, OutOptions {}
/** Options of {@link gluMatmul}'s raw-weight form: {@link PackGateOptions} plus `out`. */
export interface GluMatmulRawOptions extends PackGateOptions, OutOptions {}
/** Options of {@link packFfn}: the three weights, the shape and how the weights are stored. */
export interface PackFfnOptions {
  /** The gate projection of a GLU FFN; omit it for a plain MLP act(x·Wu)·Wd. */
  gate?: Weight;
  /** The up projection: [hiddenFeatures, inFeatures] for layout 'out-in'. */
  up: Weight;
  /** The down projection: [inFeatures, hiddenFeatures] for layout 'out-in'. */
  down: Weight;
  /** The model width: columns of X and of the result (an integer ≥ 1). */
  inFeatures: number;
  /** The hidden width (an integer ≥ 1). */
  hiddenFeatures: number;
  /** How every weight is stored (default 'out-in', nn.Linear's [out, in]). */
  layout?: Layout;
  /** The weights' element type for bare arrays (default 'f32'; tensors bring their own). */
  dtype?: Dtype;
  /** The hidden layer's activation (default 'silu'). */
  activation?: FusedActivation;
}

// ---- checks ---------------------------------------------------------------------------------

const TENSOR_DTYPES: Record<string, Dtype> = { F32: 'f32', BF16: 'bf16', F16: 'f16' };

/** A tensor argument ({data, shape, dtype}): any object that is not itself an array or a view. */
function isTensor(v: unknown): v is WeightTensor {
  return typeof v === 'object' && v !== null && !ArrayBuffer.isView(v) && !Array.isArray(v) && 'data' in v;
}

/** The packers' dtype of a tensor argument: F32/BF16/F16, or an error naming the argument. */
function tensorDtype(v: WeightTensor, name: string): Dtype {
  if (typeof v.dtype !== 'string') throw new TypeError(`${name}.dtype must be 'F32', 'BF16' or 'F16', got ${check.describe(v.dtype)}`);
  const d = Object.prototype.hasOwnProperty.call(TENSOR_DTYPES, v.dtype) ? TENSOR_DTYPES[v.dtype] : undefined;
  if (d === undefined) throw new RangeError(`${name} has dtype '${v.dtype}'; packing takes 'F32', 'BF16' or 'F16' (convert it first)`);
  return d;
}

/**
 * The dtype of one pack: every tensor argument's (they must agree, and agree with options.dtype if
 * given); with no tensor, options.dtype or 'f32'. Bare arrays are then checked against it by weight().
 */
function packDtype(fn: string, option: unknown, weights: ReadonlyArray<readonly [unknown, string]>): Dtype {
  const given = option === undefined ? undefined : check.oneOf(option, `${fn}: options.dtype`, DTYPES, 'f32');
  let found: { dtype: Dtype; name: string; raw: string } | undefined;
  for (const [w, name] of weights) {
    if (!isTensor(w)) continue;
    const dtype = tensorDtype(w, `${fn}: ${name}`);
    if (found && found.dtype !== dtype) {
      throw new RangeError(`${fn}: all weights of one pack must share a dtype: ${found.name} is ${found.raw}, ${name} is ${w.dtype}`);
    }
    found ??= { dtype, name, raw: w.dtype };
  }
  if (found && given !== undefined && given !== found.dtype) {
    throw new RangeError(`${fn}: options.dtype '${given}' does not match ${found.name}'s dtype ${found.raw}`);
  }
  return found?.dtype ?? given ?? 'f32';
}

/** A tensor's shape must be exactly `dims` (rows, cols of the layout); a transpose is named as such. */
function tensorShape(v: WeightTensor, name: string, dims: readonly [number, number], what: string): void {
  const s: unknown = v.shape;
  if (!Array.isArray(s) || !s.every((d) => typeof d === 'number')) {
    throw new TypeError(`${name}.shape must be an array of numbers, got ${check.describe(s)}`);
  }
  if (s.length === 2 && s[0] === dims[0] && s[1] === dims[1]) return;
  const transposed = s.length === 2 && s[0] === dims[1] && s[1] === dims[0];
  throw new RangeError(
    `${name} must have shape [${dims[0]}, ${dims[1]}] (${what}), got [${s.join(', ')}]` +
      (transposed ? ': that is its transpose (the other layout, or a swapped weight)' : ''),
  );
}

function weight(v: unknown, name: string, dtype: Dtype, length: number, shape: string, dims?: Dims): WeightArray {
  if (isTensor(v) && dims) {
    tensorShape(v, name, dims.dims, dims.text);
    v = v.data;
    name = `${name}.data`;
  }
  const want = dtype === 'f32' ? Float32Array : Uint16Array;
  if (!(v instanceof want)) {
    const what = dtype === 'f32' ? 'a Float32Array' : `a Uint16Array of ${dtype} bit patterns`;
    throw new TypeError(`${name} must be ${what} for dtype '${dtype}', got ${check.describe(v)}`);
  }
  if (check.isDetached(v)) throw new TypeError(`${name} is detached (its ArrayBuffer was transferred)`);
  if (v.length !== length) throw new RangeError(`${name} must have length ${shape} = ${length}, got ${v.length}`);
  return v;
}

function required<T extends object>(v: unknown, fn: string, known: readonly string[], needed: string): Partial<T> {
  if (v === undefined) throw new TypeError(`${fn}: options ${needed} are required, got undefined`);
  return check.options<T>(v, fn, known);
}

function bool(v: unknown, name: string): boolean {
  if (v === undefined) return false;
  if (typeof v !== 'boolean') throw new TypeError(`${name} must be a boolean, got ${check.describe(v)}`);
  return v;
}

function noOverlap(out: Float32Array, w: ArrayBufferView, fn: string, name: string): void {
  if (check.overlaps(out, w)) throw new RangeError(`${fn}: options.out overlaps ${name}; pass a separate array`);
}

function shapeText(layout: Layout, inName: string, outName: string, inF: number, outF: number): string {
  return layout === 'out-in' ? `${outName}·${inName} ([${outF}, ${inF}], layout 'out-in')` : `${inName}·${outName} ([${inF}, ${outF}], layout 'in-out')`;
}

function rowsOf(x: Float32Array, inFeatures: number, fn: string): number {
  if (x.length % inFeatures !== 0) {
    throw new RangeError(`${fn}: x must hold whole rows of inFeatures = ${inFeatures} values, got length ${x.length}`);
  }
  return x.length / inFeatures;
}

// ---- matmul ---------------------------------------------------------------------------------

function matmulArgs(fn: string, a: unknown, b: unknown, options: unknown) {
  const A = check.float32(a, `${fn}: a`);
  const B = check.float32(b, `${fn}: b`);
  const o = required<MatmulOptions>(options, fn, ['m', 'k', 'n', 'transB', 'transA', 'accumulate', 'out'], '{m, k, n}');
  const m = check.integer(o.m, `${fn}: options.m`, 0);
  const k = check.integer(o.k, `${fn}: options.k`, 0);
  const n = check.integer(o.n, `${fn}: options.n`, 0);
  const transB = bool(o.transB, `${fn}: options.transB`);
  const transA = bool(o.transA, `${fn}: options.transA`);
  const accumulate = bool(o.accumulate, `${fn}: options.accumulate`);
  if (accumulate && o.out === undefined) throw new TypeError(`${fn}: options.accumulate needs options.out (the array to add into), got no out`);
  const aShape = transA ? `k·m = ${k}·${m}` : `m·k = ${m}·${k}`;
  if (A.length !== m * k) throw new RangeError(`${fn}: a must have length ${aShape} = ${m * k}, got ${A.length}`);
  const bShape = transB ? `n·k = ${n}·${k}` : `k·n = ${k}·${n}`;
  if (B.length !== k * n) throw new RangeError(`${fn}: b must have length ${bShape} = ${k * n}, got ${B.length}`);
  const out = check.output(o.out, m * n, fn, [[A, 'a'], [B, 'b']]);
  return [A, B, out, m, k, n, transB, transA, accumulate] as const;
}

/**
 * C[m×n] = A·B, row-major, with A [m×k] (or [k×m] when transA, so C = Aᵀ·B) and B [k×n] (or [n×k] when
 * transB, so C = A·Bᵀ); with accumulate, out += A·B (the product rounded to float32, then added). On the
 * calling thread and the pool's helpers (setNumThreads); the same bits on 1 or more threads. Accuracy:
 * ‖C − C_exact‖_F ≤ 1e-5·‖C_exact‖_F and every element within 1e-4·max|C_exact|.
 * @param a A, m·k values.
 * @param b B, k·n values.
 * @param options `m`, `k`, `n` (required), `transA`, `transB`, `accumulate` (needs `out`), `out` (m·n; may be exactly a or b).
 * @returns options.out if given, else a new Float32Array of m·n values.
 * @throws {TypeError} a, b or options.out is not a Float32Array or is detached; options is missing, not an object or has an unknown key; m, k or n is not a number; transA, transB or accumulate is not a boolean; accumulate without out.
 * @throws {RangeError} m, k or n is not an integer ≥ 0; a's or b's length is not the shape's; options.out's length is not m·n, or it overlaps a or b without being that array.
 * @example
 * const y = sg.matmul(x, w, { m: rows, k: inF, n: outF, transB: true }); // x·Wᵀ for nn.Linear's weight
 * // a weight gradient in nn.Linear layout, accumulated over batches: dW[out×in] += dYᵀ·X
 * sg.matmul(dY, X, { m: outF, k: rows, n: inF, transA: true, accumulate: true, out: dW });
 */
export function matmul(a: Float32Array, b: Float32Array, options: MatmulOptions): Float32Result {
  const [A, B, out, m, k, n, tb, ta, acc] = matmulArgs('matmul', a, b, options);
  return binding.matmul(A, B, out, m, k, n, tb, ta, acc) as Float32Result;
}

/**
 * {@link matmul} off the JS thread: resolves to the same bits as the sync form.
 * Runs on a libuv worker off the JS thread (the pool's helpers join it); the JS thread may change or
 * transfer the inputs meanwhile without harm. Argument errors reject (it never throws synchronously);
 * an `out` transferred while it runs rejects with a TypeError naming options.out.
 * @param a A, m·k values.
 * @param b B, k·n values.
 * @param options As matmul's: `m`, `k`, `n`, `transA`, `transB`, `accumulate`, `out`.
 * @returns A promise of options.out if given, else of a new Float32Array of m·n values.
 * @throws {TypeError} (as a rejection) a, b or options.out is not a Float32Array or is detached; options is missing, not an object or has an unknown key; m, k or n is not a number; transA, transB or accumulate is not a boolean; accumulate without out.
 * @throws {RangeError} (as a rejection) m, k or n is not an integer ≥ 0; a's or b's length is not the shape's; options.out's length is not m·n, or it overlaps a or b without being that array.
 * @example
 * const y = await sg.matmulAsync(x, w, { m: rows, k: inF, n: outF, transB: true });
 */
export async function matmulAsync(a: Float32Array, b: Float32Array, options: MatmulOptions): Promise<Float32Result> {
  const [A, B, out, m, k, n, tb, ta, acc] = matmulArgs('matmulAsync', a, b, options);
  return named('matmulAsync', binding.matmulAsync(A, B, out, m, k, n, tb, ta, acc), out) as Promise<Float32Result>;
}

// ---- packing --------------------------------------------------------------------------------

function gateOptions(fn: string, o: Partial<PackGateOptions>) {
  const inFeatures = check.integer(o.inFeatures, `${fn}: options.inFeatures`, 1);
  const outFeatures = check.integer(o.outFeatures, `${fn}: options.outFeatures`, 1);
  const layout = check.oneOf(o.layout, `${fn}: options.layout`, LAYOUTS, 'out-in');
  const dtype = check.oneOf(o.dtype, `${fn}: options.dtype`, DTYPES, 'f32');
  const activation = check.oneOf(o.activation, `${fn}: options.activation`, ACTIVATIONS, 'silu');
  return { inFeatures, outFeatures, layout, dtype, activation, dtypeOption: o.dtype };
}

type Dims = { dims: readonly [number, number]; text: string };
/** The shape a tensor weight must have: [outF, inF] for 'out-in' (nn.Linear), [inF, outF] for 'in-out'. */
function dimsOf(layout: Layout, inName: string, outName: string, inF: number, outF: number): Dims {
  return layout === 'out-in'
    ? { dims: [outF, inF], text: `[${outName}, ${inName}] for layout 'out-in'` }
    : { dims: [inF, outF], text: `[${inName}, ${outName}] for layout 'in-out'` };
}

function packGateChecked(fn: string, wGate: unknown, wUp: unknown, g: ReturnType<typeof gateOptions>): PackedGate {
  const shape = shapeText(g.layout, 'inFeatures', 'outFeatures', g.inFeatures, g.outFeatures);
  const len = g.inFeatures * g.outFeatures;
  const dtype = packDtype(fn, g.dtypeOption, [[wGate, 'wGate'], [wUp, 'wUp']]);
  const dims = dimsOf(g.layout, 'inFeatures', 'outFeatures', g.inFeatures, g.outFeatures);
  const wg = weight(wGate, `${fn}: wGate`, dtype, len, shape, dims);
  const wu = weight(wUp, `${fn}: wUp`, dtype, len, shape, dims);
  const h = newPack(fn, 'PackedGate', g.inFeatures, g.outFeatures, dtype, g.activation, true);
  binding.packGate(h[0], wg, wu, g.inFeatures, g.outFeatures, g.layout === 'in-out', DTYPE_INDEX[dtype], ACT_INDEX[g.activation]);
  return makeGate(h, g.inFeatures, g.outFeatures, dtype, g.activation);
}

/**
 * Packs the gate and up projections once for {@link gluMatmul} (and {@link swigluMatmul} when the
 * activation is silu): their columns re-laid side by side in native memory, so that one pass computes
 * both products and applies the activation in registers. Each weight is a bare array (dtype from
 * options.dtype) or a tensor {data, shape, dtype} such as loadSafetensors returns, whose shape must be
 * [outFeatures, inFeatures] ('out-in') or its transpose ('in-out') and whose dtype sets the pack's.
 * The weights are copied: changing them afterwards does not change the pack.
 * @param wGate The gate projection Wg, inFeatures·outFeatures values.
 * @param wUp The up projection Wu, inFeatures·outFeatures values, the same dtype as wGate.
 * @param options `inFeatures`, `outFeatures` (required), `layout`, `dtype`, `activation`.
 * @returns A new PackedGate (drop it with dispose(), or leave it to the garbage collector; it can be sent to worker_threads, docs/workers.md).
 * @throws {TypeError} options is missing, not an object or has an unknown key; a feature count is not a number; a weight is not the array its dtype needs (Float32Array for f32, Uint16Array for bf16/f16) or is detached; a tensor's dtype is not a string or its shape not an array of numbers.
 * @throws {RangeError} a feature count is not an integer ≥ 1; layout, dtype or activation is not one of its values; a weight's length or a tensor's shape does not match the features and the layout (a transpose is named as such); a tensor's dtype is not F32/BF16/F16, the tensors' dtypes differ, or options.dtype disagrees with them.
 * @throws {RangeError} The memory for the pack (a SharedArrayBuffer) cannot be allocated.
 * @throws {Error} The packing's working memory cannot be allocated.
 * @example
 * const packed = sg.packGate(wGate, wUp, { inFeatures: 4096, outFeatures: 11008, dtype: 'bf16' });
 */
export function packGate(wGate: Weight, wUp: Weight, options: PackGateOptions): PackedGate {
  const o = required<PackGateOptions>(
    options,
    'packGate',
    ['inFeatures', 'outFeatures', 'layout', 'dtype', 'activation'],
    '{inFeatures, outFeatures}',
  );
  return packGateChecked('packGate', wGate, wUp, gateOptions('packGate', o));
}

/**
 * Packs a whole FFN once for {@link ffn} ({@link swigluFfn} for a SiLU GLU FFN): with `gate`,
 * Y = (act(X·Wg) ⊙ X·Wu)·Wd; without it, a plain MLP Y = act(X·Wu)·Wd. Weights may be tensors
 * {data, shape, dtype} (as for packGate): gate and up [hiddenFeatures, inFeatures] and down
 * [inFeatures, hiddenFeatures] for 'out-in', the transposes for 'in-out'; all of one dtype. The weights
 * are copied: changing them afterwards does not change the pack.
 * @param options `up`, `down`, `inFeatures`, `hiddenFeatures` (required), `gate`, `layout`, `dtype`, `activation`.
 * @returns A new PackedFfn (drop it with dispose(), or leave it to the garbage collector; it can be sent to worker_threads, docs/workers.md).
 * @throws {TypeError} options is missing, not an object or has an unknown key; a feature count is not a number; a weight is not the array its dtype needs (Float32Array for f32, Uint16Array for bf16/f16) or is detached; a tensor's dtype is not a string or its shape not an array of numbers.
 * @throws {RangeError} a feature count is not an integer ≥ 1; layout, dtype or activation is not one of its values; a weight's length or a tensor's shape does not match the features and the layout (a transpose is named as such); a tensor's dtype is not F32/BF16/F16, the tensors' dtypes differ, or options.dtype disagrees with them.
 * @throws {RangeError} The memory for the pack (a SharedArrayBuffer) cannot be allocated.
 * @throws {Error} The packing's working memory cannot be allocated.
 * @example
 * const ffn = sg.packFfn({ gate: wg, up: wu, down: wd, inFeatures: 4096, hiddenFeatures: 11008 });
 * const y = sg.swigluFfn(x, ffn);
 */
export function packFfn(options: PackFfnOptions): PackedFfn {
  const fn = 'packFfn';
  const o = required<PackFfnOptions>(
    options,
    fn,
    ['gate', 'up', 'down', 'inFeatures', 'hiddenFeatures', 'layout', 'dtype', 'activation'],
    '{up, down, inFeatures, hiddenFeatures}',
  );
  const inFeatures = check.integer(o.inFeatures, `${fn}: options.inFeatures`, 1);
  const hidden = check.integer(o.hiddenFeatures, `${fn}: options.hiddenFeatures`, 1);
  const layout = check.oneOf(o.layout, `${fn}: options.layout`, LAYOUTS, 'out-in');
  const dtype = packDtype(fn, o.dtype, [[o.gate, 'options.gate'], [o.up, 'options.up'], [o.down, 'options.down']]);
  const len = inFeatures * hidden;
  const upDims = dimsOf(layout, 'inFeatures', 'hiddenFeatures', inFeatures, hidden);
  const downDims = dimsOf(layout, 'hiddenFeatures', 'inFeatures', hidden, inFeatures);
  const upShape = shapeText(layout, 'inFeatures', 'hiddenFeatures', inFeatures, hidden);
  const downShape = shapeText(layout, 'hiddenFeatures', 'inFeatures', hidden, inFeatures);
  const activation = check.oneOf(o.activation, `${fn}: options.activation`, ACTIVATIONS, 'silu');
  const g = o.gate === undefined ? null : weight(o.gate, `${fn}: options.gate`, dtype, len, upShape, upDims);
  const u = weight(o.up, `${fn}: options.up`, dtype, len, upShape, upDims);
  const d = weight(o.down, `${fn}: options.down`, dtype, len, downShape, downDims);
  const h = newPack(fn, 'PackedFfn', inFeatures, hidden, dtype, activation, g !== null);
  binding.packFfn(h[0], g, u, d, inFeatures, hidden, layout === 'in-out', DTYPE_INDEX[dtype], ACT_INDEX[activation]);
  return makeFfn(h, inFeatures, hidden, dtype, activation, g !== null);
}

// ---- the fused gate -------------------------------------------------------------------------

// packed: the pack the op reads; temporary: a pack made on the fly for this call, disposed after it.
type GateCall = { x: Float32Array; out: Float32Array; packed: UsablePack; temporary: PackedGate | null };

// swiglu: the SwiGLU names, which take silu packs only (and no activation option).
function gateArgs(fn: string, x: unknown, second: unknown, third: unknown, fourth: unknown, swiglu: boolean): GateCall {
  const X = check.float32(x, `${fn}: x`);
  if (isPackLike(second)) {
    if (fourth !== undefined) throw new TypeError(`${fn}: the packed form takes (x, packed, options); got a fourth argument`);
    const o = check.options<OutOptions>(third, fn, ['out']);
    const packed = usablePack(second, 'PackedGate', fn, 'packed');
    if (swiglu && packed.activation !== 'silu') {
      throw new RangeError(`${fn}: packed applies '${packed.activation}', not 'silu': use gluMatmul for other activations`);
    }
    const rows = rowsOf(X, packed.inFeatures, fn);
    const out = check.output(o.out, rows * packed.outFeatures, fn, [[X, 'x']]);
    return { x: X, out, packed, temporary: null };
  }
  if (second instanceof Float32Array || second instanceof Uint16Array) {
    const o = required<SwigluMatmulRawOptions>(
      fourth,
      fn,
      swiglu ? ['inFeatures', 'outFeatures', 'layout', 'dtype', 'out'] : ['inFeatures', 'outFeatures', 'layout', 'dtype', 'activation', 'out'],
      '{inFeatures, outFeatures}',
    );
    const g = gateOptions(fn, o);
    const rows = rowsOf(X, g.inFeatures, fn);
    const out = check.output(o.out, rows * g.outFeatures, fn, [[X, 'x']]);
    noOverlap(out, second, fn, 'wGate');
    if (ArrayBuffer.isView(third)) noOverlap(out, third, fn, 'wUp');
    const temporary = packGateChecked(fn, second, third, g);
    return { x: X, out, packed: usablePack(temporary, 'PackedGate', fn, 'packed'), temporary };
  }
  throw new TypeError(`${fn}: packed must be a PackedGate (or pass wGate, wUp, options), got ${check.describe(second)}`);
}

/**
 * H = SiLU(X·Wg) ⊙ (X·Wu), rows = x.length / inFeatures, the activation applied in registers before H is stored. Accuracy as matmul's, against the float64 product of the (bf16/f16: rounded) weights.
 * Packed form: the weights from packGate (activation silu); one pack may serve any number of calls at once.
 * @param x X, rows·inFeatures values (row-major).
 * @param packed The pack from packGate, or a clone of one received from another thread (postMessage, workerData).
 * @param options `out`: the array to write and return (rows·outFeatures; no overlap with x).
 * @returns options.out if given, else a new Float32Array of rows·outFeatures values.
 * @throws {TypeError} x or options.out is not a Float32Array or is detached; packed is not a PackedGate (or a clone of one received from another thread), has been disposed, or is a clone that is forged (a field of the wrong type, a buffer that holds no pack of this build); options is not an object or has an unknown key; a fourth argument is given.
 * @throws {RangeError} x's length is not a multiple of packed.inFeatures; a clone's fields are out of range or do not match its buffer; options.out's length is not rows·outFeatures, or it overlaps x; packed's activation is not 'silu' (use gluMatmul).
 * @example
 * const h = sg.swigluMatmul(x, packed);
 */
export function swigluMatmul(x: Float32Array, packed: PackedGate | ClonedPackedGate, options?: OutOptions): Float32Result;
/**
 * H = SiLU(X·Wg) ⊙ (X·Wu). Raw-weight form: packs wGate and wUp on the fly and frees the pack after the call
 * (convenient; pack once with packGate for repeated use).
 * @param x X, rows·inFeatures values (row-major).
 * @param wGate The gate projection Wg (as packGate takes it).
 * @param wUp The up projection Wu.
 * @param options `inFeatures`, `outFeatures` (required), `layout`, `dtype`, `out`.
 * @returns options.out if given, else a new Float32Array of rows·outFeatures values.
 * @throws {TypeError} x, options.out or a weight is not the array it must be, or is detached; options is missing, not an object or has an unknown key.
 * @throws {RangeError} as packGate's for the weights and options; x's length is not a multiple of inFeatures; options.out's length is not rows·outFeatures, or it overlaps x or a weight.
 * @throws {Error} The native memory for the temporary pack cannot be allocated.
 * @example
 * const h = sg.swigluMatmul(x, wGate, wUp, { inFeatures: 4096, outFeatures: 11008 });
 */
export function swigluMatmul(x: Float32Array, wGate: WeightArray, wUp: WeightArray, options: SwigluMatmulRawOptions): Float32Result;
export function swigluMatmul(x: unknown, second: unknown, third?: unknown, fourth?: unknown): Float32Result {
  return runGate('swigluMatmul', true, x, second, third, fourth) as Float32Result;
}

/** The sync fused gate under the name `fn` (swiglu: silu packs only); a pack made on the fly is freed. */
function runGate(fn: string, swiglu: boolean, x: unknown, second: unknown, third: unknown, fourth: unknown): Float32Array {
  const c = gateArgs(fn, x, second, third, fourth, swiglu);
  try {
    return binding.swigluMatmul(c.x, c.packed.handle, c.out);
  } finally {
    c.temporary?.dispose();
  }
}

/** The async fused gate under the name `fn`; the native op holds its own reference to the pack, so
 *  disposing a pack made on the fly here never frees it early. */
async function runGateAsync(fn: string, swiglu: boolean, x: unknown, second: unknown, third: unknown, fourth: unknown): Promise<Float32Array> {
  const c = gateArgs(fn, x, second, third, fourth, swiglu);
  try {
    return await named(fn, binding.swigluMatmulAsync(c.x, c.packed.handle, c.out), c.out);
  } finally {
    c.temporary?.dispose();
  }
}

/**
 * {@link swigluMatmul} off the JS thread: resolves to the same bits as the sync form.
 * Runs on a libuv worker off the JS thread (the pool's helpers join it); the JS thread may change or
 * transfer the inputs meanwhile without harm. Argument errors reject (it never throws synchronously);
 * an `out` transferred while it runs rejects with a TypeError naming options.out.
 Packed form: the weights from packGate (activation silu); one pack may serve any number of calls at once.
 * @param x X, rows·inFeatures values (row-major).
 * @param packed The pack from packGate, or a clone of one received from another thread (postMessage, workerData).
 * @param options `out`: the array to write and return (rows·outFeatures; no overlap with x).
 * @returns A promise of options.out if given, else of a new Float32Array of rows·outFeatures values.
 * @throws {TypeError} (as a rejection) x or options.out is not a Float32Array or is detached; packed is not a PackedGate (or a clone of one received from another thread), has been disposed, or is a clone that is forged (a field of the wrong type, a buffer that holds no pack of this build); options is not an object or has an unknown key; a fourth argument is given.
 * @throws {RangeError} (as a rejection) x's length is not a multiple of packed.inFeatures; a clone's fields are out of range or do not match its buffer; options.out's length is not rows·outFeatures, or it overlaps x; packed's activation is not 'silu' (use gluMatmul).
 * @example
 * const h = await sg.swigluMatmulAsync(x, packed);
 */
export function swigluMatmulAsync(x: Float32Array, packed: PackedGate | ClonedPackedGate, options?: OutOptions): Promise<Float32Result>;
/**
 * {@link swigluMatmul} off the JS thread: resolves to the same bits as the sync form.
 * Runs on a libuv worker off the JS thread (the pool's helpers join it); the JS thread may change or
 * transfer the inputs meanwhile without harm. Argument errors reject (it never throws synchronously);
 * an `out` transferred while it runs rejects with a TypeError naming options.out.
 * Raw-weight form: packs wGate and wUp on the fly and frees the pack after the call
 * (convenient; pack once with packGate for repeated use).
 * @param x X, rows·inFeatures values (row-major).
 * @param wGate The gate projection Wg (as packGate takes it).
 * @param wUp The up projection Wu.
 * @param options `inFeatures`, `outFeatures` (required), `layout`, `dtype`, `out`.
 * @returns A promise of options.out if given, else of a new Float32Array of rows·outFeatures values.
 * @throws {TypeError} (as a rejection) x, options.out or a weight is not the array it must be, or is detached; options is missing, not an object or has an unknown key.
 * @throws {RangeError} (as a rejection) as packGate's for the weights and options; x's length is not a multiple of inFeatures; options.out's length is not rows·outFeatures, or it overlaps x or a weight.
 * @throws {Error} (as a rejection) The native memory for the temporary pack cannot be allocated.
 * @example
 * const h = await sg.swigluMatmulAsync(x, wGate, wUp, { inFeatures: 4096, outFeatures: 11008 });
 */
export function swigluMatmulAsync(x: Float32Array, wGate: WeightArray, wUp: WeightArray, options: SwigluMatmulRawOptions): Promise<Float32Result>;
export async function swigluMatmulAsync(x: unknown, second: unknown, third?: unknown, fourth?: unknown): Promise<Float32Result> {
  return runGateAsync('swigluMatmulAsync', true, x, second, third, fourth) as Promise<Float32Result>;
}

/**
 * H = act(X·Wg) ⊙ (X·Wu) with the pack's activation (GEGLU, ReGLU, GLU, bilinear or SwiGLU), rows = x.length / inFeatures, the activation applied in registers before H is stored. Accuracy as matmul's, against the float64 product of the (bf16/f16: rounded) weights.
 * Packed form: the weights from packGate; one pack may serve any number of calls at once.
 * @param x X, rows·inFeatures values (row-major).
 * @param packed The pack from packGate, or a clone of one received from another thread (postMessage, workerData).
 * @param options `out`: the array to write and return (rows·outFeatures; no overlap with x).
 * @returns options.out if given, else a new Float32Array of rows·outFeatures values.
 * @throws {TypeError} x or options.out is not a Float32Array or is detached; packed is not a PackedGate (or a clone of one received from another thread), has been disposed, or is a clone that is forged (a field of the wrong type, a buffer that holds no pack of this build); options is not an object or has an unknown key; a fourth argument is given.
 * @throws {RangeError} x's length is not a multiple of packed.inFeatures; a clone's fields are out of range or do not match its buffer; options.out's length is not rows·outFeatures, or it overlaps x.
 * @example
 * const h = sg.gluMatmul(x, packed);
 */
export function gluMatmul(x: Float32Array, packed: PackedGate | ClonedPackedGate, options?: OutOptions): Float32Result;
/**
 * H = act(X·Wg) ⊙ (X·Wu) with the pack's activation (GEGLU, ReGLU, GLU, bilinear or SwiGLU). Raw-weight form: packs wGate and wUp on the fly and frees the pack after the call
 * (convenient; pack once with packGate for repeated use).
 * @param x X, rows·inFeatures values (row-major).
 * @param wGate The gate projection Wg (as packGate takes it).
 * @param wUp The up projection Wu.
 * @param options `inFeatures`, `outFeatures` (required), `layout`, `dtype`, `activation`, `out`.
 * @returns options.out if given, else a new Float32Array of rows·outFeatures values.
 * @throws {TypeError} x, options.out or a weight is not the array it must be, or is detached; options is missing, not an object or has an unknown key.
 * @throws {RangeError} as packGate's for the weights and options; x's length is not a multiple of inFeatures; options.out's length is not rows·outFeatures, or it overlaps x or a weight.
 * @throws {Error} The native memory for the temporary pack cannot be allocated.
 * @example
 * const h = sg.gluMatmul(x, wGate, wUp, { inFeatures: 4096, outFeatures: 11008, activation: 'gelu-tanh' });
 */
export function gluMatmul(x: Float32Array, wGate: WeightArray, wUp: WeightArray, options: GluMatmulRawOptions): Float32Result;
export function gluMatmul(x: unknown, second: unknown, third?: unknown, fourth?: unknown): Float32Result {
  return runGate('gluMatmul', false, x, second, third, fourth) as Float32Result;
}

/**
 * {@link gluMatmul} off the JS thread: resolves to the same bits as the sync form.
 * Runs on a libuv worker off the JS thread (the pool's helpers join it); the JS thread may change or
 * transfer the inputs meanwhile without harm. Argument errors reject (it never throws synchronously);
 * an `out` transferred while it runs rejects with a TypeError naming options.out.
 Packed form: the weights from packGate; one pack may serve any number of calls at once.
 * @param x X, rows·inFeatures values (row-major).
 * @param packed The pack from packGate, or a clone of one received from another thread (postMessage, workerData).
 * @param options `out`: the array to write and return (rows·outFeatures; no overlap with x).
 * @returns A promise of options.out if given, else of a new Float32Array of rows·outFeatures values.
 * @throws {TypeError} (as a rejection) x or options.out is not a Float32Array or is detached; packed is not a PackedGate (or a clone of one received from another thread), has been disposed, or is a clone that is forged (a field of the wrong type, a buffer that holds no pack of this build); options is not an object or has an unknown key; a fourth argument is given.
 * @throws {RangeError} (as a rejection) x's length is not a multiple of packed.inFeatures; a clone's fields are out of range or do not match its buffer; options.out's length is not rows·outFeatures, or it overlaps x.
 * @example
 * const h = await sg.gluMatmulAsync(x, packed);
 */
export function gluMatmulAsync(x: Float32Array, packed: PackedGate | ClonedPackedGate, options?: OutOptions): Promise<Float32Result>;
/**
 * {@link gluMatmul} off the JS thread: resolves to the same bits as the sync form.
 * Runs on a libuv worker off the JS thread (the pool's helpers join it); the JS thread may change or
 * transfer the inputs meanwhile without harm. Argument errors reject (it never throws synchronously);
 * an `out` transferred while it runs rejects with a TypeError naming options.out.
 * Raw-weight form: packs wGate and wUp on the fly and frees the pack after the call
 * (convenient; pack once with packGate for repeated use).
 * @param x X, rows·inFeatures values (row-major).
 * @param wGate The gate projection Wg (as packGate takes it).
 * @param wUp The up projection Wu.
 * @param options `inFeatures`, `outFeatures` (required), `layout`, `dtype`, `activation`, `out`.
 * @returns A promise of options.out if given, else of a new Float32Array of rows·outFeatures values.
 * @throws {TypeError} (as a rejection) x, options.out or a weight is not the array it must be, or is detached; options is missing, not an object or has an unknown key.
 * @throws {RangeError} (as a rejection) as packGate's for the weights and options; x's length is not a multiple of inFeatures; options.out's length is not rows·outFeatures, or it overlaps x or a weight.
 * @throws {Error} (as a rejection) The native memory for the temporary pack cannot be allocated.
 * @example
 * const h = await sg.gluMatmulAsync(x, wGate, wUp, { inFeatures: 4096, outFeatures: 11008, activation: 'gelu-tanh' });
 */
export function gluMatmulAsync(x: Float32Array, wGate: WeightArray, wUp: WeightArray, options: GluMatmulRawOptions): Promise<Float32Result>;
export async function gluMatmulAsync(x: unknown, second: unknown, third?: unknown, fourth?: unknown): Promise<Float32Result> {
  return runGateAsync('gluMatmulAsync', false, x, second, third, fourth) as Promise<Float32Result>;
}

// ---- the FFN --------------------------------------------------------------------------------

// swiglu: the SwiGLU names, which take SiLU GLU packs only.
function ffnArgs(fn: string, x: unknown, packed: unknown, options: unknown, swiglu: boolean) {
  const X = check.float32(x, `${fn}: x`);
  const p = usablePack(packed, 'PackedFfn', fn, 'packed');
  const o = check.options<OutOptions>(options, fn, ['out']);
  if (swiglu && (!p.gated || p.activation !== 'silu')) {
    const what = p.gated ? `a GLU FFN with '${p.activation}'` : `a plain MLP with '${p.activation}'`;
    throw new RangeError(`${fn}: packed is ${what}, not a SwiGLU FFN: use ffn`);
  }
  const rows = rowsOf(X, p.inFeatures, fn);
  const out = check.output(o.out, rows * p.inFeatures, fn, [[X, 'x']]);
  return [X, p.handle, out] as const;
}

/**
 * Y = (SiLU(X·Wg) ⊙ (X·Wu))·Wd, the whole SwiGLU FFN in one call; H never leaves native memory. Accuracy as matmul's, against the float64 FFN of the (rounded) weights.
 * @param x X, rows·inFeatures values (row-major).
 * @param packed The pack from packFfn, or a clone of one received from another thread (postMessage, workerData).
 * @param options `out`: the array to write and return (x's length; may be x itself, in place).
 * @returns options.out if given, else a new Float32Array of x's length.
 * @throws {TypeError} x or options.out is not a Float32Array or is detached; packed is not a PackedFfn (or a clone of one received from another thread), has been disposed, or is a clone that is forged (a field of the wrong type, a buffer that holds no pack of this build); options is not an object or has an unknown key.
 * @throws {RangeError} x's length is not a multiple of packed.inFeatures; a clone's fields are out of range or do not match its buffer; options.out's length is not x's, or it overlaps x without being x; packed is not a SiLU GLU FFN (use ffn).
 * @example
 * const y = sg.swigluFfn(x, ffn);
 */
export function swigluFfn(x: Float32Array, packed: PackedFfn | ClonedPackedFfn, options?: OutOptions): Float32Result {
  const [X, h, out] = ffnArgs('swigluFfn', x, packed, options, true);
  return binding.swigluFfn(X, h, out) as Float32Result;
}

/**
 * {@link swigluFfn} off the JS thread: resolves to the same bits as the sync form.
 * Runs on a libuv worker off the JS thread (the pool's helpers join it); the JS thread may change or
 * transfer the inputs meanwhile without harm. Argument errors reject (it never throws synchronously);
 * an `out` transferred while it runs rejects with a TypeError naming options.out.
 * @param x X, rows·inFeatures values (row-major).
 * @param packed The pack from packFfn, or a clone of one received from another thread (postMessage, workerData).
 * @param options `out`: the array to write and return (x's length; may be x itself, in place).
 * @returns A promise of options.out if given, else of a new Float32Array of x's length.
 * @throws {TypeError} (as a rejection) x or options.out is not a Float32Array or is detached; packed is not a PackedFfn (or a clone of one received from another thread), has been disposed, or is a clone that is forged (a field of the wrong type, a buffer that holds no pack of this build); options is not an object or has an unknown key.
 * @throws {RangeError} (as a rejection) x's length is not a multiple of packed.inFeatures; a clone's fields are out of range or do not match its buffer; options.out's length is not x's, or it overlaps x without being x; packed is not a SiLU GLU FFN (use ffn).
 * @example
 * const y = await sg.swigluFfnAsync(x, ffn);
 */
export async function swigluFfnAsync(x: Float32Array, packed: PackedFfn | ClonedPackedFfn, options?: OutOptions): Promise<Float32Result> {
  const [X, h, out] = ffnArgs('swigluFfnAsync', x, packed, options, true);
  return named('swigluFfnAsync', binding.swigluFfnAsync(X, h, out), out) as Promise<Float32Result>;
}

/**
 * Y = (act(X·Wg) ⊙ (X·Wu))·Wd for a GLU pack, or act(X·Wu)·Wd for a plain MLP pack (packFfn without gate), with the pack's activation; H never leaves native memory. Accuracy as matmul's, against the float64 FFN of the (rounded) weights.
 * @param x X, rows·inFeatures values (row-major).
 * @param packed The pack from packFfn, or a clone of one received from another thread (postMessage, workerData).
 * @param options `out`: the array to write and return (x's length; may be x itself, in place).
 * @returns options.out if given, else a new Float32Array of x's length.
 * @throws {TypeError} x or options.out is not a Float32Array or is detached; packed is not a PackedFfn (or a clone of one received from another thread), has been disposed, or is a clone that is forged (a field of the wrong type, a buffer that holds no pack of this build); options is not an object or has an unknown key.
 * @throws {RangeError} x's length is not a multiple of packed.inFeatures; a clone's fields are out of range or do not match its buffer; options.out's length is not x's, or it overlaps x without being x.
 * @example
 * const y = sg.ffn(x, mlp);
 */
export function ffn(x: Float32Array, packed: PackedFfn | ClonedPackedFfn, options?: OutOptions): Float32Result {
  const [X, h, out] = ffnArgs('ffn', x, packed, options, false);
  return binding.swigluFfn(X, h, out) as Float32Result;
}

/**
 * {@link ffn} off the JS thread: resolves to the same bits as the sync form.
 * Runs on a libuv worker off the JS thread (the pool's helpers join it); the JS thread may change or
 * transfer the inputs meanwhile without harm. Argument errors reject (it never throws synchronously);
 * an `out` transferred while it runs rejects with a TypeError naming options.out.
 * @param x X, rows·inFeatures values (row-major).
 * @param packed The pack from packFfn, or a clone of one received from another thread (postMessage, workerData).
 * @param options `out`: the array to write and return (x's length; may be x itself, in place).
 * @returns A promise of options.out if given, else of a new Float32Array of x's length.
 * @throws {TypeError} (as a rejection) x or options.out is not a Float32Array or is detached; packed is not a PackedFfn (or a clone of one received from another thread), has been disposed, or is a clone that is forged (a field of the wrong type, a buffer that holds no pack of this build); options is not an object or has an unknown key.
 * @throws {RangeError} (as a rejection) x's length is not a multiple of packed.inFeatures; a clone's fields are out of range or do not match its buffer; options.out's length is not x's, or it overlaps x without being x.
 * @example
 * const y = await sg.ffnAsync(x, mlp);
 */
export async function ffnAsync(x: Float32Array, packed: PackedFfn | ClonedPackedFfn, options?: OutOptions): Promise<Float32Result> {
  const [X, h, out] = ffnArgs('ffnAsync', x, packed, options, false);
  return named('ffnAsync', binding.swigluFfnAsync(X, h, out), out) as Promise<Float32Result>;
}
