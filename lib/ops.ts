// The activations' names and N-API indices (Act), generated from the native table
// (native/runtime/activation_list.h) into lib/activation-table.ts.
import { Act, type ActName } from './activation-table';
export { Act, type ActName };

// Domains of the scale parameters (see check.scale): the kernels split them into float hi/lo pairs;
// slope/alpha down to the smallest normal float, beta down to 2^-20 (below it the kernels' argument
// reduction for beta·x loses the low part). Up to 2^64 for all: far beyond any real use.
export const SLOPE_MIN = 2 ** -126;
export const BETA_MIN = 2 ** -20;
export const SCALE_MAX = 2 ** 64;

// The GLU family, op(gate, up) = act(gate) ⊙ up: each op's gate activation (a key of Act) and the
// parameter passed with it (the activation's default in native/runtime/activation_list.h: silu's
// beta = 1). geglu with options.approximate 'tanh' takes approximateTanh instead of act. The one place
// this mapping is written: lib/glu.ts and lib/backward.ts read it through gluGate, the bench's GLU rows
// derive from it, and test/op-table.test.ts checks it against the native table, the bench's plain-JS
// loops and the fuzzer's models (scripts/fuzz.js), which are written independently.
export const GLU_GATES = {
  glu: { act: 'sigmoid', a: 0 },
  reglu: { act: 'relu', a: 0 },
  geglu: { act: 'gelu', a: 0, approximateTanh: 'geluTanh' },
  swiglu: { act: 'silu', a: 1 },
  bilinear: { act: 'identity', a: 0 },
} as const satisfies Record<string, { act: ActName; a: number; approximateTanh?: ActName }>;
export type GluName = keyof typeof GLU_GATES;

/** The gate activation of GLU op `name` (its approximateTanh form if `tanh` and it has one). */
export function gluGateName(name: GluName, tanh = false): ActName {
  const g: { act: ActName; approximateTanh?: ActName } = GLU_GATES[name];
  return tanh && g.approximateTanh !== undefined ? g.approximateTanh : g.act;
}

/** The GLU op whose gate is activation `act`, and whether as its approximateTanh form; null if none is. */
export function gluOfGate(act: ActName): { name: GluName; tanh: boolean } | null {
  for (const tanh of [false, true]) {
    for (const name of Object.keys(GLU_GATES) as GluName[]) if (gluGateName(name, tanh) === act) return { name, tanh };
  }
  return null;
}

/** The native activation index and parameter that GLU op `name` passes to the addon. */
export function gluGate(name: GluName, tanh = false): readonly [number, number] {
  return [Act[gluGateName(name, tanh)], GLU_GATES[name].a];
}

/** How the public API reaches an activation: a function of lib/activations.ts and the options that pick it. */
export interface PublicForm {
  /** The function's name (its gradient is `${fn}Backward`). */
  fn: string;
  options: { approximate?: 'tanh' };
}

/**
 * The public form of activation `name`: the function of the same name, or for a tanh approximation
 * `xTanh` the function `x` with approximate 'tanh' (geluTanh: gelu); null for identity, the bilinear
 * GLU's gate, which has no elementwise function. The tests and the bench reach every activation of the
 * table through this rule; test/op-table.test.ts checks each form against the kernel.
 */
export function publicForm(name: ActName): PublicForm | null {
  if (name === 'identity') return null;
  const tanhForm = /^(.+)Tanh$/.exec(name);
  return tanhForm ? { fn: tanhForm[1], options: { approximate: 'tanh' } } : { fn: name, options: {} };
}

/** The name packGate's `activation` and the bench give an activation: kebab case (geluTanh: 'gelu-tanh'). */
export function kebabName(name: ActName): string {
  return name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
}

/** The activation of a kebab-case name ('gelu-tanh': geluTanh); the caller checks that it is one. */
export function camelName(name: string): ActName {
  return name.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase()) as ActName;
}
