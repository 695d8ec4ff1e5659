// The GLU family (Shazeer 2020, "GLU Variants Improve Transformer"): act(gate) ⊙ up.
//   two-input form:  op(gate, up, {out})
//   split form:      op(x, {width, out}) where each row of x is [gate(width) | up(width)]
//                    (a fused gate_up projection's output) and the result has width values per row.
// Note the order: gate first. PyTorch's F.glu(x) takes the first half as the value and applies the
// sigmoid to the second half; pass the halves the other way round to match it.
import { binding } from './binding';
import * as check from './check';
import { gluGate } from './ops';
import type { Float32Result } from './results';

/** Options of the GLU family ({@link glu}, {@link reglu}, {@link swiglu}, {@link bilinear}). */
export interface GluOptions {
  /** Written and returned instead of a new array (the result's length). Two-input form: may be gate or up itself; split form: no overlap with x. */
  out?: Float32Array;
  /** Split form only: the number of outputs per row (each row of x holds 2·width values, gate then up). */
  width?: number;
}
/** Options of {@link geglu}. */
export interface GegluOptions extends GluOptions {
  /** The GELU form: 'none' (default, the exact normal CDF) or 'tanh'. */
  approximate?: 'none' | 'tanh';
}

// pick: the native activation and its parameter for these options.
function makeGlu<O extends GluOptions>(fn: string, pick: (o: Partial<O>) => readonly [number, number], extra: readonly string[] = []) {
  return (first: unknown, second?: unknown, third?: unknown): Float32Array => {
    const gate = check.float32(first, `${fn}: ${second instanceof Float32Array ? 'gate' : 'x'}`);
    if (second instanceof Float32Array) {
      const up = check.float32(second, `${fn}: up`); // refuses a detached up by name
      const o = check.options<O>(third, fn, ['out', ...extra]);
      if (up.length !== gate.length) {
        throw new RangeError(`${fn}: up must have the length of gate (${gate.length}), got ${up.length}`);
      }
      const out = check.output(o.out, gate.length, fn, [[gate, 'gate'], [up, 'up']]);
      const [op, a] = pick(o);
      return binding.glu(op, gate, up, out, a);
    }
    if (ArrayBuffer.isView(second) || Array.isArray(second)) {
      throw new TypeError(`${fn}: up must be a Float32Array, got ${check.describe(second)}`);
    }
    if (third !== undefined) throw new TypeError(`${fn}: the split form takes (x, options); got a third argument`);
    const o = check.options<O>(second, fn, ['width', 'out', ...extra]);
    if (o.width === undefined) {
      throw new TypeError(`${fn}: give (gate, up) or (x, {width}); options.width is missing`);
    }
    const width = check.integer(o.width, `${fn}: options.width`, 1);
    if (gate.length % (2 * width) !== 0) {
      throw new RangeError(
        `${fn}: x must hold rows of 2·width = ${2 * width} values (gate then up), got length ${gate.length}`,
      );
    }
    const rows = gate.length / (2 * width);
    const out = check.output(o.out, rows * width, fn, [[gate, 'x']], false);
    const [op, a] = pick(o);
    return binding.gluSplit(op, gate, out, width, a);
  };
}

const gluImpl = makeGlu<GluOptions>('glu', () => gluGate('glu'));
/**
 * sigmoid(gate) ⊙ up, elementwise over two arrays of the same length; within 4.5 ULP (sigmoid's 4, plus the product's rounding).
 * @param gate The gate input (the projection the activation is applied to).
 * @param up The up input, gate's length.
 * @param options `out`: the array to write and return (gate's length; may be gate or up itself).
 * @returns options.out if given, else a new Float32Array of gate's length.
 * @throws {TypeError} gate, up or options.out is not a Float32Array or is detached; options is not an object or has an unknown key.
 * @throws {RangeError} up's length is not gate's; options.out's length is not gate's, or it overlaps gate or up without being that array.
 * @example
 * const h = sg.glu(gate, up); // PyTorch F.glu(cat([a, b])) is sg.glu(b, a)
 */
export function glu(gate: Float32Array, up: Float32Array, options?: GluOptions): Float32Result;
/**
 * Split form: sigmoid(gate) ⊙ up for each row of x laid out as [gate(width) | up(width)] (a fused gate_up
 * projection's output); the result has width values per row, within 4.5 ULP (sigmoid's 4, plus the product's rounding).
 * @param x Rows of 2·width values: gate then up.
 * @param options `width` (required), `out` (rows·width long, no overlap with x).
 * @returns options.out if given, else a new Float32Array of rows·width values.
 * @throws {TypeError} x or options.out is not a Float32Array or is detached; options is not an object, has an unknown key, or lacks width; width is not a number.
 * @throws {RangeError} width is not an integer ≥ 1; x's length is not a multiple of 2·width; options.out's length is not rows·width, or it overlaps x.
 * @example
 * const h = sg.glu(gateUp, { width: 1024 });
 */
export function glu(x: Float32Array, options: GluOptions & { width: number }): Float32Result;
export function glu(first: Float32Array, second?: unknown, third?: unknown): Float32Result {
  return gluImpl(first, second, third) as Float32Result;
}

const regluImpl = makeGlu<GluOptions>('reglu', () => gluGate('reglu'));
/**
 * relu(gate) ⊙ up, elementwise over two arrays of the same length; within 0.5 ULP (the product's rounding).
 * @param gate The gate input (the projection the activation is applied to).
 * @param up The up input, gate's length.
 * @param options `out`: the array to write and return (gate's length; may be gate or up itself).
 * @returns options.out if given, else a new Float32Array of gate's length.
 * @throws {TypeError} gate, up or options.out is not a Float32Array or is detached; options is not an object or has an unknown key.
 * @throws {RangeError} up's length is not gate's; options.out's length is not gate's, or it overlaps gate or up without being that array.
 * @example
 * const h = sg.reglu(gate, up);
 */
export function reglu(gate: Float32Array, up: Float32Array, options?: GluOptions): Float32Result;
/**
 * Split form: relu(gate) ⊙ up for each row of x laid out as [gate(width) | up(width)] (a fused gate_up
 * projection's output); the result has width values per row, within 0.5 ULP (the product's rounding).
 * @param x Rows of 2·width values: gate then up.
 * @param options `width` (required), `out` (rows·width long, no overlap with x).
 * @returns options.out if given, else a new Float32Array of rows·width values.
 * @throws {TypeError} x or options.out is not a Float32Array or is detached; options is not an object, has an unknown key, or lacks width; width is not a number.
 * @throws {RangeError} width is not an integer ≥ 1; x's length is not a multiple of 2·width; options.out's length is not rows·width, or it overlaps x.
 * @example
 * const h = sg.reglu(gateUp, { width: 1024 });
 */
export function reglu(x: Float32Array, options: GluOptions & { width: number }): Float32Result;
export function reglu(first: Float32Array, second?: unknown, third?: unknown): Float32Result {
  return regluImpl(first, second, third) as Float32Result;
}

const gegluImpl = makeGlu<GegluOptions>(
  'geglu',
  (o) => gluGate('geglu', check.oneOf(o.approximate, 'geglu: options.approximate', ['none', 'tanh'] as const, 'none') === 'tanh'),
  ['approximate'],
);
/**
 * gelu(gate) ⊙ up, elementwise over two arrays of the same length; within 4.5 ULP. options.approximate ('none' | 'tanh') picks the GELU form; another string is a RangeError, a non-string a TypeError.
 * @param gate The gate input (the projection the activation is applied to).
 * @param up The up input, gate's length.
 * @param options `out`: the array to write and return (gate's length; may be gate or up itself), `approximate`.
 * @returns options.out if given, else a new Float32Array of gate's length.
 * @throws {TypeError} gate, up or options.out is not a Float32Array or is detached; options is not an object or has an unknown key.
 * @throws {RangeError} up's length is not gate's; options.out's length is not gate's, or it overlaps gate or up without being that array.
 * @example
 * const h = sg.geglu(gate, up, { approximate: 'tanh' });
 */
export function geglu(gate: Float32Array, up: Float32Array, options?: GegluOptions): Float32Result;
/**
 * Split form: gelu(gate) ⊙ up for each row of x laid out as [gate(width) | up(width)] (a fused gate_up
 * projection's output); the result has width values per row, within 4.5 ULP. options.approximate ('none' | 'tanh') picks the GELU form; another string is a RangeError, a non-string a TypeError.
 * @param x Rows of 2·width values: gate then up.
 * @param options `width` (required), `out` (rows·width long, no overlap with x), `approximate`.
 * @returns options.out if given, else a new Float32Array of rows·width values.
 * @throws {TypeError} x or options.out is not a Float32Array or is detached; options is not an object, has an unknown key, or lacks width; width is not a number.
 * @throws {RangeError} width is not an integer ≥ 1; x's length is not a multiple of 2·width; options.out's length is not rows·width, or it overlaps x.
 * @example
 * const h = sg.geglu(gateUp, { width: 1024 });
 */
export function geglu(x: Float32Array, options: GegluOptions & { width: number }): Float32Result;
export function geglu(first: Float32Array, second?: unknown, third?: unknown): Float32Result {
  return gegluImpl(first, second, third) as Float32Result;
}

const swigluImpl = makeGlu<GluOptions>('swiglu', () => gluGate('swiglu'));
/**
 * silu(gate) ⊙ up (the SwiGLU gate of LLaMA-style FFNs), elementwise over two arrays of the same length; within 4.5 ULP.
 * @param gate The gate input (the projection the activation is applied to).
 * @param up The up input, gate's length.
 * @param options `out`: the array to write and return (gate's length; may be gate or up itself).
 * @returns options.out if given, else a new Float32Array of gate's length.
 * @throws {TypeError} gate, up or options.out is not a Float32Array or is detached; options is not an object or has an unknown key.
 * @throws {RangeError} up's length is not gate's; options.out's length is not gate's, or it overlaps gate or up without being that array.
 * @example
 * const h = sg.swiglu(gate, up);
 */
export function swiglu(gate: Float32Array, up: Float32Array, options?: GluOptions): Float32Result;
/**
 * Split form: silu(gate) ⊙ up (the SwiGLU gate of LLaMA-style FFNs) for each row of x laid out as [gate(width) | up(width)] (a fused gate_up
 * projection's output); the result has width values per row, within 4.5 ULP.
 * @param x Rows of 2·width values: gate then up.
 * @param options `width` (required), `out` (rows·width long, no overlap with x).
 * @returns options.out if given, else a new Float32Array of rows·width values.
 * @throws {TypeError} x or options.out is not a Float32Array or is detached; options is not an object, has an unknown key, or lacks width; width is not a number.
 * @throws {RangeError} width is not an integer ≥ 1; x's length is not a multiple of 2·width; options.out's length is not rows·width, or it overlaps x.
 * @example
 * const h = sg.swiglu(gateUp, { width: 11008 });
 */
export function swiglu(x: Float32Array, options: GluOptions & { width: number }): Float32Result;
export function swiglu(first: Float32Array, second?: unknown, third?: unknown): Float32Result {
  return swigluImpl(first, second, third) as Float32Result;
}

const bilinearImpl = makeGlu<GluOptions>('bilinear', () => gluGate('bilinear'));
/**
 * gate ⊙ up (no activation), elementwise over two arrays of the same length; within 0.5 ULP (the product's rounding).
 * @param gate The gate input (the projection the activation is applied to).
 * @param up The up input, gate's length.
 * @param options `out`: the array to write and return (gate's length; may be gate or up itself).
 * @returns options.out if given, else a new Float32Array of gate's length.
 * @throws {TypeError} gate, up or options.out is not a Float32Array or is detached; options is not an object or has an unknown key.
 * @throws {RangeError} up's length is not gate's; options.out's length is not gate's, or it overlaps gate or up without being that array.
 * @example
 * const h = sg.bilinear(gate, up);
 */
export function bilinear(gate: Float32Array, up: Float32Array, options?: GluOptions): Float32Result;
/**
 * Split form: gate ⊙ up (no activation) for each row of x laid out as [gate(width) | up(width)] (a fused gate_up
 * projection's output); the result has width values per row, within 0.5 ULP (the product's rounding).
 * @param x Rows of 2·width values: gate then up.
 * @param options `width` (required), `out` (rows·width long, no overlap with x).
 * @returns options.out if given, else a new Float32Array of rows·width values.
 * @throws {TypeError} x or options.out is not a Float32Array or is detached; options is not an object, has an unknown key, or lacks width; width is not a number.
 * @throws {RangeError} width is not an integer ≥ 1; x's length is not a multiple of 2·width; options.out's length is not rows·width, or it overlaps x.
 * @example
 * const h = sg.bilinear(gateUp, { width: 1024 });
 */
export function bilinear(x: Float32Array, options: GluOptions & { width: number }): Float32Result;
export function bilinear(first: Float32Array, second?: unknown, third?: unknown): Float32Result {
  return bilinearImpl(first, second, third) as Float32Result;
}
