// The GLU ops under test, derived from the GLU family of the native table (lib/ops.ts's GLU_GATES): each
// op, and its approximate 'tanh' form where it has one, with the bars of README, Accuracy and Training:
// the forward act(gate)·up within its gate activation's bar + 0.5 ULP (the product's rounding), dUp within
// that bar + 1 (1 where the activation is exact), dGate within 8 ULP against dh·up·act′(gate).
import * as sg from '../../lib';
import { GLU_FORMS, GLU_GATES } from '../../lib/ops';
import * as ref from '../../lib/reference';
import * as d from '../../lib/reference/backward';
import { activation } from './op-table';

type Forward = (...args: unknown[]) => Float32Array;
/** Both forms: two inputs → {dGate, dUp}; the split form (x, dh, {width}) → a Float32Array (callers cast). */
type Backward = (...args: unknown[]) => { dGate: Float32Array; dUp: Float32Array };
type RefForward = (gate: ArrayLike<number>, up: ArrayLike<number>, options?: object) => Float64Array;
type RefBackward = (gate: ArrayLike<number>, up: ArrayLike<number>, dh: ArrayLike<number>, options?: object) => { dGate: Float64Array; dUp: Float64Array };
const forwards = sg as unknown as Record<string, Forward>;
const backwards = sg as unknown as Record<string, Backward>;
const refs = ref as unknown as Record<string, RefForward & RefBackward>;
const derivatives = d as unknown as Record<string, (x: number, a?: number) => number>;

const label = (name: string, opts: { approximate?: string }) => (opts.approximate ? `${name}(${opts.approximate})` : name);

/** The forward cases: f takes (gate, up, options?) or (x, {width, out?}); the form's options are the caller's to pass. */
export const GLU_CASES = GLU_FORMS.map((g) => ({
  name: label(g.op, g.options),
  opts: g.options,
  f: forwards[g.op],
  r: (gate: ArrayLike<number>, up: ArrayLike<number>) => refs[g.op](gate, up, g.options),
  bar: activation(g.act).bar + 0.5,
}));

/** The gradient cases: f takes (gate, up, dh, options?) or (x, dh, {width, …}). */
export const GLU_GRAD_CASES = GLU_FORMS.map((g) => {
  const a = GLU_GATES[g.op].a;
  const fp = derivatives[g.act];
  const bar = activation(g.act).bar;
  return {
    name: label(`${g.op}Backward`, g.options),
    opts: g.options,
    f: backwards[`${g.op}Backward`],
    r: (gate: ArrayLike<number>, up: ArrayLike<number>, dh: ArrayLike<number>) => refs[`${g.op}Backward`](gate, up, dh, g.options),
    fp: (x: number) => fp(x, a),
    upBar: bar === 0 ? 1 : bar + 1,
  };
});
