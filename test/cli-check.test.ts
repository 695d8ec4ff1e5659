// swiglu-bench --check: the exit status follows the run's verdicts (1 if any is below its bar, else 0),
// after the results are printed. The benchmark itself is replaced by a canned report (bench/run is
// mocked), so a verdict below its bar is forced, never timed, and no addon is loaded.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Report, Verdict } from '../bench/report/types';

const canned = vi.hoisted(() => ({ verdicts: [] as Verdict[], runs: 0 }));
vi.mock('../bench/run', () => ({
  validate: () => undefined,
  run: async () => {
    canned.runs++;
    return { tool: 'swiglu-bench', verdicts: canned.verdicts, notes: [] } as unknown as Report;
  },
}));

import { USAGE } from '../bench/args';
import { main } from '../bench/cli';

function verdict(id: string, meets: boolean | null): Verdict {
  return { id, bar: `${id} bar`, value: meets === null ? null : 1, target: 1, unit: '×', meets, source: 'the performance bars' };
}

let stdout = '';
let stderr = '';
beforeEach(() => {
  stdout = '';
  stderr = '';
  canned.runs = 0;
  vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => ((stdout += String(chunk)), true));
  vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => ((stderr += String(chunk)), true));
});
afterEach(() => {
  vi.restoreAllMocks();
});

describe('swiglu-bench --check', () => {
  it('exits 1 when a verdict is below its bar, after printing the results, and names it on stderr', async () => {
    canned.verdicts = [verdict('in-cache/silu', true), verdict('gate-peak/256x1024x2816/f32/1T', false), verdict('round-trip', null)];
    const code = await main(['gate', '--json', '--check']);
    expect(code).toBe(1);
    expect(JSON.parse(stdout).verdicts).toHaveLength(3); // the figures are out before the verdict
    expect(stderr).toBe(
      'swiglu-bench: --check: 1 of 3 bars met; 1 below: gate-peak/256x1024x2816/f32/1T; 1 not checked in this run: round-trip\n',
    );
  });

  it('exits 0 when every bar is met or could not be checked', async () => {
    canned.verdicts = [verdict('in-cache/silu', true), verdict('round-trip', null)];
    expect(await main(['activations', '--json', '--check'])).toBe(0);
    expect(stderr).toBe('swiglu-bench: --check: 1 of 2 bars met; 1 not checked in this run: round-trip\n');
  });

  it('exits 0 on a run that judged no bar, and says so', async () => {
    canned.verdicts = [];
    expect(await main(['glu', '--json', '--check'])).toBe(0);
    expect(stderr).toBe('swiglu-bench: --check: this run judged no bar\n');
  });

  it('without --check a bar below leaves the exit status 0 and stderr silent', async () => {
    canned.verdicts = [verdict('in-cache/silu', false)];
    expect(await main(['activations', '--json'])).toBe(0);
    expect(stderr).toBe('');
  });

  it('is a usage error with machine (which judges no bar), before anything runs', async () => {
    expect(await main(['machine', '--check'])).toBe(2);
    expect(stderr).toMatch(/^swiglu-bench: --check: machine measures the rooflines and judges no bar\nusage: /);
    expect(canned.runs).toBe(0);
  });

  it('is in --help', () => {
    expect(USAGE).toMatch(/^ {2}--check {10}exit with status 1 if any bar of the run is below/m);
  });
});
