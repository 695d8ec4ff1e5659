// Every elementwise op, on every ISA this CPU runs, against the float64 reference: accuracy over
// the whole float range (random bit patterns), the README's specials (NaN, ±Inf), every short length at
// odd offsets, out/in-place, thread-count independence, and long calls (the prefetching loop) against short ones.
import { afterAll, describe, expect, it } from 'vitest';
import * as sg from '../lib';
import { binding } from '../lib/binding';
import { CASES } from './helpers/cases';
import { SPECIALS, hex, linspace, randomBitPatterns, ulpError, worstUlp } from './helpers/ulp';

const ISAS = binding.runnableIsas();
const INPUTS = (() => {
  const random = randomBitPatterns(100_000, 0x5eed);
  const dense = linspace(-20, 20, 20_001);
  const all = new Float32Array(random.length + dense.length + SPECIALS.length);
  all.set(random, 0);
  all.set(dense, random.length);
  all.set(SPECIALS, random.length + dense.length);
  return all;
})();

afterAll(() => binding._testing.setIsa(binding.runnableIsas().at(-1)!));

describe.each(ISAS)('isa %s', (isa) => {
  const use = () => binding._testing.setIsa(isa);

  describe.each(CASES)('$name', (c) => {
    it(`is within ${c.bar} ULP of the float64 reference over ${INPUTS.length} inputs across the float range`, () => {
      use();
      const y = c.run(INPUTS);
      const r = Array.from(INPUTS, c.ref);
      const w = worstUlp(y, r);
      const at = w.index >= 0 ? ` at x=${INPUTS[w.index]} (${hex(INPUTS[w.index])}): got ${y[w.index]}, want ${r[w.index]}` : '';
      expect(w.ulp, `max ${w.ulp.toFixed(3)} ULP${at}`).toBeLessThanOrEqual(c.bar);
      if (c.bar === 0) {
        for (let i = 0; i < y.length; i++) {
          if (!Object.is(y[i], Math.fround(r[i])) && !(Number.isNaN(y[i]) && Number.isNaN(r[i]))) {
            throw new Error(`${c.name}(${INPUTS[i]}) = ${y[i]}, want exactly ${Math.fround(r[i])}`);
          }
        }
      }
    });

    it('propagates NaN, keeps the sign of zero results, and reaches the ±Inf limits', () => {
      use();
      const nans = new Float32Array(new Uint32Array([0x7fc00000, 0xffc00000, 0x7f800001, 0x7fbfffff, 0xffffffff]).buffer);
      for (const v of c.run(nans)) expect(v).toBeNaN();
      const x = new Float32Array([0, -0, Infinity, -Infinity, 2 ** -149, -(2 ** -149), 3.4028234663852886e38, -3.4028234663852886e38]);
      const y = c.run(x);
      x.forEach((v, i) => {
        const exact = c.ref(v);
        const want = Math.fround(exact);
        if (exact === 0 || !Number.isFinite(want)) {
          expect(Object.is(y[i], want), `${c.name}(${v}) = ${y[i]}, want ${Object.is(want, -0) ? '-0' : want}`).toBe(true);
        } else {
          expect(ulpError(y[i], c.ref(v))).toBeLessThanOrEqual(Math.max(c.bar, 0.5));
        }
      });
    });

    it('gives the same bits for every length 0..70 at every offset, with and without out, in place', () => {
      use();
      const base = linspace(-9, 9, 80);
      const whole = c.run(base);
      for (let offset = 0; offset < 4; offset++) {
        for (let n = 0; n <= 70; n++) {
          const view = base.subarray(offset, offset + n);
          const y = c.run(view);
          expect(y.length).toBe(n);
          for (let i = 0; i < n; i++) expect(Object.is(y[i], whole[offset + i])).toBe(true);
          const out = new Float32Array(n + 3).subarray(1, n + 1);
          expect(c.run(view, out)).toBe(out);
          for (let i = 0; i < n; i++) expect(Object.is(out[i], whole[offset + i])).toBe(true);
          const copy = new Float32Array(base).subarray(offset, offset + n);
          expect(c.run(copy, copy)).toBe(copy);
          for (let i = 0; i < n; i++) expect(Object.is(copy[i], whole[offset + i])).toBe(true);
        }
      }
    });

    // Some kernels run a fast form over a loop step whose inputs all lie in a common range and a fuller
    // form where one does not (native/kernels/activations.h): an element's result must not depend on
    // which of its neighbours sent its step down which path. Runs of common inputs of every length
    // 0..70, each ended by one input from either side of every range boundary the kernels use, against
    // each input computed alone.
    it("gives each element the same bits whatever its neighbours' ranges", () => {
      use();
      const edges = [-Infinity, -1e30, -200, -104, -100, -90, -88, -87.5, -87, -86.5, -50, -12, -10.25, -10, -9.75, -9.5,
        -3, -0.5, -0, 0, 2 ** -140, 0.5, 3, 9.5, 10, 10.25, 12, 50, 86.5, 87, 87.5, 88, 100, 1e30, Infinity, NaN];
      const common = linspace(-8, 8, 97);
      const parts: number[] = [];
      let k = 0;
      for (let run = 0; run <= 70; run++) {
        for (const e of edges) {
          for (let i = 0; i < run % 23; i++) parts.push(common[k++ % common.length]);
          parts.push(e);
        }
      }
      const x = Float32Array.from(parts);
      const xb = new Uint32Array(x.buffer);
      const y = new Uint32Array(c.run(x).buffer);
      const alone = new Map<number, number>(); // by bit pattern: -0 is not 0 here
      for (const b of new Set(xb)) alone.set(b, new Uint32Array(c.run(new Float32Array(Uint32Array.of(b).buffer)).buffer)[0]);
      for (let i = 0; i < x.length; i++) {
        const want = alone.get(xb[i])!;
        if (y[i] !== want) throw new Error(`${c.name}(${x[i]}) at ${i}: 0x${y[i].toString(16)} in the array, 0x${want.toString(16)} alone`);
      }
    });
  });

  // 300,001 floats: split over 2 threads, each part below map.h's 2^18-float streaming threshold;
  // 600,001: each part past it (the prefetching loop). Either way, 1 and 2 threads give the bits of short calls.
  it.each([300_001, 600_001])('gives the same bits in one call of %i floats, on 1 and 2 threads, as in short calls', (n) => {
    use();
    const x = randomBitPatterns(n, 11).map((v) => (Number.isFinite(v) ? v % 40 : v));
    const saved = sg.getNumThreads();
    try {
      for (const c of CASES) {
        sg.setNumThreads(1);
        const short = new Float32Array(x.length);
        for (let i = 0; i < x.length; i += 4099) c.run(x.subarray(i, i + 4099), short.subarray(i, i + 4099));
        for (const th of [1, 2]) {
          sg.setNumThreads(th);
          const long = c.run(x);
          expect(Buffer.compare(Buffer.from(long.buffer), Buffer.from(short.buffer)), `${c.name}, ${th} thread(s)`).toBe(0);
        }
      }
    } finally {
      sg.setNumThreads(saved);
    }
  });

  // Past binding._testing.streamMinBytes of arrays (the last-level cache) the kernels write with non-temporal
  // stores from the first vector-aligned element of out: odd offsets of x and out, 1 and 2 threads, the
  // same bits as short calls (plain stores), and nothing written outside out.
  it('gives the same bits with streaming stores (arrays past the last-level cache), at odd offsets', () => {
    use();
    const n = Math.ceil(binding._testing.streamMinBytes / 8) + 4099;
    const xs = randomBitPatterns(n + 3, 12).map((v) => (Number.isFinite(v) ? v % 40 : v));
    const x = xs.subarray(3);
    const outs = new Float32Array(n + 7);
    const out = outs.subarray(5, 5 + n);
    const saved = sg.getNumThreads();
    try {
      for (const c of CASES) {
        sg.setNumThreads(1);
        const short = new Float32Array(n);
        for (let i = 0; i < n; i += 65536) c.run(x.subarray(i, i + 65536), short.subarray(i, i + 65536));
        for (const th of [1, 2]) {
          sg.setNumThreads(th);
          outs.fill(-7);
          c.run(x, out);
          expect(Buffer.compare(Buffer.from(out.buffer, out.byteOffset, out.byteLength), Buffer.from(short.buffer)), `${c.name}, ${th} thread(s)`).toBe(0);
          expect([...outs.subarray(0, 5), ...outs.subarray(5 + n)], `${c.name}: written outside out`).toEqual([-7, -7, -7, -7, -7, -7, -7]);
        }
      }
    } finally {
      sg.setNumThreads(saved);
    }
  });
});
