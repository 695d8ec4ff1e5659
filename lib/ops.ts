// The activations' names and N-API indices (Act) and the GLU family's gates (GLU_GATES), generated from
// the native table (native/runtime/activation_list.h) into lib/activation-table.ts; the rules lib, the
// tests and the bench use to reach them.
import { Act, type ActName, GLU_GATES } from './activation-table';
export { Act, type ActName, GLU_GATES };

// Domains of the scale parameters (see check.scale): the kernels split them into float hi/lo pairs;
// slope/alpha down to the smallest normal float, beta down to 2^-20 (below it the kernels' argument
// reduction for beta·x loses the low part). Up to 2^64 for all: far beyond any real use.
export const SLOPE_MIN = 2 ** -126;
export const BETA_MIN = 2 ** -20;
export const SCALE_MAX = 2 ** 64;

// The GLU family's gates (GLU_GATES: each op's gate activation, its parameter, its approximate 'tanh'
// form), generated from native/runtime/activation_list.h's SWIGLU_GLU_OPS: lib/glu.ts and lib/backward.ts
// read them through gluGate, the bench's GLU rows derive from them, and test/op-table.test.ts checks them
// against the bench's plain-JS loops and the fuzzer's models (scripts/fuzz.js), written independently.
export type GluName = keyof typeof GLU_GATES;

/** The gate activation of GLU op `name` (its approximateTanh form if `tanh` and it has one). */
export function gluGateName(name: GluName, tanh = false): ActName {
  const g: { act: ActName; approximateTanh?: ActName } = GLU_GATES[name];
  return tanh && g.approximateTanh !== undefined ? g.approximateTanh : g.act;
}

/** One form of a GLU op: the op, and whether with approximate 'tanh' (geglu's tanh form). */
export interface GluForm {
  op: GluName;
  tanh: boolean;
  /** The options that pick it: {} or {approximate: 'tanh'}. */
  options: { approximate?: 'tanh' };
  /** Its gate's activation. */
  act: ActName;
}

/** Every GLU op, and after it its approximate 'tanh' form where it has one: what the tests and the bench run. */
export const GLU_FORMS: readonly GluForm[] = (Object.keys(GLU_GATES) as GluName[]).flatMap((op) =>
  (gluGateName(op, true) !== gluGateName(op) ? [false, true] : [false]).map((tanh): GluForm => ({
    op,
    tanh,
    options: tanh ? { approximate: 'tanh' } : {},
    act: gluGateName(op, tanh),
  })),
);

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
