#!/usr/bin/env node
'use strict';
// Async lifetime of the matrix ops (the …Async twins):
//  - an input or `out` detached (its ArrayBuffer transferred) while the op runs: the promise rejects
//    (TypeError/RangeError) or resolves with a correct result; never a crash or a read of freed memory
//    (run it under ASan: scripts/test-asan.sh does);
//  - a PackedGate / PackedFfn disposed while ops on it are in flight: they complete correctly (the
//    native side keeps the pack alive until the op ends); later use is an error, not a crash;
//  - packs dropped (never disposed) while ops run, with GCs forced meanwhile.
//   node --expose-gc test/reliability/async-lifetime.js [--rounds 200]
// Skips (exit 0, says so) when the build has no async matrix ops yet.
const path = require('node:path');
const { spawnSync } = require('node:child_process');

if (typeof global.gc !== 'function') {
  const r = spawnSync(process.execPath, ['--expose-gc', __filename, ...process.argv.slice(2)], { stdio: 'inherit' });
  process.exit(r.status === null ? 1 : r.status);
}
const i = process.argv.indexOf('--rounds');
const ROUNDS = i > 0 ? Number(process.argv[i + 1]) : 200;
const sg = require(path.resolve(__dirname, '..', '..', 'dist', 'lib', 'index.js'));
if (!['matmulAsync', 'swigluMatmulAsync', 'swigluFfnAsync', 'packGate', 'packFfn'].every((k) => typeof sg[k] === 'function')) {
  console.log('async-lifetime: skipped (this build has no async matrix ops)');
  process.exit(0);
}

let s = 12345;
const rnd = () => ((s = (Math.imul(s ^ (s >>> 15), 2246822519) + 0x9e3779b9) >>> 0) / 4294967296);
const detach = (a) => structuredClone(a.buffer, { transfer: [a.buffer] });
const failures = [];
const fail = (m) => failures.length < 20 && failures.push(m);

// The package's own float64 reference (lib/reference/matrix.ts), in this file's argument order.
function refMatmul(a, b, m, k, n, transB) {
  return sg.reference.matmul(a, b, { m, k, n, transB });
}
const refGate = (x, wg, wu, rows, K, N) => {
  const g = refMatmul(x, wg, rows, K, N, true), u = refMatmul(x, wu, rows, K, N, true);
  return g.map((v, i) => (v / (1 + Math.exp(-v))) * u[i]);
};
function close(name, y, want) {
  if (y.length !== want.length) return fail(`${name}: length ${y.length}, want ${want.length}`);
  let maxRef = 0;
  for (const v of want) maxRef = Math.max(maxRef, Math.abs(v));
  for (let i = 0; i < want.length; i++) if (!(Math.abs(y[i] - want[i]) <= 1e-4 * maxRef)) return fail(`${name}[${i}] = ${y[i]}, want ${want[i]}`);
}
// A settled op: a correct result, or a TypeError/RangeError rejection (when `mayReject`).
async function outcome(name, p, want, mayReject) {
  try {
    const y = await p;
    if (want) close(name, y, want());
    return 'resolved';
  } catch (e) {
    if (!mayReject) fail(`${name}: rejected ${e && e.constructor.name}: ${e && e.message}`);
    else if (!(e instanceof TypeError || e instanceof RangeError)) fail(`${name}: rejected with ${e && e.constructor.name}: ${e && e.message}`);
    return 'rejected';
  }
}

(async () => {
  const t0 = Date.now();
  const counts = {};
  const tally = (k) => (counts[k] = (counts[k] || 0) + 1);
  for (let round = 0; round < ROUNDS; round++) {
    const K = 32 + Math.floor(rnd() * 200), N = 16 + Math.floor(rnd() * 300), rows = 1 + Math.floor(rnd() * 64);
    const wg = new Float32Array(K * N).map(() => rnd() - 0.5), wu = new Float32Array(K * N).map(() => rnd() - 0.5);
    const wd = new Float32Array(K * N).map(() => rnd() - 0.5);
    const gate = sg.packGate(wg, wu, { inFeatures: K, outFeatures: N });
    const ffn = sg.packFfn({ gate: wg, up: wu, down: wd, inFeatures: K, hiddenFeatures: N });
    const mk = () => new Float32Array(rows * K).map(() => rnd() - 0.5);
    const ops = [];
    // 1. x detached while swigluMatmulAsync runs
    { const x = mk(), xs = Float64Array.from(x);
      const p = sg.swigluMatmulAsync(x, gate); detach(x);
      ops.push(outcome('swigluMatmulAsync/x detached', p, () => refGate(xs, wg, wu, rows, K, N), true).then((o) => tally(`x detached: ${o}`))); }
    // 2. out detached while it runs
    { const x = mk(), out = new Float32Array(rows * N);
      const p = sg.swigluMatmulAsync(x, gate, { out }); detach(out);
      ops.push(outcome('swigluMatmulAsync/out detached', p, null, true).then((o) => tally(`out detached: ${o}`))); }
    // 3. matmul: a, b or out detached while it runs
    { const a = mk(), b = new Float32Array(K * N).map(() => rnd() - 0.5), out = new Float32Array(rows * N);
      const as = Float64Array.from(a), bs = Float64Array.from(b);
      const which = ['a', 'b', 'out'][round % 3];
      const p = sg.matmulAsync(a, b, { m: rows, k: K, n: N, out });
      detach({ a, b, out }[which]);
      ops.push(outcome(`matmulAsync/${which} detached`, p, which === 'out' ? null : () => refMatmul(as, bs, rows, K, N, false), true).then((o) => tally(`matmul ${which} detached: ${o}`))); }
    // 4. the pack disposed while ops on it are in flight: they must complete correctly
    { const xs = [mk(), mk(), mk()], snaps = xs.map((x) => Float64Array.from(x));
      const ps = xs.map((x) => sg.swigluMatmulAsync(x, gate));
      const pf = sg.swigluFfnAsync(xs[0].slice(), ffn);
      gate.dispose(); ffn.dispose();
      if (rnd() < 0.5) global.gc();
      ps.forEach((p, j) => ops.push(outcome('swigluMatmulAsync/pack disposed during', p, () => refGate(snaps[j], wg, wu, rows, K, N), false).then(() => tally('disposed during: resolved'))));
      ops.push(outcome('swigluFfnAsync/pack disposed during', pf, () => refMatmul(refGate(snaps[0], wg, wu, rows, K, N), wd, rows, N, K, true), false).then(() => tally('ffn disposed during: resolved')));
      // afterwards: an error, never a crash
      try { sg.swigluMatmul(mk(), gate); fail('swigluMatmul on a disposed pack did not throw'); } catch { tally('use after dispose: threw'); }
      ops.push(sg.swigluFfnAsync(mk(), ffn).then(() => fail('swigluFfnAsync on a disposed pack resolved'), () => tally('async use after dispose: rejected'))); }
    // 5. a pack dropped without dispose while its op runs; GC forced
    { const x = mk(), xs = Float64Array.from(x);
      let p;
      { const tmp = sg.packGate(wg, wu, { inFeatures: K, outFeatures: N }); p = sg.swigluMatmulAsync(x, tmp); }
      global.gc();
      ops.push(outcome('swigluMatmulAsync/pack dropped', p, () => refGate(xs, wg, wu, rows, K, N), false).then(() => tally('pack dropped: resolved'))); }
    await Promise.all(ops);
  }
  global.gc();
  const secs = ((Date.now() - t0) / 1000).toFixed(1);
  console.log(`async-lifetime: ${ROUNDS} rounds in ${secs} s: ${Object.entries(counts).map(([k, v]) => `${k} ${v}`).join(', ')}`);
  if (failures.length) {
    for (const f of failures) console.log(`FAIL ${f}`);
    process.exit(1);
  }
  console.log('async-lifetime: ok');
})().catch((e) => { console.error(e); process.exit(1); });
