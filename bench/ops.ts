// The ops the bench knows: how to call ours, and the plain-JS baseline (a loop over the pure-TS
// reference's scalar functions writing into a Float32Array, the code a user would otherwise write).
import { sg } from './api';
import { reference } from '../lib';
import { type GluName, gluGateName } from '../lib/ops';
import { UsageError } from './args';

const s = reference.scalar;
type F32 = Float32Array;

export interface UnaryOp {
  name: string;
  native: (x: F32, out: F32) => void;
  /** The default call form: no options.out, a new result per call. */
  fresh: (x: F32) => F32;
  js: (x: F32, out: F32) => void;
  /** The gradient with the same options (swiglu-bench grad). */
  backward: (x: F32, dy: F32, out: F32) => void;
}
export interface GluOp {
  name: string;
  act: string; // the activation applied to the gate (ONNX graph)
  native: (g: F32, u: F32, out: F32) => void;
  /** The default call form: no options.out, a new result per call. */
  fresh: (g: F32, u: F32) => F32;
  js: (g: F32, u: F32, out: F32) => void;
}

// The plain-JS baselines, one loop per op, each its own function as a user would write it. Loops made
// by one helper, loop(f) => (x, out) => { ... f(x[i]) ... }, share one call site f(x[i]): V8 inlines it
// only while it has seen a single f, so every op timed after the first in a process ran its JS loop at
// about half speed (sigmoid's 0.084 -> 0.042 Gelem/s on a Zen 4, Node 20) and its "× plain JS" ratio
// doubled. test/bench.test.ts checks that no two ops share a loop.
const js = {
  relu: (x: F32, out: F32) => { for (let i = 0; i < x.length; i++) out[i] = s.relu(x[i]); },
  leakyRelu: (x: F32, out: F32) => { for (let i = 0; i < x.length; i++) out[i] = s.leakyRelu(x[i], 0.01); },
  relu6: (x: F32, out: F32) => { for (let i = 0; i < x.length; i++) out[i] = s.relu6(x[i]); },
  sigmoid: (x: F32, out: F32) => { for (let i = 0; i < x.length; i++) out[i] = s.sigmoid(x[i]); },
  tanh: (x: F32, out: F32) => { for (let i = 0; i < x.length; i++) out[i] = s.tanh(x[i]); },
  silu: (x: F32, out: F32) => { for (let i = 0; i < x.length; i++) out[i] = s.silu(x[i], 1); },
  gelu: (x: F32, out: F32) => { for (let i = 0; i < x.length; i++) out[i] = s.gelu(x[i]); },
  geluTanh: (x: F32, out: F32) => { for (let i = 0; i < x.length; i++) out[i] = s.geluTanh(x[i]); },
  quickGelu: (x: F32, out: F32) => { for (let i = 0; i < x.length; i++) out[i] = s.quickGelu(x[i]); },
  softplus: (x: F32, out: F32) => { for (let i = 0; i < x.length; i++) out[i] = s.softplus(x[i], 1, 20); },
  mish: (x: F32, out: F32) => { for (let i = 0; i < x.length; i++) out[i] = s.mish(x[i]); },
  elu: (x: F32, out: F32) => { for (let i = 0; i < x.length; i++) out[i] = s.elu(x[i], 1); },
  selu: (x: F32, out: F32) => { for (let i = 0; i < x.length; i++) out[i] = s.selu(x[i]); },
  hardSigmoid: (x: F32, out: F32) => { for (let i = 0; i < x.length; i++) out[i] = s.hardSigmoid(x[i]); },
  hardSwish: (x: F32, out: F32) => { for (let i = 0; i < x.length; i++) out[i] = s.hardSwish(x[i]); },
  glu: (g: F32, u: F32, out: F32) => { for (let i = 0; i < g.length; i++) out[i] = s.sigmoid(g[i]) * u[i]; },
  reglu: (g: F32, u: F32, out: F32) => { for (let i = 0; i < g.length; i++) out[i] = s.relu(g[i]) * u[i]; },
  geglu: (g: F32, u: F32, out: F32) => { for (let i = 0; i < g.length; i++) out[i] = s.gelu(g[i]) * u[i]; },
  gegluTanh: (g: F32, u: F32, out: F32) => { for (let i = 0; i < g.length; i++) out[i] = s.geluTanh(g[i]) * u[i]; },
  swiglu: (g: F32, u: F32, out: F32) => { for (let i = 0; i < g.length; i++) out[i] = s.silu(g[i], 1) * u[i]; },
  bilinear: (g: F32, u: F32, out: F32) => { for (let i = 0; i < g.length; i++) out[i] = s.identity(g[i]) * u[i]; },
};

// Every activation of native/runtime/activation_list.h but identity (test/op-table.test.ts checks it).
export const UNARY: UnaryOp[] = [
  { name: 'relu', native: (x, out) => sg.relu(x, { out }), fresh: (x) => sg.relu(x), js: js.relu, backward: (x, dy, out) => sg.reluBackward(x, dy, { out }) },
  { name: 'leakyRelu', native: (x, out) => sg.leakyRelu(x, { out }), fresh: (x) => sg.leakyRelu(x), js: js.leakyRelu, backward: (x, dy, out) => sg.leakyReluBackward(x, dy, { out }) },
  { name: 'relu6', native: (x, out) => sg.relu6(x, { out }), fresh: (x) => sg.relu6(x), js: js.relu6, backward: (x, dy, out) => sg.relu6Backward(x, dy, { out }) },
  { name: 'sigmoid', native: (x, out) => sg.sigmoid(x, { out }), fresh: (x) => sg.sigmoid(x), js: js.sigmoid, backward: (x, dy, out) => sg.sigmoidBackward(x, dy, { out }) },
  { name: 'tanh', native: (x, out) => sg.tanh(x, { out }), fresh: (x) => sg.tanh(x), js: js.tanh, backward: (x, dy, out) => sg.tanhBackward(x, dy, { out }) },
  { name: 'silu', native: (x, out) => sg.silu(x, { out }), fresh: (x) => sg.silu(x), js: js.silu, backward: (x, dy, out) => sg.siluBackward(x, dy, { out }) },
  { name: 'gelu', native: (x, out) => sg.gelu(x, { out }), fresh: (x) => sg.gelu(x), js: js.gelu, backward: (x, dy, out) => sg.geluBackward(x, dy, { out }) },
  { name: 'gelu-tanh', native: (x, out) => sg.gelu(x, { approximate: 'tanh', out }), fresh: (x) => sg.gelu(x, { approximate: 'tanh' }), js: js.geluTanh, backward: (x, dy, out) => sg.geluBackward(x, dy, { approximate: 'tanh', out }) },
  { name: 'quickGelu', native: (x, out) => sg.quickGelu(x, { out }), fresh: (x) => sg.quickGelu(x), js: js.quickGelu, backward: (x, dy, out) => sg.quickGeluBackward(x, dy, { out }) },
  { name: 'softplus', native: (x, out) => sg.softplus(x, { out }), fresh: (x) => sg.softplus(x), js: js.softplus, backward: (x, dy, out) => sg.softplusBackward(x, dy, { out }) },
  { name: 'mish', native: (x, out) => sg.mish(x, { out }), fresh: (x) => sg.mish(x), js: js.mish, backward: (x, dy, out) => sg.mishBackward(x, dy, { out }) },
  { name: 'elu', native: (x, out) => sg.elu(x, { out }), fresh: (x) => sg.elu(x), js: js.elu, backward: (x, dy, out) => sg.eluBackward(x, dy, { out }) },
  { name: 'selu', native: (x, out) => sg.selu(x, { out }), fresh: (x) => sg.selu(x), js: js.selu, backward: (x, dy, out) => sg.seluBackward(x, dy, { out }) },
  { name: 'hardSigmoid', native: (x, out) => sg.hardSigmoid(x, { out }), fresh: (x) => sg.hardSigmoid(x), js: js.hardSigmoid, backward: (x, dy, out) => sg.hardSigmoidBackward(x, dy, { out }) },
  { name: 'hardSwish', native: (x, out) => sg.hardSwish(x, { out }), fresh: (x) => sg.hardSwish(x), js: js.hardSwish, backward: (x, dy, out) => sg.hardSwishBackward(x, dy, { out }) },
];

// The gate's activation, in the bench's kebab-case names (ONNX graph, --activation), from lib/ops.ts's table.
const gate = (name: GluName, tanh = false) => gluGateName(name, tanh).replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);

// A row per op of lib/ops.ts's GLU_GATES, geglu's approximateTanh form as geglu-tanh (test/op-table.test.ts
// checks it). Each row calls its function at a call site of its own, as the plain-JS loops do.
export const GLU: GluOp[] = [
  { name: 'glu', act: gate('glu'), native: (g, u, out) => sg.glu(g, u, { out }), fresh: (g, u) => sg.glu(g, u), js: js.glu },
  { name: 'reglu', act: gate('reglu'), native: (g, u, out) => sg.reglu(g, u, { out }), fresh: (g, u) => sg.reglu(g, u), js: js.reglu },
  { name: 'geglu', act: gate('geglu'), native: (g, u, out) => sg.geglu(g, u, { out }), fresh: (g, u) => sg.geglu(g, u), js: js.geglu },
  { name: 'geglu-tanh', act: gate('geglu', true), native: (g, u, out) => sg.geglu(g, u, { approximate: 'tanh', out }), fresh: (g, u) => sg.geglu(g, u, { approximate: 'tanh' }), js: js.gegluTanh },
  { name: 'swiglu', act: gate('swiglu'), native: (g, u, out) => sg.swiglu(g, u, { out }), fresh: (g, u) => sg.swiglu(g, u), js: js.swiglu },
  { name: 'bilinear', act: gate('bilinear'), native: (g, u, out) => sg.bilinear(g, u, { out }), fresh: (g, u) => sg.bilinear(g, u), js: js.bilinear },
];

const ALIASES: Record<string, string> = { swish: 'silu', geluTanh: 'gelu-tanh', 'gelu_tanh': 'gelu-tanh', gegluTanh: 'geglu-tanh' };

/** Picks ops by name (case-sensitive names, a few aliases); unknown names are a UsageError. */
export function select<T extends { name: string }>(table: T[], names: string[] | null, defaults: string[]): T[] {
  const wanted = (names ?? defaults).map((n) => ALIASES[n] ?? n);
  const out: T[] = [];
  for (const n of wanted) {
    const op = table.find((o) => o.name === n);
    if (!op) throw new UsageError(`--ops: unknown op "${n}" (one of ${table.map((o) => o.name).join(', ')})`);
    if (!out.includes(op)) out.push(op);
  }
  return out;
}

/** n values uniform in [-scale, scale) from a linear congruential stream fixed by seed (the gradient benches). */
export function uniformInputs(n: number, seed: number, scale: number): Float32Array {
  const x = new Float32Array(n);
  let s = seed;
  for (let i = 0; i < n; i++) {
    s = (s * 1103515245 + 12345) >>> 0;
    x[i] = ((s / 2 ** 32) * 2 - 1) * scale;
  }
  return x;
}

/** Inputs spread over the range where the activations do real work (no shortcut through saturation). */
export function inputs(n: number, seed = 1): Float32Array {
  const x = new Float32Array(n);
  let r = seed >>> 0 || 1;
  for (let i = 0; i < n; i++) {
    r ^= r << 13;
    r ^= r >>> 17;
    r ^= r << 5;
    x[i] = ((r >>> 0) / 4294967296) * 16 - 8; // [-8, 8)
  }
  return x;
}
