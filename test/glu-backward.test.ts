// The GLU family's gradients on every ISA (README, Training): dUp = dh ⊙ act(gate) within the forward
// activation's bar + 1 ULP, dGate = dh ⊙ up ⊙ act′(gate) within 8 ULP (with the root and subnormal
// allowances of the elementwise gradients), both forms, bit-identical split and two-input forms, in place.
import { afterAll, describe, expect, it } from 'vitest';
import * as sg from '../lib';
import { binding } from '../lib/binding';
import { GLU_GATES } from '../lib/ops';
import { worstGrad } from './helpers/grad';
import { GLU_GRAD_CASES } from './helpers/glu-cases';
import { rootsOf } from '../lib/reference/roots';
import { SPECIALS, hex, linspace, randomBitPatterns, worstUlp } from './helpers/ulp';

type Split = (x: Float32Array, dh: Float32Array, o: object) => Float32Array;

const CASES = GLU_GRAD_CASES;

afterAll(() => binding._testing.setIsa(binding.runnableIsas().at(-1)!));

function interleave(gate: Float32Array, up: Float32Array, width: number): Float32Array {
  const rows = gate.length / width;
  const x = new Float32Array(2 * gate.length);
  for (let r = 0; r < rows; r++) {
    x.set(gate.subarray(r * width, (r + 1) * width), r * 2 * width);
    x.set(up.subarray(r * width, (r + 1) * width), r * 2 * width + width);
  }
  return x;
}

describe.each(binding.runnableIsas())('isa %s', (isa) => {
  describe.each(CASES)('$name', (c) => {
    it('two-input form: dUp within the forward bar + 1, dGate within 8 ULP, across the float range', () => {
      binding._testing.setIsa(isa);
      const gate = new Float32Array([...randomBitPatterns(100_000, 31), ...linspace(-12, 12, 5001), ...SPECIALS.filter((v) => !Number.isNaN(v))]);
      const up = randomBitPatterns(gate.length, 32).map((v, i) => (i % 97 === 0 ? v : v % 8 || 1));
      const dh = randomBitPatterns(gate.length, 33).map((v, i) => (i % 89 === 0 ? v : v % 4 || 1));
      const { dGate, dUp } = c.f(gate, up, dh, c.opts);
      const want = c.r(gate, up, dh);
      // dUp: where act(gate) is subnormal, 2^-126·|dh| absolute passes (the forward's leeway carried through the product)
      const carried = Float64Array.from(want.dUp, (w, i) => (Math.abs(dUp[i] - w) <= 2 ** -126 * Math.abs(dh[i]) ? dUp[i] : w));
      const wu = worstUlp(dUp, carried);
      const at = wu.index >= 0 ? ` at gate=${gate[wu.index]} (${hex(gate[wu.index])}) dh=${dh[wu.index]}: got ${dUp[wu.index]}, want ${want.dUp[wu.index]}` : '';
      expect(wu.ulp, `dUp max ${wu.ulp.toFixed(3)} ULP${at}`).toBeLessThanOrEqual(c.upBar);
      const dy = Float64Array.from(dh, (h, i) => h * up[i]);
      const wg = worstGrad(dGate, want.dGate, gate, dy, c.fp, rootsOf(c.fp));
      const atg = wg.index >= 0 ? ` at gate=${gate[wg.index]} (${hex(gate[wg.index])}) up=${up[wg.index]} dh=${dh[wg.index]}: got ${dGate[wg.index]}, want ${want.dGate[wg.index]}` : '';
      expect(wg.ulp, `dGate max ${wg.ulp.toFixed(3)} ULP${atg}`).toBeLessThanOrEqual(8);
    });

    it('gives each element the same bits whether or not its neighbours are out of the common range', () => {
      // (native/kernels/map_grad.h: a loop step whose gates all lie in the kernel's common range takes a
      // faster path; an element must not depend on its neighbours' path)
      binding._testing.setIsa(isa);
      const n = 1 << 14;
      const gate = linspace(-9, 9, n);
      const up = randomBitPatterns(n, 41).map((v) => v % 4 || 1);
      const dh = randomBitPatterns(n, 42).map((v) => v % 4 || 1);
      const rare = gate.slice();
      for (let i = 0; i < n; i += 37) rare[i] = i % 2 ? -1e4 : NaN;
      const a = c.f(gate, up, dh, c.opts);
      const b = c.f(rare, up, dh, c.opts);
      for (let i = 0; i < n; i++) {
        if (i % 37 === 0) continue;
        if (!Object.is(a.dGate[i], b.dGate[i]) || !Object.is(a.dUp[i], b.dUp[i])) expect.fail(`gate = ${gate[i]}: (${a.dGate[i]}, ${a.dUp[i]}) alone, (${b.dGate[i]}, ${b.dUp[i]}) beside an out-of-range lane`);
      }
    });

    it('split form equals the two-input form bit for bit, for several widths and rows, also in place on x', () => {
      binding._testing.setIsa(isa);
      for (const [rows, width] of [[1, 1], [1, 17], [3, 5], [7, 64], [2, 100], [40, 3000]]) {
        const gate = linspace(-7, 7, rows * width);
        const up = linspace(3, -2, rows * width);
        const dh = linspace(-1, 2, rows * width);
        const two = c.f(gate, up, dh, c.opts);
        const x = interleave(gate, up, width);
        const y = (c.f as unknown as Split)(x, dh, { ...c.opts, width });
        expect(y.length).toBe(x.length);
        const want = interleave(two.dGate, two.dUp, width);
        expect(Buffer.compare(Buffer.from(y.buffer), Buffer.from(want.buffer))).toBe(0);
        const xin = x.slice();
        expect((c.f as unknown as Split)(xin, dh, { ...c.opts, width, out: xin })).toBe(xin);
        expect(Buffer.compare(Buffer.from(xin.buffer), Buffer.from(want.buffer))).toBe(0);
      }
    });

    it('every short length at odd offsets, outputs in place on gate, up or dh', () => {
      binding._testing.setIsa(isa);
      const base = linspace(-5, 5, 90);
      for (let n = 0; n <= 40; n++) {
        const g = base.subarray(1, 1 + n), u = base.subarray(3, 3 + n), h = base.subarray(5, 5 + n).map((v) => v * 0.3 - 0.2);
        const want = c.f(Float32Array.from(g), Float32Array.from(u), Float32Array.from(h), c.opts);
        const same = (a: Float32Array, b: Float32Array) => expect(Buffer.compare(Buffer.from(a.slice().buffer), Buffer.from(b.slice().buffer))).toBe(0);
        for (const [gi, ui] of [['gate', 'up'], ['up', 'gate'], ['dh', 'gate'], ['up', 'dh']] as const) {
          const arrs = { gate: Float32Array.from(base).subarray(1, 1 + n), up: Float32Array.from(base).subarray(3, 3 + n), dh: Float32Array.from(h) };
          const r = c.f(arrs.gate, arrs.up, arrs.dh, { ...c.opts, outGate: arrs[gi], outUp: arrs[ui] });
          expect(r.dGate).toBe(arrs[gi]);
          expect(r.dUp).toBe(arrs[ui]);
          same(r.dGate, want.dGate);
          same(r.dUp, want.dUp);
        }
      }
    });
  });
});

describe('GLU gradient errors', () => {
  const n = 8;
  const g = new Float32Array(n), u = new Float32Array(n), h = new Float32Array(n);
  it.each(Object.keys(GLU_GATES).map((op) => `${op}Backward` as keyof typeof sg))('%s names the argument at fault', (name) => {
    const f = sg[name] as unknown as (...a: unknown[]) => unknown;
    expect(() => f(g, u, new Float32Array(7))).toThrow(RangeError);
    expect(() => f(g, u, new Float32Array(7))).toThrow(new RegExp(`${name}: dh must have the length of gate`));
    expect(() => f(g, new Float32Array(7), h)).toThrow(/up must have the length of gate/);
    expect(() => f(g, u, h, { outGate: new Float32Array(7) })).toThrow(/options.outGate must have length 8, got 7/);
    expect(() => f(g, u, h, { outUp: new Float64Array(8) })).toThrow(TypeError);
    const buf = new Float32Array(20);
    expect(() => f(g, u, h, { outGate: buf.subarray(0, 8), outUp: buf.subarray(4, 12) })).toThrow(/outGate and options.outUp overlap/);
    expect(() => f(g, u, h, { outGate: g, outUp: g })).toThrow(RangeError);
    expect(() => f(buf.subarray(0, 8), u, h, { outGate: buf.subarray(2, 10) })).toThrow(/outGate overlaps gate/);
    expect(() => f(g, u, h, { bogus: 1 })).toThrow(TypeError);
    // split form
    expect(() => f(new Float32Array(12), new Float32Array(3), { width: 4 })).toThrow(/rows of 2·width = 8/);
    expect(() => f(new Float32Array(16), new Float32Array(3), { width: 4 })).toThrow(/dh must have rows·width = 8/);
    expect(() => f(new Float32Array(16), new Float32Array(8), {})).toThrow(/options.width is missing/);
    expect(() => f(new Float32Array(16), new Float32Array(8), { width: 0 })).toThrow(RangeError);
    expect(() => f(new Float32Array(16), [1, 2], { width: 4 })).toThrow(/dh must be a Float32Array/);
    const big = new Float32Array(24);
    expect(() => f(big.subarray(0, 16), big.subarray(16, 24), { width: 4, out: big.subarray(8, 24) })).toThrow(RangeError);
    expect(() => f(new Float32Array(16), new Float32Array(8), { width: 4, out: new Float32Array(8) })).toThrow(/options.out must have length 16/);
    expect(() => f('x', h, { width: 4 })).toThrow(/x must be a Float32Array/);
  });
});
