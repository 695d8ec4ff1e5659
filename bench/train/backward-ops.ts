// The activation derivatives of the FFN's backward pass: the package's backward ops when this build has
// them, else a float64 reference derivative computed here.
//
// Feature detection: sg.reluBackward / sg.geluBackward / sg.siluBackward (x, dy) → dx and
// sg.swigluBackward / sg.gegluBackward (gate, up, dh) → {dGate, dUp} are looked up by name. The first
// time one is needed it is called once on a probe and compared with the local reference below; if it is
// missing, throws, or disagrees (say, a different signature than assumed here), the local reference is
// used for the whole process and backwardSources() says why. So the training loop switches to the
// package's ops by itself as soon as they exist.
import * as sg from '../../lib';
import { erfc } from '../../lib/reference';

export type ActName = 'relu' | 'gelu' | 'silu';
export type GluName = 'swiglu' | 'geglu';
export type Source = 'package' | 'local-reference';

// ---- LOCAL REFERENCE DERIVATIVES (float64; a stand-in until the package's backward ops exist) ----

const INV_SQRT2 = Math.SQRT1_2;
const INV_SQRT_2PI = 1 / Math.sqrt(2 * Math.PI);

/** d act(x) / dx in float64. */
export function refDerivative(act: ActName, x: number): number {
  switch (act) {
    case 'relu':
      return x > 0 ? 1 : 0;
    case 'gelu': // exact GELU x·Φ(x): Φ(x) + x·φ(x)
      return 0.5 * erfc(-x * INV_SQRT2) + x * INV_SQRT_2PI * Math.exp(-0.5 * x * x);
    case 'silu': {
      const s = 1 / (1 + Math.exp(-x));
      return s * (1 + x * (1 - s));
    }
  }
}

/** act(x) in float64 (for the GLU reference: dUp = act(gate)·dh). */
export function refActivation(act: ActName, x: number): number {
  switch (act) {
    case 'relu':
      return x > 0 ? x : 0;
    case 'gelu':
      return 0.5 * x * erfc(-x * INV_SQRT2);
    case 'silu':
      return x / (1 + Math.exp(-x));
  }
}

export function refActBackward(act: ActName, x: Float32Array, dy: Float32Array): Float32Array {
  const dx = new Float32Array(x.length);
  for (let i = 0; i < x.length; i++) dx[i] = refDerivative(act, x[i]) * dy[i];
  return dx;
}

export function refGluBackward(glu: GluName, gate: Float32Array, up: Float32Array, dh: Float32Array): { dGate: Float32Array; dUp: Float32Array } {
  const act: ActName = glu === 'swiglu' ? 'silu' : 'gelu';
  const dGate = new Float32Array(gate.length);
  const dUp = new Float32Array(gate.length);
  for (let i = 0; i < gate.length; i++) {
    const g = gate[i];
    dGate[i] = refDerivative(act, g) * up[i] * dh[i];
    dUp[i] = refActivation(act, g) * dh[i];
  }
  return { dGate, dUp };
}

// ---- the package's ops, detected ----

type ActBackward = (x: Float32Array, dy: Float32Array) => Float32Array;
type GluBackward = (gate: Float32Array, up: Float32Array, dh: Float32Array) => { dGate: Float32Array; dUp: Float32Array };
const PACKAGE_NAME: Record<ActName | GluName, string> = {
  relu: 'reluBackward',
  gelu: 'geluBackward',
  silu: 'siluBackward',
  swiglu: 'swigluBackward',
  geglu: 'gegluBackward',
};

interface Chosen {
  source: Source;
  why: string;
  act?: ActBackward;
  glu?: GluBackward;
}
const chosen = new Map<ActName | GluName, Chosen>();

function probe(n: number, scale: number, shift: number): Float32Array {
  const a = new Float32Array(n);
  for (let i = 0; i < n; i++) a[i] = Math.fround(scale * Math.sin(1.7 * i + shift) * 3);
  // relu'(0) conventions differ: the probe holds ±1e-3, never 0.
  a[0] = 1e-3;
  a[1] = -1e-3;
  return a;
}

function close(got: Float32Array, want: Float32Array): boolean {
  if (!(got instanceof Float32Array) || got.length !== want.length) return false;
  for (let i = 0; i < want.length; i++) {
    if (!(Math.abs(got[i] - want[i]) <= 1e-4 + 1e-3 * Math.abs(want[i]))) return false;
  }
  return true;
}

function choose(name: ActName | GluName): Chosen {
  const hit = chosen.get(name);
  if (hit) return hit;
  const fnName = PACKAGE_NAME[name];
  const fn = (sg as unknown as Record<string, unknown>)[fnName];
  let c: Chosen = { source: 'local-reference', why: `sg.${fnName} is not in this build` };
  if (typeof fn === 'function') {
    const x = probe(64, 1, 0);
    const y = probe(64, 0.5, 1);
    const d = probe(64, 0.7, 2);
    try {
      if (name === 'swiglu' || name === 'geglu') {
        const f = fn as GluBackward;
        const got = f(x, y, d);
        const want = refGluBackward(name, x, y, d);
        c = got && close(got.dGate, want.dGate) && close(got.dUp, want.dUp)
          ? { source: 'package', why: `sg.${fnName}(gate, up, dh)`, glu: f }
          : { source: 'local-reference', why: `sg.${fnName}(gate, up, dh) disagrees with the float64 reference on a probe (another signature?)` };
      } else {
        const f = fn as ActBackward;
        c = close(f(x, d), refActBackward(name, x, d))
          ? { source: 'package', why: `sg.${fnName}(x, dy)`, act: f }
          : { source: 'local-reference', why: `sg.${fnName}(x, dy) disagrees with the float64 reference on a probe (another signature?)` };
      }
    } catch (err) {
      c = { source: 'local-reference', why: `sg.${fnName} threw on a probe: ${err instanceof Error ? err.message : String(err)}` };
    }
  }
  chosen.set(name, c);
  return c;
}

/** dx = act'(x) ⊙ dy, by the package's op when present. */
export function actBackward(act: ActName, x: Float32Array, dy: Float32Array): Float32Array {
  const c = choose(act);
  return c.act ? c.act(x, dy) : refActBackward(act, x, dy);
}

/** {dGate, dUp} of h = act(gate) ⊙ up, by the package's op when present. */
export function gluBackward(glu: GluName, gate: Float32Array, up: Float32Array, dh: Float32Array): { dGate: Float32Array; dUp: Float32Array } {
  const c = choose(glu);
  return c.glu ? c.glu(gate, up, dh) : refGluBackward(glu, gate, up, dh);
}

/** Which implementation each backward op used (or would use), and why. */
export function backwardSources(names: Array<ActName | GluName>): Record<string, { source: Source; why: string }> {
  const out: Record<string, { source: Source; why: string }> = {};
  for (const n of names) {
    const c = choose(n);
    out[n] = { source: c.source, why: c.why };
  }
  return out;
}
