// bfloat16 / binary16 <-> float32 conversions (SIMD on every ISA, the same bits on each). 16-bit values
// travel as Uint16Array of bit patterns, as packGate/packFfn and loadSafetensors hold them.
import { binding } from './binding';
import * as check from './check';

export interface ConvertOptions<T> {
  /** Written and returned instead of a new array: same length as x, sharing no byte with it. */
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
 * that rule says); NaN stays NaN (quiet, sign and top payload bits kept).
 */
export function toBf16(x: Float32Array, options?: ConvertOptions<Uint16Array>): Uint16Array {
  const [X, out] = narrowArgs('toBf16', x, options);
  return binding.f32ToBf16(X, out);
}

/**
 * IEEE binary16 (f16) bit patterns of x, rounded to nearest even: |x| ≥ 65520 is ±Inf, binary16
 * subnormals are rounded at their own precision (2^-24), |x| ≤ 2^-25 is ±0; NaN stays NaN (quiet, sign
 * and top payload bits kept).
 */
export function toF16(x: Float32Array, options?: ConvertOptions<Uint16Array>): Uint16Array {
  const [X, out] = narrowArgs('toF16', x, options);
  return binding.f32ToF16(X, out);
}

/** The float32 values of bfloat16 bit patterns (exact). */
export function fromBf16(x: Uint16Array, options?: ConvertOptions<Float32Array>): Float32Array {
  const [X, out] = widenArgs('fromBf16', x, options);
  return binding.bf16ToF32(X, out);
}

/** The float32 values of binary16 bit patterns (exact, subnormals included). */
export function fromF16(x: Uint16Array, options?: ConvertOptions<Float32Array>): Float32Array {
  const [X, out] = widenArgs('fromF16', x, options);
  return binding.f16ToF32(X, out);
}
