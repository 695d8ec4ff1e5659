// Every elementwise gradient, on every ISA this CPU runs, against the float64 reference (README,
// Training): accuracy over the whole float range (random bit patterns, dy = 1 and random dy), kinks and
// roots, NaN/±Inf/−0/subnormals, the flat-piece rule (dx = 0 whatever dy), every short length at odd
// offsets, out/in-place on x and on dy, thread-count independence.
import { afterAll, describe, expect, it } from 'vitest';
import * as sg from '../lib';
import { binding } from '../lib/binding';
import { GRAD_CASES } from './helpers/grad-cases';
import { worstGrad } from './helpers/grad';
import { SPECIALS, hex, linspace, randomBitPatterns, xorshift32 } from './helpers/ulp';

const ISAS = binding.runnableIsas();

/** Points just around x: the floats k ulps either side. */
function around(x: number, k: number): number[] {
  const f = new Float32Array([x]);
  const u = new Int32Array(f.buffer);
  const out: number[] = [];
  for (let i = -k; i <= k; i++) {
    const b = new Int32Array([u[0] + (x < 0 ? -i : i)]);
    out.push(new Float32Array(b.buffer)[0]);
  }
  return out;
}

// The pieces' ends and the exp/erfc ranges' edges, and every root of every case's f′.
const KINKS = [0, -0, 6, -3, 3, 20, 10, 5, 87.3, -87.3, -88.7, -103, -150, 150, 12, -12, 14.5, -14.5, ...new Set(GRAD_CASES.flatMap((c) => c.roots))];
const INPUTS = (() => {
  const random = randomBitPatterns(100_000, 0x9a1d);
  const dense = linspace(-20, 20, 20_001);
  const near: number[] = [];
  for (const k of KINKS) near.push(...around(k, 40));
  const sub = randomBitPatterns(2000, 77).map((v) => v * 2 ** -100); // many subnormals and tiny normals
  return new Float32Array([...random, ...dense, ...near, ...sub, ...SPECIALS]);
})();
const ONES = new Float32Array(INPUTS.length).fill(1);
/** dy with random signs and magnitudes 2^[-20, 20), a few huge and tiny ones. */
const DY = (() => {
  const next = xorshift32(4242);
  return new Float32Array(INPUTS.length).map((_, i) => {
    const sign = next() & 1 ? -1 : 1;
    const e = i % 101 === 0 ? (next() % 200) - 100 : (next() % 40) - 20;
    return Math.fround(sign * (1 + (next() % 1_000_000) / 1_000_000) * 2 ** e);
  });
})();

afterAll(() => binding._testing.setIsa(binding.runnableIsas().at(-1)!));

describe.each(ISAS)('isa %s', (isa) => {
  const use = () => binding._testing.setIsa(isa);

  describe.each(GRAD_CASES)('$name', (c) => {
    it.each([['dy = 1', ONES], ['random dy', DY]] as const)(`is within ${c.bar} ULP of the float64 reference over the float range, %s`, (_label, dy) => {
      use();
      const y = c.run(INPUTS, dy);
      const r = c.ref(INPUTS, dy);
      if (c.bar === 0) {
        for (let i = 0; i < y.length; i++) {
          const want = Math.fround(r[i]);
          if (!Object.is(y[i], want) && !(Number.isNaN(y[i]) && Number.isNaN(want))) {
            throw new Error(`${c.name}(${INPUTS[i]}, ${dy[i]}) = ${y[i]}, want exactly ${want}`);
          }
        }
        return;
      }
      const w = worstGrad(y, r, INPUTS, dy, c.fp, c.roots);
      const at = w.index >= 0 ? ` at x=${INPUTS[w.index]} (${hex(INPUTS[w.index])}) dy=${dy[w.index]}: got ${y[w.index]}, want ${r[w.index]}` : '';
      expect(w.ulp, `max ${w.ulp.toFixed(3)} ULP${at}`).toBeLessThanOrEqual(c.bar);
    });

    it('gives NaN for NaN x, the flat-piece 0 whatever dy, and the limits at ±Inf', () => {
      use();
      const nanBits = new Uint32Array([0x7fc00000, 0xffc00000, 0x7f800001, 0x7fbfffff, 0xffffffff]);
      const nans = new Float32Array(nanBits.buffer);
      for (const v of c.run(nans, new Float32Array(nans.length).fill(1))) expect(v).toBeNaN();
      const xs = new Float32Array([Infinity, -Infinity, 0, -0, 2 ** -149, -(2 ** -149), -1e30, 1e30, -7, 7]);
      for (const dyv of [1, -2.5, 0, -0, Infinity, -Infinity, NaN]) {
        const dy = new Float32Array(xs.length).fill(dyv);
        const y = c.run(xs, dy);
        const r = c.ref(xs, dy);
        xs.forEach((x, i) => {
          const flatZero = r[i] === 0 && Number.isFinite(dyv) === false;
          if (flatZero || Number.isNaN(dyv) || !Number.isFinite(dyv)) {
            // the flat-piece rule and the non-finite dy: the reference decides (0 on a flat piece, else dy·f′)
            const want = Math.fround(r[i]);
            const ok = (Number.isNaN(want) && Number.isNaN(y[i])) || y[i] === want || (want === 0 && y[i] === 0);
            expect(ok, `${c.name}(${x}, ${dyv}) = ${y[i]}, want ${want}`).toBe(true);
          }
        });
      }
    });

    it('gives the same bits for every length 0..70 at every offset, with out, in place on x and on dy', () => {
      use();
      const base = linspace(-9, 9, 80);
      const gbase = linspace(3, -2, 80);
      const whole = c.run(base, gbase);
      for (let offset = 0; offset < 4; offset++) {
        for (let n = 0; n <= 70; n++) {
          const x = base.subarray(offset, offset + n);
          const dy = gbase.subarray(offset, offset + n);
          const y = c.run(x, dy);
          expect(y.length).toBe(n);
          for (let i = 0; i < n; i++) expect(Object.is(y[i], whole[offset + i])).toBe(true);
          const out = new Float32Array(n + 3).subarray(1, n + 1);
          expect(c.run(x, dy, out)).toBe(out);
          for (let i = 0; i < n; i++) expect(Object.is(out[i], whole[offset + i])).toBe(true);
          const xc = new Float32Array(base).subarray(offset, offset + n);
          expect(c.run(xc, dy, xc)).toBe(xc);
          for (let i = 0; i < n; i++) expect(Object.is(xc[i], whole[offset + i])).toBe(true);
          const dc = new Float32Array(gbase).subarray(offset, offset + n);
          expect(c.run(x, dc, dc)).toBe(dc);
          for (let i = 0; i < n; i++) expect(Object.is(dc[i], whole[offset + i])).toBe(true);
        }
      }
    });
  });

  // Kernels with a common range (native/kernels/backward.h CommonRange) take a faster path for a loop step
  // whose lanes all lie inside it: an element's gradient must not depend on which path its neighbours sent
  // it through.
  it("gives each element the same bits whether or not its neighbours are out of range", () => {
    use();
    const n = 1 << 16;
    const next = xorshift32(99);
    const u = () => next() / 4294967296;
    const x = new Float32Array(n).map((_, i) => (i % 3 === 0 ? (u() - 0.5) * 16 : i % 3 === 1 ? (u() - 0.5) * 2 ** -(next() % 140) : (u() - 0.5) * 3));
    const dy = new Float32Array(n).map(() => (u() - 0.5) * 4);
    const rare = x.slice();
    for (let i = 0; i < n; i += 61) rare[i] = i % 2 ? 1e4 : NaN; // a lane out of every range now and then
    for (const c of GRAD_CASES) {
      const a = c.run(x, dy);
      const b = c.run(rare, dy);
      for (let i = 0; i < n; i++) if (i % 61 !== 0 && !Object.is(a[i], b[i])) expect.fail(`${c.name}: x = ${x[i]} gives ${a[i]} alone, ${b[i]} beside an out-of-range lane`);
    }
  });

  it('gives the same bits in one call of 600,001 floats, on 1 and 2 threads, as in short calls', () => {
    use();
    const n = 600_001;
    const x = randomBitPatterns(n, 11).map((v) => (Number.isFinite(v) ? v % 40 : v));
    const dy = randomBitPatterns(n, 12).map((v) => (Number.isFinite(v) ? v % 4 : v));
    const saved = sg.getNumThreads();
    try {
      for (const c of GRAD_CASES) {
        sg.setNumThreads(1);
        const short = new Float32Array(n);
        for (let i = 0; i < n; i += 4099) c.run(x.subarray(i, i + 4099), dy.subarray(i, i + 4099), short.subarray(i, i + 4099));
        for (const th of [1, 2]) {
          sg.setNumThreads(th);
          const long = c.run(x, dy);
          expect(Buffer.compare(Buffer.from(long.buffer), Buffer.from(short.buffer)), `${c.name}, ${th} thread(s)`).toBe(0);
        }
      }
    } finally {
      sg.setNumThreads(saved);
    }
  });
});
