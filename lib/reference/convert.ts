// The 16-bit float conversions in plain TypeScript, bit for bit what the kernels must give. Narrowing
// (binary32 -> bfloat16 / binary16) rounds to nearest, ties to even, from the formats' definitions in
// float64 arithmetic (not the kernels' integer tricks): binary16 is ±Inf from 65520 up and rounds its
// subnormals at their own precision (quantum 2^-24); NaN stays a quiet NaN with its sign and the top
// payload bits. Widening is exact; a binary16 NaN's payload moves to the top of the float32 payload, quiet.

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);

/** floor(log2(v)) for a finite v > 0, exactly. */
function exponent(v: number): number {
  let e = Math.floor(Math.log2(v));
  if (2 ** e > v) e--;
  else if (2 ** (e + 1) <= v) e++;
  return e;
}

/** v / q rounded to an integer, ties to even (v / q is exact: q is a power of two). */
function roundEven(v: number, q: number): number {
  const m = v / q;
  const n = Math.floor(m);
  const frac = m - n;
  return frac > 0.5 || (frac === 0.5 && n % 2 === 1) ? n + 1 : n;
}

function valueOfBits(bits: number): number {
  u32[0] = bits;
  return f32[0];
}

/**
 * bfloat16 bits of the float32 with bits `bits`, rounded to nearest even from the format's definition.
 * @param bits A float32's bit pattern (0 to 2^32 − 1).
 * @returns The bfloat16 bit pattern (0 to 0xffff).
 * @throws Never for a number: bit arithmetic only, nothing is checked (bits outside the pattern's width are ignored).
 * @example
 * sg.reference.convert.bf16Bits(0x3f808000); // 0x3f80 (1 + 2^-8, a tie: to even)
 */
export function bf16Bits(bits: number): number {
  const sign = (bits >>> 16) & 0x8000;
  const a = bits & 0x7fffffff;
  if (a > 0x7f800000) return ((bits >>> 16) | 0x40) & 0xffff;
  if (a === 0x7f800000) return sign | 0x7f80;
  const v = valueOfBits(a);
  if (v === 0) return sign;
  // bfloat16 has float32's exponent range and 8 significant bits: quantum 2^(e-7), 2^-133 for subnormals.
  const q = 2 ** (Math.max(exponent(v), -126) - 7);
  const r = roundEven(v, q) * q;
  if (r >= 2 ** 128) return sign | 0x7f80;
  if (r < 2 ** -126) return sign | (r / 2 ** -133);
  const e = exponent(r);
  return sign | ((e + 127) << 7) | (r / 2 ** (e - 7) - 128);
}

/**
 * binary16 bits of the float32 with bits `bits`, rounded to nearest even (±Inf from 65520, subnormals at
 * their own precision).
 * @param bits A float32's bit pattern (0 to 2^32 − 1).
 * @returns The binary16 bit pattern (0 to 0xffff).
 * @throws Never for a number: bit arithmetic only, nothing is checked (bits outside the pattern's width are ignored).
 * @example
 * sg.reference.convert.f16Bits(0x477ff000); // 0x7c00 (65520 rounds to +Inf)
 */
export function f16Bits(bits: number): number {
  const sign = (bits >>> 16) & 0x8000;
  const a = bits & 0x7fffffff;
  if (a > 0x7f800000) return sign | 0x7e00 | ((a >>> 13) & 0x3ff);
  const v = valueOfBits(a);
  if (v >= 65520) return sign | 0x7c00; // Inf too: 65520 is halfway from 65504 to 2^16
  if (v === 0) return sign;
  const q = 2 ** (Math.max(exponent(v), -14) - 10);
  const r = roundEven(v, q) * q;
  if (r < 2 ** -14) return sign | (r / 2 ** -24);
  const e = exponent(r);
  return sign | ((e + 15) << 10) | (r / 2 ** (e - 10) - 1024);
}

/**
 * float32 bits of the bfloat16 with bits `h`: the top half of a float32.
 * @param h A bfloat16 bit pattern.
 * @returns The float32 bit pattern (exact).
 * @throws Never for a number: bit arithmetic only, nothing is checked (bits outside the pattern's width are ignored).
 * @example
 * sg.reference.convert.bf16ToF32Bits(0xc000); // 0xc0000000
 */
export function bf16ToF32Bits(h: number): number {
  return ((h & 0xffff) << 16) >>> 0;
}

/**
 * float32 bits of the binary16 with bits `h`, exactly; a NaN keeps its sign and payload (in the top bits)
 * and comes out quiet, as F16C's vcvtph2ps and AArch64's FCVTL give it.
 * @param h A binary16 bit pattern.
 * @returns The float32 bit pattern.
 * @throws Never for a number: bit arithmetic only, nothing is checked (bits outside the pattern's width are ignored).
 * @example
 * sg.reference.convert.f16ToF32Bits(0x3c00); // 0x3f800000
 */
export function f16ToF32Bits(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const e = (h >>> 10) & 0x1f;
  const m = h & 0x3ff;
  if (e === 0x1f && m !== 0) return (((h & 0x8000) << 16) | 0x7fc00000 | (m << 13)) >>> 0;
  f32[0] = e === 0x1f ? sign * Infinity : sign * (e === 0 ? m * 2 ** -24 : (1024 + m) * 2 ** (e - 25));
  return u32[0];
}

function narrow(x: Float32Array, f: (bits: number) => number): Uint16Array {
  const u = new Uint32Array(x.buffer, x.byteOffset, x.length);
  const out = new Uint16Array(x.length);
  for (let i = 0; i < u.length; i++) out[i] = f(u[i]);
  return out;
}
function widen(h: Uint16Array, f: (h: number) => number): Float32Array {
  const out = new Float32Array(h.length);
  const bits = new Uint32Array(out.buffer);
  for (let i = 0; i < h.length; i++) bits[i] = f(h[i]);
  return out;
}

/**
 * bfloat16 bit patterns of x: the twin of sg.toBf16, bit for bit.
 * @param x The float32 values.
 * @returns A new Uint16Array of x's length.
 * @throws {TypeError} x's buffer is detached (the engine's, from viewing the buffer as 32-bit words). Nothing else is checked: x must be a Float32Array (another array gives meaningless bits, not an error).
 * @example
 * sg.reference.toBf16(new Float32Array([1, -2])); // Uint16Array [0x3f80, 0xc000]
 */
export const toBf16 = (x: Float32Array): Uint16Array => narrow(x, bf16Bits);
/**
 * binary16 bit patterns of x: the twin of sg.toF16, bit for bit.
 * @param x The float32 values.
 * @returns A new Uint16Array of x's length.
 * @throws {TypeError} x's buffer is detached (the engine's, from viewing the buffer as 32-bit words). Nothing else is checked: x must be a Float32Array (another array gives meaningless bits, not an error).
 * @example
 * sg.reference.toF16(new Float32Array([1, 65520])); // Uint16Array [0x3c00, 0x7c00]
 */
export const toF16 = (x: Float32Array): Uint16Array => narrow(x, f16Bits);
/**
 * The float32 values of bfloat16 bit patterns: the twin of sg.fromBf16 (compare NaNs by bits: a NaN's payload is kept).
 * @param h bfloat16 bit patterns.
 * @returns A new Float32Array of h's length.
 * @throws Never for a Uint16Array (a detached one reads as empty): nothing is checked. A null or undefined h fails with the engine's TypeError.
 * @example
 * sg.reference.fromBf16(new Uint16Array([0x3f80, 0xc000])); // Float32Array [1, -2]
 */
export const fromBf16 = (h: Uint16Array): Float32Array => widen(h, bf16ToF32Bits);
/**
 * The float32 values of binary16 bit patterns: the twin of sg.fromF16.
 * @param h binary16 bit patterns.
 * @returns A new Float32Array of h's length.
 * @throws Never for a Uint16Array (a detached one reads as empty): nothing is checked. A null or undefined h fails with the engine's TypeError.
 * @example
 * sg.reference.fromF16(new Uint16Array([0x3c00, 0x0001])); // Float32Array [1, 5.960464477539063e-8]
 */
export const fromF16 = (h: Uint16Array): Float32Array => widen(h, f16ToF32Bits);
