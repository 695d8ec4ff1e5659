// Float64 references for the matrix ops (matmul, the SwiGLU gate, the gated FFN), used by the tests
// and the benchmark's plain-JS baseline. Plain triple loops: obviously right, not fast. bf16/f16
// weights are decoded exactly from their bits, so a reference computed from the 16-bit weights
// differs from the kernels only by float32 rounding.

import { FUSED } from './fused';
/** How a weight is stored, as for packGate: 'out-in' ([out, in], nn.Linear) or 'in-out'. */
export type Layout = 'out-in' | 'in-out';
/** The weights' element type: f32 values, or bf16/f16 bit patterns. */
export type Dtype = 'f32' | 'bf16' | 'f16';
/** A weight matrix: numbers (f32), or 16-bit bit patterns (bf16/f16) decoded by decodeWeights. */
export type Weights = Float32Array | Uint16Array | ArrayLike<number>;

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);

/**
 * bfloat16 bits → number (exact).
 * @param h A bfloat16 bit pattern.
 * @returns Its value.
 * @throws Never for a number: bit arithmetic only, nothing is checked (bits outside the pattern's width are ignored).
 * @example
 * sg.reference.bf16ToNumber(0xc040); // -3
 */
export function bf16ToNumber(h: number): number {
  u32[0] = (h & 0xffff) << 16;
  return f32[0];
}

/**
 * IEEE binary16 bits → number (exact, subnormals, Inf and NaN included).
 * @param h A binary16 bit pattern.
 * @returns Its value.
 * @throws Never for a number: bit arithmetic only, nothing is checked (bits outside the pattern's width are ignored).
 * @example
 * sg.reference.f16ToNumber(0x0001); // 5.960464477539063e-8
 */
export function f16ToNumber(h: number): number {
  const s = h & 0x8000 ? -1 : 1;
  const e = (h >> 10) & 0x1f;
  const m = h & 0x3ff;
  if (e === 0) return s * m * 2 ** -24;
  if (e === 31) return m ? NaN : s * Infinity;
  return s * (1 + m / 1024) * 2 ** (e - 15);
}

/**
 * number → bfloat16 bits, rounded to nearest even (NaN stays NaN).
 * @param v The value (first rounded to float32).
 * @returns The bfloat16 bit pattern.
 * @throws Never for a number: arithmetic only, nothing is checked.
 * @example
 * sg.reference.numberToBf16(-2); // 0xc000
 */
export function numberToBf16(v: number): number {
  f32[0] = v;
  const u = u32[0];
  if (Number.isNaN(f32[0])) return ((u >>> 16) | 0x40) & 0xffff;
  return ((u + 0x7fff + ((u >>> 16) & 1)) >>> 16) & 0xffff;
}

/**
 * number → IEEE binary16 bits, rounded to nearest even (overflow to Inf, subnormals kept).
 * @param v The value.
 * @returns The binary16 bit pattern.
 * @throws Never for a number: arithmetic only, nothing is checked.
 * @example
 * sg.reference.numberToF16(65520); // 0x7c00
 */
export function numberToF16(v: number): number {
  if (Number.isNaN(v)) return 0x7e00;
  const sign = v < 0 || Object.is(v, -0) ? 0x8000 : 0;
  const a = Math.abs(Math.fround(v));
  if (a >= 65520) return sign | 0x7c00; // rounds past the largest half (65504)
  if (a < 2 ** -14) {
    // subnormal: units of 2^-24, round half to even
    const q = a / 2 ** -24;
    let r = Math.round(q);
    if (Math.abs(q - Math.trunc(q) - 0.5) === 0 && r % 2 === 1) r -= 1;
    return sign | r;
  }
  let e = Math.floor(Math.log2(a));
  if (2 ** e > a) e--;
  else if (2 ** (e + 1) <= a) e++;
  const scaled = a / 2 ** e - 1; // [0, 1)
  const q = scaled * 1024;
  let m = Math.floor(q);
  const rest = q - m;
  if (rest > 0.5 || (rest === 0.5 && m % 2 === 1)) m++;
  if (m === 1024) {
    m = 0;
    e++;
  }
  return sign | ((e + 15) << 10) | m;
}

/**
 * The weights as numbers: f32 as is, 16-bit dtypes decoded from their bits.
 * @param w The weights.
 * @param dtype How w holds them (default 'f32').
 * @returns A new Float64Array of w's length.
 * @throws Never for an array-like w: nothing is checked (an unknown dtype decodes as 'f32'). A null or undefined w fails with the engine's TypeError.
 * @example
 * sg.reference.decodeWeights(new Uint16Array([0x3f80, 0xc000]), 'bf16'); // Float64Array [1, -2]
 */
export function decodeWeights(w: Weights, dtype: Dtype = 'f32'): Float64Array {
  const out = new Float64Array(w.length);
  const dec = dtype === 'bf16' ? bf16ToNumber : dtype === 'f16' ? f16ToNumber : (v: number) => v;
  for (let i = 0; i < w.length; i++) out[i] = dec(w[i]);
  return out;
}

/**
 * C[m×n] = A · B (+ `add`, when given: the accumulate form), A [m×k] (or [k×m] with transA), B [k×n]
 * (or [n×k] with transB), summed in float64 in order of k.
 * @param a A.
 * @param b B.
 * @param o The shape (`m`, `k`, `n`), `transA`, `transB`, and `add` (m·n values added to the product).
 * @returns A new Float64Array of m·n values.
 * @throws {RangeError} m·n is negative or too large for a Float64Array (the engine's).
 * @throws {TypeError} o is missing (the engine's). Nothing else is checked: a, b or add shorter than the shape give NaN.
 * @example
 * sg.reference.matmul([1, 2, 3, 4], [5, 6, 7, 8], { m: 2, k: 2, n: 2 }); // Float64Array [19, 22, 43, 50]
 */
export function matmul(
  a: ArrayLike<number>,
  b: ArrayLike<number>,
  o: { m: number; k: number; n: number; transB?: boolean; transA?: boolean; add?: ArrayLike<number> },
): Float64Array {
  const { m, k, n } = o;
  const c = new Float64Array(m * n);
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      let s = o.add ? o.add[i * n + j] : 0;
      for (let p = 0; p < k; p++) s += (o.transA ? a[p * m + i] : a[i * k + p]) * (o.transB ? b[j * k + p] : b[p * n + j]);
      c[i * n + j] = s;
    }
  }
  return c;
}

/** The activations of the fused gate and FFN, in float64 (lib/reference/activations.ts). */
export type FusedActivationRef = 'silu' | 'gelu' | 'gelu-tanh' | 'relu' | 'sigmoid' | 'identity';

/** x · W for W given in `layout` (out-in: [out][in], nn.Linear; in-out: [in][out]). */
function linear(x: ArrayLike<number>, w: ArrayLike<number>, inF: number, outF: number, layout: Layout): Float64Array {
  const rows = x.length / inF;
  return matmul(x, w, { m: rows, k: inF, n: outF, transB: layout !== 'in-out' });
}

/** The shape and storage of the gate's weights, as packGate's options. */
export interface GateRefOptions {
  /** Columns of X. */
  inFeatures: number;
  /** Outputs of each projection. */
  outFeatures: number;
  /** How the weights are stored (default 'out-in'). */
  layout?: Layout;
  /** The weights' element type (default 'f32'). */
  dtype?: Dtype;
}

/**
 * H = SiLU(X·Wg) ⊙ (X·Wu) in float64, rows = x.length / inFeatures.
 * @param x X, rows·inFeatures values.
 * @param wGate Wg.
 * @param wUp Wu.
 * @param o The shape and storage of the weights.
 * @returns A new Float64Array of rows·outFeatures values.
 * @throws {RangeError} rows·outFeatures is not a valid Float64Array length, e.g. inFeatures 0 with a non-empty x (the engine's).
 * @throws {TypeError} o is missing (the engine's). Nothing else is checked: weights shorter than the shape give NaN, an unknown layout reads as 'out-in' and an unknown dtype as 'f32'.
 * @example
 * sg.reference.swigluMatmul([1, 2], [1, 1], [0, 1], { inFeatures: 2, outFeatures: 1 }); // Float64Array [5.7154447609346]
 */
export function swigluMatmul(x: ArrayLike<number>, wGate: Weights, wUp: Weights, o: GateRefOptions): Float64Array {
  return gluMatmul(x, wGate, wUp, { ...o, activation: 'silu' });
}

/** GateRefOptions plus the gate's activation. */
export interface GluRefOptions extends GateRefOptions {
  /** The activation applied to X·Wg (default 'silu'). */
  activation?: FusedActivationRef;
}

/**
 * H = act(X·Wg) ⊙ (X·Wu) in float64 (default act: silu), rows = x.length / inFeatures.
 * @param x X, rows·inFeatures values.
 * @param wGate Wg.
 * @param wUp Wu.
 * @param o The shape and storage of the weights, and the activation.
 * @returns A new Float64Array of rows·outFeatures values.
 * @throws {RangeError} rows·outFeatures is not a valid Float64Array length, e.g. inFeatures 0 with a non-empty x (the engine's).
 * @throws {TypeError} o is missing, or activation is unknown and x has a row (the engine's). Nothing else is checked: weights shorter than the shape give NaN, an unknown layout reads as 'out-in' and an unknown dtype as 'f32'.
 * @example
 * sg.reference.gluMatmul([1, 2], [1, 1], [0, 1], { inFeatures: 2, outFeatures: 1, activation: 'relu' }); // Float64Array [6]
 */
export function gluMatmul(x: ArrayLike<number>, wGate: Weights, wUp: Weights, o: GluRefOptions): Float64Array {
  const f = FUSED[o.activation ?? 'silu'];
  const dt = o.dtype ?? 'f32';
  const g = linear(x, decodeWeights(wGate, dt), o.inFeatures, o.outFeatures, o.layout ?? 'out-in');
  const u = linear(x, decodeWeights(wUp, dt), o.inFeatures, o.outFeatures, o.layout ?? 'out-in');
  for (let i = 0; i < g.length; i++) g[i] = f(g[i]) * u[i];
  return g;
}

/** An FFN's weights, shape and storage, as packFfn's options. */
export interface FfnAnyRefOptions {
  /** Omitted: a plain MLP act(X·Wu)·Wd. */
  gate?: Weights;
  /** Wu: [hiddenFeatures, inFeatures] for 'out-in'. */
  up: Weights;
  /** Wd: [inFeatures, hiddenFeatures] for 'out-in'. */
  down: Weights;
  /** Columns of X and of Y. */
  inFeatures: number;
  /** The hidden width. */
  hiddenFeatures: number;
  /** How the weights are stored (default 'out-in'). */
  layout?: Layout;
  /** The weights' element type (default 'f32'). */
  dtype?: Dtype;
  /** The hidden layer's activation (default 'silu'). */
  activation?: FusedActivationRef;
}

/**
 * Y = (act(X·Wg) ⊙ (X·Wu))·Wd, or act(X·Wu)·Wd without gate (default act: silu), in float64.
 * @param x X, rows·inFeatures values.
 * @param o The weights, shape, storage and activation.
 * @returns A new Float64Array of x's length.
 * @throws {RangeError} rows·hiddenFeatures is not a valid Float64Array length, e.g. inFeatures 0 with a non-empty x (the engine's).
 * @throws {TypeError} o is missing, or activation is unknown and x has a row (the engine's). Nothing else is checked: weights shorter than the shape give NaN, an unknown layout reads as 'out-in' and an unknown dtype as 'f32'.
 * @example
 * sg.reference.ffn([1, 2], { gate: [1, 1], up: [0, 1], down: [1, 0.5], inFeatures: 2, hiddenFeatures: 1, activation: 'relu' }); // Float64Array [6, 3]
 */
export function ffn(x: ArrayLike<number>, o: FfnAnyRefOptions): Float64Array {
  const layout = o.layout ?? 'out-in';
  const dt = o.dtype ?? 'f32';
  let h: Float64Array;
  if (o.gate) {
    h = gluMatmul(x, o.gate, o.up, { inFeatures: o.inFeatures, outFeatures: o.hiddenFeatures, layout, dtype: dt, activation: o.activation });
  } else {
    const f = FUSED[o.activation ?? 'silu'];
    h = linear(x, decodeWeights(o.up, dt), o.inFeatures, o.hiddenFeatures, layout);
    for (let i = 0; i < h.length; i++) h[i] = f(h[i]);
  }
  return linear(h, decodeWeights(o.down, dt), o.hiddenFeatures, o.inFeatures, layout);
}

/** The SwiGLU FFN's options: a gate is required, the activation is silu. */
export interface FfnRefOptions extends Omit<FfnAnyRefOptions, 'gate' | 'activation'> {
  /** Wg: [hiddenFeatures, inFeatures] for 'out-in'. */
  gate: Weights;
}

/**
 * Y = (SiLU(X·Wg) ⊙ (X·Wu)) · Wd in float64: the gated FFN of LLaMA-style blocks.
 * @param x X, rows·inFeatures values.
 * @param o The weights, shape and storage.
 * @returns A new Float64Array of x's length.
 * @throws {RangeError} rows·hiddenFeatures is not a valid Float64Array length, e.g. inFeatures 0 with a non-empty x (the engine's).
 * @throws {TypeError} o is missing (the engine's). Nothing else is checked: weights shorter than the shape give NaN, an unknown layout reads as 'out-in' and an unknown dtype as 'f32'.
 * @example
 * sg.reference.swigluFfn([1, 2], { gate: [1, 1], up: [0, 1], down: [1, 0.5], inFeatures: 2, hiddenFeatures: 1 }); // Float64Array [5.7154447609346, 2.8577223804673]
 */
export function swigluFfn(x: ArrayLike<number>, o: FfnRefOptions): Float64Array {
  return ffn(x, { ...o, activation: 'silu' });
}
