// The fused gate for every GLU activation (gluMatmul: GEGLU, ReGLU, GLU, bilinear, SwiGLU) and the FFN
// for GLU and plain MLPs (ffn), on every ISA: against the float64 reference (README, Accuracy: relative
// Frobenius ≤ 1e-5, elements ≤ 1e-4·max|ref|), and bit for bit against the unfused path the fused
// epilogue replaces (two matmuls, then the elementwise GLU op or activation: the same kernels).
import { afterAll, describe, expect, it } from 'vitest';
import * as sg from '../lib';
import { binding } from '../lib/binding';
import { FUSED_ACTIVATIONS as ACTIVATIONS } from '../lib/activation-table';
import { camelName, gluOfGate, publicForm } from '../lib/ops';
import * as ref from '../lib/reference/matrix';
import { expectClose, rand as randIn, sameBits } from './helpers/matrix';

/** Values in [lo, hi), symmetric by default: the gates see both signs. */
const rand = (n: number, seed: number, lo = -1, hi = 1) => randIn(n, seed, lo, hi);

type Activation = sg.FusedActivation;
type Op = (...args: unknown[]) => Float32Array;
const lib = sg as unknown as Record<string, Op>;

/** The elementwise GLU op that act(gate) ⊙ up is, unfused (lib/ops.ts's GLU_GATES, checked in op-table.test.ts). */
function unfusedGlu(act: Activation, g: Float32Array, u: Float32Array): Float32Array {
  const glu = gluOfGate(camelName(act))!;
  return lib[glu.name](g, u, glu.tanh ? { approximate: 'tanh' } : {});
}

/** The elementwise activation, unfused: its public function (identity: a copy). */
function unfusedAct(act: Activation, h: Float32Array): Float32Array {
  const form = publicForm(camelName(act));
  return form ? lib[form.fn](h, form.options) : h.slice();
}

const initialIsa = binding.isa();
const initialThreads = binding.getNumThreads();
afterAll(() => {
  binding._testing.setIsa(initialIsa);
  binding.setNumThreads(initialThreads);
});

// M > 8 so that matmul takes the packed GEMM too (the same k order as the fused gate).
const SHAPES: Array<[number, number, number]> = [
  [1, 33, 17],
  [13, 100, 37],
  [70, 257, 48],
];

describe.each(binding.runnableIsas())('isa %s', (isa) => {
  it('gluMatmul: every activation matches the reference, and the unfused path bit for bit (M > 8)', () => {
    binding._testing.setIsa(isa);
    ACTIVATIONS.forEach((act, a) => {
      SHAPES.forEach(([m, k, n], c) => {
        const x = rand(m * k, 100 * a + c);
        const wg = rand(n * k, 200 * a + c);
        const wu = rand(n * k, 300 * a + c);
        const p = sg.packGate(wg, wu, { inFeatures: k, outFeatures: n, activation: act });
        expect(p.activation).toBe(act);
        const h = sg.gluMatmul(x, p);
        expectClose(h, ref.gluMatmul(x, wg, wu, { inFeatures: k, outFeatures: n, activation: act }), `${act} ${m}x${k}x${n}`);
        if (m > 8) {
          const g = sg.matmul(x, wg, { m, k, n, transB: true });
          const u = sg.matmul(x, wu, { m, k, n, transB: true });
          expect(sameBits(h, unfusedGlu(act, g, u)), `${act} ${m}x${k}x${n}: fused = matmul, matmul, then the GLU op`).toBe(true);
        }
        // the raw-weights form packs on the fly: the same bits
        expect(sameBits(sg.gluMatmul(x, wg, wu, { inFeatures: k, outFeatures: n, activation: act }), h)).toBe(true);
        if (act === 'silu') expect(sameBits(sg.swigluMatmul(x, p), h)).toBe(true);
        p.dispose();
      });
    });
  });

  it('ffn: GLU and plain MLPs for every activation match the reference and the unfused path', async () => {
    binding._testing.setIsa(isa);
    const [m, d, hidden] = [12, 40, 72];
    ACTIVATIONS.forEach((act, a) => {
      const x = rand(m * d, 400 + a);
      const gate = rand(hidden * d, 500 + a);
      const up = rand(hidden * d, 600 + a);
      const down = rand(d * hidden, 700 + a, -0.2, 0.2);
      for (const gated of [true, false]) {
        const p = sg.packFfn({ ...(gated ? { gate } : {}), up, down, inFeatures: d, hiddenFeatures: hidden, activation: act });
        expect([p.gated, p.activation]).toEqual([gated, act]);
        const y = sg.ffn(x, p);
        const want = ref.ffn(x, { ...(gated ? { gate } : {}), up, down, inFeatures: d, hiddenFeatures: hidden, activation: act });
        expectClose(y, want, `${gated ? 'GLU' : 'MLP'} ${act}`);
        const hx = gated
          ? unfusedGlu(act, sg.matmul(x, gate, { m, k: d, n: hidden, transB: true }), sg.matmul(x, up, { m, k: d, n: hidden, transB: true }))
          : unfusedAct(act, sg.matmul(x, up, { m, k: d, n: hidden, transB: true }));
        expect(sameBits(y, sg.matmul(hx, down, { m, k: hidden, n: d, transB: true })), `${gated ? 'GLU' : 'MLP'} ${act}: fused = unfused`).toBe(true);
        p.dispose();
      }
    });
    const p = sg.packFfn({ up: rand(hidden * d, 1), down: rand(d * hidden, 2), inFeatures: d, hiddenFeatures: hidden, activation: 'gelu' });
    const x = rand(m * d, 3);
    expect(sameBits(await sg.ffnAsync(x, p), sg.ffn(x, p))).toBe(true);
    p.dispose();
  });
});

describe('GLU family errors', () => {
  const wg = rand(8 * 4, 1);
  const wu = rand(8 * 4, 2);
  it('an unknown activation is a RangeError naming the option', () => {
    expect(() => sg.packGate(wg, wu, { inFeatures: 4, outFeatures: 8, activation: 'tanh' as never })).toThrow(RangeError);
    expect(() => sg.packGate(wg, wu, { inFeatures: 4, outFeatures: 8, activation: 'tanh' as never })).toThrow(/packGate: options\.activation/);
    expect(() => sg.packFfn({ up: wg, down: wu, inFeatures: 4, hiddenFeatures: 8, activation: 'mish' as never })).toThrow(/packFfn: options\.activation/);
  });
  it('the SwiGLU names refuse packs of other activations, naming the one to use', () => {
    const p = sg.packGate(wg, wu, { inFeatures: 4, outFeatures: 8, activation: 'gelu' });
    expect(() => sg.swigluMatmul(new Float32Array(4), p)).toThrow(RangeError);
    expect(() => sg.swigluMatmul(new Float32Array(4), p)).toThrow(/use gluMatmul/);
    const mlp = sg.packFfn({ up: wg, down: wu, inFeatures: 4, hiddenFeatures: 8, activation: 'silu' });
    expect(() => sg.swigluFfn(new Float32Array(4), mlp)).toThrow(/plain MLP.*use ffn/);
    expect(() => sg.swigluMatmul(new Float32Array(4), wg, wu, { inFeatures: 4, outFeatures: 8, activation: 'silu' } as never)).toThrow(TypeError);
    p.dispose();
    mlp.dispose();
  });
  it('the binding refuses an activation the fused kernels do not apply', () => {
    const dest = new Uint8Array(new SharedArrayBuffer(binding.packBytes(0, 4, 8, 0, true)));
    expect(() => binding.packGate(dest, wg, wu, 4, 8, false, 0, 4 /* tanh */)).toThrow(RangeError);
    expect(() => binding.packGate(dest, wg, wu, 4, 8, false, 0, 99)).toThrow(RangeError);
  });
});
