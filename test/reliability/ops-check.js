#!/usr/bin/env node
'use strict';
// Every op against the float64 reference on the ISA the dispatcher picked, for runs under emulation
// (qemu-aarch64 with Debian's arm64 Node 18, qemu-x86_64 -cpu Nehalem/Haswell-v4). Plain Node ≥ 18,
// no test runner; loads dist/lib (SWIGLU_ADDON picks the addon build).
//   node test/reliability/ops-check.js --expect-isa neon [--n 4096] [--all-isas]
// --all-isas: also every other ISA in runnableIsas() (via the binding's _testing.setIsa hook).
const path = require('node:path');
const arg = (name, def) => { const i = process.argv.indexOf(`--${name}`); return i > 0 ? process.argv[i + 1] : def; };
const EXPECT = arg('expect-isa', '');
const N = Number(arg('n', 4096));
const t0 = Date.now();
const sg = require(path.resolve(__dirname, '..', '..', 'dist', 'lib', 'index.js'));
const { binding } = require(path.resolve(__dirname, '..', '..', 'dist', 'lib', 'binding.js'));
const R = sg.reference.scalar;
const failures = [];
const fail = (m) => failures.push(m);

const picked = sg.isa();
console.log(`ops-check: node ${process.version} ${process.arch}, isa() = ${picked}, runnable = ${sg.runnableIsas().join(',')}, threads = ${sg.getNumThreads()}`);
if (EXPECT && picked !== EXPECT) fail(`isa() is '${picked}', expected '${EXPECT}'`);

// inputs: specials, a dense sweep of the interesting range, random bit patterns (every binade)
const SPECIALS = [NaN, Infinity, -Infinity, 0, -0, 1, -1, 2 ** -149, -(2 ** -149), 2 ** -126, -(2 ** -126), 1e-30, -1e-30,
  3.4028234663852886e38, -3.4028234663852886e38, 3, -3, 6, -6, 20, -20, 88.7, -88.7, 103.9, -103.9, 9.1, -9.1, 0.5, -0.5];
function inputs(n) {
  const x = new Float32Array(n + SPECIALS.length);
  const u = new Uint32Array(x.buffer);
  let s = 0x9e3779b9;
  for (let i = 0; i < n; i++) {
    if (i % 2 === 0) x[i] = -12 + (24 * i) / n;
    else {
      s ^= s << 13; s >>>= 0; s ^= s >>> 17; s ^= s << 5; s >>>= 0;
      u[i] = (s & 0x7f800000) === 0x7f800000 ? s & 0xff7fffff : s;
    }
  }
  x.set(SPECIALS, n);
  return x;
}
function ulpErr(y, r) {
  if (Number.isNaN(r) || Number.isNaN(y)) return Number.isNaN(r) && Number.isNaN(y) ? 0 : Infinity;
  const rf = Math.fround(r);
  if (!Number.isFinite(rf) || !Number.isFinite(y)) return y === rf ? 0 : Infinity;
  const e = Math.abs(y - r), a = Math.abs(r);
  if (a < 2 ** -126 && e <= 2 ** -126) return 0;
  let ex = Math.floor(Math.log2(a));
  if (2 ** ex > a) ex--; else if (2 ** (ex + 1) <= a) ex++;
  return e / 2 ** (Math.max(ex, -126) - 23);
}
function within(name, y, want, bar, xs, slack) {
  let worst = 0, at = -1;
  for (let i = 0; i < want.length; i++) {
    if (slack && Math.abs(y[i] - want[i]) <= slack(i)) continue;
    const e = ulpErr(y[i], want[i]);
    if (e > worst) { worst = e; at = i; }
  }
  if (worst > bar) fail(`${name}: ${worst.toFixed(2)} ULP > ${bar} at x=${xs[at]}: got ${y[at]}, want ${want[at]}`);
}
const UNARY = [
  ['relu', (x) => sg.relu(x), (v) => R.relu(v), 0], ['relu6', (x) => sg.relu6(x), (v) => R.relu6(v), 0],
  ['leakyRelu(0.2)', (x) => sg.leakyRelu(x, { slope: 0.2 }), (v) => R.leakyRelu(v, 0.2), 1],
  ['sigmoid', (x) => sg.sigmoid(x), (v) => R.sigmoid(v), 4], ['tanh', (x) => sg.tanh(x), (v) => R.tanh(v), 4],
  ['silu', (x) => sg.silu(x), (v) => R.silu(v, 1), 4], ['swish(1.5)', (x) => sg.swish(x, { beta: 1.5 }), (v) => R.silu(v, 1.5), 4],
  ['gelu', (x) => sg.gelu(x), (v) => R.gelu(v), 4], ['gelu(tanh)', (x) => sg.gelu(x, { approximate: 'tanh' }), (v) => R.geluTanh(v), 4],
  ['quickGelu', (x) => sg.quickGelu(x), (v) => R.quickGelu(v), 4],
  ['softplus', (x) => sg.softplus(x), (v) => R.softplus(v, 1, 20), 4], ['softplus(2,10)', (x) => sg.softplus(x, { beta: 2, threshold: 10 }), (v) => R.softplus(v, 2, 10), 4],
  ['mish', (x) => sg.mish(x), (v) => R.mish(v), 8], ['elu(0.5)', (x) => sg.elu(x, { alpha: 0.5 }), (v) => R.elu(v, 0.5), 4],
  ['selu', (x) => sg.selu(x), (v) => R.selu(v), 4], ['hardSigmoid', (x) => sg.hardSigmoid(x), (v) => R.hardSigmoid(v), 4],
  ['hardSwish', (x) => sg.hardSwish(x), (v) => R.hardSwish(v), 4],
];
const GLU = [['glu', (v) => R.sigmoid(v), 4.5], ['reglu', (v) => R.relu(v), 0.5], ['geglu', (v) => R.gelu(v), 4.5], ['swiglu', (v) => R.silu(v, 1), 4.5], ['bilinear', (v) => v, 0.5]];

// The package's own float64 reference (lib/reference/matrix.ts), in this file's argument order.
function refMatmul(a, b, m, k, n, transB) {
  return sg.reference.matmul(a, b, { m, k, n, transB });
}
function closeM(name, y, want) {
  let maxRef = 0, num = 0, den = 0;
  for (let i = 0; i < want.length; i++) { maxRef = Math.max(maxRef, Math.abs(want[i])); num += (y[i] - want[i]) ** 2; den += want[i] ** 2; }
  if (y.length !== want.length) return fail(`${name}: length ${y.length} vs ${want.length}`);
  for (let i = 0; i < want.length; i++) if (!(Math.abs(y[i] - want[i]) <= 1e-4 * maxRef)) return fail(`${name}[${i}] = ${y[i]}, want ${want[i]}`);
  if (den > 0 && Math.sqrt(num / den) > 1e-5) fail(`${name}: relative error ${Math.sqrt(num / den)}`);
}

async function checkIsa(isa) {
  const before = failures.length;
  const x = inputs(N);
  // odd offset view, so the kernels' unaligned head/tail paths run too
  const xv = new Float32Array(x.length + 3).subarray(3);
  xv.set(x);
  for (const [name, f, r, bar] of UNARY) within(`${isa} ${name}`, f(xv), Array.from(x, r), bar, x);
  const up = Float32Array.from(x, (v, i) => (Number.isFinite(v) ? ((i % 13) - 6) / 3 : 1));
  for (const [name, act, bar] of GLU) {
    within(`${isa} ${name}`, sg[name](xv, up), Array.from(x, (v, i) => act(v) * up[i]), bar, x, (i) => 2 ** -126 * Math.abs(up[i]));
    const w = 37, rows = 5, s = new Float32Array(rows * 2 * w).map((_, i) => Math.sin(i) * 6);
    const y = sg[name](s, { width: w });
    const want = [];
    for (let r = 0; r < rows; r++) for (let j = 0; j < w; j++) want.push(act(s[r * 2 * w + j]) * s[r * 2 * w + w + j]);
    within(`${isa} ${name} split`, y, want, bar, Array.from({ length: want.length }, (_, i) => s[Math.floor(i / w) * 2 * w + (i % w)]), (i) => 2 ** -126 * Math.abs(s[Math.floor(i / w) * 2 * w + w + (i % w)]));
  }
  if (typeof sg.packGate === 'function') {
    let st = 7;
    const rnd = () => ((st = (Math.imul(st ^ (st >>> 15), 2246822519) + 0x9e3779b9) >>> 0) / 4294967296 - 0.5);
    for (const [m, k, n] of [[1, 64, 48], [7, 33, 65], [16, 128, 96]]) {
      const a = new Float32Array(m * k).map(rnd), b = new Float32Array(k * n).map(rnd);
      closeM(`${isa} matmul ${m}x${k}x${n}`, sg.matmul(a, b, { m, k, n }), refMatmul(a, b, m, k, n, false));
      closeM(`${isa} matmulAsync ${m}x${k}x${n}`, await sg.matmulAsync(a, b, { m, k, n }), refMatmul(a, b, m, k, n, false));
      const wg = new Float32Array(k * n).map(rnd), wu = new Float32Array(k * n).map(rnd), wd = new Float32Array(k * n).map(rnd);
      const g = refMatmul(a, wg, m, k, n, true), u = refMatmul(a, wu, m, k, n, true);
      const h = g.map((v, i) => (v / (1 + Math.exp(-v))) * u[i]);
      const p = sg.packGate(wg, wu, { inFeatures: k, outFeatures: n });
      closeM(`${isa} swigluMatmul ${m}x${k}x${n}`, sg.swigluMatmul(a, p), h);
      closeM(`${isa} swigluMatmulAsync ${m}x${k}x${n}`, await sg.swigluMatmulAsync(a, p), h);
      p.dispose();
      const pf = sg.packFfn({ gate: wg, up: wu, down: wd, inFeatures: k, hiddenFeatures: n });
      const yf = refMatmul(h, wd, m, n, k, true);
      closeM(`${isa} swigluFfn ${m}x${k}x${n}`, sg.swigluFfn(a, pf), yf);
      closeM(`${isa} swigluFfnAsync ${m}x${k}x${n}`, await sg.swigluFfnAsync(a, pf), yf);
      pf.dispose();
      // bf16 weights: the same path with Uint16Array bits (rounded weights: compare with those)
      const toBf16 = (w) => Uint16Array.from(w, (v) => new Uint32Array(new Float32Array([v]).buffer)[0] >>> 16);
      const fromBf16 = (b16) => Float32Array.from(b16, (v) => new Float32Array(new Uint32Array([v << 16]).buffer)[0]);
      const bg = toBf16(wg), bu = toBf16(wu);
      const gb = refMatmul(a, fromBf16(bg), m, k, n, true), ub = refMatmul(a, fromBf16(bu), m, k, n, true);
      const pb = sg.packGate(bg, bu, { inFeatures: k, outFeatures: n, dtype: 'bf16' });
      closeM(`${isa} swigluMatmul bf16 ${m}x${k}x${n}`, sg.swigluMatmul(a, pb), gb.map((v, i) => (v / (1 + Math.exp(-v))) * ub[i]));
      pb.dispose();
    }
  }
  // The fused backward passes (every epilogue: kGluGrad, kGluSave, kActSave, kScale), both
  // layouts, GLU and plain, sync and async, against the float64 reference.
  const backward = typeof sg.ffnBackward === 'function';
  if (backward) {
    let st = 11;
    const rnd = () => ((st = (Math.imul(st ^ (st >>> 15), 2246822519) + 0x9e3779b9) >>> 0) / 4294967296 - 0.5);
    for (const [m, k, n, layout, activation] of [[1, 33, 17, 'out-in', 'silu'], [13, 40, 37, 'in-out', 'gelu'], [29, 65, 50, 'out-in', 'relu']]) {
      const x = new Float32Array(m * k).map(rnd), wg = new Float32Array(k * n).map(rnd), wu = new Float32Array(k * n).map(rnd);
      const wd = new Float32Array(k * n).map(rnd), dh = new Float32Array(m * n).map(rnd), dy = new Float32Array(m * k).map(rnd);
      const shape = `${m}x${k}x${n} ${layout} ${activation}`;
      const go = { inFeatures: k, outFeatures: n, layout, activation };
      const gw = sg.reference.gluMatmulBackward(x, wg, wu, dh, go);
      for (const [form, r] of [['', sg.gluMatmulBackward(x, wg, wu, dh, go)], ['Async', await sg.gluMatmulBackwardAsync(x, wg, wu, dh, go)]]) {
        for (const key of ['dx', 'dWGate', 'dWUp']) closeM(`${isa} gluMatmulBackward${form} ${shape} ${key}`, r[key], gw[key]);
      }
      const fo = { inFeatures: k, hiddenFeatures: n, layout, activation };
      for (const w of [{ gate: wg, up: wu, down: wd }, { up: wu, down: wd }]) {
        const fw = sg.reference.ffnBackward(x, w, dy, fo);
        const keys = w.gate ? ['dx', 'dGate', 'dUp', 'dDown'] : ['dx', 'dUp', 'dDown'];
        for (const [form, r] of [['', sg.ffnBackward(x, w, dy, fo)], ['Async', await sg.ffnBackwardAsync(x, w, dy, fo)]]) {
          for (const key of keys) closeM(`${isa} ffnBackward${form} ${w.gate ? 'GLU' : 'plain'} ${shape} ${key}`, r[key], fw[key]);
        }
      }
    }
  }
  console.log(`ops-check: ${isa}: ${UNARY.length} activations, ${GLU.length} GLU ops (both forms)${typeof sg.packGate === 'function' ? ', matmul/gate/FFN sync+async, bf16 gate' : ''}${backward ? ', gate/FFN backward sync+async' : ''}: ${failures.length === before ? 'ok' : 'FAILED'}`);
}

(async () => {
  await checkIsa(picked);
  if (process.argv.includes('--all-isas')) {
    for (const isa of sg.runnableIsas()) if (isa !== picked) { binding._testing.setIsa(isa); await checkIsa(isa); }
    binding._testing.setIsa(picked);
  }
  console.log(`ops-check: ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  if (failures.length) {
    for (const f of failures.slice(0, 30)) console.log(`FAIL ${f}`);
    process.exit(1);
  }
})().catch((e) => { console.error(e); process.exit(1); });
