// Error of a float32 result against a float64 reference, in ULPs of the float32 result, by the
// rules of the README (Accuracy): ulp(r) = 2^(max(e(r), −126) − 23); where |r| < 2^−126 (the exact result is
// subnormal) an absolute error up to 2^−126 passes; where r rounds to ±Inf in float32 the result
// must be that Inf; NaN must meet NaN.
const MIN_NORMAL = 2 ** -126;

function exponent(a: number): number {
  let e = Math.floor(Math.log2(a));
  if (2 ** e > a) e--;
  else if (2 ** (e + 1) <= a) e++;
  return e;
}

export function ulpOf(r: number): number {
  const a = Math.abs(r);
  return 2 ** (Math.max(a === 0 ? -126 : exponent(a), -126) - 23);
}

/** ULP error, 0 for an exact match, Infinity for a NaN/Inf mismatch. */
export function ulpError(y: number, r: number): number {
  if (Number.isNaN(r) || Number.isNaN(y)) return Number.isNaN(r) && Number.isNaN(y) ? 0 : Infinity;
  const rf = Math.fround(r);
  if (!Number.isFinite(rf) || !Number.isFinite(y)) return y === rf ? 0 : Infinity;
  const err = Math.abs(y - r);
  if (Math.abs(r) < MIN_NORMAL && err <= MIN_NORMAL) return 0;
  return err / ulpOf(r);
}

export interface Worst {
  ulp: number;
  index: number;
}

/** Largest ULP error over the arrays, and where. */
export function worstUlp(y: ArrayLike<number>, r: ArrayLike<number>): Worst {
  let worst: Worst = { ulp: 0, index: -1 };
  for (let i = 0; i < y.length; i++) {
    const e = ulpError(y[i], r[i]);
    if (e > worst.ulp) worst = { ulp: e, index: i };
  }
  return worst;
}

/** A deterministic xorshift32 stream, so a failure names inputs that can be replayed. */
export function xorshift32(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    return s;
  };
}

/** Float32 values whose bit patterns are uniformly random (so every binade is hit), NaN-free. */
export function randomBitPatterns(n: number, seed: number): Float32Array {
  const bits = new Uint32Array(n);
  const next = xorshift32(seed);
  for (let i = 0; i < n; i++) {
    let b = next();
    if ((b & 0x7f800000) === 0x7f800000) b &= 0xff7fffff; // NaN/Inf exponent → largest finite binade
    bits[i] = b;
  }
  return new Float32Array(bits.buffer);
}

/** Evenly spaced floats over [lo, hi], where the interesting parts of most activations live. */
export function linspace(lo: number, hi: number, n: number): Float32Array {
  const x = new Float32Array(n);
  for (let i = 0; i < n; i++) x[i] = lo + ((hi - lo) * i) / (n - 1);
  return x;
}

export const SPECIALS = new Float32Array([
  NaN, -NaN, Infinity, -Infinity, 0, -0, 1, -1,
  2 ** -149, -(2 ** -149), 2 ** -126, -(2 ** -126), 1e-30, -1e-30, 1e-7, -1e-7,
  3.4028234663852886e38, -3.4028234663852886e38, 1e30, -1e30,
  3, -3, 6, -6, 20, -20, 88.7, -88.7, 87.3, -87.3, 103.9, -103.9, 9.1, -9.1, 14, -14, 20.1, -20.1,
]);

export function hex(x: number): string {
  const f = new Float32Array([x]);
  return '0x' + new Uint32Array(f.buffer)[0].toString(16).padStart(8, '0');
}
