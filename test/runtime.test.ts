// Dispatch, SWIGLU_ISA, the load error, thread settings and worker_threads. Child processes load
// the compiled package (dist/, built by `npm test` before vitest runs) with their own environment.
import { execFileSync, spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { Worker } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import * as sg from '../lib';
import { binding } from '../lib/binding';

const ROOT = path.resolve(__dirname, '..');
const DIST = path.join(ROOT, 'dist', 'lib', 'index.js');

function childIsa(env: Record<string, string>): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, ['-e', `console.log(require(${JSON.stringify(DIST)}).isa())`], {
    env: { ...process.env, ...env },
    encoding: 'utf8',
  });
  return { status: r.status, stdout: r.stdout.trim(), stderr: r.stderr };
}

describe('dispatch', () => {
  it('picks the best runnable ISA by default', () => {
    const runnable = sg.runnableIsas();
    expect(runnable).toContain('scalar');
    expect(childIsa({ SWIGLU_ISA: '' }).stdout).toBe(runnable.at(-1));
  });

  it.each(binding.runnableIsas())('SWIGLU_ISA=%s forces that ISA at load', (isa) => {
    const r = childIsa({ SWIGLU_ISA: isa });
    expect(r.status).toBe(0);
    expect(r.stdout).toBe(isa);
  });

  it('an unknown or unrunnable SWIGLU_ISA is a clear Error at load, not a crash', () => {
    const bogus = childIsa({ SWIGLU_ISA: 'sse9' });
    expect(bogus.status).toBe(1);
    expect(bogus.stderr).toMatch(/SWIGLU_ISA=sse9 is not one of scalar, avx2, avx512, neon/);
    const foreign = process.arch === 'arm64' ? 'avx2' : 'neon';
    const r = childIsa({ SWIGLU_ISA: foreign });
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(new RegExp(`SWIGLU_ISA=${foreign} cannot run here`));
  });

  it('a missing addon says how to rebuild it', () => {
    const r = childIsa({ SWIGLU_ADDON: path.join(ROOT, 'no-such-dir', 'swiglu.node') });
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/cannot load the native addon/);
    expect(r.stderr).toMatch(/npm rebuild swiglu/);
    expect(r.stderr).toMatch(/cmake/);
  });
});

describe('threads', () => {
  it('defaults to the cores available and accepts 1..maxThreads', () => {
    expect(sg.getNumThreads()).toBe(binding._testing.availableCores());
    const saved = sg.getNumThreads();
    sg.setNumThreads(3);
    expect(sg.getNumThreads()).toBe(3);
    sg.setNumThreads(saved);
  });

  // CPU time of the whole process over 300 ms of a JS busy loop, right after a burst of 2-thread calls.
  function cpuMsAfterBurst(): number {
    const x = new Float32Array(1 << 20).fill(0.5);
    for (let i = 0; i < 50; i++) sg.silu(x);
    const before = process.cpuUsage();
    const t0 = Date.now();
    while (Date.now() - t0 < 300) {
      /* idle on the JS thread only */
    }
    const used = process.cpuUsage(before);
    return (used.user + used.system) / 1000;
  }

  it('keeps no worker busy between calls (the pool sleeps after a burst)', () => {
    const saved = sg.getNumThreads();
    sg.setNumThreads(2);
    try {
      // The default: helpers poll up to 200 µs between the calls of a burst, then go to sleep.
      expect(sg.getSpinWait()).toBe(200);
      // one thread busy-waiting here ≈ 300 ms of CPU; a spinning pool worker would add as much again
      expect(cpuMsAfterBurst()).toBeLessThan(450);
      sg.setSpinWait(0);
      expect(sg.getSpinWait()).toBe(0);
      expect(cpuMsAfterBurst()).toBeLessThan(450);
      sg.setSpinWait(1000);
      expect(sg.getSpinWait()).toBe(1000);
      expect(cpuMsAfterBurst()).toBeLessThan(450);
    } finally {
      sg.setSpinWait(200);
      sg.setNumThreads(saved);
    }
  });

  // Small calls run on the calling thread alone when the helpers sleep (waking one costs more than it
  // saves), and on the pool in a burst of calls, where the helpers poll between calls (runtime/gemm.h
  // kMinBurstPoolFlops, addon/chunking.h kBurstParallelMinElements).
  // A burst of 40 calls of `op` on 2 threads, with the helpers sleeping after every call (spin wait 0)
  // and polling between calls (the default): pooled jobs only while they poll, every result the bits of
  // the 1-thread call. Each call writes an `out` allocated before the burst, so that no allocation (slow
  // under ASan) stretches the gap between calls past the burst's 200 µs.
  function checkBurstSplit(op: (out: Float32Array) => Float32Array, length: number): void {
    const saved = sg.getNumThreads();
    const burst = (): { jobs: number; results: Float32Array[] } => {
      const results = Array.from({ length: 40 }, () => new Float32Array(length));
      const before = binding._testing.pooledJobs();
      for (const out of results) op(out);
      return { jobs: binding._testing.pooledJobs() - before, results };
    };
    try {
      sg.setNumThreads(1);
      const one = op(new Float32Array(length));
      sg.setNumThreads(2);
      sg.setSpinWait(0);
      const asleep = burst();
      sg.setSpinWait(200);
      const polling = burst();
      expect(asleep.jobs).toBe(0);
      // Most of the burst's calls: one that follows a gap past 200 µs (the machine held this thread) runs alone.
      if (binding._testing.availableCores() >= 2) expect(polling.jobs).toBeGreaterThanOrEqual(10);
      const same = (y: Float32Array) => Buffer.compare(Buffer.from(y.buffer), Buffer.from(one.buffer)) === 0;
      expect([...asleep.results, ...polling.results].every(same)).toBe(true);
    } finally {
      sg.setSpinWait(200);
      sg.setNumThreads(saved);
    }
  }

  // 100K elements: on the calling thread alone while the helpers sleep (below 256K), split in a burst.
  it.each([
    ['silu', (x: Float32Array, out: Float32Array) => sg.silu(x, { out }), 100000],
    ['swiglu, split form', (x: Float32Array, out: Float32Array) => sg.swiglu(x, { width: 2000, out }), 200000],
  ] as const)('splits 100K-element calls (%s) in a burst only while the helpers poll, with the same results', (_, op, n) => {
    const x = Float32Array.from({ length: n }, (_, i) => (i % 3001) / 100 - 15);
    checkBurstSplit((out) => op(x, out), 100000);
  });

  // A one-row gate of 0.7 MFLOP (native/runtime/gemm.h: below 4 MFLOP while the helpers sleep).
  it('splits small GEMMs in a burst of calls only while the helpers poll, with the same results', () => {
    const d = 256, h = 704;
    const w = (seed: number) => Float32Array.from({ length: h * d }, (_, i) => Math.sin(i * 0.37 + seed) * 0.1);
    const packed = sg.packGate(w(1), w(2), { inFeatures: d, outFeatures: h });
    const x = Float32Array.from({ length: d }, (_, i) => Math.cos(i * 0.11));
    try {
      checkBurstSplit((out) => sg.swigluMatmul(x, packed, { out }), h);
    } finally {
      packed.dispose();
    }
  });

  // runtime/thread_placement.h: a helper woken onto its caller's busy CPU waited there for
  // milliseconds, so the pool keeps its helpers off the caller's CPU. Read back from /proc in a child
  // (its own pool): after a 2-thread call, a helper may run on every CPU the process may use but one.
  // Pinned to one CPU (taskset), the helper keeps that CPU, and results stay right.
  it.runIf(process.platform === 'linux')('keeps its helpers off the calling thread\'s CPU (Linux)', () => {
    const script = `
      const fs = require('node:fs');
      const sg = require(${JSON.stringify(DIST)});
      const count = (list) => list.trim().split(',').reduce((n, r) => { const [a, b] = r.split('-').map(Number); return n + (b === undefined ? 1 : b - a + 1); }, 0);
      const allowed = (dir) => count(/Cpus_allowed_list:\\s*(\\S+)/.exec(fs.readFileSync(dir + '/status', 'utf8'))[1]);
      sg.setNumThreads(2);
      const x = new Float32Array(1 << 20).map((_, i) => (i % 1000) / 100 - 5);
      const y = sg.silu(x);
      let ok = true;
      for (let i = 0; i < x.length; i += 997) ok = ok && Math.abs(y[i] - x[i] / (1 + Math.exp(-x[i]))) <= 1e-6 * (1 + Math.abs(x[i]));
      const tasks = fs.readdirSync('/proc/self/task').map((t) => allowed('/proc/self/task/' + t));
      console.log(JSON.stringify({ process: allowed('/proc/self'), tasks, ok }));`;
    const run = (prefix: string[]) => {
      const r = spawnSync(prefix[0] ?? process.execPath, [...prefix.slice(1), ...(prefix.length ? [process.execPath] : []), '-e', script], { encoding: 'utf8' });
      expect(r.status, r.stderr).toBe(0);
      return JSON.parse(r.stdout) as { process: number; tasks: number[]; ok: boolean };
    };
    const free = run([]);
    expect(free.ok).toBe(true);
    if (free.process >= 2) expect(free.tasks.filter((n) => n === free.process - 1).length, JSON.stringify(free)).toBeGreaterThanOrEqual(1);
    const hasTaskset = spawnSync('taskset', ['--version']).status === 0;
    if (hasTaskset) {
      const pinned = run(['taskset', '-c', '0']);
      expect(pinned.ok).toBe(true);
      expect(pinned.process).toBe(1);
      expect(pinned.tasks.every((n) => n === 1), JSON.stringify(pinned)).toBe(true);
    }
  });

  // native/runtime/pool.h: a caller that has taken every task does not wait for a helper that has not
  // joined. Pinned to one CPU, the helper cannot run while its caller computes, so the caller does the
  // whole job and withdraws the helper's place; results stay those of one thread.
  it.runIf(process.platform === 'linux' && spawnSync('taskset', ['--version']).status === 0)(
    'does not wait for a helper that has not joined when every task is taken (one CPU)',
    () => {
      const script = `
        const sg = require(${JSON.stringify(DIST)});
        const t = require(${JSON.stringify(path.join(path.dirname(DIST), 'binding.js'))}).binding._testing;
        const x = new Float32Array(1 << 20).map((_, i) => (i % 1000) / 100 - 5);
        sg.setNumThreads(1);
        const one = sg.gelu(x);
        sg.setNumThreads(2);
        const before = t.withdrawnHelpers();
        let same = true;
        for (let i = 0; i < 20; i++) same = same && Buffer.compare(Buffer.from(sg.gelu(x).buffer), Buffer.from(one.buffer)) === 0;
        console.log(JSON.stringify({ same, withdrawn: t.withdrawnHelpers() - before }));`;
      const r = spawnSync('taskset', ['-c', '0', process.execPath, '-e', script], { encoding: 'utf8' });
      expect(r.status, r.stderr).toBe(0);
      const got = JSON.parse(r.stdout) as { same: boolean; withdrawn: number };
      expect(got.same).toBe(true);
      expect(got.withdrawn, JSON.stringify(got)).toBeGreaterThanOrEqual(1);
    },
  );

  it('gives the same results with the spin wait on and off', () => {
    const saved = sg.getNumThreads();
    sg.setNumThreads(2);
    const x = new Float32Array(300001);
    for (let i = 0; i < x.length; i++) x[i] = (i % 4001) / 200 - 10;
    try {
      sg.setSpinWait(0);
      const off = sg.gelu(x);
      sg.setSpinWait(200);
      const same = (y: Float32Array) => Buffer.compare(Buffer.from(y.buffer), Buffer.from(off.buffer)) === 0;
      for (let i = 0; i < 5; i++) expect(same(sg.gelu(x))).toBe(true);
    } finally {
      sg.setSpinWait(200);
      sg.setNumThreads(saved);
    }
  });

  it('rejects a spin wait outside [0, maxSpinWait] or not an integer', () => {
    expect(() => sg.setSpinWait(-1)).toThrow(RangeError);
    expect(() => sg.setSpinWait(binding.maxSpinWait + 1)).toThrow(/setSpinWait: microseconds must be an integer in \[0, 10000\], got 10001/);
    expect(() => sg.setSpinWait(1.5)).toThrow(RangeError);
    expect(() => sg.setSpinWait('100' as unknown as number)).toThrow(TypeError);
    expect(() => binding.setSpinWait(-5)).toThrow(RangeError); // the native layer checks too
    expect(sg.getSpinWait()).toBe(200);
  });

  it('is safe when several worker_threads load the addon and exit, repeatedly', async () => {
    const code = `
      const { parentPort, workerData } = require('node:worker_threads');
      const sg = require(${JSON.stringify(DIST)});
      sg.setNumThreads(workerData.threads);
      const x = new Float32Array(200000);
      for (let i = 0; i < x.length; i++) x[i] = (i % 2001) / 100 - 10;
      let bad = 0;
      for (let round = 0; round < 5; round++) {
        const y = sg.silu(x);
        const g = sg.swiglu(x, x);
        for (let i = 0; i < x.length; i += 997) {
          const r = sg.reference.scalar.silu(x[i]);
          if (Math.abs(y[i] - r) > 1e-6 * Math.max(1, Math.abs(r))) bad++;
          if (Math.abs(g[i] - r * x[i]) > 1e-6 * Math.max(1, Math.abs(r * x[i]))) bad++;
        }
      }
      parentPort.postMessage({ bad, isa: sg.isa() });
    `;
    for (let wave = 0; wave < 3; wave++) {
      const results = await Promise.all(
        Array.from({ length: 4 }, (_, i) =>
          new Promise<{ bad: number; isa: string }>((resolve, reject) => {
            const w = new Worker(code, { eval: true, workerData: { threads: 1 + (i % 2) } });
            w.once('message', resolve);
            w.once('error', reject);
          }),
        ),
      );
      for (const r of results) {
        expect(r.bad).toBe(0);
        expect(r.isa).toBe(sg.isa());
      }
    }
    // the main thread's environment is unaffected by the workers' settings and exits
    expect(sg.silu(new Float32Array([1]))[0]).toBeCloseTo(0.7310586, 6);
  });
});
