#!/usr/bin/env node
'use strict';
// worker_threads stress: 8 workers at a time, each running mixed sync and async ops (elementwise,
// GLU, and — when the build has them — matmul, packed gate and FFN, sync and async) for a bounded
// time, every result checked against the reference. Workers are started and exited (or terminated
// mid-op) repeatedly, so the addon's per-environment state and the process-wide thread pool must
// survive environments coming and going.
//   node test/reliability/threads.js [--seconds 6] [--workers 8] [--generations 4]
// Exit 0: all results correct, no crash. Exit 1: a wrong result or an unexpected error (printed).
const path = require('node:path');
const { Worker, isMainThread, parentPort, workerData } = require('node:worker_threads');

const ROOT = path.resolve(__dirname, '..', '..');

function arg(name, def) {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : def;
}

if (isMainThread) {
  main().catch((e) => {
    console.error(e);
    process.exit(1);
  });
} else {
  work(workerData).then(
    (r) => parentPort.postMessage(r),
    (e) => parentPort.postMessage({ error: String((e && e.stack) || e) }),
  );
}

async function main() {
  const seconds = arg('seconds', 6);
  const nWorkers = arg('workers', 8);
  const generations = arg('generations', 4);
  const t0 = Date.now();
  const sg = require(path.join(ROOT, 'dist', 'lib', 'index.js')); // the main thread uses the addon too
  const perGen = (seconds * 1000) / generations;
  let totals = { ops: 0, async: 0, workers: 0, terminated: 0 };
  const failures = [];
  for (let g = 0; g < generations; g++) {
    const genEnd = Date.now() + perGen;
    const running = new Set();
    let id = 0;
    // keep nWorkers alive; each runs for a random slice of the generation, then exits; every 5th is
    // terminated while its ops are in flight instead of finishing.
    const spawnOne = () => {
      const me = id++;
      const budget = 150 + Math.floor(Math.random() * Math.max(200, perGen / 2));
      const terminate = me % 5 === 4;
      const w = new Worker(__filename, { workerData: { seed: g * 1000 + me, ms: budget, threads: 1 + (me % 3) } });
      totals.workers++;
      const done = new Promise((resolve) => {
        let settled = false;
        const finish = () => {
          if (!settled) {
            settled = true;
            running.delete(done);
            resolve();
          }
        };
        w.on('message', (r) => {
          if (r.error) failures.push(`worker ${g}/${me}: ${r.error}`);
          else {
            totals.ops += r.ops;
            totals.async += r.async;
            failures.push(...r.failures.map((f) => `worker ${g}/${me}: ${f}`));
          }
        });
        w.on('error', (e) => failures.push(`worker ${g}/${me} error: ${(e && e.stack) || e}`));
        w.on('exit', finish);
      });
      running.add(done);
      if (terminate) {
        setTimeout(() => {
          totals.terminated++;
          w.terminate();
        }, 20 + Math.floor(Math.random() * budget));
      }
    };
    while (Date.now() < genEnd) {
      while (running.size < nWorkers && Date.now() < genEnd) spawnOne();
      // the main thread keeps computing meanwhile (its own environment, same pool)
      mainThreadOps(sg, failures);
      await Promise.race([...running, new Promise((r) => setTimeout(r, 5))]);
    }
    await Promise.all([...running]);
  }
  const secs = ((Date.now() - t0) / 1000).toFixed(1);
  console.log(`threads: ${totals.workers} workers (${totals.terminated} terminated mid-run), ${totals.ops} ops (${totals.async} async) in ${secs} s`);
  if (failures.length) {
    for (const f of failures.slice(0, 20)) console.log(`FAIL ${f}`);
    console.log(`threads: ${failures.length} failure(s)`);
    process.exit(1);
  }
  console.log('threads: ok');
}

function mainThreadOps(sg, failures) {
  const x = new Float32Array(70000).map((_, i) => Math.sin(i) * 8);
  const y = sg.silu(x);
  const r = sg.reference.silu(x);
  for (let i = 0; i < x.length; i += 997) {
    if (Math.abs(y[i] - r[i]) > 1e-6 * Math.max(1, Math.abs(r[i]))) {
      failures.push(`main thread silu at ${i}: ${y[i]} vs ${r[i]}`);
      return;
    }
  }
}

// ---- the worker ------------------------------------------------------------------------------------
async function work({ seed, ms, threads }) {
  const sg = require(path.join(ROOT, 'dist', 'lib', 'index.js'));
  const { binding } = require(path.join(ROOT, 'dist', 'lib', 'binding.js'));
  let s = seed * 2654435761 + 1;
  const rnd = () => ((s = (Math.imul(s ^ (s >>> 15), 2246822519) + 0x9e3779b9) >>> 0) / 4294967296);
  const failures = [];
  sg.setNumThreads(threads);
  const isas = binding.runnableIsas();
  const hasMatrix = typeof sg.packGate === 'function' && typeof sg.swigluMatmulAsync === 'function';
  // Packs made once per worker and shared by its sync and async ops (as a server would).
  let gate, ffn, wg, wu, wd;
  const K = 48, N = 40;
  if (hasMatrix) {
    wg = new Float32Array(K * N).map(() => rnd() - 0.5);
    wu = new Float32Array(K * N).map(() => rnd() - 0.5);
    wd = new Float32Array(K * N).map(() => rnd() - 0.5);
    gate = sg.packGate(wg, wu, { inFeatures: K, outFeatures: N });
    ffn = sg.packFfn({ gate: wg, up: wu, down: wd, inFeatures: K, hiddenFeatures: N });
  }
  const end = Date.now() + ms;
  let ops = 0, nAsync = 0;
  const inflight = [];
  while (Date.now() < end && failures.length < 5) {
    binding._testing.setIsa(isas[Math.floor(rnd() * isas.length)]);
    const kind = Math.floor(rnd() * (hasMatrix ? 6 : 3));
    const n = rnd() < 0.2 ? 65536 + Math.floor(rnd() * 40000) : 1 + Math.floor(rnd() * 3000);
    const x = new Float32Array(n).map(() => (rnd() - 0.5) * 20);
    if (kind === 0) {
      check(failures, 'silu', sg.silu(x), sg.reference.silu(x), 4);
    } else if (kind === 1) {
      check(failures, 'gelu', sg.gelu(x), sg.reference.gelu(x), 4);
    } else if (kind === 2) {
      const up = x.map((v) => v / 3);
      check(failures, 'swiglu', sg.swiglu(x, up), sg.reference.swiglu(x, up), 4.5);
    } else {
      const rows = 1 + Math.floor(rnd() * 12);
      const xm = new Float32Array(rows * K).map(() => rnd() - 0.5);
      const snapshot = Float64Array.from(xm);
      const wantGate = () => refGate(snapshot, wg, wu, rows, K, N);
      if (kind === 3) {
        closeMatrix(failures, 'swigluMatmul', sg.swigluMatmul(xm, gate), wantGate());
      } else if (kind === 4) {
        nAsync++;
        inflight.push(sg.swigluMatmulAsync(xm, gate).then((y) => closeMatrix(failures, 'swigluMatmulAsync', y, wantGate())));
      } else {
        nAsync++;
        inflight.push(sg.swigluFfnAsync(xm, ffn).then((y) => closeMatrix(failures, 'swigluFfnAsync', y, refMatmul(wantGate(), wd, rows, N, K, true))));
        const b = new Float32Array(K * N).map(() => rnd() - 0.5);
        nAsync++;
        inflight.push(sg.matmulAsync(xm, b, { m: rows, k: K, n: N }).then((y) => closeMatrix(failures, 'matmulAsync', y, refMatmul(snapshot, b, rows, K, N, false))));
      }
    }
    ops++;
    if (inflight.length > 16) await Promise.all(inflight.splice(0));
    if (ops % 64 === 0) await new Promise((r) => setImmediate(r));
  }
  await Promise.all(inflight.splice(0)).catch((e) => failures.push(`async rejected: ${e && e.message}`));
  if (gate) {
    gate.dispose();
    // ffn deliberately left to the GC / environment teardown
  }
  return { ops, async: nAsync, failures };
}

function check(failures, name, y, r, bar) {
  for (let i = 0; i < y.length; i++) {
    const ref = r[i];
    if (Number.isNaN(ref) && Number.isNaN(y[i])) continue;
    const a = Math.abs(ref);
    if (a < 2 ** -126 ? Math.abs(y[i] - ref) <= 2 ** -126 : Math.abs(y[i] - ref) <= bar * 2 ** (Math.floor(Math.log2(a)) - 23) * 1.0001) continue;
    failures.push(`${name}[${i}] = ${y[i]}, want ${ref}`);
    return;
  }
}
// The package's own float64 reference (lib/reference/matrix.ts), in this file's argument order.
function refMatmul(a, b, m, k, n, transB) {
  return require(path.join(ROOT, 'dist', 'lib', 'reference', 'matrix.js')).matmul(a, b, { m, k, n, transB });
}
function refGate(x, wg, wu, rows, K, N) {
  // nn.Linear layout [N][K]
  const g = refMatmul(x, wg, rows, K, N, true), u = refMatmul(x, wu, rows, K, N, true);
  return g.map((v, i) => (v / (1 + Math.exp(-v))) * u[i]);
}
function closeMatrix(failures, name, y, want) {
  if (y.length !== want.length) return failures.push(`${name}: length ${y.length} vs ${want.length}`);
  let maxRef = 0, num = 0, den = 0;
  for (let i = 0; i < want.length; i++) { maxRef = Math.max(maxRef, Math.abs(want[i])); num += (y[i] - want[i]) ** 2; den += want[i] ** 2; }
  for (let i = 0; i < want.length; i++) {
    if (!(Math.abs(y[i] - want[i]) <= 1e-4 * maxRef)) return failures.push(`${name}[${i}] = ${y[i]}, want ${want[i]}`);
  }
  if (den > 0 && Math.sqrt(num / den) > 1e-5) failures.push(`${name}: relative error ${Math.sqrt(num / den)}`);
}
