// What the matrix modules share and do not export from the package: the option values of layouts and
// fused activations, and the naming of async errors.
import type { ActIndex } from './binding-types';
import * as check from './check';
import { FUSED_ACTIVATIONS } from './activation-table';
import type { FusedActivation } from './matrix';
import { Act, camelName } from './ops';

export const LAYOUTS = ['out-in', 'in-out'] as const;
/** The fused activations (the native table's), by the names packGate takes, and their native indices. */
export const ACTIVATIONS = FUSED_ACTIVATIONS;
export const ACT_INDEX = Object.fromEntries(FUSED_ACTIVATIONS.map((a) => [a, Act[camelName(a)]])) as Record<FusedActivation, ActIndex>;

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

