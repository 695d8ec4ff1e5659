// The lists of activations written outside native/runtime/activation_list.h, checked against it (through
// the addon's _testing.activations()): lib/ops.ts's indices, the parameters lib passes by default, the test
// cases, the bench's op lists and the activations the fused GEMM epilogue takes.
import { describe, expect, it } from 'vitest';
import * as sg from '../lib';
import { FUSED_ACTIVATIONS } from '../bench/args';
import { select, UNARY } from '../bench/ops';
import { binding } from '../lib/binding';
import { Act } from '../lib/ops';
import { CASES } from './helpers/cases';
import { GRAD_CASES } from './helpers/grad-cases';
import { ACTIVATIONS } from './helpers/op-table';

// identity serves the bilinear GLU; it has no elementwise function, test case or bench row of its own.
const PUBLIC = ACTIVATIONS.filter((r) => r.name !== 'identity');

/** Inputs over every piece of every activation: the thresholds of softplus (20), relu6 (6), the hard ones (±3). */
function inputs(): Float32Array {
  const x = new Float32Array(4001);
  for (let i = 0; i < x.length; i++) x[i] = (i - 2000) * 0.0157 + (i % 7) * 1e-4;
  x.set([0, -0, 3, -3, 6, 20, 20.5, -1e-30, 1e-30, 88, -88, 1e30, -1e30]);
  return x;
}

function sameBits(a: Float32Array, b: Float32Array): boolean {
  return Buffer.compare(Buffer.from(a.buffer, a.byteOffset, a.byteLength), Buffer.from(b.buffer, b.byteOffset, b.byteLength)) === 0;
}

describe('native/runtime/activation_list.h', () => {
  it('gives lib/ops.ts its names and indices', () => {
    expect(Object.entries(Act)).toEqual(ACTIVATIONS.map((r) => [r.name, r.index]));
    expect(ACTIVATIONS.map((r) => r.index)).toEqual(ACTIVATIONS.map((_, i) => i));
  });

  it('has an accuracy case and a gradient case per activation, the first with the default options', () => {
    for (const r of PUBLIC) {
      expect(CASES.some((c) => c.act === r.name), `${r.name}: no case in test/helpers/cases.ts`).toBe(true);
      expect(GRAD_CASES.some((c) => c.act === r.name), `${r.name}: no case in test/helpers/grad-cases.ts`).toBe(true);
    }
    for (const c of [...CASES, ...GRAD_CASES]) expect(Act).toHaveProperty(c.act);
  });

  // The first case of each activation calls the public function without options: bit for bit the kernel
  // with the table's parameters, forward and gradient, so lib's defaults are the table's.
  it("passes the table's default parameters from lib, forward and gradient", () => {
    const x = inputs();
    const dy = x.map((v, i) => (i % 2 ? 1 : -0.75) + v * 1e-3);
    for (const r of PUBLIC) {
      const fwd = CASES.find((c) => c.act === r.name)!;
      const want = binding.unary(r.index, x, new Float32Array(x.length), r.a, r.b);
      expect(sameBits(fwd.run(x), want), `${fwd.name} against unary(${r.name}, a = ${r.a}, b = ${r.b})`).toBe(true);
      const bwd = GRAD_CASES.find((c) => c.act === r.name)!;
      const gwant = binding.unaryBackward(r.index, x, dy, new Float32Array(x.length), r.a, r.b);
      expect(sameBits(bwd.run(x, dy), gwant), `${bwd.name} against unaryBackward(${r.name}, a = ${r.a}, b = ${r.b})`).toBe(true);
    }
  });

  it('has a bench row per activation, forward and gradient (bench/ops.ts)', () => {
    for (const r of PUBLIC) {
      const [op] = select(UNARY, [r.name], []);
      const x = inputs();
      const out = new Float32Array(x.length);
      op.native(x, out);
      expect(sameBits(out, binding.unary(r.index, x, new Float32Array(x.length), r.a, r.b)), `bench row ${op.name}`).toBe(true);
      const dy = new Float32Array(x.length).fill(1);
      op.backward(x, dy, out);
      expect(sameBits(out, binding.unaryBackward(r.index, x, dy, new Float32Array(x.length), r.a, r.b)), `bench row ${op.name}, backward`).toBe(true);
    }
    expect(UNARY).toHaveLength(PUBLIC.length);
  });

  it('names the activations the fused epilogue applies: lib and the bench take exactly those', () => {
    // packGate's names are the table's in kebab case (geluTanh: 'gelu-tanh').
    const fused = ACTIVATIONS.filter((r) => r.fused).map((r) => r.name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`));
    expect([...FUSED_ACTIVATIONS].sort()).toEqual(fused.sort());
    const w = new Float32Array(4);
    for (const r of ACTIVATIONS) {
      const dest = new Uint8Array(new SharedArrayBuffer(binding.packBytes(0, 2, 2, 0, true)));
      const pack = () => binding.packGate(dest, w, w, 2, 2, false, 0, r.index);
      if (r.fused) expect(pack, r.name).not.toThrow();
      else expect(pack, r.name).toThrow(RangeError);
    }
    for (const a of FUSED_ACTIVATIONS) expect(() => sg.packGate(w, w, { inFeatures: 2, outFeatures: 2, activation: a }).dispose(), a).not.toThrow();
  });
});
