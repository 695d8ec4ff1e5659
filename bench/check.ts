// swiglu-bench --check: the run's verdicts as an exit status, so that a script or CI job can fail on a
// bar below. A verdict that could not be checked in this run (meets: null, e.g. no FMA peak measured)
// is not below its bar: it is counted apart and named, never taken as a failure or a pass.
import type { Verdict } from './report/types';

export interface CheckResult {
  /** 1 if any verdict is below its bar, else 0. */
  code: 0 | 1;
  /** One line for stderr: how many bars were met, and the ids of those below or not checked. */
  line: string;
}

export function checkVerdicts(verdicts: readonly Verdict[]): CheckResult {
  const below = verdicts.filter((v) => v.meets === false);
  const unchecked = verdicts.filter((v) => v.meets === null);
  const met = verdicts.length - below.length - unchecked.length;
  const parts = [`${met} of ${verdicts.length} bars met`];
  if (below.length) parts.push(`${below.length} below: ${below.map((v) => v.id).join(', ')}`);
  if (unchecked.length) parts.push(`${unchecked.length} not checked in this run: ${unchecked.map((v) => v.id).join(', ')}`);
  const line = verdicts.length === 0 ? 'swiglu-bench: --check: this run judged no bar' : `swiglu-bench: --check: ${parts.join('; ')}`;
  return { code: below.length ? 1 : 0, line };
}
