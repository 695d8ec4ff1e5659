// The ops the bench knows: how to call ours, and the plain-JS baseline (a loop over the pure-TS
// reference's scalar functions writing into a Float32Array, the code a user would otherwise write).
import { sg } from './api';
import { reference } from '../lib';
import { ACTIVATIONS, type ActivationInfo } from '../lib/activation-table';
import { type ActName, GLU_FORMS, GLU_GATES, type GluForm, type GluName, kebabName, publicForm } from '../lib/ops';
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

// The plain-JS baselines: a loop over the reference's scalar function, as a user would write it. Each is
// compiled from its own source text (jsLoop): loops made by one helper closure, loop(f), share one call
// site f(x[i]), which V8 inlines only while it has seen a single f, so every op timed after the first in a
// process ran its JS loop at about half speed (sigmoid's 0.084 -> 0.042 Gelem/s on a Zen 4, Node 20) and
// its "× plain JS" ratio doubled. test/bench.test.ts checks that no two ops share a loop (jsLoop, jsGluLoop).
type Loop = (x: F32, out: F32) => void;
type Loop2 = (g: F32, u: F32, out: F32) => void;

/** s.name(v, a, b) as source text, the trailing parameters that are 0 left out (the reference's defaults). */
function callSource(name: ActName, v: string, a: number, b: number): string {
  const params = b !== 0 ? `, ${a}, ${b}` : a !== 0 ? `, ${a}` : '';
  return `s.${name}(${v}${params})`;
}

/** The loop out[i] = s.name(x[i], a, b). */
function jsLoop(name: ActName, a: number, b: number): Loop {
  const source = `return function ${name}Loop(x, out) { for (let i = 0; i < x.length; i++) out[i] = ${callSource(name, 'x[i]', a, b)}; };`;
  return new Function('s', source)(s) as Loop;
}

/** The loop out[i] = s.act(g[i], a) * u[i], GLU op `op`'s (act its gate). */
function jsGluLoop(op: string, act: ActName, a: number): Loop2 {
  const source = `return function ${op}Loop(g, u, out) { for (let i = 0; i < g.length; i++) out[i] = ${callSource(act, 'g[i]', a, 0)} * u[i]; };`;
  return new Function('s', source)(s) as Loop2;
}


type Unary = (x: F32, options?: object) => F32;
type Backward = (x: F32, dy: F32, options?: object) => F32;
const lib = sg as unknown as Record<string, Unary & Backward>;

/** The row of activation `row`: its public form (lib/ops.ts's publicForm) with the default options, named
 * after it (gelu with approximate 'tanh': gelu-tanh). */
function unaryRow(row: ActivationInfo): UnaryOp {
  const form = publicForm(row.name)!;
  const f: Unary = lib[form.fn];
  const grad: Backward = lib[`${form.fn}Backward`];
  const o = form.options;
  return {
    name: form.options.approximate ? `${form.fn}-${form.options.approximate}` : form.fn,
    native: (x, out) => f(x, { ...o, out }),
    fresh: (x) => f(x, o),
    js: jsLoop(row.name, row.a, row.b),
    backward: (x, dy, out) => grad(x, dy, { ...o, out }),
  };
}

// A row per activation of the native table that has a public function (all but identity).
export const UNARY: UnaryOp[] = ACTIVATIONS.filter((r) => publicForm(r.name) !== null).map(unaryRow);

type Glu = (g: F32, u: F32, options?: object) => F32;
const glu = sg as unknown as Record<GluName, Glu>;

/** The row of one GLU form (its approximate 'tanh' form as `${op}-tanh`), act its gate in kebab case (ONNX graph, --activation). */
function gluRow({ op, tanh, options: o, act }: GluForm): GluOp {
  const f = glu[op];
  return {
    name: tanh ? `${op}-tanh` : op,
    act: kebabName(act),
    native: (g, u, out) => f(g, u, { ...o, out }),
    fresh: (g, u) => f(g, u, o),
    js: jsGluLoop(tanh ? `${op}Tanh` : op, act, GLU_GATES[op].a),
  };
}

// A row per op of lib/ops.ts's GLU_GATES, and one for each approximate 'tanh' form (geglu-tanh).
export const GLU: GluOp[] = GLU_FORMS.map(gluRow);

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
