// The elementwise gradients under test, derived like the forward cases (cases.ts) from the native table:
// every activation's `${fn}Backward` with its default options, then some with other parameters, each
// against the float64 reference (f′ from lib/reference/backward.ts with the same parameters, the whole
// dy·f′ with the flat-piece rule from reference.`${fn}Backward`), the roots of f′ found in that reference
// (README, Training: the bars relax near them) and the table's gradient bar (0: bitwise exact).
import * as sg from '../../lib';
import type { ActName } from '../../lib/ops';
import * as ref from '../../lib/reference';
import * as d from '../../lib/reference/backward';
import { type ParameterSpec, calls, caseName } from './cases';
import { activation } from './op-table';
import { rootsOf } from '../../lib/reference/roots';

export interface GradCase {
  name: string;
  act: ActName;
  run: (x: Float32Array, dy: Float32Array, out?: Float32Array) => Float32Array;
  fp: (x: number) => number;
  ref: (x: ArrayLike<number>, dy: ArrayLike<number>) => Float64Array;
  roots: number[];
  bar: number;
}

type Backward = (x: Float32Array, dy: Float32Array, options?: object) => Float32Array;
type RefBackward = (x: ArrayLike<number>, dy: ArrayLike<number>, options?: object) => Float64Array;
type Derivative = (x: number, a?: number, b?: number) => number;
const lib = sg as unknown as Record<string, Backward>;
const refs = ref as unknown as Record<string, RefBackward>;
const derivatives = d as unknown as Record<string, Derivative>;

function makeCase(act: ActName, fn: string, options: object, a: number, b: number): GradCase {
  const name = `${fn}Backward`;
  const f = lib[name];
  const r = refs[name];
  const dfn = derivatives[act];
  if (typeof f !== 'function') throw new Error(`lib has no function ${name} (activation ${act})`);
  if (typeof r !== 'function') throw new Error(`lib/reference has no ${name}`);
  if (typeof dfn !== 'function') throw new Error(`lib/reference/backward.ts has no ${act}`);
  const fp = (v: number) => dfn(v, a, b);
  return {
    name: caseName(name, options),
    act,
    run: (x, dy, out) => f(x, dy, { ...options, out }),
    fp,
    ref: (x, dy) => r(x, dy, options),
    roots: rootsOf(fp),
    bar: activation(act).gradBar,
  };
}

/** The gradient cases with other parameters than the table's. */
export const GRAD_PARAMETERS: ParameterSpec[] = [
  { act: 'leakyRelu', options: { slope: 0.2 }, a: 0.2 },
  { act: 'silu', fn: 'swish', options: { beta: 1.5 }, a: 1.5 },
  { act: 'silu', options: { beta: -0.5 }, a: -0.5 },
  { act: 'softplus', options: { beta: 2, threshold: 10 }, a: 2, b: 10 },
  { act: 'elu', options: { alpha: 0.5 }, a: 0.5 },
  { act: 'elu', options: { alpha: 1e18 }, a: 1e18 },
];

export const GRAD_CASES: GradCase[] = calls(GRAD_PARAMETERS, makeCase);
