// Float64 references for the backward passes of the fused gate and the FFN (gluMatmulBackward,
// ffnBackward): the chain rule written out with the reference forwards and derivatives, plain loops.
// dG = dH ⊙ U ⊙ act′(G), dU = dH ⊙ act(G) with G = X·Wg, U = X·Wu; dx = dG·Wgᵀ + dU·Wuᵀ (as matrices
// mapping inputs to outputs); each weight gradient is Xᵀ·dG (or Hᵀ·dy for Wd) in its weight's layout.
import * as d from './backward';
import { FUSED } from './fused';
import { type FusedActivationRef, type Layout, matmul } from './matrix';

const FORWARD = FUSED;
const DERIVATIVE: Record<FusedActivationRef, (v: number) => number> = {
  silu: (v) => d.silu(v),
  gelu: d.gelu,
  'gelu-tanh': d.geluTanh,
  relu: d.relu,
  sigmoid: d.sigmoid,
  identity: () => 1,
};

/** The gate's shape, activation and weight layout, as gluMatmulBackward's options. */
export interface GluBackwardRefOptions {
  /** Columns of X. */
  inFeatures: number;
  /** Outputs of each projection. */
  outFeatures: number;
  /** The forward's activation (default 'silu'). */
  activation?: FusedActivationRef;
  /** How the weights are stored (default 'out-in'). */
  layout?: Layout;
}

/** x·W for W [outF][inF] (out-in) or [inF][outF] (in-out). */
function forward(x: ArrayLike<number>, w: ArrayLike<number>, rows: number, inF: number, outF: number, layout: Layout): Float64Array {
  return matmul(x, w, { m: rows, k: inF, n: outF, transB: layout === 'out-in' });
}

/** g·Wᵀ back through W (rows × outF → rows × inF). */
function backward(g: ArrayLike<number>, w: ArrayLike<number>, rows: number, inF: number, outF: number, layout: Layout): Float64Array {
  return matmul(g, w, { m: rows, k: outF, n: inF, transB: layout === 'in-out' });
}

function checkedLayout(layout: Layout | undefined): Layout {
  const l = layout ?? 'out-in';
  if (l !== 'out-in' && l !== 'in-out') throw new RangeError(`reference: layout must be 'out-in' or 'in-out', got ${String(l)}`);
  return l;
}

/** ∂L/∂W for y = x·W given g = ∂L/∂y, in W's layout. */
function weightGrad(x: ArrayLike<number>, g: ArrayLike<number>, rows: number, inF: number, outF: number, layout: Layout): Float64Array {
  return layout === 'out-in' ? matmul(g, x, { m: outF, k: rows, n: inF, transA: true }) : matmul(x, g, { m: inF, k: rows, n: outF, transA: true });
}

/** The gate's two gradients from G, U and dH = ∂L/∂H with H = act(G) ⊙ U. */
function gateGrads(g: Float64Array, u: Float64Array, dh: ArrayLike<number>, a: FusedActivationRef): [Float64Array, Float64Array] {
  const f = FORWARD[a];
  const fp = DERIVATIVE[a];
  const dG = new Float64Array(g.length);
  const dU = new Float64Array(g.length);
  for (let i = 0; i < g.length; i++) {
    dG[i] = dh[i] * u[i] * fp(g[i]);
    dU[i] = dh[i] * f(g[i]);
  }
  return [dG, dU];
}

function addInto(a: Float64Array, b: Float64Array): Float64Array {
  for (let i = 0; i < a.length; i++) a[i] += b[i];
  return a;
}

/**
 * {dx, dWGate, dWUp} of H = act(X·Wg) ⊙ (X·Wu) given dh = ∂L/∂H, in float64.
 * @param x X, rows·inFeatures values.
 * @param wGate Wg (f32 values).
 * @param wUp Wu.
 * @param dh ∂L/∂H, rows·outFeatures values.
 * @param o The shape, activation and layout.
 * @returns { dx, dWGate, dWUp }: new Float64Arrays, the weight gradients in the weights' layout.
 * @throws {RangeError} rows·outFeatures is not a valid Float64Array length, e.g. inFeatures 0 with a non-empty x (the engine's).
 * @throws {TypeError} o is missing, or activation is unknown and x has a row (the engine's).
 * @throws {RangeError} layout is neither 'out-in' nor 'in-out'. Nothing else is checked: arrays shorter than the shape give NaN.
 * @example
 * sg.reference.gluMatmulBackward([1, 2], [1, 1], [0, 1], [1], { inFeatures: 2, outFeatures: 1, activation: 'relu' }); // { dx: Float64Array [2, 5], dWGate: Float64Array [2, 4], dWUp: Float64Array [3, 6] }
 */
export function gluMatmulBackward(x: ArrayLike<number>, wGate: ArrayLike<number>, wUp: ArrayLike<number>, dh: ArrayLike<number>, o: GluBackwardRefOptions) {
  const layout = checkedLayout(o.layout);
  const { inFeatures: inF, outFeatures: outF } = o;
  const rows = x.length / inF;
  const g = forward(x, wGate, rows, inF, outF, layout);
  const u = forward(x, wUp, rows, inF, outF, layout);
  const [dG, dU] = gateGrads(g, u, dh, o.activation ?? 'silu');
  return {
    dx: addInto(backward(dG, wGate, rows, inF, outF, layout), backward(dU, wUp, rows, inF, outF, layout)),
    dWGate: weightGrad(x, dG, rows, inF, outF, layout),
    dWUp: weightGrad(x, dU, rows, inF, outF, layout),
  };
}

/** The FFN's shape, activation and weight layout, as ffnBackward's options. */
export interface FfnBackwardRefOptions {
  /** Columns of X and of Y. */
  inFeatures: number;
  /** The hidden width. */
  hiddenFeatures: number;
  /** The hidden layer's activation (default 'silu'). */
  activation?: FusedActivationRef;
  /** How the weights are stored (default 'out-in'). */
  layout?: Layout;
}

/**
 * {dx, dGate?, dUp, dDown} of Y = (act(X·Wg) ⊙ X·Wu)·Wd, or act(X·Wu)·Wd without gate, given dy = ∂L/∂Y,
 * in float64.
 * @param x X, rows·inFeatures values.
 * @param w The weights { gate?, up, down } (f32 values).
 * @param dy ∂L/∂Y, x's length.
 * @param o The shape, activation and layout.
 * @returns { dx, dGate (with a gate), dUp, dDown }: new Float64Arrays, the weight gradients in the weights' layout.
 * @throws {RangeError} rows·hiddenFeatures is not a valid Float64Array length, e.g. inFeatures 0 with a non-empty x (the engine's).
 * @throws {TypeError} o, w or w.up is missing, or activation is unknown and x has a row (the engine's).
 * @throws {RangeError} layout is neither 'out-in' nor 'in-out'. Nothing else is checked: arrays shorter than the shape give NaN.
 * @example
 * sg.reference.ffnBackward([1, 2], { gate: [1, 1], up: [0, 1], down: [1, 0.5] }, [1, 0], { inFeatures: 2, hiddenFeatures: 1, activation: 'relu' }); // { dx: Float64Array [2, 5], dGate: Float64Array [2, 4], dUp: Float64Array [3, 6], dDown: Float64Array [6, 0] }
 */
export function ffnBackward(
  x: ArrayLike<number>,
  w: { gate?: ArrayLike<number>; up: ArrayLike<number>; down: ArrayLike<number> },
  dy: ArrayLike<number>,
  o: FfnBackwardRefOptions,
) {
  const layout = checkedLayout(o.layout);
  const a = o.activation ?? 'silu';
  const { inFeatures: inF, hiddenFeatures: hid } = o;
  const rows = x.length / inF;
  const u = forward(x, w.up, rows, inF, hid, layout);
  const g = w.gate ? forward(x, w.gate, rows, inF, hid, layout) : null;
  const h = new Float64Array(u.length);
  for (let i = 0; i < h.length; i++) h[i] = g ? FORWARD[a](g[i]) * u[i] : FORWARD[a](u[i]);
  // Wd maps hidden → in: its forward is h·Wd, so dH = dy back through it.
  const dh = backward(dy, w.down, rows, hid, inF, layout);
  const dDown = weightGrad(h, dy, rows, hid, inF, layout);
  if (!g) {
    const dU = Float64Array.from(u, (v, i) => dh[i] * DERIVATIVE[a](v));
    return { dx: backward(dU, w.up, rows, inF, hid, layout), dUp: weightGrad(x, dU, rows, inF, hid, layout), dDown };
  }
  const [dG, dU] = gateGrads(g, u, dh, a);
  return {
    dx: addInto(backward(dG, w.gate!, rows, inF, hid, layout), backward(dU, w.up, rows, inF, hid, layout)),
    dGate: weightGrad(x, dG, rows, inF, hid, layout),
    dUp: weightGrad(x, dU, rows, inF, hid, layout),
    dDown,
  };
}
