// What the matrix modules share and do not export from the package: the option values of layouts and
// fused activations, and the naming of async errors.
import type { ActIndex } from './binding-types';
import * as check from './check';
import type { FusedActivation } from './matrix';
import { Act } from './ops';

export const LAYOUTS = ['out-in', 'in-out'] as const;
export const ACTIVATIONS = ['silu', 'gelu', 'gelu-tanh', 'relu', 'sigmoid', 'identity'] as const;
export const ACT_INDEX: Record<FusedActivation, ActIndex> = {
  silu: Act.silu,
  gelu: Act.gelu,
  'gelu-tanh': Act.geluTanh,
  relu: Act.relu,
  sigmoid: Act.sigmoid,
  identity: Act.identity,
};

/**
 * Awaits a native async op so that its rejection reads like every other error of `fn`. The native
 * side names only the argument ("out was detached …" when `out` is transferred while the op runs;
 * an allocation failure names nothing): `out` found detached here is that case, reported as
 * `options.out` (only a caller's own `out` can be transferred); any other rejection keeps its class
 * and message with `fn: ` in front. The native error is kept as the cause.
 */
export async function named<T>(fn: string, pending: Promise<T>, out: Float32Array): Promise<T> {
  try {
    return await pending;
  } catch (err) {
    if (check.isDetached(out)) {
      throw new TypeError(`${fn}: options.out was detached (its ArrayBuffer was transferred) while the operation ran`, { cause: err });
    }
    if (!(err instanceof Error) || err.message.startsWith(`${fn}: `)) throw err;
    const Class = err instanceof TypeError ? TypeError : err instanceof RangeError ? RangeError : Error;
    throw new Class(`${fn}: ${err.message}`, { cause: err });
  }
}

