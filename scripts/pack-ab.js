#!/usr/bin/env node
'use strict';
// Two builds of the package side by side in one process, calls interleaved: the time per call of the
// packed ops of build B over build A's (docs/workers.md, "Speed"). Each root needs its dist/ and
// build/Release/swiglu.node; both addons load at once (their symbols are hidden), so the two see the
// same machine load, which on a shared VM matters more than anything measured.
//   node scripts/pack-ab.js OLD_ROOT NEW_ROOT [threads]     (SWIGLU_ISA=avx2 in front for that ISA)
const path = require('node:path');
const [rootA, rootB] = process.argv.slice(2, 4).map((p) => path.resolve(p));
if (!rootA || !rootB) { console.error('usage: node scripts/pack-ab.js OLD_ROOT NEW_ROOT [threads]'); process.exit(2); }
const load = (root) => { process.env.SWIGLU_ADDON = path.join(root, 'build', 'Release', 'swiglu.node'); return require(path.join(root, 'dist', 'lib', 'index.js')); };
const A = load(rootA), B = load(rootB);
const threads = Number(process.argv[4] || 1);
A.setNumThreads(threads);
B.setNumThreads(threads);
const IN = 1024, OUT = 2816;
const rnd = (n, s) => new Float32Array(n).map(() => ((s = (Math.imul(s, 1103515245) + 12345) >>> 0) / 2 ** 32) - 0.5);
const wg = rnd(IN * OUT, 1), wu = rnd(IN * OUT, 2), wd = rnd(IN * OUT, 3);
const both = (f) => [f(A), f(B)];
const gate = both((L) => L.packGate(wg, wu, { inFeatures: IN, outFeatures: OUT }));
const ffn = both((L) => L.packFfn({ gate: wg, up: wu, down: wd, inFeatures: IN, hiddenFeatures: OUT }));
const small = both((L) => L.packGate(rnd(64 * 64, 4), rnd(64 * 64, 5), { inFeatures: 64, outFeatures: 64 }));
const median = (a) => [...a].sort((x, y) => x - y)[a.length >> 1];
// [name, rows, op, packs, inFeatures, output width, calls per sample]
const cases = [
  ['gate 1x1024x2816', 1, (L, p) => (x, o) => L.gluMatmul(x, p, { out: o }), gate, IN, OUT, 1],
  ['gate 64x1024x2816', 64, (L, p) => (x, o) => L.gluMatmul(x, p, { out: o }), gate, IN, OUT, 1],
  ['ffn 1x1024x2816', 1, (L, p) => (x, o) => L.ffn(x, p, { out: o }), ffn, IN, IN, 1],
  ['gate 1x64x64 (per call, 100 a sample)', 1, (L, p) => (x, o) => { for (let i = 0; i < 100; i++) L.gluMatmul(x, p, { out: o }); }, small, 64, 64, 100],
];
console.log(`pack-ab: ${rootA} (old) vs ${rootB} (new); threads ${threads}; ISA ${B.isa()}; 41 samples each, interleaved, medians`);
for (const [name, m, make, [pa, pb], inF, width, per] of cases) {
  const x = rnd(m * inF, 7), o = new Float32Array(m * width);
  const fa = make(A, pa), fb = make(B, pb);
  for (let i = 0; i < 5; i++) { fa(x, o); fb(x, o); }
  const ta = [], tb = [];
  for (let i = 0; i < 41; i++) {
    for (const [f, t] of i % 2 ? [[fa, ta], [fb, tb]] : [[fb, tb], [fa, ta]]) {
      const t0 = process.hrtime.bigint();
      f(x, o);
      t.push(Number(process.hrtime.bigint() - t0) / 1e3 / per);
    }
  }
  console.log(`${name}: old ${median(ta).toFixed(2)} us, new ${median(tb).toFixed(2)} us, new/old ${(median(tb) / median(ta)).toFixed(3)}`);
}
