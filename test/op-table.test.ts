// The native table of activations (native/runtime/activation_list.h) and what derives from it:
// lib/activation-table.ts (generated from the header: the TypeScript side's names, indices, parameters,
// bars and fused list) against the header and against the compiled addon's table; then what lib, the
// tests and the bench derive from those rows: each activation's public form, its float64 references,
// its test cases and bench row. Then the GLU family's gates, lib/ops.ts's GLU_GATES: against the native
// table, lib's functions, the bench's rows and the fuzzer's models (scripts/fuzz.js, written apart from lib).
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import { createRequire } from 'node:module';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import * as sg from '../lib';
import { FUSED_ACTIVATIONS } from '../lib/activation-table';
import { GLU, select, UNARY } from '../bench/ops';
import { reference } from '../lib';
import { binding } from '../lib/binding';
import * as derivatives from '../lib/reference/backward';
import { _testing } from '../lib/testing';
import { Act, GLU_FORMS, GLU_GATES, type GluName, gluGateName, kebabName, publicForm } from '../lib/ops';
import { CASES, PUBLIC_ACTIVATIONS } from './helpers/cases';
import { GRAD_CASES } from './helpers/grad-cases';
import { ACTIVATIONS, activation } from './helpers/op-table';

const ROOT = path.join(__dirname, '..');
const GENERATOR = path.join(ROOT, 'scripts', 'gen-activation-table.js');
const FUZZ = createRequire(__filename)(path.join(ROOT, 'scripts', 'fuzz.js'));
type Rows = Array<Record<string, unknown>>;
const generator: { readRows(h: string): Rows; readGluOps(h: string, rows: Rows): unknown[]; render(rows: Rows, glu: unknown[]): string } = createRequire(__filename)(GENERATOR);
/** What the generator writes for header text h. */
const generated = (h: string) => {
  const rows = generator.readRows(h);
  return generator.render(rows, generator.readGluOps(h, rows));
};

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
  it('is what lib/activation-table.ts holds, the GLU family too (npm run generate writes it)', () => {
    expect(() => execFileSync(process.execPath, [GENERATOR, '--check'], { stdio: 'pipe' })).not.toThrow();
    // and the check sees a change of any row
    const header = fs.readFileSync(path.join(ROOT, 'native', 'runtime', 'activation_list.h'), 'utf8');
    const rows = generator.readRows(header);
    expect(rows.map((r) => r.name)).toEqual(Object.keys(Act));
    for (const [from, to] of [['X(Tanh, tanh, 0.0, 0.0, 4, 4,', 'X(Tanh, tanh, 0.0, 0.0, 5, 4,'], ['X(geglu, Gelu, GeluTanh)', 'X(geglu, Gelu, Gelu)']]) {
      const changed = header.replace(from, to);
      expect(changed).not.toBe(header);
      expect(generated(changed)).not.toBe(generated(header));
    }
  });

  it("is the compiled addon's table, row for row", () => {
    const native = _testing.activations();
    expect(native.length).toBe(ACTIVATIONS.length);
    native.forEach((n, i) => {
      const r = ACTIVATIONS[i] as unknown as Record<string, unknown>;
      for (const [k, v] of Object.entries(n)) expect(Object.is(r[k], v), `${n.name}.${k}: addon ${v}, lib/activation-table.ts ${r[k]}`).toBe(true);
    });
  });

  it('has, for every activation but identity, its public functions and float64 references', () => {
    const lib = sg as unknown as Record<string, unknown>;
    const ref = reference as unknown as Record<string, unknown>;
    const scalar = reference.scalar as unknown as Record<string, unknown>;
    const d = derivatives as unknown as Record<string, unknown>;
    for (const r of ACTIVATIONS) {
      const form = publicForm(r.name);
      if (!form) {
        expect(r.name).toBe('identity');
        continue;
      }
      for (const fn of [form.fn, `${form.fn}Backward`]) {
        expect(typeof lib[fn], `lib/index.ts exports no function ${fn} (activation ${r.name})`).toBe('function');
        expect(typeof ref[fn], `lib/reference exports no function ${fn} (activation ${r.name})`).toBe('function');
      }
      expect(typeof scalar[r.name], `lib/reference/activations.ts has no ${r.name}`).toBe('function');
      expect(typeof d[r.name], `lib/reference/backward.ts has no ${r.name}`).toBe('function');
    }
    expect(PUBLIC_ACTIVATIONS.length).toBe(ACTIVATIONS.length - 1);
  });

  it("is fuzzed: scripts/fuzz.js has a model of each public function, computing that activation", () => {
    const models: Record<string, { act(p: object): string }> = FUZZ.unaryModels({ ACTIVATIONS });
    for (const r of PUBLIC_ACTIVATIONS) {
      const form = publicForm(r.name)!;
      expect(models[form.fn], `scripts/fuzz.js: no model of ${form.fn}`).toBeDefined();
      expect(models[form.fn].act(form.options), `scripts/fuzz.js: ${form.fn}(${JSON.stringify(form.options)})`).toBe(r.name);
    }
  });

  it('gives each activation a forward and a gradient test case, the first with the default options', () => {
    for (const r of PUBLIC_ACTIVATIONS) {
      expect(CASES.find((c) => c.act === r.name)?.bar, r.name).toBe(r.bar);
      expect(GRAD_CASES.find((c) => c.act === r.name)?.bar, r.name).toBe(r.gradBar);
    }
    for (const c of [...CASES, ...GRAD_CASES]) expect(Act).toHaveProperty(c.act);
  });

  // The first case of each activation calls the public function without options: bit for bit the kernel
  // with the table's parameters, forward and gradient, so lib's defaults are the table's.
  it("passes the table's default parameters from lib, forward and gradient", () => {
    const x = inputs();
    const dy = x.map((v, i) => (i % 2 ? 1 : -0.75) + v * 1e-3);
    for (const r of PUBLIC_ACTIVATIONS) {
      const fwd = CASES.find((c) => c.act === r.name)!;
      const want = binding.unary(r.index, x, new Float32Array(x.length), r.a, r.b);
      expect(sameBits(fwd.run(x), want), `${fwd.name} against unary(${r.name}, a = ${r.a}, b = ${r.b})`).toBe(true);
      const bwd = GRAD_CASES.find((c) => c.act === r.name)!;
      const gwant = binding.unaryBackward(r.index, x, dy, new Float32Array(x.length), r.a, r.b);
      expect(sameBits(bwd.run(x, dy), gwant), `${bwd.name} against unaryBackward(${r.name}, a = ${r.a}, b = ${r.b})`).toBe(true);
    }
  });

  it('has a bench row per activation: forward, gradient and the plain-JS loop (bench/ops.ts)', () => {
    for (const r of PUBLIC_ACTIVATIONS) {
      const [op] = select(UNARY, [r.name], []);
      const x = inputs();
      const out = new Float32Array(x.length);
      op.native(x, out);
      expect(sameBits(out, binding.unary(r.index, x, new Float32Array(x.length), r.a, r.b)), `bench row ${op.name}`).toBe(true);
      const dy = new Float32Array(x.length).fill(1);
      op.backward(x, dy, out);
      expect(sameBits(out, binding.unaryBackward(r.index, x, dy, new Float32Array(x.length), r.a, r.b)), `bench row ${op.name}, backward`).toBe(true);
      op.js(x, out);
      const f = scalar(r.name);
      expect(sameBits(out, x.map((v) => f(v, r.a, r.b))), `bench row ${op.name}: plain-JS loop against reference.scalar.${r.name}`).toBe(true);
    }
    expect(UNARY).toHaveLength(PUBLIC_ACTIVATIONS.length);
  });

  it('names the activations the fused epilogue applies: lib takes exactly those, the addon refuses the others', () => {
    const fused = ACTIVATIONS.filter((r) => r.fused).map((r) => kebabName(r.name));
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

type Scalar = (x: number, a?: number, b?: number) => number;
/** The float64 reference of activation `name` (reference.scalar's keys are lib/ops.ts's). */
const scalar = (name: string): Scalar => (reference.scalar as unknown as Record<string, Scalar>)[name];
const GLU_NAMES = Object.keys(GLU_GATES) as GluName[];
/** Each GLU op with each of its gate forms: [op, tanh] (geglu's approximateTanh as tanh = true). */
const GLU_PAIRS: [GluName, boolean][] = GLU_FORMS.map((f) => [f.op, f.tanh]);

interface FuzzGlu {
  gate: string;
  act: (R: unknown, p: { approximate?: string }) => (v: number) => number;
}
const FUZZ_GLU: Record<string, FuzzGlu> = FUZZ.GLU;

/** gate, up: pairs over every piece of every gate (inputs()), up varying in sign and size. */
function gluInputs(): [Float32Array, Float32Array] {
  const g = inputs();
  return [g, g.map((_, i) => (i % 3 ? 1.25 : -0.5) * (1 + (i % 11) * 0.1))];
}

describe("lib/ops.ts's GLU_GATES: the GLU family's gate activations", () => {
  it('names activations of the native table, passed with their default parameter; the fused epilogue takes exactly these', () => {
    for (const [n, tanh] of GLU_PAIRS) {
      const row = activation(gluGateName(n, tanh));
      expect(GLU_GATES[n].a, `${n}${tanh ? ' (tanh)' : ''}: the parameter of ${row.name}`).toBe(row.a);
    }
    const gates = GLU_PAIRS.map(([n, tanh]) => gluGateName(n, tanh));
    expect([...new Set(gates)].sort()).toEqual(ACTIVATIONS.filter((r) => r.fused).map((r) => r.name).sort());
  });

  it("is what lib's GLU functions and their gradients run, and what the bench's GLU rows run and name", () => {
    const [g, u] = gluInputs();
    const dh = u.map((v, i) => v * 0.5 + (i % 5) * 0.125);
    const lib = sg as unknown as Record<string, (...args: unknown[]) => unknown>;
    for (const [n, tanh] of GLU_PAIRS) {
      const act = gluGateName(n, tanh);
      const idx = Act[act];
      const a = GLU_GATES[n].a;
      const opts = tanh ? { approximate: 'tanh' } : {};
      const label = `${n}${tanh ? ' (tanh)' : ''}`;
      const want = binding.glu(idx, g, u, new Float32Array(g.length), a);
      expect(sameBits(lib[n](g, u, opts) as Float32Array, want), `${label} against glu(${act}, a = ${a})`).toBe(true);
      const got = lib[`${n}Backward`](g, u, dh, opts) as { dGate: Float32Array; dUp: Float32Array };
      const dGate = new Float32Array(g.length);
      const dUp = new Float32Array(g.length);
      binding.gluBackward(idx, g, u, dh, dGate, dUp, a);
      expect(sameBits(got.dGate, dGate) && sameBits(got.dUp, dUp), `${label}Backward against gluBackward(${act}, a = ${a})`).toBe(true);

      // The bench: its row runs the op, its plain-JS loop (compiled from its own source text) computes act(gate)·up, and the
      // row names act for the ONNX graph.
      const row = GLU.find((o) => o.name === (tanh ? `${n}-tanh` : n));
      expect(row, `bench/ops.ts: no GLU row for ${label}`).toBeDefined();
      const out = new Float32Array(g.length);
      row!.native(g, u, out);
      expect(sameBits(out, want), `bench row ${row!.name}`).toBe(true);
      row!.js(g, u, out);
      const f = scalar(act);
      expect(sameBits(out, u.map((v, i) => f(g[i], a) * v)), `bench row ${row!.name}: plain-JS loop against ${act}(gate)·up`).toBe(true);
      expect(row!.act, `bench row ${row!.name}`).toBe(act.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`));
    }
    expect(GLU).toHaveLength(GLU_PAIRS.length);
  });

  it("agrees with the fuzzer's models (scripts/fuzz.js): the same ops, gates and reference functions", () => {
    expect(Object.keys(FUZZ_GLU).sort()).toEqual([...GLU_NAMES].sort());
    const [g] = gluInputs();
    for (const [n, tanh] of GLU_PAIRS) {
      const model = FUZZ_GLU[n];
      expect(model.gate, `scripts/fuzz.js: GLU.${n}.gate`).toBe(GLU_GATES[n].act);
      const act = gluGateName(n, tanh);
      const f = scalar(act);
      const fuzzAct = model.act(reference.scalar, { approximate: tanh ? 'tanh' : 'none' });
      const bad = Array.from(g).find((v) => !Object.is(fuzzAct(v), f(v, GLU_GATES[n].a)));
      expect(bad, `scripts/fuzz.js: GLU.${n}.act${tanh ? " (approximate 'tanh')" : ''} differs from ${act} at`).toBeUndefined();
    }
  });
});
