// The float64 reference derivatives (lib/reference/backward.ts) are the derivatives of the float64
// reference forwards: central differences at many points away from the kinks, in the tails too.
import { describe, expect, it } from 'vitest';
import * as d from '../lib/reference/backward';
import * as f from '../lib/reference/activations';

type Fn = (x: number) => number;
const CASES: Array<[string, Fn, Fn, number[]]> = [
  ['relu', f.relu, d.relu, [0]],
  ['leakyRelu(0.2)', (x) => f.leakyRelu(x, 0.2), (x) => d.leakyRelu(x, 0.2), [0]],
  ['relu6', f.relu6, d.relu6, [0, 6]],
  ['sigmoid', f.sigmoid, d.sigmoid, []],
  ['tanh', f.tanh, d.tanh, []],
  ['silu', (x) => f.silu(x), (x) => d.silu(x), []],
  ['silu(1.5)', (x) => f.silu(x, 1.5), (x) => d.silu(x, 1.5), []],
  ['silu(-0.5)', (x) => f.silu(x, -0.5), (x) => d.silu(x, -0.5), []],
  ['gelu', f.gelu, d.gelu, []],
  ['geluTanh', f.geluTanh, d.geluTanh, []],
  ['quickGelu', f.quickGelu, d.quickGelu, []],
  ['softplus', (x) => f.softplus(x), (x) => d.softplus(x), [20]],
  ['softplus(2,10)', (x) => f.softplus(x, 2, 10), (x) => d.softplus(x, 2, 10), [5]],
  ['mish', f.mish, d.mish, []],
  ['elu', (x) => f.elu(x), (x) => d.elu(x), [0]],
  ['elu(0.5)', (x) => f.elu(x, 0.5), (x) => d.elu(x, 0.5), [0]],
  ['selu', f.selu, d.selu, [0]],
  ['hardSigmoid', f.hardSigmoid, d.hardSigmoid, [-3, 3]],
  ['hardSwish', f.hardSwish, d.hardSwish, [-3, 3]],
];

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
