// Error of a float32 gradient dx against the float64 dy·f′(x), by the rules of the README (Training):
// ULPs of the result (ulp.ts), except
//  - where the exact result or f′(x) is below 2^−126, an absolute error ≤ 2^−126·max(1, |dy|) passes;
//  - within 0.25·max(1, |r|) of a root r of f′ (where rounding x itself moves f′ by more than an ulp of
//    the result: f′ ≈ f″(r)(x − r) there, and |x − r| < |x|), an absolute error ≤ 2^−23·|dy| passes.
import { ulpError } from './ulp';

const MIN_NORMAL = 2 ** -126;

export function gradError(y: number, r: number, x: number, dy: number, fp: number, roots: readonly number[]): number {
  const e = ulpError(y, r);
  if (e === 0 || !Number.isFinite(e)) return e;
  const err = Math.abs(y - r);
  if ((Math.abs(r) < MIN_NORMAL || Math.abs(fp) < MIN_NORMAL) && err <= MIN_NORMAL * Math.max(1, Math.abs(dy))) return 0;
  for (const root of roots) {
    if (Math.abs(x - root) <= 0.25 * Math.max(1, Math.abs(root)) && err <= 2 ** -23 * Math.abs(dy)) return 0;
  }
  return e;
}

export interface GradWorst {
  ulp: number;
  index: number;
}

export function worstGrad(
  y: ArrayLike<number>,
  r: ArrayLike<number>,
  x: ArrayLike<number>,
  dy: ArrayLike<number>,
  fp: (v: number) => number,
  roots: readonly number[],
): GradWorst {
  let worst: GradWorst = { ulp: 0, index: -1 };
  for (let i = 0; i < y.length; i++) {
    const e = gradError(y[i], r[i], x[i], dy[i], fp(x[i]), roots);
    if (e > worst.ulp) worst = { ulp: e, index: i };
  }
  return worst;
}
