// The fused backward passes (gluMatmulBackward, ffnBackward: GLU and plain MLPs) on every ISA the
// machine runs, both weight layouts, every fused activation: against the float64 reference (README,
// Accuracy: relative Frobenius ≤ 1e-5, elements ≤ 1e-4·max|ref|) at shapes that are no multiple of any
// tile (rows, inFeatures, features); bit for bit the same whatever the thread count and cache blocking
// (the backward epilogues run on whole tiles whatever cut them), and async as sync; M = 0 and 1; errors.
import { afterAll, describe, expect, it } from 'vitest';
import * as sg from '../lib';
import { binding } from '../lib/binding';
import { FUSED_ACTIVATIONS as ACTIVATIONS } from '../lib/activation-table';
import * as ref from '../lib/reference';
import { expectClose, rand as randIn, sameBits } from './helpers/matrix';

const rand = (n: number, seed: number) => randIn(n, seed, -1, 1);
const LAYOUTS: sg.Layout[] = ['out-in', 'in-out'];

const initialIsa = binding.isa();
const initialThreads = binding.getNumThreads();
afterAll(() => {
  binding._testing.setIsa(initialIsa);
  binding.setNumThreads(initialThreads);
  binding._testing.setGemmTuning(0, 0, 0);
});

/** [rows, inFeatures, features]: past one tile of rows on every ISA (12 on AVX-512), odd everywhere. */
const SHAPES: Array<[number, number, number]> = [
  [1, 33, 17],
  [29, 65, 70],
];

function inputs(m: number, k: number, n: number, seed: number) {
  return {
    x: rand(m * k, seed),
    gate: rand(n * k, seed + 1),
    up: rand(n * k, seed + 2),
    down: rand(n * k, seed + 3),
    dh: rand(m * n, seed + 4),
    dy: rand(m * k, seed + 5),
  };
}

type Grads = Record<string, Float32Array | undefined>;
function expectAllClose(got: Grads, want: Record<string, Float64Array | undefined>, label: string): void {
  expect(Object.keys(got).sort()).toEqual(Object.keys(want).sort());
  for (const key of Object.keys(want)) expectClose(got[key]!, want[key]!, `${label} ${key}`);
}
function expectSameBits(a: Grads, b: Grads, label: string): void {
  expect(Object.keys(a).sort()).toEqual(Object.keys(b).sort());
  for (const key of Object.keys(a)) expect(sameBits(a[key]!, b[key]!), `${label} ${key}`).toBe(true);
}

// The float64 references do not depend on the ISA: computed once per case.
const refs = new Map<string, Record<string, Float64Array | undefined>>();
function cached(key: string, make: () => Record<string, Float64Array | undefined>) {
  if (!refs.has(key)) refs.set(key, make());
  return refs.get(key)!;
}

describe.each(binding.runnableIsas())('isa %s', (isa) => {
  it('gluMatmulBackward: every activation and layout against the reference; async the same bits', async () => {
    binding._testing.setIsa(isa);
    for (const layout of LAYOUTS) {
      for (const [a, activation] of ACTIVATIONS.entries()) {
        for (const [m, k, n] of SHAPES) {
          const v = inputs(m, k, n, 10 * a + m);
          const o = { inFeatures: k, outFeatures: n, activation, layout };
          const got = sg.gluMatmulBackward(v.x, v.gate, v.up, v.dh, o);
          const label = `gluMatmulBackward ${activation} ${layout} ${m}x${k}x${n}`;
          expectAllClose({ ...got }, cached(label, () => ref.gluMatmulBackward(v.x, v.gate, v.up, v.dh, o)), label);
          expectSameBits({ ...(await sg.gluMatmulBackwardAsync(v.x, v.gate, v.up, v.dh, o)) }, { ...got }, `${label} async`);
        }
      }
    }
  });

  it('ffnBackward: GLU and plain MLPs, every activation and layout against the reference; async the same bits', async () => {
    binding._testing.setIsa(isa);
    for (const layout of LAYOUTS) {
      for (const [a, activation] of ACTIVATIONS.entries()) {
        for (const gated of [true, false]) {
          for (const [m, k, n] of SHAPES) {
            const v = inputs(m, k, n, 100 + 10 * a + m);
            const w = gated ? { gate: v.gate, up: v.up, down: v.down } : { up: v.up, down: v.down };
            const o = { inFeatures: k, hiddenFeatures: n, activation, layout };
            const got = sg.ffnBackward(v.x, w, v.dy, o);
            const label = `ffnBackward ${gated ? 'GLU' : 'plain'} ${activation} ${layout} ${m}x${k}x${n}`;
            const want = cached(label, () => {
              const r = ref.ffnBackward(v.x, w, v.dy, o);
              return gated ? r : { dx: r.dx, dUp: r.dUp, dDown: r.dDown };
            });
            expectAllClose({ ...got }, want, label);
            expectSameBits({ ...(await sg.ffnBackwardAsync(v.x, w, v.dy, o)) }, { ...got }, `${label} async`);
          }
        }
      }
    }
  });

  it('the same bits on 1 and 2 threads and under other cache blockings (K in blocks, one row panel per block)', () => {
    binding._testing.setIsa(isa);
    const [m, k, n] = [53, 97, 75];
    const v = inputs(m, k, n, 7);
    const run = () => ({
      glu: { ...sg.gluMatmulBackward(v.x, v.gate, v.up, v.dh, { inFeatures: k, outFeatures: n, activation: 'gelu' }) },
      ffn: { ...sg.ffnBackward(v.x, { gate: v.gate, up: v.up, down: v.down }, v.dy, { inFeatures: k, hiddenFeatures: n, layout: 'in-out' }) },
      mlp: { ...sg.ffnBackward(v.x, { up: v.up, down: v.down }, v.dy, { inFeatures: k, hiddenFeatures: n, activation: 'relu' }) },
    });
    binding.setNumThreads(1);
    const base = run();
    try {
      for (const [threads, kc, mc, nc] of [
        [2, 0, 0, 0],
        [1, 16, 1, 1],
        [2, 16, 1, 1],
        [2, 24, 2, 3],
      ]) {
        binding.setNumThreads(threads);
        binding._testing.setGemmTuning(kc, mc, nc);
        const got = run();
        for (const key of ['glu', 'ffn', 'mlp'] as const) expectSameBits(got[key], base[key], `${key} threads ${threads} tuning ${kc},${mc},${nc}`);
      }
    } finally {
      binding._testing.setGemmTuning(0, 0, 0);
      binding.setNumThreads(initialThreads);
    }
  });

  it('M = 0: an empty dx and zero weight gradients', async () => {
    binding._testing.setIsa(isa);
    const [k, n] = [9, 20];
    const v = inputs(1, k, n, 3);
    const empty = new Float32Array(0);
    const g = sg.gluMatmulBackward(empty, v.gate, v.up, empty, { inFeatures: k, outFeatures: n });
    expect(g.dx.length).toBe(0);
    expect([...g.dWGate, ...g.dWUp].every((e) => Object.is(e, 0))).toBe(true);
    const f = await sg.ffnBackwardAsync(empty, { gate: v.gate, up: v.up, down: v.down }, empty, { inFeatures: k, hiddenFeatures: n });
    expect(f.dx.length).toBe(0);
    expect(f.dGate!.length + f.dUp.length + f.dDown.length).toBe(3 * k * n);
    expect([...f.dGate!, ...f.dUp, ...f.dDown].every((e) => Object.is(e, 0))).toBe(true);
  });
});

describe('gluMatmulBackward / ffnBackward: results and errors', () => {
  const [m, k, n] = [3, 4, 5];
  const v = inputs(m, k, n, 1);
  const o = { inFeatures: k, outFeatures: n };
  const fo = { inFeatures: k, hiddenFeatures: n };
  const w = { gate: v.gate, up: v.up, down: v.down };

  it('results are views of one buffer, each its own range, in the shapes of x and the weights', () => {
    const g = sg.gluMatmulBackward(v.x, v.gate, v.up, v.dh, o);
    expect([g.dx.length, g.dWGate.length, g.dWUp.length]).toEqual([m * k, n * k, n * k]);
    expect(g.dx.buffer).toBe(g.dWUp.buffer);
    const f = sg.ffnBackward(v.x, { up: v.up, down: v.down }, v.dy, fo);
    expect('dGate' in f).toBe(false);
    expect([f.dx.length, f.dUp.length, f.dDown.length]).toEqual([m * k, n * k, n * k]);
  });

  it('options.out: its arrays are written and returned, with the bits of a fresh call, sync and async', async () => {
    for (const layout of LAYOUTS) {
      const lo = { ...o, layout };
      const fresh = sg.gluMatmulBackward(v.x, v.gate, v.up, v.dh, lo);
      // separate arrays (the out-in weight gradients then run as one GEMM each rather than over [dG | dU])
      const out = { dx: new Float32Array(m * k), dWGate: new Float32Array(n * k), dWUp: new Float32Array(n * k) };
      expect(sg.gluMatmulBackward(v.x, v.gate, v.up, v.dh, { ...lo, out })).toBe(out);
      expectSameBits({ ...out }, { ...fresh }, `gluMatmulBackward out ${layout}`);
      // the previous call's result reused, async
      const again = await sg.gluMatmulBackwardAsync(v.x, v.gate, v.up, v.dh, { ...lo, out: fresh });
      expect(again).toBe(fresh);
      expectSameBits({ ...again }, { ...out }, `gluMatmulBackwardAsync out ${layout}`);
      const lf = { ...fo, layout };
      for (const weights of [w, { up: v.up, down: v.down }]) {
        const f = sg.ffnBackward(v.x, weights, v.dy, lf);
        const fout = Object.fromEntries(Object.entries(f).map(([key, a]) => [key, new Float32Array(a.length)])) as unknown as sg.FfnGradients;
        expect(sg.ffnBackward(v.x, weights, v.dy, { ...lf, out: fout })).toBe(fout);
        expectSameBits({ ...fout }, { ...f }, `ffnBackward out ${layout}`);
        const fa = await sg.ffnBackwardAsync(v.x, weights, v.dy, { ...lf, out: f });
        expectSameBits({ ...fa }, { ...fout }, `ffnBackwardAsync out ${layout}`);
      }
    }
  });

  it('options.out errors name the array: missing, wrong type or length, overlapping an input or another output', async () => {
    const out = () => ({ dx: new Float32Array(m * k), dWGate: new Float32Array(n * k), dWUp: new Float32Array(n * k) });
    const call = (extra: Record<string, unknown>) => () => sg.gluMatmulBackward(v.x, v.gate, v.up, v.dh, { ...o, out: { ...out(), ...extra } as never });
    expect(call({ dWUp: undefined })).toThrow(/^gluMatmulBackward: options\.out\.dWUp is missing/);
    expect(call({ dx: new Float64Array(m * k) })).toThrow(/^gluMatmulBackward: options\.out\.dx must be a Float32Array/);
    expect(call({ dWGate: new Float32Array(n * k + 1) })).toThrow(/^gluMatmulBackward: options\.out\.dWGate must have length 20, got 21/);
    expect(call({ dx: v.x })).toThrow(/^gluMatmulBackward: options\.out\.dx overlaps x; pass a separate array/);
    const shared = new Float32Array(2 * n * k);
    expect(call({ dWGate: shared.subarray(0, n * k), dWUp: shared.subarray(n * k - 1, 2 * n * k - 1) })).toThrow(/options\.out\.dWUp overlaps options\.out\.dWGate/);
    expect(call({ extra: 1 })).toThrow(/gluMatmulBackward: options\.out: unknown option 'extra'/);
    const f = { dx: new Float32Array(m * k), dUp: new Float32Array(n * k), dDown: new Float32Array(n * k) };
    expect(() => sg.ffnBackward(v.x, w, v.dy, { ...fo, out: f })).toThrow(/^ffnBackward: options\.out\.dGate is missing/);
    expect(() => sg.ffnBackward(v.x, { up: v.up, down: v.down }, v.dy, { ...fo, out: { ...f, dGate: new Float32Array(n * k) } })).toThrow(/^ffnBackward: options\.out: unknown option 'dGate'/);
    await expect(sg.ffnBackwardAsync(v.x, w, v.dy, { ...fo, out: { ...f, dGate: v.dy } })).rejects.toThrow(/^ffnBackwardAsync: options\.out\.dGate must have length 20, got 12/);
  });

  it('wrong types are TypeErrors naming the function and the argument', async () => {
    expect(() => sg.gluMatmulBackward(new Float64Array(m * k) as never, v.gate, v.up, v.dh, o)).toThrow(/^gluMatmulBackward: x must be a Float32Array, got Float64Array/);
    expect(() => sg.gluMatmulBackward(v.x, new Uint16Array(n * k) as never, v.up, v.dh, o)).toThrow(/^gluMatmulBackward: wGate must be a Float32Array \(the raw f32 weight\), got Uint16Array/);
    expect(() => sg.gluMatmulBackward(v.x, v.gate, v.up, [1, 2] as never, o)).toThrow(/gluMatmulBackward: dh must be a Float32Array/);
    expect(() => sg.gluMatmulBackward(v.x, v.gate, v.up, v.dh, undefined as never)).toThrow(/gluMatmulBackward: options \{inFeatures, outFeatures\} are required/);
    expect(() => sg.gluMatmulBackward(v.x, v.gate, v.up, v.dh, { ...o, out: new Float32Array(1) } as never)).toThrow(/^gluMatmulBackward: options\.out must be an object \{dx, dWGate, dWUp\} of Float32Arrays, got Float32Array/);
    expect(() => sg.gluMatmulBackward(v.x, v.gate, v.up, v.dh, { ...o, bogus: 1 } as never)).toThrow(/unknown option 'bogus'/);
    expect(() => sg.ffnBackward(v.x, null as never, v.dy, fo)).toThrow(/ffnBackward: weights must be an object/);
    expect(() => sg.ffnBackward(v.x, { ...w, extra: v.up } as never, v.dy, fo)).toThrow(/ffnBackward: weights: unknown option 'extra'/);
    expect(() => sg.ffnBackward(v.x, { ...w, down: Array.from(v.down) } as never, v.dy, fo)).toThrow(/ffnBackward: weights\.down must be a Float32Array/);
    expect(() => sg.ffnBackward(v.x, w, v.dy, { ...fo, activation: 'mish' } as never)).toThrow(RangeError);
    expect(() => sg.ffnBackward(v.x, w, v.dy, { ...fo, layout: 'in-in' } as never)).toThrow(/ffnBackward: options\.layout/);
    await expect(sg.ffnBackwardAsync(v.x, { ...w, up: new Float64Array(n * k) } as never, v.dy, fo)).rejects.toThrow(/^ffnBackwardAsync: weights\.up must be a Float32Array/);
  });

  it('wrong lengths are RangeErrors naming the argument, the expected and the actual', async () => {
    expect(() => sg.gluMatmulBackward(v.x.subarray(1), v.gate, v.up, v.dh, o)).toThrow(/gluMatmulBackward: x must hold whole rows of inFeatures = 4 values, got length 11/);
    expect(() => sg.gluMatmulBackward(v.x, v.gate.subarray(1), v.up, v.dh, o)).toThrow(/gluMatmulBackward: wGate must have length outFeatures·inFeatures \(\[5, 4\], layout 'out-in'\) = 20, got 19/);
    expect(() => sg.gluMatmulBackward(v.x, v.gate, v.up, v.dh, { ...o, layout: 'in-out', outFeatures: 4 })).toThrow(/wGate must have length inFeatures·outFeatures \(\[4, 4\], layout 'in-out'\) = 16, got 20/);
    expect(() => sg.gluMatmulBackward(v.x, v.gate, v.up, v.dh.subarray(2), o)).toThrow(/gluMatmulBackward: dh must have rows·outFeatures = 3·5 = 15 values, got 13/);
    expect(() => sg.ffnBackward(v.x, w, v.dh, fo)).toThrow(/ffnBackward: dy must have rows·inFeatures = 3·4 = 12 values, got 15/);
    expect(() => sg.ffnBackward(v.x, { ...w, down: v.down.subarray(5) }, v.dy, fo)).toThrow(/ffnBackward: weights\.down must have length inFeatures·hiddenFeatures \(\[4, 5\], layout 'out-in'\) = 20, got 15/);
    expect(() => sg.ffnBackward(v.x, w, v.dy, { ...fo, hiddenFeatures: 0 })).toThrow(RangeError);
    await expect(sg.gluMatmulBackwardAsync(v.x, v.gate, v.up, v.dh.subarray(1), o)).rejects.toThrow(/^gluMatmulBackwardAsync: dh must have/);
  });

  it('a detached input is a TypeError; the native layer checks lengths and overlap on its own', () => {
    const x = v.x.slice();
    structuredClone(x.buffer, { transfer: [x.buffer] });
    expect(() => sg.gluMatmulBackward(x, v.gate, v.up, v.dh, o)).toThrow(/gluMatmulBackward: x is detached/);
    const up = v.up.slice();
    structuredClone(up.buffer, { transfer: [up.buffer] });
    expect(() => sg.ffnBackward(v.x, { ...w, up }, v.dy, fo)).toThrow(/ffnBackward: weights\.up is detached/);
    const [dx, dwg, dwu, dwd] = [m * k, n * k, n * k, n * k].map((len) => new Float32Array(len));
    expect(() => binding.gluMatmulBackward(v.x, v.gate, v.up, v.dh, dx.subarray(1), dwg, dwu, k, n, false, 5)).toThrow(RangeError);
    expect(() => binding.gluMatmulBackward(v.x, v.gate, v.up, v.dh, dx, dwg, dwg, k, n, false, 5)).toThrow(/overlaps/);
    expect(() => binding.gluMatmulBackward(v.x, v.gate, v.up, v.dh, v.x, dwg, dwu, k, n, false, 5)).toThrow(/^dx overlaps x$/);
    expect(() => binding.gluMatmulBackward(v.x, v.gate, v.up, v.dh, dx, v.up, dwu, k, n, false, 5)).toThrow(/^dWGate overlaps wUp$/);
    expect(() => binding.ffnBackward(v.x, null, v.up, v.down, v.dy, dx, null, dwu, dwd, k, n, false, 99)).toThrow(RangeError);
    expect(() => binding.ffnBackward(v.x, null, v.up, v.down, v.dy, dx, null, dwu, dwd, k, n, false, 10)).toThrow(/activation/);
    expect(() => binding.ffnBackward(v.x, null, v.up, v.down, v.dy, dx, dwg, dwu, dwd, k, n, false, 5)).toThrow(/dGate must be given exactly when gate is/);
    expect(() => binding.ffnBackward(v.x, v.gate, v.up, v.down, v.dy, dx, null, dwu, dwd, k, n, false, 5)).toThrow(/dGate must be given exactly when gate is/);
  });
});

describe('per-call working memory (native/runtime/scratch.h)', () => {
  it('is kept for the next call of the same shape, within its bound, and never read as input', () => {
    // Big enough that the packed weights and intermediates are kept blocks (1 MiB or more).
    const [m, k, n] = [48, 384, 704];
    const call = (v: ReturnType<typeof inputs>) =>
      sg.ffnBackward(v.x, { gate: v.gate, up: v.up, down: v.down }, v.dy, { inFeatures: k, hiddenFeatures: n, activation: 'silu' });
    const a = inputs(m, k, n, 900);
    const first = call(a);
    const kept = binding._testing.scratchStats();
    call(inputs(m, k, n, 950)); // the same blocks, other contents
    const again = call(a);
    const after = binding._testing.scratchStats();
    for (const key of ['dx', 'dGate', 'dUp', 'dDown'] as const) expect(sameBits(again[key]!, first[key]!)).toBe(true);
    if (kept.maxKeptBytes > 0) {
      expect(kept.keptBytes).toBeGreaterThan(0);
      expect(after).toEqual(kept); // reused: nothing more kept
    } else {
      expect(after.keptBytes).toBe(0); // under AddressSanitizer and off Linux: every block from the C heap
    }
    expect(after.keptBytes).toBeLessThanOrEqual(after.maxKeptBytes);
  });
});
