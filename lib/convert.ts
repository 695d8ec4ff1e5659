// bfloat16 / binary16 <-> float32 conversions (SIMD on every ISA, the same bits on each). 16-bit values
// travel as Uint16Array of bit patterns, as packGate/packFfn and loadSafetensors hold them.
import { binding } from './binding';
import * as check from './check';
import type { Float32Result, Uint16Result } from './results';

/** Options of the conversions: `T` is the result's array type (Uint16Array narrowing, Float32Array widening). */
export interface ConvertOptions<T> {
  /** Written and returned instead of a new array: x's length, sharing no byte with x (no in-place form: the element sizes differ). */
  out?: T;
}

function uint16(v: unknown, name: string): Uint16Array {
  if (!(v instanceof Uint16Array)) throw new TypeError(`${name} must be a Uint16Array of 16-bit float bit patterns, got ${check.describe(v)}`);
  if (check.isDetached(v)) throw new TypeError(`${name} is detached (its ArrayBuffer was transferred)`);
  return v;
}

function disjoint(fn: string, x: ArrayBufferView, out: ArrayBufferView): void {
  if (check.overlaps(x, out)) {
    throw new RangeError(
      `${fn}: options.out overlaps x (bytes ${out.byteOffset}..${out.byteOffset + out.byteLength} vs ${x.byteOffset}..${x.byteOffset + x.byteLength}); ` +
        'the element sizes differ, so there is no in-place form: pass a separate array',
    );
  }
}

function narrowArgs(fn: string, x: unknown, options: unknown): [Float32Array, Uint16Array] {
  const X = check.float32(x, `${fn}: x`);
  const o = check.options<ConvertOptions<Uint16Array>>(options, fn, ['out']);
  if (o.out === undefined) return [X, new Uint16Array(X.length)];
  const out = uint16(o.out, `${fn}: options.out`);
  if (out.length !== X.length) throw new RangeError(`${fn}: options.out must have length ${X.length}, got ${out.length}`);
  disjoint(fn, X, out);
  return [X, out];
}

function widenArgs(fn: string, x: unknown, options: unknown): [Uint16Array, Float32Array] {
  const X = uint16(x, `${fn}: x`);
  const o = check.options<ConvertOptions<Float32Array>>(options, fn, ['out']);
  if (o.out === undefined) return [X, check.uninitialized(X.length)];
  const out = check.float32(o.out, `${fn}: options.out`);
  if (out.length !== X.length) throw new RangeError(`${fn}: options.out must have length ${X.length}, got ${out.length}`);
  disjoint(fn, X, out);
  return [X, out];
}

/**
 * bfloat16 bit patterns of x, rounded to nearest even (values past the largest bfloat16 round to ±Inf as
 * that rule says); NaN stays NaN (quiet, sign and top payload bits kept). The same bits on every ISA.
 * @param x The float32 values.
 * @param options `out`: a Uint16Array of x's length to write and return, sharing no byte with x.
 * @returns options.out if given, else a new Uint16Array of x's length: one bfloat16 bit pattern per value.
 * @throws {TypeError} x is not a Float32Array, or options.out not a Uint16Array, or either is detached; options is not an object or has an unknown key.
 * @throws {RangeError} options.out's length is not x's, or it shares bytes with x.
 * @example
 * sg.toBf16(new Float32Array([1, -2])); // Uint16Array [0x3f80, 0xc000]
 */
export function toBf16(x: Float32Array, options?: ConvertOptions<Uint16Array>): Uint16Result {
  const [X, out] = narrowArgs('toBf16', x, options);
  return binding.f32ToBf16(X, out) as Uint16Result;
}

/**
 * IEEE binary16 (f16) bit patterns of x, rounded to nearest even: |x| ≥ 65520 is ±Inf, binary16
 * subnormals are rounded at their own precision (2^-24), |x| ≤ 2^-25 is ±0; NaN stays NaN (quiet, sign
 * and top payload bits kept). The same bits on every ISA.
 * @param x The float32 values.
 * @param options `out`: a Uint16Array of x's length to write and return, sharing no byte with x.
 * @returns options.out if given, else a new Uint16Array of x's length: one binary16 bit pattern per value.
 * @throws {TypeError} x is not a Float32Array, or options.out not a Uint16Array, or either is detached; options is not an object or has an unknown key.
 * @throws {RangeError} options.out's length is not x's, or it shares bytes with x.
 * @example
 * sg.toF16(new Float32Array([1, 65520])); // Uint16Array [0x3c00, 0x7c00]
 */
export function toF16(x: Float32Array, options?: ConvertOptions<Uint16Array>): Uint16Result {
  const [X, out] = narrowArgs('toF16', x, options);
  return binding.f32ToF16(X, out) as Uint16Result;
}

/**
 * The float32 values of bfloat16 bit patterns (exact: every bfloat16 is a float32).
 * @param x bfloat16 bit patterns, as toBf16 and loadSafetensors (dtype 'BF16') give them.
 * @param options `out`: a Float32Array of x's length to write and return, sharing no byte with x.
 * @returns options.out if given, else a new Float32Array of x's length.
 * @throws {TypeError} x is not a Uint16Array, or options.out not a Float32Array, or either is detached; options is not an object or has an unknown key.
 * @throws {RangeError} options.out's length is not x's, or it shares bytes with x.
 * @example
 * sg.fromBf16(Uint16Array.of(0x3f80)); // Float32Array [1]
 */
export function fromBf16(x: Uint16Array, options?: ConvertOptions<Float32Array>): Float32Result {
  const [X, out] = widenArgs('fromBf16', x, options);
  return binding.bf16ToF32(X, out) as Float32Result;
}

/**
 * The float32 values of IEEE binary16 bit patterns (exact, subnormals included; a NaN's payload moves
 * to the top of the float32 payload, quiet).
 * @param x binary16 bit patterns, as toF16 and loadSafetensors (dtype 'F16') give them.
 * @param options `out`: a Float32Array of x's length to write and return, sharing no byte with x.
 * @returns options.out if given, else a new Float32Array of x's length.
 * @throws {TypeError} x is not a Uint16Array, or options.out not a Float32Array, or either is detached; options is not an object or has an unknown key.
 * @throws {RangeError} options.out's length is not x's, or it shares bytes with x.
 * @example
 * sg.fromF16(Uint16Array.of(0x3c00, 0x0001)); // Float32Array [1, 5.960464477539063e-8]
 */
export function fromF16(x: Uint16Array, options?: ConvertOptions<Float32Array>): Float32Result {
  const [X, out] = widenArgs('fromF16', x, options);
  return binding.f16ToF32(X, out) as Float32Result;
}
