// The elementwise ops under test, derived from the native table (lib/activation-table.ts, generated from
// native/runtime/activation_list.h): every activation with its default options, called through its public
// form (lib/ops.ts's publicForm), against reference.scalar's function of the same name with the table's
// parameters, held to the table's bar (the max ULP error; 0: bitwise exact); then a few activations with
// other parameters. An activation's first case is its default one.
import * as sg from '../../lib';
import { ACTIVATIONS } from '../../lib/activation-table';
import { type ActName, publicForm } from '../../lib/ops';
import * as ref from '../../lib/reference/activations';
import { activation } from './op-table';

export interface Case {
  name: string;
  act: ActName;
  run: (x: Float32Array, out?: Float32Array) => Float32Array;
  ref: (x: number) => number;
  bar: number;
}

/** A call with other parameters than the table's: the options given, the reference's a and b that match. */
export interface ParameterSpec {
  act: ActName;
  /** The public function if not the activation's own (swish for silu). */
  fn?: string;
  options: Record<string, number>;
  a: number;
  b?: number;
}

type Unary = (x: Float32Array, options?: object) => Float32Array;
type Scalar = (x: number, a?: number, b?: number) => number;
const lib = sg as unknown as Record<string, Unary>;
const scalar = ref as unknown as Record<string, Scalar>;

/** The activations that have a public function (all but identity, the bilinear GLU's gate). */
export const PUBLIC_ACTIVATIONS = ACTIVATIONS.filter((r) => publicForm(r.name) !== null);

/** The elementwise functions lib exports: each activation's public form, and swish (silu's other name). */
export const ELEMENTWISE_FUNCTIONS: readonly string[] = [...new Set(PUBLIC_ACTIVATIONS.map((r) => publicForm(r.name)!.fn)), 'swish'];

/** `fn(v1,v2)` for a call of fn with options {k1: v1, k2: v2}; `fn` without options. */
export function caseName(fn: string, options: object): string {
  const values = Object.values(options);
  const show = (v: unknown) => (typeof v === 'number' && Math.abs(v) >= 1e6 ? v.toExponential() : String(v));
  return values.length ? `${fn}(${values.map(show).join(',')})` : fn;
}

function makeCase(act: ActName, fn: string, options: object, a: number, b: number): Case {
  const f = lib[fn];
  const r = scalar[act];
  if (typeof f !== 'function') throw new Error(`lib has no function ${fn} (activation ${act})`);
  if (typeof r !== 'function') throw new Error(`lib/reference/activations.ts has no ${act}`);
  return { name: caseName(fn, options), act, run: (x, out) => f(x, { ...options, out }), ref: (v) => r(v, a, b), bar: activation(act).bar };
}

const PARAMETERS: ParameterSpec[] = [
  { act: 'leakyRelu', options: { slope: 0.2 }, a: 0.2 },
  { act: 'silu', fn: 'swish', options: { beta: 1.5 }, a: 1.5 },
  { act: 'softplus', options: { beta: 2, threshold: 10 }, a: 2, b: 10 },
  { act: 'elu', options: { alpha: 0.5 }, a: 0.5 },
];

/** One call per activation with its default options through its public form, then `parameters`: what make builds a case from. */
export function calls<T>(parameters: ParameterSpec[], make: (act: ActName, fn: string, options: object, a: number, b: number) => T): T[] {
  return [
    ...PUBLIC_ACTIVATIONS.map((r) => {
      const form = publicForm(r.name)!;
      return make(r.name, form.fn, form.options, r.a, r.b);
    }),
    ...parameters.map((p) => make(p.act, p.fn ?? p.act, p.options, p.a, p.b ?? activation(p.act).b)),
  ];
}

export const CASES: Case[] = calls(PARAMETERS, makeCase);
