// The elementwise ops under test: the public function, its reference, its options and its bar
// (max ULP: the bars of the README's Accuracy section; 0 means bitwise exact).
import * as sg from '../../lib';
import * as ref from '../../lib/reference/activations';

export interface Case {
  name: string;
  run: (x: Float32Array, out?: Float32Array) => Float32Array;
  ref: (x: number) => number;
  bar: number;
}

export const CASES: Case[] = [
  { name: 'relu', run: (x, out) => sg.relu(x, { out }), ref: ref.relu, bar: 0 },
  { name: 'relu6', run: (x, out) => sg.relu6(x, { out }), ref: ref.relu6, bar: 0 },
  { name: 'leakyRelu', run: (x, out) => sg.leakyRelu(x, { out }), ref: (v) => ref.leakyRelu(v, 0.01), bar: 1 },
  { name: 'leakyRelu(0.2)', run: (x, out) => sg.leakyRelu(x, { slope: 0.2, out }), ref: (v) => ref.leakyRelu(v, 0.2), bar: 1 },
  { name: 'sigmoid', run: (x, out) => sg.sigmoid(x, { out }), ref: ref.sigmoid, bar: 4 },
  { name: 'tanh', run: (x, out) => sg.tanh(x, { out }), ref: ref.tanh, bar: 4 },
  { name: 'silu', run: (x, out) => sg.silu(x, { out }), ref: (v) => ref.silu(v, 1), bar: 4 },
  { name: 'swish(1.5)', run: (x, out) => sg.swish(x, { beta: 1.5, out }), ref: (v) => ref.silu(v, 1.5), bar: 4 },
  { name: 'gelu', run: (x, out) => sg.gelu(x, { out }), ref: ref.gelu, bar: 4 },
  { name: 'gelu(tanh)', run: (x, out) => sg.gelu(x, { approximate: 'tanh', out }), ref: ref.geluTanh, bar: 4 },
  { name: 'quickGelu', run: (x, out) => sg.quickGelu(x, { out }), ref: ref.quickGelu, bar: 4 },
  { name: 'softplus', run: (x, out) => sg.softplus(x, { out }), ref: (v) => ref.softplus(v, 1, 20), bar: 4 },
  { name: 'softplus(2,10)', run: (x, out) => sg.softplus(x, { beta: 2, threshold: 10, out }), ref: (v) => ref.softplus(v, 2, 10), bar: 4 },
  { name: 'mish', run: (x, out) => sg.mish(x, { out }), ref: ref.mish, bar: 8 },
  { name: 'elu', run: (x, out) => sg.elu(x, { out }), ref: (v) => ref.elu(v, 1), bar: 4 },
  { name: 'elu(0.5)', run: (x, out) => sg.elu(x, { alpha: 0.5, out }), ref: (v) => ref.elu(v, 0.5), bar: 4 },
  { name: 'selu', run: (x, out) => sg.selu(x, { out }), ref: ref.selu, bar: 4 },
  { name: 'hardSigmoid', run: (x, out) => sg.hardSigmoid(x, { out }), ref: ref.hardSigmoid, bar: 4 },
  { name: 'hardSwish', run: (x, out) => sg.hardSwish(x, { out }), ref: ref.hardSwish, bar: 4 },
];
