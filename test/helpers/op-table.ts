// The native table of activations (native/runtime/activation_list.h) as lib reads it: lib/activation-table.ts,
// generated from it. test/op-table.test.ts checks that file against the header and against the compiled
// addon's table (_testing.activations()); the suites hold each case to the bars here.
import { ACTIVATIONS, type ActivationInfo } from '../../lib/activation-table';
import type { ActName } from '../../lib/ops';

export { ACTIVATIONS };

/** The row of activation `name`; throws if the table has none. */
export function activation(name: ActName): ActivationInfo {
  const row = ACTIVATIONS.find((r) => r.name === name);
  if (!row) throw new Error(`native/runtime/activation_list.h has no activation '${name}'`);
  return row;
}
