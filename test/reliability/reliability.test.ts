// Reliability checks that need a process of their own (a crash must fail one check loudly, not
// take the runner down): the seeded fuzzer, the worker_threads stress, async lifetime and RSS.
// Each runs the compiled library (dist/lib: `npm run build`) in a child Node; SWIGLU_ADDON, and under
// scripts/test-asan.sh the sanitizer preload, pass through the environment. Sizes are CI-sized;
// SWIGLU_RELIABILITY_SCALE=N multiplies them.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = path.resolve(__dirname, '..', '..');
const ASAN = (process.env.LD_PRELOAD ?? '').includes('asan');
const SCALE = Number(process.env.SWIGLU_RELIABILITY_SCALE ?? 1) * (ASAN ? 0.4 : 1);
const BUILT = fs.existsSync(path.join(ROOT, 'dist', 'lib', 'index.js'));

function run(script: string, args: string[], timeoutMs: number) {
  const r = spawnSync(process.execPath, ['--expose-gc', path.join(ROOT, script), ...args], {
    encoding: 'utf8',
    timeout: timeoutMs,
    env: process.env,
  });
  const output = `${r.stdout ?? ''}${r.stderr ?? ''}`;
  return { ok: r.status === 0, output: output.length > 8000 ? output.slice(-8000) : output, signal: r.signal };
}

describe.skipIf(!BUILT)('reliability (child processes over dist/lib)', () => {
  it('fuzzer: only TypeError/RangeError or correct results, no crash', () => {
    const calls = String(Math.round(3000 * SCALE));
    const r = run('scripts/fuzz.js', ['--calls', calls, '--seed', '1', '--shard', String(Math.ceil(Number(calls) / 2))], 240_000);
    expect(r.ok, r.output).toBe(true);
  }, 250_000);

  it('8 worker_threads: mixed sync/async ops correct while workers come and go', () => {
    const r = run('test/reliability/threads.js', ['--seconds', String(Math.max(2, Math.round(4 * SCALE))), '--workers', '8', '--generations', '2'], 120_000);
    expect(r.ok, r.output).toBe(true);
  }, 130_000);

  it('async lifetime: detached inputs and disposed packs mid-op', () => {
    const r = run('test/reliability/async-lifetime.js', ['--rounds', String(Math.max(5, Math.round(40 * SCALE)))], 120_000);
    expect(r.ok, r.output).toBe(true);
  }, 130_000);

  it.skipIf(ASAN)('RSS within 10 MB after 10^6 small calls and 10^3 pack/dispose cycles', () => {
    const r = run('test/reliability/memory.js', [], 120_000);
    expect(r.ok, r.output).toBe(true);
  }, 130_000);

  it('every op on every runnable ISA against the reference (the check the emulated runs use)', () => {
    const r = run('test/reliability/ops-check.js', ['--all-isas'], 120_000);
    expect(r.ok, r.output).toBe(true);
  }, 130_000);
});
