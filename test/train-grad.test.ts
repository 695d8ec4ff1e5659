// Finite-difference checks of every part of the `swiglu-bench train` model (bench/train): RMSNorm,
// causal attention, each arm's FFN (forward and backward through the package's ops), the cross-entropy,
// the embeddings and the whole model; plus AdamW, clipping and the schedule against hand computations.
// The parts run in f32 (sg.matmul); the probe loss Σ r ⊙ y is summed in float64 and central differences
// use a step of 1e-2 (1e-3 across ReLU's kink), so the tolerance is a few % of the gradient's scale.
import { describe, expect, it } from 'vitest';
import { refActBackward, refGluBackward, backwardSources } from '../bench/train/backward-ops';
import { ARMS, Arm, ffnKernels, ffnShapes, gluHidden, isGlu } from '../bench/train/ffn';
import { attnBackward, attnForward, crossEntropy, rmsBackward, rmsForward } from '../bench/train/layers';
import { Model } from '../bench/train/model';
import { ADAMW_DEFAULTS, AdamW, Param, clipGradNorm, lrAt } from '../bench/train/optim';
import { normal, uniform } from '../bench/train/rng';

function randn(n: number, seed: number, scale = 1): Float32Array {
  const z = normal(uniform(seed));
  const a = new Float32Array(n);
  for (let i = 0; i < n; i++) a[i] = scale * z();
  return a;
}

function dot(r: Float32Array, y: Float32Array): number {
  let s = 0;
  for (let i = 0; i < y.length; i++) s += r[i] * y[i];
  return s;
}

/**
 * Compares analytic[i] with (f(x+eps) − f(x−eps)) / 2eps at `count` random indices of x (perturbed in place
 * and restored). Tolerance relative to the largest |analytic| entry.
 */
function checkGrad(name: string, x: Float32Array, analytic: Float32Array, f: () => number, opts: { eps?: number; count?: number; rtol?: number } = {}): void {
  const eps = opts.eps ?? 1e-2;
  const count = Math.min(opts.count ?? 12, x.length);
  const u = uniform(x.length * 7 + 3);
  let scale = 0;
  for (const v of analytic) scale = Math.max(scale, Math.abs(v));
  expect(scale, `${name}: the analytic gradient is all zero`).toBeGreaterThan(0);
  for (let c = 0; c < count; c++) {
    const i = Math.floor(u() * x.length);
    const keep = x[i];
    x[i] = keep + eps;
    const up = f();
    x[i] = keep - eps;
    const down = f();
    x[i] = keep;
    const num = (up - down) / (2 * eps);
    const tol = (opts.rtol ?? 0.02) * scale + 1e-4;
    expect(Math.abs(num - analytic[i]), `${name}[${i}]: numeric ${num} vs analytic ${analytic[i]}`).toBeLessThan(tol);
  }
}

describe('train model parts: finite differences', () => {
  it('RMSNorm: dx and dg', () => {
    const d = 16;
    const x = randn(5 * d, 1);
    const g = randn(d, 2, 0.5).map((v) => 1 + v);
    const r = randn(x.length, 3);
    const { cache } = rmsForward(x, g, d);
    const gg = new Float32Array(d);
    const dx = rmsBackward(cache, g, r, gg, d);
    const f = () => dot(r, rmsForward(x, g, d).y);
    checkGrad('rms dx', x, dx, f);
    checkGrad('rms dg', g, gg, f);
  });

  it('causal multi-head attention: dx, dWqkv, dWo (and causality)', () => {
    const s = { batch: 2, context: 5, d: 8, heads: 2 };
    const T = s.batch * s.context;
    const x = randn(T * s.d, 4);
    const wqkv = randn(s.d * 3 * s.d, 5, 0.5);
    const wo = randn(s.d * s.d, 6, 0.5);
    const r = randn(T * s.d, 7);
    const { cache, y } = attnForward(x, wqkv, wo, s);
    const gqkv = new Float32Array(wqkv.length);
    const gwo = new Float32Array(wo.length);
    const dx = attnBackward(cache, wqkv, wo, r, gqkv, gwo, s);
    const f = () => dot(r, attnForward(x, wqkv, wo, s).y);
    checkGrad('attn dx', x, dx, f, { count: 20 });
    checkGrad('attn dWqkv', wqkv, gqkv, f, { count: 20 });
    checkGrad('attn dWo', wo, gwo, f);
    // The last token of sequence 0 changes no earlier output.
    const x2 = x.slice();
    for (let j = 0; j < s.d; j++) x2[(s.context - 1) * s.d + j] += 1;
    const y2 = attnForward(x2, wqkv, wo, s).y;
    for (let i = 0; i < (s.context - 1) * s.d; i++) expect(y2[i]).toBeCloseTo(y[i], 6);
  });

  for (const arm of ARMS) {
    it(`FFN ${arm}: forward through the package's ops, dx and every weight gradient`, () => {
      const d = 8;
      const h = isGlu(arm) ? 16 : 24;
      const rows = 6;
      const k = ffnKernels(arm, d, h);
      const x = randn(rows * d, 10);
      const w: Record<string, Float32Array> = {};
      const g: Record<string, Float32Array> = {};
      ffnShapes(arm, d, h).forEach((s, i) => {
        w[s.name] = randn(s.rows * s.cols, 20 + i, 0.5);
        g[s.name] = new Float32Array(s.rows * s.cols);
      });
      const r = randn(rows * d, 11);
      const { cache, y } = k.forward(x, w, true);
      // The evaluation path (fused sg.swigluMatmul for SwiGLU) gives the same output.
      const yEval = k.forward(x, w, false).y;
      for (let i = 0; i < y.length; i++) expect(yEval[i]).toBeCloseTo(y[i], 4);
      const dx = k.backward(cache!, r, w, g);
      const f = () => dot(r, k.forward(x, w, true).y);
      const eps = arm === 'relu' ? 1e-3 : 1e-2;
      checkGrad(`${arm} dx`, x, dx, f, { eps, count: 16 });
      for (const s of ffnShapes(arm, d, h)) checkGrad(`${arm} d${s.name}`, w[s.name], g[s.name], f, { eps, count: 16 });
    });
  }

  it('the backward ops in use agree with the float64 reference derivatives', () => {
    const x = randn(257, 30, 3);
    const u = randn(257, 31);
    const dy = randn(257, 32);
    for (const [name, src] of Object.entries(backwardSources(['relu', 'gelu', 'silu', 'swiglu', 'geglu']))) {
      expect(['package', 'local-reference']).toContain(src.source);
      expect(src.why.length, name).toBeGreaterThan(0);
    }
    // GLU backward = the activation's backward times up (dGate) and act(gate)·dh (dUp).
    const swi = refGluBackward('swiglu', x, u, dy);
    const act = refActBackward('silu', x, dy);
    for (let i = 0; i < x.length; i++) expect(swi.dGate[i]).toBeCloseTo(act[i] * u[i], 5);
  });

  it('softmax cross-entropy: dlogits', () => {
    const V = 7;
    const logits = randn(4 * V, 40, 2);
    const targets = Int32Array.from([0, 3, 6, 2]);
    const { loss, dlogits } = crossEntropy(logits, targets, V, true);
    expect(loss).toBeGreaterThan(0);
    checkGrad('ce dlogits', logits, dlogits!, () => crossEntropy(logits, targets, V, false).loss, { eps: 1e-3, count: 20 });
  });

  for (const arm of ['relu', 'swiglu'] as Arm[]) {
    it(`whole model (${arm}): every parameter group, embeddings included`, () => {
      const m = new Model({ arm, vocab: 11, layers: 2, width: 8, heads: 2, context: 4, hidden: 16 }, 5);
      // Larger weights than the 0.02 init so that every path carries a gradient well above f32 noise.
      for (const p of m.params) if (p.decay) p.data.set(randn(p.data.length, p.name.length * 13 + 1, 0.4));
      const tokens = Int32Array.from([1, 4, 2, 9, 0, 3, 3, 10]);
      const targets = Int32Array.from([4, 2, 9, 7, 3, 3, 10, 5]);
      m.forward(tokens, targets, true);
      m.backward();
      const f = () => m.forward(tokens, targets, false);
      for (const p of m.params) {
        if (p.name === 'pos' || p.name === 'tok') {
          // Only the rows in use have gradients: check those.
          const grad = p.grad.slice();
          checkGrad(p.name, p.data, grad, f, { eps: arm === 'relu' ? 1e-3 : 1e-2, count: 24, rtol: 0.03 });
        } else checkGrad(p.name, p.data, p.grad.slice(), f, { eps: arm === 'relu' ? 1e-3 : 1e-2, count: 8, rtol: 0.03 });
      }
    });
  }
});

describe('train optimiser', () => {
  it('AdamW: one step by hand (bias-corrected, decoupled decay)', () => {
    const p: Param = { name: 'w', data: Float32Array.from([1, -2]), grad: Float32Array.from([0.5, -0.25]), decay: true, layer: null, ffn: false };
    const o = new AdamW([p]);
    o.step(0.1);
    // Step 1: m̂ = g, v̂ = g², so the update is lr·g/(|g| + eps) = ±lr, after the decay w·(1 − lr·wd).
    const wd = ADAMW_DEFAULTS.weightDecay;
    expect(p.data[0]).toBeCloseTo(1 * (1 - 0.1 * wd) - 0.1, 5);
    expect(p.data[1]).toBeCloseTo(-2 * (1 - 0.1 * wd) + 0.1, 5);
  });

  it('clipping to a global norm, and warmup + cosine', () => {
    const p: Param = { name: 'w', data: new Float32Array(2), grad: Float32Array.from([3, 4]), decay: false, layer: null, ffn: false };
    expect(clipGradNorm([p], 1)).toBeCloseTo(5, 6);
    expect(Math.hypot(p.grad[0], p.grad[1])).toBeCloseTo(1, 5);
    expect(lrAt(0, 100, 1, 10)).toBeCloseTo(0.1);
    expect(lrAt(9, 100, 1, 10)).toBeCloseTo(1);
    expect(lrAt(99, 100, 1, 10)).toBeCloseTo(0.1);
    expect(lrAt(10 + 89 / 2, 100, 1, 10)).toBeCloseTo(0.55);
  });

  it('GLU hidden ≈ 2/3 of the plain width, a multiple of 8', () => {
    expect(gluHidden(512)).toBe(344);
    expect(gluHidden(512) % 8).toBe(0);
  });
});
