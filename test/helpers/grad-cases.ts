// The elementwise gradients under test: the public function, the float64 reference (f′ and the whole
// dy·f′ with the flat-piece rule), the roots of f′ (README, Training) and the bar in ULPs (0: bitwise exact).
import * as sg from '../../lib';
import * as ref from '../../lib/reference';
import * as d from '../../lib/reference/backward';

export interface GradCase {
  name: string;
  run: (x: Float32Array, dy: Float32Array, out?: Float32Array) => Float32Array;
  fp: (x: number) => number;
  ref: (x: ArrayLike<number>, dy: ArrayLike<number>) => Float64Array;
  roots: number[];
  bar: number;
}

const SILU_ROOT = -1.2784645427610738;

export const GRAD_CASES: GradCase[] = [
  { name: 'reluBackward', run: (x, dy, out) => sg.reluBackward(x, dy, { out }), fp: d.relu, ref: ref.reluBackward, roots: [], bar: 0 },
  { name: 'relu6Backward', run: (x, dy, out) => sg.relu6Backward(x, dy, { out }), fp: d.relu6, ref: ref.relu6Backward, roots: [], bar: 0 },
  { name: 'leakyReluBackward', run: (x, dy, out) => sg.leakyReluBackward(x, dy, { out }), fp: (v) => d.leakyRelu(v), ref: ref.leakyReluBackward, roots: [], bar: 1 },
  { name: 'leakyReluBackward(0.2)', run: (x, dy, out) => sg.leakyReluBackward(x, dy, { slope: 0.2, out }), fp: (v) => d.leakyRelu(v, 0.2), ref: (x, dy) => ref.leakyReluBackward(x, dy, { slope: 0.2 }), roots: [], bar: 1 },
  { name: 'sigmoidBackward', run: (x, dy, out) => sg.sigmoidBackward(x, dy, { out }), fp: d.sigmoid, ref: ref.sigmoidBackward, roots: [], bar: 4 },
  { name: 'tanhBackward', run: (x, dy, out) => sg.tanhBackward(x, dy, { out }), fp: d.tanh, ref: ref.tanhBackward, roots: [], bar: 4 },
  { name: 'siluBackward', run: (x, dy, out) => sg.siluBackward(x, dy, { out }), fp: (v) => d.silu(v), ref: ref.siluBackward, roots: [SILU_ROOT], bar: 4 },
  { name: 'swishBackward(1.5)', run: (x, dy, out) => sg.swishBackward(x, dy, { beta: 1.5, out }), fp: (v) => d.silu(v, 1.5), ref: (x, dy) => ref.siluBackward(x, dy, { beta: 1.5 }), roots: [SILU_ROOT / 1.5], bar: 4 },
  { name: 'siluBackward(-0.5)', run: (x, dy, out) => sg.siluBackward(x, dy, { beta: -0.5, out }), fp: (v) => d.silu(v, -0.5), ref: (x, dy) => ref.siluBackward(x, dy, { beta: -0.5 }), roots: [SILU_ROOT / -0.5], bar: 4 },
  { name: 'geluBackward', run: (x, dy, out) => sg.geluBackward(x, dy, { out }), fp: d.gelu, ref: ref.geluBackward, roots: [-0.7517916243], bar: 8 },
  { name: 'geluBackward(tanh)', run: (x, dy, out) => sg.geluBackward(x, dy, { approximate: 'tanh', out }), fp: d.geluTanh, ref: (x, dy) => ref.geluBackward(x, dy, { approximate: 'tanh' }), roots: [-0.7524614], bar: 8 },
  { name: 'quickGeluBackward', run: (x, dy, out) => sg.quickGeluBackward(x, dy, { out }), fp: d.quickGelu, ref: ref.quickGeluBackward, roots: [SILU_ROOT / 1.702], bar: 4 },
  { name: 'softplusBackward', run: (x, dy, out) => sg.softplusBackward(x, dy, { out }), fp: (v) => d.softplus(v), ref: ref.softplusBackward, roots: [], bar: 4 },
  { name: 'softplusBackward(2,10)', run: (x, dy, out) => sg.softplusBackward(x, dy, { beta: 2, threshold: 10, out }), fp: (v) => d.softplus(v, 2, 10), ref: (x, dy) => ref.softplusBackward(x, dy, { beta: 2, threshold: 10 }), roots: [], bar: 4 },
  { name: 'mishBackward', run: (x, dy, out) => sg.mishBackward(x, dy, { out }), fp: d.mish, ref: ref.mishBackward, roots: [-1.1924218], bar: 8 },
  { name: 'eluBackward', run: (x, dy, out) => sg.eluBackward(x, dy, { out }), fp: (v) => d.elu(v), ref: ref.eluBackward, roots: [], bar: 4 },
  { name: 'eluBackward(0.5)', run: (x, dy, out) => sg.eluBackward(x, dy, { alpha: 0.5, out }), fp: (v) => d.elu(v, 0.5), ref: (x, dy) => ref.eluBackward(x, dy, { alpha: 0.5 }), roots: [], bar: 4 },
  { name: 'eluBackward(1e18)', run: (x, dy, out) => sg.eluBackward(x, dy, { alpha: 1e18, out }), fp: (v) => d.elu(v, 1e18), ref: (x, dy) => ref.eluBackward(x, dy, { alpha: 1e18 }), roots: [], bar: 4 },
  { name: 'seluBackward', run: (x, dy, out) => sg.seluBackward(x, dy, { out }), fp: d.selu, ref: ref.seluBackward, roots: [], bar: 4 },
  { name: 'hardSigmoidBackward', run: (x, dy, out) => sg.hardSigmoidBackward(x, dy, { out }), fp: d.hardSigmoid, ref: ref.hardSigmoidBackward, roots: [], bar: 0.5 },
  { name: 'hardSwishBackward', run: (x, dy, out) => sg.hardSwishBackward(x, dy, { out }), fp: d.hardSwish, ref: ref.hardSwishBackward, roots: [-1.5], bar: 4 },
];
