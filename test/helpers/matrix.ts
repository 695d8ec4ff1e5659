// What the matrix suites share: deterministic inputs, the matrix accuracy bar and bit equality.
import { expect } from 'vitest';
import { xorshift32 } from './ulp';

/** Deterministic uniform values in [lo, hi). */
export function rand(n: number, seed: number, lo = -0.5, hi = 1): Float32Array {
  const next = xorshift32((seed * 2654435761) >>> 0);
  const a = new Float32Array(n);
  for (let i = 0; i < n; i++) a[i] = lo + ((next() >>> 8) / 2 ** 24) * (hi - lo);
  return a;
}

/** The matrix bar (README, Accuracy): ‖got − ref‖_F ≤ 1e-5·‖ref‖_F and every element within 1e-4·max|ref|. */
export function expectClose(got: Float32Array, want: Float64Array, label: string): void {
  expect(got.length, `${label}: length`).toBe(want.length);
  let err2 = 0;
  let ref2 = 0;
  let maxRef = 0;
  for (let i = 0; i < want.length; i++) {
    maxRef = Math.max(maxRef, Math.abs(want[i]));
    ref2 += want[i] * want[i];
  }
  let worst = 0;
  let at = -1;
  for (let i = 0; i < want.length; i++) {
    const e = Math.abs(got[i] - want[i]);
    if (!(e <= worst)) {
      worst = e;
      at = i;
    }
    err2 += e * e;
  }
  const rel = ref2 > 0 ? Math.sqrt(err2 / ref2) : Math.sqrt(err2);
  expect(rel, `${label}: relative Frobenius error`).toBeLessThanOrEqual(1e-5);
  expect(worst, `${label}: element ${at}: got ${got[at]}, want ${want[at]}, max|ref| ${maxRef}`).toBeLessThanOrEqual(1e-4 * maxRef);
}

export function sameBits(a: Float32Array, b: Float32Array): boolean {
  return a.length === b.length && Buffer.compare(Buffer.from(a.buffer, a.byteOffset, a.byteLength), Buffer.from(b.buffer, b.byteOffset, b.byteLength)) === 0;
}
