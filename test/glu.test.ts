// The GLU family on every ISA: act(gate) ⊙ up against the float64 reference, both forms.
import { describe, expect, it } from 'vitest';
import * as sg from '../lib';
import { binding } from '../lib/binding';
import * as ref from '../lib/reference';
import { GLU_CASES } from './helpers/glu-cases';
import { SPECIALS, hex, linspace, randomBitPatterns, worstUlp } from './helpers/ulp';

// The product adds half an ULP to the activation's own bar; where the activation is subnormal the
// absolute leeway of the README's Accuracy section (2^-126) is carried through the product as 2^-126·|up|.
const CASES = GLU_CASES;

function withinBar(y: Float32Array, want: Float64Array, up: ArrayLike<number>, bar: number, gate: ArrayLike<number>, name: string) {
  const carried = new Float64Array(y.length);
  for (let i = 0; i < y.length; i++) {
    const slack = 2 ** -126 * Math.abs(up[i]);
    carried[i] = Math.abs(y[i] - want[i]) <= slack ? y[i] : want[i];
  }
  const w = worstUlp(y, carried);
  const at = w.index >= 0 ? ` at gate=${gate[w.index]} (${hex(gate[w.index])}) up=${up[w.index]}: got ${y[w.index]}, want ${want[w.index]}` : '';
  expect(w.ulp, `${name}: max ${w.ulp.toFixed(3)} ULP${at}`).toBeLessThanOrEqual(bar);
}

describe.each(binding.runnableIsas())('isa %s', (isa) => {
  describe.each(CASES)('$name', (c) => {
    it('two-input form is within its bar across the float range', () => {
      binding._testing.setIsa(isa);
      const gate = new Float32Array([...randomBitPatterns(50_000, 11), ...linspace(-12, 12, 5001), ...SPECIALS]);
      // up: moderate magnitudes (finite products) and a few huge ones
      const up = randomBitPatterns(gate.length, 23).map((v, i) => (i % 97 === 0 ? v : (v % 8) || 1));
      withinBar(c.f(gate, up, c.opts), c.r(gate, up), up, c.bar, gate, c.name);
    });

    it('split form equals the two-input form bit for bit, for several widths and rows', () => {
      binding._testing.setIsa(isa);
      for (const [rows, width] of [[1, 1], [1, 17], [3, 5], [7, 64], [2, 100], [40, 3000]]) {
        const x = linspace(-7, 7, rows * 2 * width);
        const [g, u] = ref.splitRows(x, width);
        const y = c.f(x, { ...c.opts, width });
        expect(y.length).toBe(rows * width);
        const two = c.f(Float32Array.from(g), Float32Array.from(u), c.opts);
        expect(Buffer.compare(Buffer.from(y.buffer), Buffer.from(two.buffer))).toBe(0);
      }
    });

    it('works in place on gate or on up, at odd offsets, with every short length', () => {
      binding._testing.setIsa(isa);
      const base = linspace(-5, 5, 90);
      for (let n = 0; n <= 40; n++) {
        const g = base.subarray(1, 1 + n);
        const u = base.subarray(3, 3 + n);
        const want = c.f(Float32Array.from(g), Float32Array.from(u), c.opts);
        const g2 = Float32Array.from(base).subarray(1, 1 + n);
        expect(c.f(g2, u, { ...c.opts, out: g2 })).toBe(g2);
        expect(Buffer.compare(Buffer.from(g2.slice().buffer), Buffer.from(want.buffer))).toBe(0);
        const u2 = Float32Array.from(base).subarray(3, 3 + n);
        expect(c.f(g, u2, { ...c.opts, out: u2 })).toBe(u2);
        expect(Buffer.compare(Buffer.from(u2.slice().buffer), Buffer.from(want.buffer))).toBe(0);
      }
    });
  });

  it('geglu honours approximate', () => {
    binding._testing.setIsa(isa);
    const g = linspace(-4, 4, 101);
    const u = linspace(1, 2, 101);
    const tanhForm = sg.geglu(g, u, { approximate: 'tanh' });
    withinBar(tanhForm, ref.geglu(g, u, { approximate: 'tanh' }), u, 4.5, g, 'geglu(tanh)');
    expect(sg.geglu(g, u, { approximate: 'none' })).not.toEqual(tanhForm);
  });

  // Past binding._testing.streamMinBytes of arrays the kernels write out with non-temporal stores: the same bits
  // as short calls, at odd offsets, on 1 and 2 threads, both forms, nothing written outside out.
  it('gives the same bits with streaming stores (arrays past the last-level cache)', () => {
    binding._testing.setIsa(isa);
    const n = Math.ceil(binding._testing.streamMinBytes / 12) + 4099;
    const g = randomBitPatterns(n + 1, 21).map((v) => (Number.isFinite(v) ? v % 30 : v)).subarray(1);
    const u = linspace(-3, 3, n + 2).subarray(2);
    const short = new Float32Array(n);
    const outs = new Float32Array(n + 4);
    const out = outs.subarray(3, 3 + n);
    const saved = sg.getNumThreads();
    try {
      sg.setNumThreads(1);
      for (let i = 0; i < n; i += 65536) sg.swiglu(g.subarray(i, i + 65536), u.subarray(i, i + 65536), { out: short.subarray(i, i + 65536) });
      for (const th of [1, 2]) {
        sg.setNumThreads(th);
        outs.fill(-7);
        sg.swiglu(g, u, { out });
        expect(Buffer.compare(Buffer.from(out.buffer, out.byteOffset, out.byteLength), Buffer.from(short.buffer)), `${th} thread(s)`).toBe(0);
        expect([outs[0], outs[1], outs[2], outs[3 + n]]).toEqual([-7, -7, -7, -7]);
      }
      // Split form, one row of [gate | up] (width n): the same bits.
      const x = new Float32Array(2 * n + 1).subarray(1);
      x.set(g, 0);
      x.set(u, n);
      outs.fill(-7);
      sg.swiglu(x, { width: n, out });
      expect(Buffer.compare(Buffer.from(out.buffer, out.byteOffset, out.byteLength), Buffer.from(short.buffer)), 'split form').toBe(0);
    } finally {
      sg.setNumThreads(saved);
    }
  });
});
