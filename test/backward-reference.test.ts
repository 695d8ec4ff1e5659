// The float64 reference derivatives (lib/reference/backward.ts) are the derivatives of the float64
// reference forwards: central differences at many points away from the kinks, in the tails too.
import { describe, expect, it } from 'vitest';
import type { ActName } from '../lib/ops';
import * as d from '../lib/reference/backward';
import * as f from '../lib/reference/activations';
import { calls, caseName } from './helpers/cases';
import { GRAD_PARAMETERS } from './helpers/grad-cases';

type Fn = (x: number, a?: number, b?: number) => number;
const fs = f as unknown as Record<string, Fn>;
const ds = d as unknown as Record<string, Fn>;

// Where f is not differentiable (its pieces' ends), for the activations that have such points, as a
// function of the parameters a, b: no difference quotient is taken across them (a quotient across an
// unlisted kink, where a point falls within its stencil, fails the test).
const KINKS: Partial<Record<ActName, (a: number, b: number) => number[]>> = {
  relu: () => [0],
  leakyRelu: () => [0],
  relu6: () => [0, 6],
  softplus: (beta, threshold) => [threshold / beta],
  elu: () => [0],
  selu: () => [0],
  hardSigmoid: () => [-3, 3],
  hardSwish: () => [-3, 3],
};

/** [name, f, f′, kinks]: every activation of the table with its defaults, then the gradient cases' other parameters. */
const CASES: Array<[string, (x: number) => number, (x: number) => number, number[]]> = calls(GRAD_PARAMETERS, (act, fn, options, a, b) => [
  caseName(fn, options),
  (x: number) => fs[act](x, a, b),
  (x: number) => ds[act](x, a, b),
  KINKS[act]?.(a, b) ?? [],
]);

// 4000 points over [-40, 40] (dense near 0) plus the far tails where the derivatives are tiny but normal
const POINTS = (() => {
  const p: number[] = [];
  for (let i = 0; i < 4000; i++) {
    const u = (i + 0.5) / 4000 - 0.5;
    p.push(80 * u * Math.abs(u) * 2);
  }
  for (const t of [50, 80, 87, 100, 300, 700]) p.push(t + 0.123, -t - 0.123);
  return p;
})();

describe.each(CASES)('reference %s', (_name, fn, dfn, kinks) => {
  it('equals the central difference of the forward (Richardson-extrapolated; relative 1e-6 plus the rounding of f)', () => {
    let checked = 0;
    for (const x of POINTS) {
      const h = Math.min(1e-3 * Math.max(1, Math.abs(x)), 1e-3);
      if (kinks.some((k) => Math.abs(x - k) < 2 * h)) continue;
      const c = (s: number) => (fn(x + s) - fn(x - s)) / (2 * s);
      const fd = (4 * c(h / 2) - c(h)) / 3; // error O(h^4)
      const want = dfn(x);
      // f(x ± h) carry ~1e-15 relative error each: the difference quotient's share of it
      const tol = 1e-6 * Math.abs(want) + (1e-14 * Math.abs(fn(x))) / h + 1e-290; // (float64 subnormals)
      if (!(Math.abs(fd - want) <= tol)) throw new Error(`${_name}'(${x}) = ${want}, central difference ${fd}`);
      checked++;
    }
    expect(checked).toBeGreaterThan(3900);
  });
});
