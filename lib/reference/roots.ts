// The roots of a float64 derivative f′ (README, Training: near a root of f′ the gradient bars take an
// absolute error), found in the reference itself rather than listed per activation; for the test suites
// and the fuzzer (not exported by the package).

/**
 * The points where fp changes sign over the float32 range, each to float64 precision: fp is sampled at 64
 * points per binade from ±2^-149 to ±2^128 (and at 0), so a root is found at any scale (silu's −1.278/β
 * for any β), and each sign change is narrowed by bisection. A zero on a sample lies between the nearest
 * samples of opposite sign; a piece where fp is 0 (relu, hardSigmoid) is no root. Roots closer together
 * than a 64th of their binade would be missed in pairs (no activation has such).
 */
export function rootsOf(fp: (x: number) => number): number[] {
  const roots: number[] = [];
  let prevX = NaN;
  let prevSign = 0;
  for (const x of SAMPLES) {
    const s = Math.sign(fp(x));
    if (s === 0 || Number.isNaN(s)) continue;
    if (prevSign !== 0 && s !== prevSign) roots.push(bisect(fp, prevX, x, prevSign));
    prevX = x;
    prevSign = s;
  }
  return roots;
}

const SAMPLES = (() => {
  const pos: number[] = [];
  for (let e = -149; e < 128; e++) for (let k = 0; k < 64; k++) pos.push(2 ** e * (1 + k / 64));
  return [...pos.map((v) => -v).reverse(), 0, ...pos];
})();

/** The point where fp changes sign in [a, b], fp(a) of sign sa. */
function bisect(fp: (x: number) => number, a: number, b: number, sa: number): number {
  for (;;) {
    const m = a + (b - a) / 2;
    if (m === a || m === b) return m;
    const s = Math.sign(fp(m));
    if (s === 0) return m;
    if (s === sa) a = m;
    else b = m;
  }
}
