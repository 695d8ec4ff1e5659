#!/usr/bin/env node
'use strict';
// What N worker_threads holding one shared pack add to the process's memory (docs/workers.md).
//
//   node scripts/pack-sharing-memory.js [--in 1024] [--out 2816] [--workers 1,2,4,8] [--rounds 3] [--check]
//
// Each measurement is a fresh process: it makes one PackedGate (inFeatures x outFeatures, f32) in its
// main thread, then starts N workers of one kind, each loading the library and computing gluMatmul at
// M = 1 with its pack and holding it:
//   shared  every worker gets the main thread's pack (workerData) and computes with what it received;
//   none    every worker computes with a small pack of its own (the cost of a worker that holds no pack);
//   copied  every worker packs the same weights itself (what sharing saves: one pack per worker).
// Once all N are idle it reads the process's RSS (all threads live in it) and the C allocator's live
// bytes (glibc mallinfo2, every arena: V8 takes the SharedArrayBuffers from there), then exits. A fresh
// process each time, because glibc keeps freed per-thread arenas mapped: in one process, a round of
// 'copied' workers would raise the RSS of every round after it. Kinds alternate within each round;
// medians over the rounds:
//   shared - none  what holding the shared pack costs N workers (the bar: well under one pack's size)
//   copied - none  what N private packs cost (about N packs: the measure can see a copy)
// --check: exit 1 if shared - none reaches half a pack, in RSS or in live bytes, for any N.
const path = require('node:path');
const os = require('node:os');
const fs = require('node:fs');
const { spawnSync } = require('node:child_process');
const { Worker, isMainThread, parentPort, workerData } = require('node:worker_threads');

const LIB = path.resolve(__dirname, '..', 'dist', 'lib', 'index.js');
const MB = 2 ** 20;
const arg = (name, def) => { const i = process.argv.indexOf(`--${name}`); return i > 0 ? process.argv[i + 1] : def; };
const IN = Number(arg('in', 1024)), OUT = Number(arg('out', 2816));

if (!isMainThread) {
  // ---- a worker: compute with the pack of its kind, report, then idle holding it until the exit ----
  const sg = require(LIB);
  const { kind, pack, weights } = workerData;
  let p;
  if (kind === 'shared') p = pack;
  else if (kind === 'copied') p = sg.packGate(weights.gate, weights.up, { inFeatures: IN, outFeatures: OUT });
  else p = sg.packGate(new Float32Array(64 * 64).fill(0.01), new Float32Array(64 * 64).fill(0.02), { inFeatures: 64, outFeatures: 64 });
  const x = new Float32Array(p.inFeatures).fill(0.5);
  let sum = 0;
  for (let i = 0; i < 3; i++) sum += sg.gluMatmul(x, p)[0];
  parentPort.postMessage({ ready: true, sum });
  setInterval(() => p.inFeatures, 1 << 30); // stay alive, holding p (referenced here, or the GC may take it)
  return;
}

if (!fs.existsSync(LIB)) { console.error('pack-sharing-memory: build the library first (npx tsc -p .)'); process.exit(2); }

if (process.argv.includes('--one')) {
  // ---- one measurement: --one KIND N; prints {rss, inUse, packBytes} ----
  const i = process.argv.indexOf('--one');
  const kind = process.argv[i + 1], n = Number(process.argv[i + 2]);
  const sg = require(LIB);
  const { binding } = require(path.resolve(__dirname, '..', 'dist', 'lib', 'binding.js'));
  const gc = (require('node:v8').setFlagsFromString('--expose-gc'), require('node:vm').runInNewContext('gc'));
  // The source weights in SharedArrayBuffers: the 'copied' workers read them without a copy of their
  // own, so what they add is their pack alone.
  const rnd = (len, seed) => { let s = seed; const a = new Float32Array(new SharedArrayBuffer(len * 4)); for (let j = 0; j < len; j++) a[j] = ((s = (Math.imul(s, 1103515245) + 12345) >>> 0) / 2 ** 32) - 0.5; return a; };
  const weights = { gate: rnd(IN * OUT, 1), up: rnd(IN * OUT, 2) };
  const pack = sg.packGate(weights.gate, weights.up, { inFeatures: IN, outFeatures: OUT });
  (async () => {
    const ready = [];
    for (let j = 0; j < n; j++) {
      const data = { kind, ...(kind === 'shared' ? { pack } : {}), ...(kind === 'copied' ? { weights } : {}) };
      const w = new Worker(__filename, { workerData: data, argv: ['--in', String(IN), '--out', String(OUT)] });
      ready.push(new Promise((resolve, reject) => { w.once('message', resolve); w.once('error', reject); }));
    }
    await Promise.all(ready);
    for (let j = 0; j < 3; j++) { gc(); await new Promise((r) => setTimeout(r, 50)); }
    await new Promise((r) => setTimeout(r, 200)); // the workers' own GCs after start-up
    const m = binding._testing.mallocStats();
    console.log(JSON.stringify({ rss: process.memoryUsage().rss, inUse: m ? m.inUse : null, packBytes: pack.byteLength }));
    process.exit(0);
  })().catch((e) => { console.error(e); process.exit(1); });
  return;
}

// ---- the driver ----
const COUNTS = String(arg('workers', '1,2,4,8')).split(',').map(Number);
const ROUNDS = Number(arg('rounds', 3));
const CHECK = process.argv.includes('--check');
const median = (a) => { const s = [...a].sort((x, y) => x - y); return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2; };
function one(kind, n) {
  const r = spawnSync(process.execPath, [__filename, '--one', kind, String(n), '--in', String(IN), '--out', String(OUT)], { encoding: 'utf8', env: process.env });
  if (r.status !== 0) throw new Error(`pack-sharing-memory --one ${kind} ${n} failed:\n${r.stdout}${r.stderr}`);
  return JSON.parse(r.stdout.trim().split('\n').pop());
}

// The CPU as lscpu names it (model name, family, model), where /proc/cpuinfo says.
let cpu = os.cpus()[0]?.model ?? 'unknown CPU';
try {
  const info = fs.readFileSync('/proc/cpuinfo', 'utf8');
  const field = (k) => (info.match(new RegExp(`^${k}\\s*:\\s*(.*)$`, 'm')) || [])[1];
  if (field('model name')) cpu = `${field('model name').trim()} (family ${field('cpu family')}, model ${field('model')})`;
} catch { /* not Linux */ }

// One pack's weights (gate and up, f32): the unit of the 'as packs' columns and of the bar. The buffer
// (byteLength) is up to 2 MiB longer: alignment slack that is never resident.
const weightBytes = 2 * IN * OUT * 4;
const rows = [];
let packBytes = 0, fail = false;
for (const n of COUNTS) {
  const got = { shared: [], none: [], copied: [] };
  for (let r = 0; r < ROUNDS; r++) {
    for (const kind of r % 2 ? ['copied', 'none', 'shared'] : ['shared', 'none', 'copied']) {
      const m = one(kind, n);
      packBytes = m.packBytes;
      got[kind].push(m);
    }
  }
  const d = (kind, key) => (got[kind][0][key] === null ? NaN : median(got[kind].map((m) => m[key])) - median(got.none.map((m) => m[key])));
  const row = { n, rss: d('shared', 'rss'), inUse: d('shared', 'inUse'), rssCopied: d('copied', 'rss'), inUseCopied: d('copied', 'inUse') };
  rows.push(row);
  if (row.rss >= weightBytes / 2 || row.inUse >= weightBytes / 2) fail = true;
}
const sg = require(LIB);
console.log(`pack-sharing-memory: one PackedGate ${IN}x${OUT} f32: ${(weightBytes / MB).toFixed(1)} MiB of weights (buffer ${(packBytes / MB).toFixed(1)} MiB); ${cpu}; Node ${process.version}; ISA ${sg.isa()}; ` +
  `fresh process per measurement, medians of ${ROUNDS} rounds`);
const f = (v, div = MB) => (Number.isNaN(v) ? 'n/a' : (v / div).toFixed(div === MB ? 1 : 2));
console.log('| workers | shared − none: RSS (MiB) | live C-heap bytes (MiB) | as packs (RSS) | copied − none: RSS (MiB) | live (MiB) | as packs (RSS) |');
console.log('| ---: | ---: | ---: | ---: | ---: | ---: | ---: |');
for (const r of rows) {
  console.log(`| ${r.n} | ${f(r.rss)} | ${f(r.inUse)} | ${f(r.rss, weightBytes)} | ${f(r.rssCopied)} | ${f(r.inUseCopied)} | ${f(r.rssCopied, weightBytes)} |`);
}
if (CHECK && fail) { console.log('pack-sharing-memory: FAIL, N workers on the shared pack added half a pack or more'); process.exit(1); }
