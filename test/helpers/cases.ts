// The elementwise ops under test: the public function, its activation (lib/ops.ts's key), its reference
// and options, and its bar: the max ULP error of native/runtime/activation_list.h (the README's Accuracy
// section; 0 means bitwise exact). An activation's first case calls it with its default options.
import * as sg from '../../lib';
import type { ActName } from '../../lib/ops';
import * as ref from '../../lib/reference/activations';
import { activation } from './op-table';

export interface Case {
  name: string;
  act: ActName;
  run: (x: Float32Array, out?: Float32Array) => Float32Array;
  ref: (x: number) => number;
  bar: number;
}

const SPECS: Omit<Case, 'bar'>[] = [
  { name: 'relu', act: 'relu', run: (x, out) => sg.relu(x, { out }), ref: ref.relu },
  { name: 'relu6', act: 'relu6', run: (x, out) => sg.relu6(x, { out }), ref: ref.relu6 },
  { name: 'leakyRelu', act: 'leakyRelu', run: (x, out) => sg.leakyRelu(x, { out }), ref: (v) => ref.leakyRelu(v, 0.01) },
  { name: 'leakyRelu(0.2)', act: 'leakyRelu', run: (x, out) => sg.leakyRelu(x, { slope: 0.2, out }), ref: (v) => ref.leakyRelu(v, 0.2) },
  { name: 'sigmoid', act: 'sigmoid', run: (x, out) => sg.sigmoid(x, { out }), ref: ref.sigmoid },
  { name: 'tanh', act: 'tanh', run: (x, out) => sg.tanh(x, { out }), ref: ref.tanh },
  { name: 'silu', act: 'silu', run: (x, out) => sg.silu(x, { out }), ref: (v) => ref.silu(v, 1) },
  { name: 'swish(1.5)', act: 'silu', run: (x, out) => sg.swish(x, { beta: 1.5, out }), ref: (v) => ref.silu(v, 1.5) },
  { name: 'gelu', act: 'gelu', run: (x, out) => sg.gelu(x, { out }), ref: ref.gelu },
  { name: 'gelu(tanh)', act: 'geluTanh', run: (x, out) => sg.gelu(x, { approximate: 'tanh', out }), ref: ref.geluTanh },
  { name: 'quickGelu', act: 'quickGelu', run: (x, out) => sg.quickGelu(x, { out }), ref: ref.quickGelu },
  { name: 'softplus', act: 'softplus', run: (x, out) => sg.softplus(x, { out }), ref: (v) => ref.softplus(v, 1, 20) },
  { name: 'softplus(2,10)', act: 'softplus', run: (x, out) => sg.softplus(x, { beta: 2, threshold: 10, out }), ref: (v) => ref.softplus(v, 2, 10) },
  { name: 'mish', act: 'mish', run: (x, out) => sg.mish(x, { out }), ref: ref.mish },
  { name: 'elu', act: 'elu', run: (x, out) => sg.elu(x, { out }), ref: (v) => ref.elu(v, 1) },
  { name: 'elu(0.5)', act: 'elu', run: (x, out) => sg.elu(x, { alpha: 0.5, out }), ref: (v) => ref.elu(v, 0.5) },
  { name: 'selu', act: 'selu', run: (x, out) => sg.selu(x, { out }), ref: ref.selu },
  { name: 'hardSigmoid', act: 'hardSigmoid', run: (x, out) => sg.hardSigmoid(x, { out }), ref: ref.hardSigmoid },
  { name: 'hardSwish', act: 'hardSwish', run: (x, out) => sg.hardSwish(x, { out }), ref: ref.hardSwish },
];

export const CASES: Case[] = SPECS.map((c) => ({ ...c, bar: activation(c.act).bar }));
