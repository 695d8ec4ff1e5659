// The feed-forward block, the only thing that differs between the arms, behind one small interface
// (FfnKernels: forward, backward), so that the fused backward (sg.ffnBackward) replaces the body of
// backward() without touching the model.
//
//   relu / gelu:     y = act(x·W1)·W2                 W1 [d×h], W2 [h×d]
//   swiglu / geglu:  y = (act(x·Wg) ⊙ (x·Wu))·W2      Wg, Wu [d×h], W2 [h×d]   (no biases, as in Shazeer 2020)
//
// Forward: sg.matmul + sg.relu / sg.gelu / sg.swiglu / sg.geglu while training (the firing statistics
// read the pre-activations it keeps); the evaluation passes (no backward to feed) run the whole block as
// sg.ffn over a pack of this step's weights. Backward: sg.ffnBackward from x and the raw weights (the
// fused pass recomputes what it needs); with an older build that lacks it, sg.matmul (transB, explicit
// transposes for the weight gradients) + the activation derivative from ./backward-ops (the package's
// backward ops when this build has them, else the float64 local reference).
import * as sg from '../../lib';
import { ActName, GluName, actBackward, gluBackward } from './backward-ops';
import { ARMS, Arm } from './config';
import { mm, mmAT, mmBT } from './mm';

export { ARMS };
export type { Arm };

export function isGlu(arm: Arm): arm is GluName {
  return arm === 'swiglu' || arm === 'geglu';
}

/** The FFN's weight matrices: name, rows, cols; `out` marks the projection back into the residual stream. */
export function ffnShapes(arm: Arm, d: number, hidden: number): Array<{ name: string; rows: number; cols: number; out: boolean }> {
  return isGlu(arm)
    ? [
        { name: 'wg', rows: d, cols: hidden, out: false },
        { name: 'wu', rows: d, cols: hidden, out: false },
        { name: 'w2', rows: hidden, cols: d, out: true },
      ]
    : [
        { name: 'w1', rows: d, cols: hidden, out: false },
        { name: 'w2', rows: hidden, cols: d, out: true },
      ];
}

export function ffnParamCount(arm: Arm, d: number, hidden: number): number {
  return ffnShapes(arm, d, hidden).reduce((s, w) => s + w.rows * w.cols, 0);
}

/**
 * The GLU hidden width that matches a plain FFN of width `plainHidden`: 3·d·h' ≈ 2·d·h, so h' ≈ 2h/3,
 * rounded to a multiple of 8.
 */
export function gluHidden(plainHidden: number): number {
  return Math.max(8, Math.round((2 * plainHidden) / 3 / 8) * 8);
}

/** Weights or their gradients, by the names of ffnShapes(). */
export type FfnTensors = Record<string, Float32Array>;

export interface FfnCache {
  x: Float32Array; // the block's input [rows×d]
  pre: Float32Array; // plain: x·W1; GLU: the gate x·Wg
  up: Float32Array | null; // GLU: x·Wu
  act: Float32Array; // what W2 multiplies: act(pre), or act(gate) ⊙ up
}

export interface FfnKernels {
  readonly arm: Arm;
  readonly d: number;
  readonly hidden: number;
  /** y [rows×d]; the cache is needed by backward() (and by the firing statistics). */
  forward(x: Float32Array, w: FfnTensors, train: boolean): { y: Float32Array; cache: FfnCache | null };
  /** Writes every gradient in g (overwriting) and returns dx. */
  backward(cache: FfnCache, dy: Float32Array, w: FfnTensors, g: FfnTensors): Float32Array;
}

const PLAIN_ACT: Record<'relu' | 'gelu', ActName> = { relu: 'relu', gelu: 'gelu' };
/** The fused ops' activation of each arm: the hidden layer's (plain) or the gate's (GLU). */
const FUSED_ACT: Record<Arm, sg.FusedActivation> = { relu: 'relu', gelu: 'gelu', swiglu: 'silu', geglu: 'gelu' };
/** The fused FFN ops, where this build has them (the bench also runs against older builds). */
const fused = typeof sg.ffnBackward === 'function' && typeof sg.ffn === 'function';

/** The block's weights as the fused ops take them: this arm's layout is 'in-out' ([d×h], W2 [h×d]). */
function ffnWeights(arm: Arm, w: FfnTensors): sg.FfnWeights {
  return isGlu(arm) ? { gate: w.wg, up: w.wu, down: w.w2 } : { up: w.w1, down: w.w2 };
}

export function ffnKernels(arm: Arm, d: number, hidden: number): FfnKernels {
  const h = hidden;
  return {
    arm,
    d,
    hidden,
    forward(x, w, train) {
      const rows = x.length / d;
      if (!train && fused) {
        // No backward to feed: the whole block fused, over a pack of this step's weights.
        const packed = sg.packFfn({ ...ffnWeights(arm, w), inFeatures: d, hiddenFeatures: h, activation: FUSED_ACT[arm], layout: 'in-out' });
        try {
          return { y: sg.ffn(x, packed), cache: null };
        } finally {
          packed.dispose();
        }
      }
      if (isGlu(arm)) {
        if (!train && arm === 'swiglu') {
          // No backward to feed: the fused gate, SiLU(x·Wg) ⊙ (x·Wu) in one pass.
          const act = sg.swigluMatmul(x, w.wg, w.wu, { inFeatures: d, outFeatures: h, layout: 'in-out' });
          return { y: mm(act, w.w2, rows, h, d), cache: null };
        }
        const gate = mm(x, w.wg, rows, d, h);
        const up = mm(x, w.wu, rows, d, h);
        const act = arm === 'swiglu' ? sg.swiglu(gate, up) : sg.geglu(gate, up);
        return { y: mm(act, w.w2, rows, h, d), cache: { x, pre: gate, up, act } };
      }
      const pre = mm(x, w.w1, rows, d, h);
      const act = arm === 'relu' ? sg.relu(pre) : sg.gelu(pre);
      return { y: mm(act, w.w2, rows, h, d), cache: { x, pre, up: null, act } };
    },
    backward(c, dy, w, g) {
      if (fused) {
        // The weight gradients straight into g (options.out), dx into a new array.
        const out = { dx: new Float32Array(c.x.length), ...(isGlu(arm) ? { dGate: g.wg, dUp: g.wu } : { dUp: g.w1 }), dDown: g.w2 };
        return sg.ffnBackward(c.x, ffnWeights(arm, w), dy, { inFeatures: d, hiddenFeatures: h, activation: FUSED_ACT[arm], layout: 'in-out', out }).dx;
      }
      const rows = c.x.length / d;
      mmAT(c.act, dy, h, rows, d, g.w2); // dW2 = actᵀ·dy
      const dAct = mmBT(dy, w.w2, rows, d, h); // dy·W2ᵀ
      if (isGlu(arm)) {
        const { dGate, dUp } = gluBackward(arm, c.pre, c.up as Float32Array, dAct);
        mmAT(c.x, dGate, d, rows, h, g.wg);
        mmAT(c.x, dUp, d, rows, h, g.wu);
        const dx = mmBT(dGate, w.wg, rows, h, d);
        const dxu = mmBT(dUp, w.wu, rows, h, d);
        for (let i = 0; i < dx.length; i++) dx[i] += dxu[i];
        return dx;
      }
      const dPre = actBackward(PLAIN_ACT[arm], c.pre, dAct);
      mmAT(c.x, dPre, d, rows, h, g.w1);
      return mmBT(dPre, w.w1, rows, h, d);
    },
  };
}

/**
 * Per hidden unit, how many of the rows fire. `fires`: plain arms |act(pre)| > 0, GLU arms the gate's
 * activation > 0 (act(gate) > 0, i.e. gate > 0 for SiLU and GELU); `positive`: the pre-activation (the
 * gate for GLU) > 0, the same test for every arm.
 */
export function countFiring(c: FfnCache, hidden: number, fires: Float64Array, positive: Float64Array): void {
  const rows = c.pre.length / hidden;
  const glu = c.up !== null;
  for (let r = 0; r < rows; r++) {
    const o = r * hidden;
    for (let j = 0; j < hidden; j++) {
      const p = c.pre[o + j];
      if (p > 0) positive[j]++;
      if (glu ? p > 0 : c.act[o + j] !== 0) fires[j]++;
    }
  }
}
