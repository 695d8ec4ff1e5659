// The native table of activations (native/runtime/activation_list.h), read through the addon's
// _testing.activations(): the bars the suites hold each case to, and what test/op-table.test.ts checks
// lib/ops.ts, lib's default parameters, the cases and the bench's lists against.
import type { ActivationRow } from '../../lib/binding-types';
import type { ActName } from '../../lib/ops';
import { _testing } from '../../lib/testing';

export const ACTIVATIONS: readonly ActivationRow[] = _testing.activations();

/** The row of activation `name`; throws if the native table has none. */
export function activation(name: ActName): ActivationRow {
  const row = ACTIVATIONS.find((r) => r.name === name);
  if (!row) throw new Error(`native/runtime/activation_list.h has no activation '${name}'`);
  return row;
}
