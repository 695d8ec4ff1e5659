// The elementwise gradients under test: the public function, its activation (lib/ops.ts's key), the
// float64 reference (f′ and the whole dy·f′ with the flat-piece rule), the roots of f′ (README, Training)
// and the bar: the max ULP error of dy·f′ in native/runtime/activation_list.h (0: bitwise exact). An
// activation's first case calls it with its default options.
import * as sg from '../../lib';
import type { ActName } from '../../lib/ops';
import * as ref from '../../lib/reference';
import * as d from '../../lib/reference/backward';
import { activation } from './op-table';

export interface GradCase {
  name: string;
  act: ActName;
  run: (x: Float32Array, dy: Float32Array, out?: Float32Array) => Float32Array;
  fp: (x: number) => number;
  ref: (x: ArrayLike<number>, dy: ArrayLike<number>) => Float64Array;
  roots: number[];
  bar: number;
}

const SILU_ROOT = -1.2784645427610738;

const SPECS: Omit<GradCase, 'bar'>[] = [
  { name: 'reluBackward', act: 'relu', run: (x, dy, out) => sg.reluBackward(x, dy, { out }), fp: d.relu, ref: ref.reluBackward, roots: [] },
  { name: 'relu6Backward', act: 'relu6', run: (x, dy, out) => sg.relu6Backward(x, dy, { out }), fp: d.relu6, ref: ref.relu6Backward, roots: [] },
  { name: 'leakyReluBackward', act: 'leakyRelu', run: (x, dy, out) => sg.leakyReluBackward(x, dy, { out }), fp: (v) => d.leakyRelu(v), ref: ref.leakyReluBackward, roots: [] },
  { name: 'leakyReluBackward(0.2)', act: 'leakyRelu', run: (x, dy, out) => sg.leakyReluBackward(x, dy, { slope: 0.2, out }), fp: (v) => d.leakyRelu(v, 0.2), ref: (x, dy) => ref.leakyReluBackward(x, dy, { slope: 0.2 }), roots: [] },
  { name: 'sigmoidBackward', act: 'sigmoid', run: (x, dy, out) => sg.sigmoidBackward(x, dy, { out }), fp: d.sigmoid, ref: ref.sigmoidBackward, roots: [] },
  { name: 'tanhBackward', act: 'tanh', run: (x, dy, out) => sg.tanhBackward(x, dy, { out }), fp: d.tanh, ref: ref.tanhBackward, roots: [] },
  { name: 'siluBackward', act: 'silu', run: (x, dy, out) => sg.siluBackward(x, dy, { out }), fp: (v) => d.silu(v), ref: ref.siluBackward, roots: [SILU_ROOT] },
  { name: 'swishBackward(1.5)', act: 'silu', run: (x, dy, out) => sg.swishBackward(x, dy, { beta: 1.5, out }), fp: (v) => d.silu(v, 1.5), ref: (x, dy) => ref.siluBackward(x, dy, { beta: 1.5 }), roots: [SILU_ROOT / 1.5] },
  { name: 'siluBackward(-0.5)', act: 'silu', run: (x, dy, out) => sg.siluBackward(x, dy, { beta: -0.5, out }), fp: (v) => d.silu(v, -0.5), ref: (x, dy) => ref.siluBackward(x, dy, { beta: -0.5 }), roots: [SILU_ROOT / -0.5] },
  { name: 'geluBackward', act: 'gelu', run: (x, dy, out) => sg.geluBackward(x, dy, { out }), fp: d.gelu, ref: ref.geluBackward, roots: [-0.7517916243] },
  { name: 'geluBackward(tanh)', act: 'geluTanh', run: (x, dy, out) => sg.geluBackward(x, dy, { approximate: 'tanh', out }), fp: d.geluTanh, ref: (x, dy) => ref.geluBackward(x, dy, { approximate: 'tanh' }), roots: [-0.7524614] },
  { name: 'quickGeluBackward', act: 'quickGelu', run: (x, dy, out) => sg.quickGeluBackward(x, dy, { out }), fp: d.quickGelu, ref: ref.quickGeluBackward, roots: [SILU_ROOT / 1.702] },
  { name: 'softplusBackward', act: 'softplus', run: (x, dy, out) => sg.softplusBackward(x, dy, { out }), fp: (v) => d.softplus(v), ref: ref.softplusBackward, roots: [] },
  { name: 'softplusBackward(2,10)', act: 'softplus', run: (x, dy, out) => sg.softplusBackward(x, dy, { beta: 2, threshold: 10, out }), fp: (v) => d.softplus(v, 2, 10), ref: (x, dy) => ref.softplusBackward(x, dy, { beta: 2, threshold: 10 }), roots: [] },
  { name: 'mishBackward', act: 'mish', run: (x, dy, out) => sg.mishBackward(x, dy, { out }), fp: d.mish, ref: ref.mishBackward, roots: [-1.1924218] },
  { name: 'eluBackward', act: 'elu', run: (x, dy, out) => sg.eluBackward(x, dy, { out }), fp: (v) => d.elu(v), ref: ref.eluBackward, roots: [] },
  { name: 'eluBackward(0.5)', act: 'elu', run: (x, dy, out) => sg.eluBackward(x, dy, { alpha: 0.5, out }), fp: (v) => d.elu(v, 0.5), ref: (x, dy) => ref.eluBackward(x, dy, { alpha: 0.5 }), roots: [] },
  { name: 'eluBackward(1e18)', act: 'elu', run: (x, dy, out) => sg.eluBackward(x, dy, { alpha: 1e18, out }), fp: (v) => d.elu(v, 1e18), ref: (x, dy) => ref.eluBackward(x, dy, { alpha: 1e18 }), roots: [] },
  { name: 'seluBackward', act: 'selu', run: (x, dy, out) => sg.seluBackward(x, dy, { out }), fp: d.selu, ref: ref.seluBackward, roots: [] },
  { name: 'hardSigmoidBackward', act: 'hardSigmoid', run: (x, dy, out) => sg.hardSigmoidBackward(x, dy, { out }), fp: d.hardSigmoid, ref: ref.hardSigmoidBackward, roots: [] },
  { name: 'hardSwishBackward', act: 'hardSwish', run: (x, dy, out) => sg.hardSwishBackward(x, dy, { out }), fp: d.hardSwish, ref: ref.hardSwishBackward, roots: [-1.5] },
];

export const GRAD_CASES: GradCase[] = SPECS.map((c) => ({ ...c, bar: activation(c.act).gradBar }));
