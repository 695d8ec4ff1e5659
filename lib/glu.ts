// The GLU family (Shazeer 2020, "GLU Variants Improve Transformer"): act(gate) ⊙ up.
//   two-input form:  op(gate, up, {out})
//   split form:      op(x, {width, out}) where each row of x is [gate(width) | up(width)]
//                    (a fused gate_up projection's output) and the result has width values per row.
// Note the order: gate first. PyTorch's F.glu(x) takes the first half as the value and applies the
// sigmoid to the second half; pass the halves the other way round to match it.
import { binding } from './binding';
import * as check from './check';
import { Act } from './ops';

export interface GluOptions {
  /** Written and returned instead of a new array. May be gate or up itself (two-input form only). */
  out?: Float32Array;
  /** Split form only: the number of outputs per row (each input row holds 2·width values). */
  width?: number;
}
export interface GegluOptions extends GluOptions {
  approximate?: 'none' | 'tanh';
}

type GluFn<O extends GluOptions> = {
  (gate: Float32Array, up: Float32Array, options?: O): Float32Array;
  (x: Float32Array, options: O & { width: number }): Float32Array;
};

// pick: the native activation and its parameter for these options.
function makeGlu<O extends GluOptions>(fn: string, pick: (o: Partial<O>) => readonly [number, number], extra: readonly string[] = []): GluFn<O> {
  return ((first: unknown, second?: unknown, third?: unknown): Float32Array => {
    const gate = check.float32(first, `${fn}: ${second instanceof Float32Array ? 'gate' : 'x'}`);
    if (second instanceof Float32Array) {
      const up = check.float32(second, `${fn}: up`); // refuses a detached up by name
      const o = check.options<O>(third, fn, ['out', ...extra]);
      if (up.length !== gate.length) {
        throw new RangeError(`${fn}: up must have the length of gate (${gate.length}), got ${up.length}`);
      }
      const out = check.output(o.out, gate.length, fn, [[gate, 'gate'], [up, 'up']]);
      const [op, a] = pick(o);
      return binding.glu(op, gate, up, out, a);
    }
    if (ArrayBuffer.isView(second) || Array.isArray(second)) {
      throw new TypeError(`${fn}: up must be a Float32Array, got ${check.describe(second)}`);
    }
    if (third !== undefined) throw new TypeError(`${fn}: the split form takes (x, options); got a third argument`);
    const o = check.options<O>(second, fn, ['width', 'out', ...extra]);
    if (o.width === undefined) {
      throw new TypeError(`${fn}: give (gate, up) or (x, {width}); options.width is missing`);
    }
    const width = check.integer(o.width, `${fn}: options.width`, 1);
    if (gate.length % (2 * width) !== 0) {
      throw new RangeError(
        `${fn}: x must hold rows of 2·width = ${2 * width} values (gate then up), got length ${gate.length}`,
      );
    }
    const rows = gate.length / (2 * width);
    const out = check.output(o.out, rows * width, fn, [[gate, 'x']], false);
    const [op, a] = pick(o);
    return binding.gluSplit(op, gate, out, width, a);
  }) as GluFn<O>;
}

/** sigmoid(gate) ⊙ up. */
export const glu = makeGlu<GluOptions>('glu', () => [Act.sigmoid, 0]);
/** relu(gate) ⊙ up. */
export const reglu = makeGlu<GluOptions>('reglu', () => [Act.relu, 0]);
/** gelu(gate) ⊙ up, {approximate: 'none' | 'tanh'}. */
export const geglu = makeGlu<GegluOptions>(
  'geglu',
  (o) => [check.oneOf(o.approximate, 'geglu: options.approximate', ['none', 'tanh'] as const, 'none') === 'tanh' ? Act.geluTanh : Act.gelu, 0],
  ['approximate'],
);
/** silu(gate) ⊙ up: the SwiGLU gate of LLaMA-style FFNs. */
export const swiglu = makeGlu<GluOptions>('swiglu', () => [Act.silu, 1]);
/** gate ⊙ up (no activation). */
export const bilinear = makeGlu<GluOptions>('bilinear', () => [Act.identity, 0]);
