#!/usr/bin/env node
'use strict';
// Seeded fuzzer of swiglu's public API (and of the raw binding, the native last line of defence).
//
//   node scripts/fuzz.js                       # 120,000 calls, seed 1, 2 child processes
//   node scripts/fuzz.js --calls 5000 --seed 7 # the CI size
//   node scripts/fuzz.js --seed 7 --replay 1234  # re-run one call in this process, printing it
//   options: --jobs N  --shard N (calls per child, default 10000)  --timeout S (per child)
//            --verbose  --huge (also one valid in-place op over 2^31+ floats: touches 8 GiB, ~30 s)
//   env: SWIGLU_FUZZ_PLAIN_WEIGHTS=1 keeps SharedArrayBuffer-backed weights out of packGate/packFfn
//        (only to look past that known bug while it is open)
//
// Every call is generated from (seed, index) alone, so any call can be replayed by itself. The calls
// run in child processes: a crash (signal, abort, sanitizer report) or a hang is caught by the parent
// and reported with the seed, the index and the call. The rules a call must obey:
//   - it returns a result that matches the float64 reference (within the README's accuracy bars), that is
//     the `out` it was given (if any), and it wrote nothing outside `out` (canaries around views);
//   - or it throws a TypeError or RangeError (when the fuzzer injected exactly one fault, of the
//     class the README names: TypeError for a wrong type / missing option, RangeError for a wrong
//     length, shape, value or overlap);
//   - a call the fuzzer considers valid must not throw; a call it considers invalid must not succeed.
// Loads the compiled library (dist/lib, `npx tsc -p .`); SWIGLU_ADDON picks another build of the addon.
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { spawn } = require('node:child_process');
const { isFloat32Array: isF32 } = require('node:util').types;

const ROOT = path.resolve(__dirname, '..');

// ---- arguments ------------------------------------------------------------------------------------
function parseArgs(argv) {
  const a = { calls: 120000, seed: 1, jobs: Math.min(2, os.availableParallelism?.() ?? 2), shard: 10000, timeout: 0,
    child: false, start: 0, progress: '', replay: -1, verbose: false, huge: false, maxFailures: 20 };
  for (let i = 0; i < argv.length; i++) {
    const k = argv[i];
    const next = () => {
      if (i + 1 >= argv.length) throw new Error(`${k} needs a value`);
      return argv[++i];
    };
    switch (k) {
      case '--calls': a.calls = Number(next()); break;
      case '--seed': a.seed = Number(next()); break;
      case '--jobs': a.jobs = Number(next()); break;
      case '--shard': a.shard = Number(next()); break;
      case '--timeout': a.timeout = Number(next()); break;
      case '--child': a.child = true; break;
      case '--start': a.start = Number(next()); break;
      case '--progress': a.progress = next(); break;
      case '--replay': a.replay = Number(next()); break;
      case '--verbose': a.verbose = true; break;
      case '--huge': a.huge = true; break;
      case '--max-failures': a.maxFailures = Number(next()); break;
      case '-h': case '--help':
        console.log(fs.readFileSync(__filename, 'utf8').split('\n').slice(1, 8).map((l) => l.replace(/^\/\/ ?/, '')).join('\n'));
        process.exit(0);
      default: throw new Error(`unknown argument ${k}`);
    }
  }
  for (const k of ['calls', 'seed', 'jobs', 'shard', 'start']) {
    if (!Number.isSafeInteger(a[k]) || a[k] < 0) throw new Error(`--${k} must be a non-negative integer`);
  }
  if (a.jobs < 1 || a.shard < 1) throw new Error('--jobs and --shard must be >= 1');
  return a;
}

// ---- deterministic randomness -----------------------------------------------------------------------
function splitmix(x) {
  // 53-bit safe mixing of (seed, index) into a 32-bit state
  let h = (x ^ 0x9e3779b9) >>> 0;
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b) >>> 0;
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35) >>> 0;
  return (h ^ (h >>> 16)) >>> 0;
}
class Rng {
  constructor(seed, index) {
    this.s = [splitmix(seed), splitmix(index + 0x1234567), splitmix(seed * 31 + index), splitmix(index ^ 0xdeadbeef) | 1];
    for (let i = 0; i < 12; i++) this.u32();
  }
  u32() { // sfc32
    let [a, b, c, d] = this.s;
    const t = (((a + b) >>> 0) + d) >>> 0;
    d = (d + 1) >>> 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) >>> 0;
    c = ((c << 21) | (c >>> 11)) >>> 0;
    c = (c + t) >>> 0;
    this.s = [a >>> 0, b, c, d];
    return t;
  }
  float() { return this.u32() / 4294967296; }
  int(lo, hi) { return lo + Math.floor(this.float() * (hi - lo + 1)); } // inclusive
  bool(p = 0.5) { return this.float() < p; }
  pick(arr) { return arr[Math.floor(this.float() * arr.length)]; }
  weighted(pairs) { // [[weight, value], ...]
    let total = 0;
    for (const [w] of pairs) total += w;
    let r = this.float() * total;
    for (const [w, v] of pairs) if ((r -= w) < 0) return v;
    return pairs[pairs.length - 1][1];
  }
  normal() {
    const u = Math.max(this.float(), 1e-12), v = this.float();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  }
}

// ---- accuracy ---------------------------------------------------------------------------------------
const MIN_NORMAL = 2 ** -126;
const FLT_MAX = 3.4028234663852886e38;
function ulpOf(r) {
  const a = Math.abs(r);
  if (a === 0) return 2 ** -149;
  let e = Math.floor(Math.log2(a));
  if (2 ** e > a) e--; else if (2 ** (e + 1) <= a) e++;
  return 2 ** (Math.max(e, -126) - 23);
}
// ULP error of float32 y against float64 r (the README's Accuracy rules); slack: extra absolute error accepted.
function ulpError(y, r, slack = 0) {
  if (Number.isNaN(r) || Number.isNaN(y)) return Number.isNaN(r) && Number.isNaN(y) ? 0 : Infinity;
  const rf = Math.fround(r);
  if (!Number.isFinite(rf) || !Number.isFinite(y)) return y === rf ? 0 : Infinity;
  const err = Math.abs(y - r);
  if (err <= slack) return 0;
  if (Math.abs(r) < MIN_NORMAL && err <= MIN_NORMAL) return 0;
  return err / ulpOf(r);
}
function fmt(v) { return Object.is(v, -0) ? '-0' : String(v); }

// ---- the library ------------------------------------------------------------------------------------
function loadLib() {
  const dist = path.join(ROOT, 'dist', 'lib', 'index.js');
  if (!fs.existsSync(dist)) throw new Error(`${dist} is missing: run \`npx tsc -p .\` (npm run build) first`);
  const sg = require(dist);
  const { binding } = require(path.join(ROOT, 'dist', 'lib', 'binding.js'));
  const table = require(path.join(ROOT, 'dist', 'lib', 'activation-table.js'));
  UNARY = unaryModels(table);
  const { rootsOf } = require(path.join(ROOT, 'dist', 'lib', 'reference', 'roots.js'));
  return { sg, binding, R: sg.reference.scalar, D: sg.reference.derivative, rootsOf };
}

// ---- input construction -----------------------------------------------------------------------------
const SPECIALS = [NaN, -NaN, Infinity, -Infinity, 0, -0, 1, -1, 2 ** -149, -(2 ** -149), 2 ** -126, -(2 ** -126), 1e-30,
  -1e-30, 1e-7, -1e-7, FLT_MAX, -FLT_MAX, 1e30, -1e30, 3, -3, 6, -6, 20, -20, 88.7, -88.7, 87.3, -87.3, 103.9, -103.9,
  9.1, -9.1, 14, -14, 20.1, -20.1, 0.5, -0.5];
const CANARY = 0x7fc0dead; // a NaN bit pattern no kernel produces

// The true length of a Float32Array. An own `length` property may lie (see fakeLength), and Node 20's
// V8 (11.3) can report a stale non-zero `length` for a detached view in optimised code once
// resizable-buffer views are about (reproduced in pure JS, no addon involved), so byteLength decides.
const TA = Object.getPrototypeOf(Float32Array.prototype);
const lengthGetter = Object.getOwnPropertyDescriptor(TA, 'length').get;
const byteLengthGetter = Object.getOwnPropertyDescriptor(TA, 'byteLength').get;
const realLength = (a) => Math.min(lengthGetter.call(a), byteLengthGetter.call(a) / a.BYTES_PER_ELEMENT);

// A float64 copy of a Float32Array, taken before the call (in-place calls overwrite the input).
const snap = (a) => (realLength(a) === 0 ? new Float64Array(0) : Float64Array.from(a));

class Ctx {
  constructor(rng, lib, opts) {
    this.rng = rng;
    this.lib = lib;
    this.opts = opts;
    this.guards = []; // {u32: Uint32Array over the whole buffer, ranges: [[lo, hi)] of u32 indices that may change}
  }
  length(small = false) {
    const r = this.rng;
    if (small) return r.weighted([[6, r.int(0, 17)], [3, r.int(18, 130)], [1, r.int(131, 1100)]]);
    return r.weighted([[45, r.int(0, 20)], [20, r.int(21, 140)], [20, r.int(141, 5000)],
      [6, r.pick([65535, 65536, 65537, 65536 + 63, 70001])], [3, r.int(5001, 150000)], [1, r.int(150001, 300000)]]);
  }
  fill(a, mode) {
    const r = this.rng;
    mode = mode || r.weighted([[4, 'normal'], [2, 'wide'], [2, 'mixed'], [1, 'bits'], [1, 'specials']]);
    const n = realLength(a);
    if (n === 0) return mode;
    if (mode === 'bits') {
      const u = new Uint32Array(a.buffer, a.byteOffset, n);
      for (let i = 0; i < n; i++) u[i] = r.u32();
      return mode;
    }
    const scale = mode === 'wide' ? 30 : r.pick([0.5, 1, 3, 8]);
    for (let i = 0; i < n; i++) {
      if (mode === 'specials' || (mode === 'mixed' && r.bool(0.15))) a[i] = r.pick(SPECIALS);
      else a[i] = r.normal() * scale;
    }
    return mode;
  }
  fillModerate(a) { // GLU `up`: finite, mostly moderate
    const r = this.rng;
    for (let i = 0, n = realLength(a); i < n; i++) a[i] = r.bool(0.02) ? r.pick(SPECIALS) : r.normal() * r.pick([0.5, 2, 8]);
  }
  // A Float32Array of n floats on a random backing store; bytes around it are canaries.
  array(n, label, kindHint) {
    const r = this.rng;
    const kind = kindHint || r.weighted([[5, 'plain'], [5, 'offset'], [2, 'sab'], [1, 'resizable'], [1, 'growable'],
      [1, 'tracking'], [this.opts.big ? 1 : 0, 'big']]);
    const pre = r.int(0, 17), post = r.int(0, 9);
    let a;
    switch (kind) {
      case 'plain': a = new Float32Array(n); break;
      case 'sab': a = new Float32Array(new SharedArrayBuffer((pre + n + post) * 4), pre * 4, n); break;
      case 'resizable': a = new Float32Array(new ArrayBuffer((pre + n + post) * 4, { maxByteLength: (pre + n + post) * 8 + 64 }), pre * 4, n); break;
      case 'growable': a = new Float32Array(new SharedArrayBuffer((pre + n + post) * 4, { maxByteLength: (pre + n + post) * 8 + 64 }), pre * 4, n); break;
      case 'tracking': a = new Float32Array(new ArrayBuffer((pre + n) * 4, { maxByteLength: (pre + n) * 8 + 64 }), pre * 4); break;
      case 'big': {
        if (n > 8192) return this.array(n, label, 'offset');
        a = new Float32Array(this.bigBuffer(), this.bigSlot(n + 32) * 4 + 16 * 4, n);
        break;
      }
      default: a = new Float32Array(new ArrayBuffer((pre + n + post) * 4), pre * 4, n);
    }
    if (kind !== 'plain' && kind !== 'tracking') this.guard(a, kind === 'big' ? 16 : pre, kind === 'big' ? 16 : post);
    a.__desc = `${label}=F32(${n})${kind === 'plain' ? '' : '@' + kind + '+' + a.byteOffset / 4}`;
    return a;
  }
  guard(a, pre, post) {
    const u = new Uint32Array(a.buffer, a.byteOffset - pre * 4, pre + a.length + post);
    for (let i = 0; i < pre; i++) u[i] = CANARY;
    for (let i = pre + a.length; i < u.length; i++) u[i] = CANARY;
    this.guards.push({ u, pre, n: a.length, post, desc: () => a.__desc });
  }
  checkGuards() {
    for (const g of this.guards) {
      // Skip buffers detached or shrunk since (by the call or an evil getter). Read byteLength of the
      // buffer rather than the view's length: optimised code has been seen to report a stale view
      // length after a transfer.
      const buf = g.u.buffer;
      if (buf.byteLength === 0 || g.pre + g.n + g.post === 0 || buf.byteLength < g.u.byteOffset + (g.pre + g.n + g.post) * 4) continue;
      const u = new Uint32Array(buf, g.u.byteOffset, g.pre + g.n + g.post);
      const info = (i) => `(index ${i - g.pre}: 0x${u[i].toString(16)}; buffer ${buf.byteLength} bytes)`;
      for (let i = 0; i < g.pre; i++) if (u[i] !== CANARY) return `wrote before ${g.desc()} ${info(i)}`;
      for (let i = g.pre + g.n; i < u.length; i++) if (u[i] !== CANARY) return `wrote past ${g.desc()} ${info(i)}`;
    }
    return null;
  }
  // A Float32Array that had n floats, its buffer since transferred away (length 0 now).
  detachedArray(n, label) {
    const a = new Float32Array(new ArrayBuffer(n * 4 + 8), 4, n);
    this.detach(a);
    a.__desc = `${label}=F32(${n})(detached)`;
    return a;
  }
  bigBuffer() {
    // 8 GiB + a little of address space: views at byte offsets beyond 2^32 and lengths beyond 2^31
    // floats. Pages are committed only where written, so this costs almost no memory.
    if (!Ctx.big) Ctx.big = new ArrayBuffer(2 ** 33 + 4096);
    return Ctx.big;
  }
  bigSlot(n) { // a float index near the end of the big buffer, past 2^32 bytes; disjoint per call
    const top = (2 ** 33 + 4096) / 4;
    this.bigUsed = (this.bigUsed || this.rng.int(0, 3) * 16384 + 16) + n + this.rng.int(0, 40);
    return top - this.bigUsed;
  }
  detach(a) {
    if (a.buffer instanceof SharedArrayBuffer || a.buffer === Ctx.big) return false;
    structuredClone(a.buffer, { transfer: [a.buffer] });
    return true;
  }
}

// Wrong-typed values for a Float32Array argument (all must give TypeError).
function wrongArray(ctx, n) {
  const r = ctx.rng;
  return r.pick([
    () => [new Float64Array(n), 'Float64Array'], () => [new Int32Array(n), 'Int32Array'], () => [new Uint16Array(n), 'Uint16Array'],
    () => [new Uint8Array(n * 4), 'Uint8Array'], () => [new DataView(new ArrayBuffer(n * 4)), 'DataView'],
    () => [Array.from({ length: n }, () => 1), 'Array'], () => [new ArrayBuffer(n * 4), 'ArrayBuffer'], () => [null, 'null'],
    () => [undefined, 'undefined'], () => [42, '42'], () => ['abc', 'string'], () => [{ length: n }, '{length}'],
    () => [new Proxy(new Float32Array(n), {}), 'Proxy(F32)'], () => [Symbol('x'), 'Symbol'], () => [10n, 'BigInt'],
    () => [Object.create(Float32Array.prototype), 'Object.create(F32.prototype)'], () => [() => 0, 'function'],
    () => [new (typeof Float16Array === 'function' ? Float16Array : Float64Array)(n), 'Float16/64Array'],
  ])();
}

// A Float32Array whose own `length` lies (the JS layer sees it, the native layer sees the truth).
function fakeLength(ctx, a) {
  const lie = ctx.rng.pick([2 ** 31 - 1, 2 ** 31, 2 ** 31 + 1, 2 ** 32, 2 ** 32 + 1, 2 ** 53, -1, NaN, 1.5, a.length + 1,
    Math.max(0, a.length - 1), a.length * 2 + 2, Infinity]);
  Object.defineProperty(a, 'length', { value: lie });
  a.__desc += `{length:${lie}}`;
  return lie;
}

// ---- the op models ------------------------------------------------------------------------------------
// A generated call: { desc, run(): result|Promise, expect: 'ok'|'TypeError'|'RangeError'|'error'|'any',
//                     check(result): string|null }
// 'error' = must throw TypeError or RangeError (several faults); 'any' = no promise beyond "no crash".

const f32 = Math.fround;

function numParam(ctx, spec, name) {
  // spec: {lo, hi, positive?}. Returns {value, present, fault, effective}.
  const r = ctx.rng;
  const roll = r.float();
  if (roll < 0.3) return { present: false, effective: spec.def };
  if (roll < 0.8) {
    let v = r.weighted([[6, f32(spec.lo + (spec.hi - spec.lo) * r.float())], [1, spec.def], [1, r.pick([0, -0, 1, -1, 2, 0.5])]]);
    if (spec.positive && !(v > 0)) v = spec.def;
    return { present: true, value: v, effective: v };
  }
  if (roll < 0.88) {
    // extreme but finite: the JS layer accepts these; beyond float32's range they must be refused
    const v = r.pick([1e30, -1e30, 3e38, -3e38, FLT_MAX, 1e39, -1e39, 1e300, -1e300, Number.MAX_VALUE, 1e-30, 1e-45, 1e-300,
      5e-324, 2 ** -20, -(2 ** -20), 2 ** -21, 1e-7, 1e-5, 100, -100, 1e6, 2 ** 64, -(2 ** 64), 2 ** 65, 2 ** -126, 2 ** -127, 1e-38]);
    if (spec.positive && !(v > 0)) return { present: true, value: v, fault: 'RangeError' };
    // The kernels take parameters as double-floats (hi + lo) over a documented domain
    // (native/kernels/activations.h); a value outside it must be a RangeError, not a NaN/Inf result.
    if (!spec.domain(v)) return { present: true, value: v, fault: 'RangeError', note: `outside the supported domain of ${spec.name}` };
    return { present: true, value: v, effective: v, extreme: true };
  }
  return r.pick([
    () => ({ present: true, value: NaN, fault: 'RangeError' }),
    () => ({ present: true, value: Infinity, fault: 'RangeError' }),
    () => ({ present: true, value: -Infinity, fault: 'RangeError' }),
    () => ({ present: true, value: '1', fault: 'TypeError' }),
    () => ({ present: true, value: null, fault: 'TypeError' }),
    () => ({ present: true, value: true, fault: 'TypeError' }),
    () => ({ present: true, value: {}, fault: 'TypeError' }),
    () => ({ present: true, value: 1n, fault: 'TypeError' }),
    () => ({ present: true, value: [1], fault: 'TypeError' }),
    () => ({ present: true, value: undefined, effective: spec.def }), // explicit undefined = default
    () => spec.positive ? { present: true, value: r.pick([0, -0, -1, -1e-30]), fault: 'RangeError' } : { present: false, effective: spec.def },
  ])();
}

function stringParam(ctx, allowed, def) {
  const r = ctx.rng;
  const roll = r.float();
  if (roll < 0.35) return { present: false, effective: def };
  if (roll < 0.85) { const v = r.pick(allowed); return { present: true, value: v, effective: v }; }
  return r.pick([
    () => ({ present: true, value: r.pick(['NONE', 'Tanh', 'erf', '', 'tanh ', 'exact']), fault: 'RangeError' }),
    () => ({ present: true, value: r.pick([1, true, null, {}, ['tanh']]), fault: 'TypeError' }),
    () => ({ present: true, value: undefined, effective: def }),
  ])();
}

// The parameter domains the kernels handle (measured: sweeping 2^-150..2^128 against the reference;
// native/kernels/activations.h documents the 2^-20 floor of silu/softplus). Outside: RangeError expected.
const slopeDomain = (v) => v === 0 || (Math.abs(v) >= 2 ** -126 && Math.abs(v) <= 2 ** 64);
const betaDomain = (v) => v === 0 || (Math.abs(v) >= 2 ** -20 && Math.abs(v) <= 2 ** 64);
// The elementwise ops: which activation of the native table a call computes (act, by its options: gelu's
// approximate picks geluTanh) and its options' domains, written here apart from lib/check.ts so that the
// fuzzer stays an independent oracle of the errors. Numeric parameters reach the float64 reference
// (reference.scalar / reference.derivative) in the order listed. The bars come from the table itself
// (dist/lib/activation-table.js, generated from native/runtime/activation_list.h), and an activation of
// the table without options needs no model here: unaryModels() adds it. test/op-table.test.ts checks that
// every activation with a public function is fuzzed.
const PARAMETER_MODELS = {
  leakyRelu: { params: { slope: { lo: -3, hi: 3, def: 0.01, name: 'slope (0 or 2^-126 <= |slope| <= 2^64)', domain: slopeDomain } } },
  silu: { params: { beta: { lo: -3, hi: 3, def: 1, name: 'beta (0 or 2^-20 <= |beta| <= 2^64)', domain: betaDomain } } },
  swish: { act: () => 'silu', params: { beta: { lo: -3, hi: 3, def: 1, name: 'beta (0 or 2^-20 <= |beta| <= 2^64)', domain: betaDomain } } },
  gelu: { act: (p) => (p.approximate === 'tanh' ? 'geluTanh' : 'gelu'), strings: { approximate: [['none', 'tanh'], 'none'] } },
  softplus: { params: { beta: { lo: 0.05, hi: 4, def: 1, positive: true, name: 'beta (2^-20 <= beta <= 2^64)', domain: (v) => v >= 2 ** -20 && v <= 2 ** 64 },
    threshold: { lo: -5, hi: 30, def: 20, name: 'threshold', domain: () => true } } },
  elu: { params: { alpha: { lo: -2, hi: 3, def: 1, name: 'alpha (0 or 2^-126 <= |alpha| <= 2^64)', domain: slopeDomain } } },
};

/**
 * The model of every elementwise op lib exports, by function name: PARAMETER_MODELS, and for each other
 * activation of the table (identity aside, and the tanh forms, which their base function's approximate
 * picks) a model without options. Each model gets act(p) (the activation) and row(p) (its table row).
 */
function unaryModels(table) {
  const rows = new Map(table.ACTIVATIONS.map((r) => [r.name, r]));
  const models = {};
  for (const r of table.ACTIVATIONS) {
    if (r.name === 'identity' || /.Tanh$/.test(r.name)) continue;
    models[r.name] = PARAMETER_MODELS[r.name] ?? {};
  }
  for (const [name, m] of Object.entries(PARAMETER_MODELS)) models[name] = m;
  for (const [name, m] of Object.entries(models)) {
    const act = m.act ?? (() => name);
    const row = (p) => rows.get(act(p));
    if (!row({})) throw new Error(`scripts/fuzz.js: ${name} computes ${act({})}, which the native table does not have`);
    models[name] = { ...m, act, row };
  }
  return models;
}

/** The float64 function fns[act] of a call with effective options p, its numeric parameters passed in order. */
function refOf(model, fns, p) {
  const f = fns[model.act(p)];
  const args = Object.keys(model.params || {}).map((k) => p[k]);
  return (v) => f(v, ...args);
}

let UNARY = {}; // set by loadLib: unaryModels of the table it loads
// gate: the activation the op applies to the gate (gelu: either form, by options.approximate); act: that
// activation from the float64 reference. Written here apart from lib/ops.ts's GLU_GATES, so that the
// fuzzer stays an independent oracle; test/op-table.test.ts checks that both agree.
const GLU = {
  glu: { bar: 4.5, gate: 'sigmoid', act: (R) => (v) => R.sigmoid(v) },
  reglu: { bar: 0.5, gate: 'relu', act: (R) => (v) => R.relu(v) },
  geglu: { bar: 4.5, gate: 'gelu', strings: { approximate: [['none', 'tanh'], 'none'] }, act: (R, p) => (p.approximate === 'tanh' ? (v) => R.geluTanh(v) : (v) => R.gelu(v)) },
  swiglu: { bar: 4.5, gate: 'silu', act: (R) => (v) => R.silu(v, 1) },
  bilinear: { bar: 0.5, gate: 'identity', act: () => (v) => v },
};

// Builds the options object; returns {opts, present(bool), faults[], eff{}, desc, evil}.
function buildOptions(ctx, model, extraKeys, outValue, outPresent) {
  const r = ctx.rng;
  const eff = {};
  const faults = [];
  const o = {};
  let notes = [];
  for (const [k, spec] of Object.entries(model.params || {})) {
    const p = numParam(ctx, spec, k);
    if (p.present) o[k] = p.value;
    if (p.fault) faults.push(p.fault);
    if (p.note) notes.push(p.note);
    eff[k] = p.effective;
    if (p.extreme) eff.__extreme = true;
  }
  for (const [k, [allowed, def]] of Object.entries(model.strings || {})) {
    const p = stringParam(ctx, allowed, def);
    if (p.present) o[k] = p.value;
    if (p.fault) faults.push(p.fault);
    eff[k] = p.effective;
  }
  for (const [k, v] of Object.entries(extraKeys)) o[k] = v;
  if (outPresent) o.out = outValue;
  // the options object itself
  const shape = r.weighted([[20, 'plain'], [2, 'omitted'], [1, 'nullproto'], [1, 'extra'], [1, 'wrongtype'], [1, 'frozen'],
    [1, 'getter'], [1, 'inherited'], [1, 'class']]);
  let opts = o;
  let desc;
  switch (shape) {
    case 'omitted':
      if (Object.keys(o).length === 0) { opts = undefined; desc = ''; }
      break;
    case 'nullproto': opts = Object.assign(Object.create(null), o); desc = 'nullproto'; break;
    case 'frozen': opts = Object.freeze({ ...o }); desc = 'frozen'; break;
    case 'extra': {
      const key = r.pick(['Out', 'outt', 'beta', 'slope', 'alpha', 'threshold', 'approximate', 'width', '__proto__x', 'constructor', '0']);
      const known = new Set([...Object.keys(model.params || {}), ...Object.keys(model.strings || {}), 'out', ...Object.keys(extraKeys), ...(model.knownExtra || [])]);
      if (!known.has(key)) { opts = { ...o, [key]: 1 }; faults.push('TypeError'); desc = `extra key ${key}`; }
      break;
    }
    case 'wrongtype': {
      const [v, d] = r.pick([[null, 'null'], [5, '5'], ['opts', 'string'], [[], '[]'], [new Float32Array(2), 'F32'], [true, 'true']]);
      opts = v; desc = `options=${d}`;
      // a Float32Array where the options go turns a GLU split call into the two-input form
      faults.length = 0; faults.push(d === 'F32' ? 'error' : 'TypeError');
      return { opts, faults, eff, desc, any: false, notes, replaced: true };
    }
    case 'getter': {
      // An option whose getter mutates the input: detaches it or shrinks its resizable buffer.
      const key = Object.keys(o)[0];
      if (key === undefined) break;
      const val = o[key];
      opts = { ...o };
      let fired = false;
      Object.defineProperty(opts, key, { enumerable: true, get() {
        if (!fired && ctx.victim) {
          fired = true;
          const v = ctx.victim;
          if (v.buffer.resizable) v.buffer.resize(0);
          else ctx.detach(v);
        }
        return val;
      } });
      desc = `getter on ${key} that detaches/shrinks ${ctx.victim && ctx.victim.__desc}`;
      return { opts, faults, eff, desc, any: true, notes };
    }
    case 'inherited': {
      // Keys on the prototype: Object.keys does not list them, but they are read. Either way: no crash.
      const key = Object.keys(o)[0];
      if (key === undefined) break;
      const own = { ...o };
      delete own[key];
      opts = Object.assign(Object.create({ [key]: o[key] }), own);
      desc = `inherited ${key}`;
      return { opts, faults, eff, desc, any: true, notes };
    }
    case 'class':
      if (Object.keys(o).length === 0) { opts = r.pick([new Map(), new Date(0), new (class Opts {})()]); desc = `options=${opts.constructor.name}`; }
      break;
  }
  const shown = opts === undefined ? '' : desc ? `{${describeObj(o)}} (${desc})` : `{${describeObj(o)}}`;
  return { opts, faults, eff, desc: shown, any: false, notes };
}

function describeObj(o) {
  return Object.entries(o).map(([k, v]) => `${k}: ${isF32(v) ? v.__desc || 'F32(' + v.length + ')' : typeof v === 'string' ? JSON.stringify(v) : typeof v === 'bigint' ? v + 'n' : Array.isArray(v) ? '[..]' : v === null ? 'null' : typeof v === 'object' ? v.constructor?.name ?? 'object' : fmt(v)}`).join(', ');
}

// act(gate)·up as float32 kernels can give it: where act(gate) is below 2^-126 (where the README
// accepts an absolute error up to 2^-126, so 0 is a valid float32 activation) and up is ±Inf, the
// product may be 0·Inf = NaN (IEEE) or ±Inf: GLU_EITHER accepts both.
const GLU_EITHER = Symbol('NaN or Inf');
function gluRef(a, u) {
  if (!Number.isFinite(u) && !Number.isNaN(u) && Math.abs(a) < MIN_NORMAL) return a === 0 ? NaN : GLU_EITHER;
  return a * u;
}

function expectOf(faults) {
  if (faults.length === 0) return 'ok';
  if (faults.length === 1) return faults[0];
  return 'error';
}

// Compares y (float32) against ref values; returns a message or null.
function compare(y, want, bar, slackOf, label, inputsOf) {
  let worst = 0, at = -1;
  for (let i = 0; i < want.length; i++) {
    if (want[i] === GLU_EITHER) { if (Number.isNaN(y[i]) || !Number.isFinite(y[i])) continue; want[i] = Infinity; }
    const e = ulpError(y[i], want[i], slackOf ? slackOf(i) : 0);
    if (e > worst) { worst = e; at = i; }
  }
  if (worst > bar) return `${label}: ${worst === Infinity ? 'NaN/Inf mismatch' : worst.toFixed(2) + ' ULP > ' + bar} at [${at}] ${inputsOf(at)}: got ${fmt(y[at])}, want ${fmt(want[at])}`;
  return null;
}

// Where `out` comes from: absent, fresh, the input itself, same bytes via another view, overlapping,
// wrong type, wrong length, detached.
function makeOut(ctx, n, inputs, allowExact) {
  const r = ctx.rng;
  const choice = r.weighted([[30, 'none'], [25, 'fresh'], [8, 'same'], [3, 'alias'], [4, 'overlap'], [3, 'wrongtype'],
    [3, 'wronglen'], [2, 'detached'], [2, 'sabclone'], [1, 'fake']]);
  const x = r.pick(inputs);
  switch (choice) {
    case 'none': return { present: false };
    case 'fresh': return { present: true, out: ctx.array(n, 'out') };
    case 'same':
      if (allowExact) return { present: true, out: x, inPlace: x };
      // split form: out may not be x at all (x.length = 2n), unless both are empty
      return { present: true, out: x, fault: n === 0 && realLength(x) === 0 ? undefined : 'RangeError' };
    case 'alias': {
      if (realLength(x) !== n || x.buffer.byteLength === 0 || x.buffer.resizable) return { present: true, out: ctx.array(n, 'out') };
      const o = new Float32Array(x.buffer, x.byteOffset, n);
      o.__desc = `new F32(${x.__desc}.buffer, same bytes)`;
      return allowExact ? { present: true, out: o, inPlace: x } : { present: true, out: o, fault: n === 0 ? null : 'RangeError' };
    }
    case 'overlap': {
      // a view over the same buffer shifted by a few floats: partial overlap
      const shift = r.pick([-3, -1, 1, 2, 5]);
      const start = x.byteOffset / 4 + shift;
      if (n === 0 || x.length === 0 || start < 0 || (start + n) * 4 > x.buffer.byteLength || x.buffer.resizable) return { present: false };
      // the overlap must be real
      const lo = Math.max(start, x.byteOffset / 4), hi = Math.min(start + n, x.byteOffset / 4 + x.length);
      if (hi <= lo) return { present: false };
      const o = new Float32Array(x.buffer, start * 4, n);
      o.__desc = `${x.__desc} shifted ${shift}`;
      return { present: true, out: o, fault: 'RangeError', clobbers: true };
    }
    case 'sabclone': {
      // the same shared memory through another SharedArrayBuffer object: invisible to a
      // buffer-identity check, so only the native pointer check can see the overlap
      if (!(x.buffer instanceof SharedArrayBuffer) || n === 0 || x.length === 0) return { present: true, out: ctx.array(n, 'out') };
      const clone = structuredClone(x.buffer);
      // a shift of 1 overlaps only if n > 1; with n = 1 the same float is the exact alias (allowed)
      let shift = allowExact && realLength(x) === n ? r.pick([0, 1]) : 1;
      if (shift >= n) { if (!allowExact || realLength(x) !== n) return { present: true, out: ctx.array(n, 'out') }; shift = 0; }
      const start = x.byteOffset / 4 + shift;
      if ((start + n) * 4 > clone.byteLength) return { present: false };
      const o = new Float32Array(clone, start * 4, n);
      o.__desc = `clone-of-SAB(${x.__desc}) shifted ${shift}`;
      if (shift === 0) return { present: true, out: o, inPlace: x };
      return { present: true, out: o, fault: 'RangeError', clobbers: true };
    }
    case 'wrongtype': { const [v, d] = wrongArray(ctx, n); if (v === undefined) return { present: false }; return { present: true, out: v, outDesc: d, fault: 'TypeError' }; }
    case 'wronglen': {
      const m = r.pick([n + 1, Math.max(0, n - 1), n * 2 + 1, 0]);
      if (m === n) return { present: true, out: ctx.array(n, 'out') };
      return { present: true, out: ctx.array(m, 'out'), fault: 'RangeError' };
    }
    case 'detached': { // a detached out is a TypeError of its own, whatever length it had
      const o = ctx.detachedArray(Math.max(n, 1), 'out');
      return { present: true, out: o, fault: 'TypeError' };
    }
    case 'fake': {
      const o = ctx.array(n, 'out', 'offset');
      const lie = fakeLength(ctx, o);
      if (lie === n) return { present: true, out: o };
      return { present: true, out: o, fault: 'RangeError' };
    }
  }
  return { present: false };
}

function genUnary(ctx, name, fn) {
  const { rng: r, lib } = ctx;
  const model = UNARY[name];
  const n = ctx.length();
  const faults = [];
  let x = ctx.array(n, 'x');
  let xDesc = x.__desc;
  let xLen = n;
  let xRoll = r.float();
  if (xRoll < 0.04) { const [v, d] = wrongArray(ctx, n); x = v; xDesc = `x=${d}`; faults.push('TypeError'); }
  else if (xRoll < 0.06) { x = ctx.detachedArray(n, 'x'); xLen = 0; xDesc = x.__desc; faults.push('TypeError'); }
  else if (xRoll < 0.08) { const lie = fakeLength(ctx, x); xDesc = x.__desc; if (lie !== n) faults.push('RangeError'); }
  const xIsArray = isF32(x);
  if (xIsArray && xLen > 0) ctx.fill(x);
  const out = xIsArray ? makeOut(ctx, xLen, [x], true) : { present: r.bool(0.3), out: new Float32Array(n) };
  if (out.fault) faults.push(out.fault);
  if (out.present && isF32(out.out) && out.out !== x && out.fault === undefined && !out.inPlace) ctx.fill(out.out);
  ctx.victim = xIsArray && r.bool(0.5) ? x : isF32(out.out) ? out.out : undefined;
  const o = buildOptions(ctx, model, {}, out.out, out.present);
  const allFaults = o.replaced ? o.faults : [...faults, ...o.faults];
  // a lying length on x that out === x repeats is consistent: the call may succeed
  // (so does an out with its own lie: the JS layer cannot see through either)
  const lied = xIsArray && Object.prototype.hasOwnProperty.call(x, 'length');
  const expect = o.any || (lied && out.present) ? 'any' : expectOf(allFaults);
  const xs = xIsArray && xLen > 0 && expect === 'ok' ? snap(x) : null; // before an in-place call
  const outDesc = out.present ? (out.outDesc ? `out=${out.outDesc}` : out.out === x ? 'out=x' : out.out?.__desc) : '';
  return {
    desc: `${name}(${xDesc}${o.desc ? ', ' + o.desc : ''})${outDesc ? ' ' + outDesc : ''}${o.notes.length ? ' [' + o.notes.join('; ') + ']' : ''}`,
    expect,
    run: () => fn(x, o.opts),
    check: (y) => {
      if (!(isF32(y))) return `returned ${typeof y}, not a Float32Array`;
      if (out.present && y !== out.out) return 'did not return options.out';
      if (!xs) return null;
      if (realLength(y) !== xLen) return `result length ${realLength(y)}, want ${xLen}`;
      const f = refOf(model, lib.R, o.eff);
      const want = xs.map(f);
      return compare(y, want, model.row(o.eff).bar, null, name, (i) => `x=${fmt(xs[i])}`);
    },
  };
}

function genGlu(ctx, name, fn) {
  const { rng: r, lib } = ctx;
  const model = GLU[name];
  const faults = [];
  const split = r.bool(0.4);
  if (!split) {
    const n = ctx.length();
    let gate = ctx.array(n, 'gate'), up = ctx.array(n, 'up');
    let gDesc = gate.__desc, uDesc = up.__desc, len = n;
    const roll = r.float();
    if (roll < 0.03) { const [v, d] = wrongArray(ctx, n); up = v; uDesc = `up=${d}`; faults.push('TypeError'); }
    else if (roll < 0.05) { const [v, d] = wrongArray(ctx, n); gate = v; gDesc = `gate=${d}`; faults.push('TypeError'); }
    else if (roll < 0.09) { up = ctx.array(r.pick([n + 1, Math.max(0, n - 1), 2 * n + 2]), 'up'); uDesc = up.__desc; if (up.length !== n) faults.push('RangeError'); }
    else if (roll < 0.11) { gate = ctx.detachedArray(n, 'gate'); gDesc = gate.__desc; len = 0; faults.push('TypeError'); }
    else if (roll < 0.12) { up = ctx.detachedArray(n, 'up'); uDesc = up.__desc; faults.push('TypeError'); }
    else if (roll < 0.14) { const lie = fakeLength(ctx, up); uDesc = up.__desc; if (lie !== n) faults.push('RangeError'); }
    else if (roll < 0.16 && n > 0) { // up aliases gate (allowed: both are inputs)
      up = gate; uDesc = 'up=gate';
    }
    const arrays = isF32(gate) && isF32(up);
    if (isF32(gate) && len) ctx.fill(gate);
    if (isF32(up) && up !== gate && up.length) ctx.fillModerate(up);
    const out = arrays ? makeOut(ctx, len, [gate, up], true) : { present: false };
    if (out.fault) faults.push(out.fault);
    if (out.present && isF32(out.out) && out.out !== gate && out.out !== up && !out.fault && !out.inPlace) ctx.fill(out.out);
    ctx.victim = arrays && r.bool(0.5) ? r.pick([gate, up]) : isF32(out.out) ? out.out : undefined;
    const o = buildOptions(ctx, { ...model, knownExtra: [] }, {}, out.out, out.present);
    const allFaults = o.replaced ? o.faults : [...faults, ...o.faults];
    const expect = o.any ? 'any' : expectOf(allFaults);
    const gs = expect === 'ok' && arrays && realLength(gate) === len ? snap(gate) : null;
    const us = gs && realLength(up) === len ? snap(up) : null;
    const outDesc = out.present ? (out.out === gate ? 'out=gate' : out.out === up ? 'out=up' : out.out?.__desc) : '';
    return {
      desc: `${name}(${gDesc}, ${uDesc}${o.desc ? ', ' + o.desc : ''})${outDesc ? ' ' + outDesc : ''}`,
      expect,
      run: () => (o.opts === undefined && r.bool(0.5) ? fn(gate, up) : fn(gate, up, o.opts)),
      check: (y) => {
        if (!(isF32(y))) return 'not a Float32Array';
        if (out.present && y !== out.out) return 'did not return options.out';
        if (!gs || !us) return null;
        if (realLength(y) !== gs.length) return `result length ${realLength(y)}, want ${gs.length}`;
        const act = model.act(lib.R, o.eff);
        const want = Array.from(gs, (g, i) => gluRef(act(g), us[i]));
        return compare(y, want, model.bar, (i) => 2 ** -126 * Math.abs(us[i]), name, (i) => `gate=${fmt(gs[i])} up=${fmt(us[i])}`);
      },
    };
  }
  // split form: (x, {width, out})
  const width = r.weighted([[5, r.int(1, 40)], [3, r.int(41, 3000)], [1, r.pick([65536, 70000])]]);
  const rows = width > 10000 ? r.int(0, 2) : r.weighted([[3, r.int(0, 4)], [2, r.int(5, 60)]]);
  let len = rows * 2 * width;
  let widthVal = width, wDesc = `${width}`;
  const wroll = r.float();
  if (wroll < 0.04) { widthVal = r.pick([0, -1, 1.5, NaN, Infinity, 2 ** 53, -0.5]); wDesc = fmt(widthVal); faults.push('RangeError'); }
  else if (wroll < 0.07) { widthVal = r.pick(['4', null, true, {}, 4n]); wDesc = String(typeof widthVal); faults.push('TypeError'); }
  else if (wroll < 0.09) { widthVal = undefined; wDesc = 'missing'; faults.push('TypeError'); }
  else if (wroll < 0.13 && len > 0) { len += r.pick([1, -1, width]); faults.push('RangeError'); }
  else if (wroll < 0.15) { widthVal = r.pick([2 ** 31, 2 ** 31 + 1, 2 ** 32, 2 ** 40, 2 ** 52]); wDesc = fmt(widthVal); if (len !== 0) faults.push('RangeError'); }
  len = Math.max(0, len);
  const x = ctx.array(len, 'x');
  if (len) ctx.fill(x);
  const outLen = typeof widthVal === 'number' && Number.isInteger(widthVal) && widthVal >= 1 && len % (2 * widthVal) === 0 ? (len / (2 * widthVal)) * widthVal : rows * width;
  const out = makeOut(ctx, outLen, [x], false);
  if (out.fault) faults.push(out.fault);
  if (out.present && isF32(out.out) && out.out !== x && !out.fault) ctx.fill(out.out);
  ctx.victim = r.bool(0.5) ? x : isF32(out.out) ? out.out : undefined;
  const extra = widthVal === undefined ? {} : { width: widthVal };
  const o = buildOptions(ctx, { ...model, knownExtra: ['width'] }, extra, out.out, out.present);
  const allFaults = o.replaced ? o.faults : [...faults, ...o.faults];
  const expect = o.any ? 'any' : expectOf(allFaults);
  const xs = expect === 'ok' && realLength(x) === len ? snap(x) : null;
  return {
    desc: `${name}(${x.__desc}, width=${wDesc}${o.desc ? ', ' + o.desc : ''})${out.present ? ' ' + (out.out === x ? 'out=x' : out.outDesc || out.out?.__desc) : ''}`,
    expect,
    run: () => fn(x, o.opts),
    check: (y) => {
      if (!(isF32(y))) return 'not a Float32Array';
      if (out.present && y !== out.out) return 'did not return options.out';
      if (!xs) return null;
      if (realLength(y) !== rows * width) return `result length ${realLength(y)}, want ${rows * width}`;
      const act = model.act(lib.R, o.eff);
      const want = new Array(rows * width);
      const upOf = (i) => xs[Math.floor(i / width) * 2 * width + width + (i % width)];
      for (let i = 0; i < want.length; i++) want[i] = gluRef(act(xs[Math.floor(i / width) * 2 * width + (i % width)]), upOf(i));
      return compare(y, want, model.bar, (i) => 2 ** -126 * Math.abs(upOf(i)), name + ' split',
        (i) => `gate=${fmt(xs[Math.floor(i / width) * 2 * width + (i % width)])} up=${fmt(upOf(i))}`);
    },
  };
}

// ---- gradients (README, Training) ---------------------------------------------------------------------
// opBackward(x, dy, options): the forward's options plus out (which may be x or dy). The reference is
// dy·f′(x) in float64 (reference.derivative), 0 on the flat pieces; accepted besides the bar: 2^-23·|dy|
// within 0.25·max(1, |r|) of a root r of f′, 2^-126·max(1, |dy|) where f′ or the result is subnormal.
function gradSlack(fp, r, x, dy, roots) {
  let slack = 0;
  if (Math.abs(fp) < MIN_NORMAL || Math.abs(r) < MIN_NORMAL) slack = MIN_NORMAL * Math.max(1, Math.abs(dy));
  for (const root of roots) if (Math.abs(x - root) <= 0.25 * Math.max(1, Math.abs(root))) slack = Math.max(slack, 2 ** -23 * Math.abs(dy));
  return slack;
}
function finiteFill(ctx, a) {
  const r = ctx.rng;
  for (let i = 0, n = realLength(a); i < n; i++) a[i] = r.normal() * r.pick([0.01, 1, 30, 1e6]);
}

function genBackward(ctx, name, fn) {
  const { rng: r, lib } = ctx;
  const base = name.slice(0, -'Backward'.length);
  const model = UNARY[base];
  const n = ctx.length();
  const faults = [];
  let x = ctx.array(n, 'x'), dy = ctx.array(n, 'dy');
  let xDesc = x.__desc, dDesc = dy.__desc;
  const roll = r.float();
  if (roll < 0.03) { const [v, d] = wrongArray(ctx, n); dy = v; dDesc = `dy=${d}`; faults.push('TypeError'); }
  else if (roll < 0.05) { const [v, d] = wrongArray(ctx, n); x = v; xDesc = `x=${d}`; faults.push('TypeError'); }
  else if (roll < 0.09) { dy = ctx.array(r.pick([n + 1, Math.max(0, n - 1), 2 * n + 2]), 'dy'); dDesc = dy.__desc; if (dy.length !== n) faults.push('RangeError'); }
  else if (roll < 0.11) { dy = ctx.detachedArray(n, 'dy'); dDesc = dy.__desc; faults.push('TypeError'); }
  else if (roll < 0.13 && n > 0) { dy = x; dDesc = 'dy=x'; }
  const arrays = isF32(x) && isF32(dy);
  if (isF32(x) && n) ctx.fill(x);
  if (isF32(dy) && dy !== x && realLength(dy)) finiteFill(ctx, dy);
  const out = arrays ? makeOut(ctx, n, [x, dy], true) : { present: false };
  if (out.fault) faults.push(out.fault);
  if (out.present && isF32(out.out) && out.out !== x && out.out !== dy && !out.fault && !out.inPlace) ctx.fill(out.out);
  ctx.victim = arrays && r.bool(0.5) ? r.pick([x, dy]) : isF32(out.out) ? out.out : undefined;
  const o = buildOptions(ctx, model, {}, out.out, out.present);
  const allFaults = o.replaced ? o.faults : [...faults, ...o.faults];
  const expect = o.any ? 'any' : expectOf(allFaults);
  const xs = expect === 'ok' && arrays && realLength(x) === n ? snap(x) : null;
  const ds = xs && realLength(dy) === n ? snap(dy) : null;
  const outDesc = out.present ? (out.out === x ? 'out=x' : out.out === dy ? 'out=dy' : out.outDesc || out.out?.__desc) : '';
  return {
    desc: `${name}(${xDesc}, ${dDesc}${o.desc ? ', ' + o.desc : ''})${outDesc ? ' ' + outDesc : ''}`,
    expect,
    run: () => (o.opts === undefined && r.bool(0.5) ? fn(x, dy) : fn(x, dy, o.opts)),
    check: (y) => {
      if (!isF32(y)) return 'not a Float32Array';
      if (out.present && y !== out.out) return 'did not return options.out';
      if (!xs || !ds) return null;
      if (realLength(y) !== n) return `result length ${realLength(y)}, want ${n}`;
      const fp = refOf(model, lib.D, o.eff);
      const flat = lib.D.flat[model.act(o.eff)];
      const roots = lib.rootsOf(fp);
      const bar = model.row(o.eff).gradBar;
      const fps = Array.from(xs, (v) => fp(v));
      const want = Array.from(xs, (v, i) => (Number.isNaN(v) ? NaN : flat && flat(v) ? 0 : ds[i] * fps[i]));
      return compare(y, want, bar, (i) => gradSlack(fps[i], want[i], xs[i], ds[i], roots), name, (i) => `x=${fmt(xs[i])} dy=${fmt(ds[i])}`);
    },
  };
}

// opBackward(gate, up, dh, {outGate, outUp}) → {dGate, dUp}; opBackward(x, dh, {width, out}) → rows of [dGate | dUp].
function genGluBackward(ctx, name, fn) {
  const { rng: r, lib } = ctx;
  const base = name.slice(0, -'Backward'.length);
  const model = GLU[base];
  const actName = model.gate === 'identity' ? null : model.gate; // null: dGate does not depend on gate
  const n = ctx.length();
  const faults = [];
  let gate = ctx.array(n, 'gate'), up = ctx.array(n, 'up'), dh = ctx.array(n, 'dh');
  const roll = r.float();
  if (roll < 0.04) { dh = ctx.array(r.pick([n + 1, Math.max(0, n - 1)]), 'dh'); if (dh.length !== n) faults.push('RangeError'); }
  else if (roll < 0.06) { const [v] = wrongArray(ctx, n); up = v; faults.push('TypeError'); }
  if (n) ctx.fill(gate);
  if (n && isF32(up)) {
    ctx.fillModerate(up);
    for (let i = 0; i < realLength(up); i++) if (!Number.isFinite(up[i])) up[i] = 1;
  }
  finiteFill(ctx, dh);
  const pickOut = () => r.weighted([[4, 'none'], [4, 'fresh'], [1, 'gate'], [1, 'up'], [1, 'dh']]);
  const og = pickOut(), ou = pickOut();
  const mk = (k, label) => (k === 'none' ? undefined : k === 'fresh' ? ctx.array(n, label) : { gate, up, dh }[k]);
  const outGate = mk(og, 'outGate'), outUp = mk(ou, 'outUp');
  if (isF32(outGate) && outGate === outUp && n > 0) faults.push('RangeError');
  if (isF32(up) && (outGate === dh || outUp === dh) && dh.length !== n) { /* a wrong-length dh as out: still one RangeError */ }
  const o = buildOptions(ctx, { ...model, knownExtra: ['outGate', 'outUp'] }, { ...(outGate ? { outGate } : {}), ...(outUp ? { outUp } : {}) }, undefined, false);
  const allFaults = o.replaced ? o.faults : [...faults, ...o.faults];
  const expect = o.any ? 'any' : allFaults.length ? 'error' : 'ok';
  const gs = expect === 'ok' ? snap(gate) : null, us = gs && snap(up), hs = gs && snap(dh);
  return {
    desc: `${name}(${gate.__desc}, ${isF32(up) ? up.__desc : 'up=wrong type'}, ${dh.__desc}${o.desc ? ', ' + o.desc : ''}) outGate=${og} outUp=${ou}`,
    expect,
    run: () => fn(gate, up, dh, o.opts),
    check: (res) => {
      if (!res || !isF32(res.dGate) || !isF32(res.dUp)) return 'not { dGate, dUp }';
      if (outGate && res.dGate !== outGate) return 'did not return options.outGate';
      if (outUp && res.dUp !== outUp) return 'did not return options.outUp';
      if (!gs) return null;
      const act = model.act(lib.R, o.eff);
      const D = lib.D;
      const fp = actName === null ? () => 1 : actName === 'gelu' ? (o.eff.approximate === 'tanh' ? (v) => D.geluTanh(v) : (v) => D.gelu(v)) : actName === 'silu' ? (v) => D.silu(v, 1) : (v) => D[actName](v);
      const roots = lib.rootsOf(fp);
      const wantUp = Array.from(gs, (g, i) => gluRef(act(g), hs[i]));
      const e1 = compare(res.dUp, wantUp, model.bar + 1, (i) => 2 ** -126 * Math.abs(hs[i]), `${name} dUp`, (i) => `gate=${fmt(gs[i])} dh=${fmt(hs[i])}`);
      if (e1) return e1;
      const fps = Array.from(gs, (g) => fp(g));
      const wantGate = Array.from(gs, (g, i) => (Number.isNaN(g) && actName !== null ? NaN : actName === 'relu' && g <= 0 ? 0 : hs[i] * us[i] * fps[i]));
      return compare(res.dGate, wantGate, 8, (i) => gradSlack(fps[i], wantGate[i], gs[i], hs[i] * us[i], roots), `${name} dGate`, (i) => `gate=${fmt(gs[i])} up=${fmt(us[i])} dh=${fmt(hs[i])}`);
    },
  };
}

function genRuntime(ctx, name, fn) {
  const r = ctx.rng;
  if (name === 'setNumThreads') {
    const v = r.weighted([[8, r.int(1, 4)], [1, r.pick([8, 16, 64])], [1, r.pick([0, -1, 1.5, NaN, Infinity, 257, 1e9, 2 ** 53])], [1, r.pick(['2', null, undefined, {}, 2n])]]);
    const expect = typeof v !== 'number' ? 'TypeError' : Number.isInteger(v) && v >= 1 && v <= ctx.lib.binding.maxThreads ? 'ok' : 'RangeError';
    return { desc: `setNumThreads(${typeof v === 'bigint' ? v + 'n' : typeof v === 'string' ? JSON.stringify(v) : fmt(v)})`, expect, run: () => fn(v),
      check: (y) => (y === undefined ? (ctx.lib.sg.getNumThreads() === v ? null : 'getNumThreads() differs') : 'returned a value') };
  }
  const args = r.bool(0.8) ? [] : [r.pick([1, 'x', null, {}])];
  return { desc: `${name}(${args.map(String).join(', ')})`, expect: 'ok', run: () => fn(...args), check: (y) => {
    if (name === 'isa') return ['avx512', 'avx2', 'neon', 'scalar'].includes(y) ? null : `isa() = ${y}`;
    if (name === 'runnableIsas') return Array.isArray(y) && y.includes('scalar') ? null : `runnableIsas() = ${y}`;
    if (name === 'getNumThreads') return Number.isInteger(y) && y >= 1 ? null : `getNumThreads() = ${y}`;
    return null;
  } };
}

// Raw binding: the lib layer bypassed, its testing hooks (binding._testing) included. Arguments are mostly
// plausible with one thing wrong; a call must throw TypeError/RangeError (or, for setIsa on a CPU without
// that ISA, Error), or return.
function genBinding(ctx) {
  const { rng: r, lib } = ctx;
  const b = lib.binding;
  const hooks = b._testing;
  const fns = new Map([
    ...Object.keys(b).filter((k) => typeof b[k] === 'function').map((k) => [k, b[k]]),
    ...Object.keys(hooks).filter((k) => typeof hooks[k] === 'function').map((k) => [`_testing.${k}`, hooks[k]]),
  ]);
  const names = [...fns.keys()];
  const name = r.weighted(names.map((k) => [['unary', 'glu', 'gluSplit'].includes(k) ? 6 : 1, k]));
  const garbage = () => r.pick([() => undefined, () => null, () => r.int(-2, 20), () => r.pick([NaN, Infinity, -0, 1.5, 2 ** 31, 2 ** 53, -(2 ** 63)]),
    () => 'relu', () => ({}), () => [], () => ctx.array(r.int(0, 70), 'g'), () => new Float64Array(4), () => new Uint16Array(8),
    () => ctx.detachedArray(r.int(1, 40), 'd'),
    () => { const a = ctx.array(r.int(1, 40), 'f', 'offset'); fakeLength(ctx, a); return a; }, () => 10n, () => Symbol('s')])();
  let args;
  if (name === 'unary' || name === 'glu' || name === 'gluSplit') {
    const n = ctx.length(true);
    const x = ctx.array(n, 'x');
    ctx.fill(x);
    const op = r.weighted([[8, r.int(0, 15)], [1, r.pick([-1, 16, 17, 1.5, NaN, 2 ** 32, '3', undefined])]]);
    if (name === 'unary') args = [op, x, r.bool(0.6) ? ctx.array(n, 'out') : r.bool(0.5) ? x : garbage(), r.float() * 4 - 2, r.float() * 30];
    else if (name === 'glu') {
      const up = ctx.array(n, 'up');
      ctx.fillModerate(up);
      const out = r.weighted([[6, ctx.array(n, 'out')], [1, x], [1, up], [1, garbage()], [1, new Float32Array(x.buffer, x.byteOffset + (n > 2 ? 4 : 0), Math.max(0, n - 1))]]);
      args = [op, x, up, out, r.float(), r.float()];
    } else {
      const w = r.pick([1, 2, 3, 8, 16, n, 0, -1, 2 ** 52, 2 ** 53, NaN]);
      const outLen = Number.isInteger(w) && w > 0 && n % (2 * w) === 0 ? n / 2 : r.int(0, n);
      args = [op, x, r.bool(0.8) ? ctx.array(outLen, 'out') : r.bool(0.5) ? x.subarray(0, outLen) : garbage(), w, r.float(), r.float()];
    }
    // sometimes replace one argument by garbage, or drop trailing ones
    if (r.bool(0.25)) args[r.int(0, args.length - 1)] = garbage();
    if (r.bool(0.15)) args.length = r.int(0, args.length);
  } else if (/^(swigluMatmul|swigluFfn)(Async)?$|^checkPack$/.test(name)) {
    // a pack descriptor, mostly forged, as the addon reads them (native/addon/packs.h)
    const { d, dims } = forgedDescriptor(ctx);
    const [kind, inF, outF] = dims;
    const rows = r.int(0, 4);
    const fits = r.bool(0.6) && Number.isInteger(inF) && inF > 0 && inF < 1000 && Number.isInteger(outF) && outF > 0 && outF < 1000;
    const x = ctx.array(fits ? rows * inF : r.int(0, 100), 'x');
    ctx.fillModerate(x);
    const width = name.startsWith('swigluFfn') ? inF : outF;
    args = name === 'checkPack' ? [d, r.weighted([[4, kind], [1, 1 - kind], [1, garbage()]])] : [x, d, ctx.array(fits ? rows * width : r.int(0, 100), 'out')];
    if (r.bool(0.1)) args[r.int(0, args.length - 1)] = garbage();
  } else if (/^pack(Gate|Ffn)$/.test(name)) {
    // dest: a view over a SharedArrayBuffer of about the right length, or not; weights of about the right length
    const inF = r.int(1, 40), outF = r.int(1, 40), dtype = r.weighted([[6, 0], [2, r.int(1, 2)], [1, r.pick([3, -1, 0.5])]]);
    const kind = name === 'packGate' ? 0 : 1;
    const want = Number.isInteger(dtype) && dtype >= 0 && dtype <= 2 ? b.packBytes(kind, inF, outF, dtype, true) : 64;
    const destLen = r.weighted([[6, want], [1, want - r.int(1, 64)], [1, want + r.int(1, 64)]]);
    const dest = r.weighted([[6, new Uint8Array(new SharedArrayBuffer(Math.max(0, destLen)))], [1, new Uint8Array(Math.max(0, destLen))],
      [1, new Uint8Array(new SharedArrayBuffer(Math.max(0, destLen) + 8), 8)], [1, garbage()]]);
    const w = () => { const n = r.weighted([[8, inF * outF], [1, inF * outF - 1], [1, inF * outF + 1]]); return dtype === 0 ? ctx.array(Math.max(0, n), 'w') : new Uint16Array(Math.max(0, n)); };
    const act = r.weighted([[4, undefined], [2, r.int(0, 17)]]);
    args = kind === 0 ? [dest, w(), w(), inF, outF, r.bool(), dtype, act] : [dest, r.bool(0.7) ? w() : null, w(), w(), inF, outF, r.bool(), dtype, act];
    if (r.bool(0.1)) args[r.int(0, args.length - 1)] = garbage();
  } else if (name === '_testing.setIsa') {
    args = [r.weighted([[6, r.pick(b.runnableIsas())], [1, r.pick(['avx512', 'avx2', 'neon', 'scalar', 'sse', '', 'AVX2'])], [1, garbage()]])];
  } else {
    args = Array.from({ length: r.int(0, 4) }, garbage);
  }
  const shown = args.map((a) => (isF32(a) ? a.__desc || `F32(${a.length})` : typeof a === 'bigint' ? `${a}n` : typeof a === 'symbol' ? 'Symbol' : typeof a === 'string' ? JSON.stringify(a) : ArrayBuffer.isView(a) ? a.constructor.name : typeof a === 'object' && a ? (Array.isArray(a) ? '[]' : '{}') : fmt(a)));
  return {
    desc: `binding.${name}(${shown.join(', ')})`,
    expect: 'any',
    allowError: name === '_testing.setIsa' || /pack|Packed|matmul|swiglu|ffn/i.test(name), // plain Error: ISA not runnable / out of memory
    run: () => fns.get(name)(...args),
    check: () => null,
  };
}

// A pack descriptor for the raw binding ([bytes, dims = Float64Array [kind, inFeatures, outFeatures, dtype,
// activation, gated]], lib/binding-types.ts): a real pack's (then one field or the bytes changed, or not),
// or made up. Whatever it is, the addon must compute with it (only if it is a pack's, unchanged) or throw a
// TypeError/RangeError, never read outside its bytes. Returns { d, dims } (dims as plain numbers, for the
// shapes of x and out).
function forgedDescriptor(ctx) {
  const r = ctx.rng, sg = ctx.lib.sg;
  const inF = r.int(1, 40), outF = r.int(1, 40), ffn = r.bool();
  let bytes, dims;
  if (r.bool(0.6)) {
    const w = () => new Float32Array(inF * outF).fill(0.25);
    const p = ffn ? sg.packFfn({ ...(r.bool(0.7) ? { gate: w() } : {}), up: w(), down: w(), inFeatures: inF, hiddenFeatures: outF })
      : sg.packGate(w(), w(), { inFeatures: inF, outFeatures: outF });
    bytes = new Uint8Array(p.buffer);
    dims = [ffn ? 1 : 0, inF, outF, 0, 5 /* silu */, !ffn || p.gated ? 1 : 0];
  } else {
    const len = r.weighted([[3, r.int(0, 20000)], [1, ctx.lib.binding.packBytes(ffn ? 1 : 0, inF, outF, 0, true)]]);
    bytes = new Uint8Array(new SharedArrayBuffer(len));
    dims = [ffn ? 1 : 0, inF, outF, 0, r.int(0, 17), 1];
  }
  let dimsArray = null;
  switch (r.int(0, 10)) {
    case 0: dims[1] = r.pick([inF + 1, 0, -1, 1.5, 2 ** 41, NaN]); break;
    case 1: dims[2] = r.pick([outF + 16, outF - 1, Infinity]); break;
    case 2: dims[3] = r.pick([1, 2, 3, -1]); break;
    case 3: dims[0] = r.pick([1 - dims[0], 2]); break;
    case 4: dims[5] = r.pick([1 - dims[5], 0.5, 2]); break;
    case 5: bytes = r.pick([new Uint8Array(bytes.length), bytes.subarray(1), new Uint8Array(bytes.buffer, 0, Math.max(0, bytes.length - 1)), new Uint16Array(4), null]); break;
    case 6: { const c = new Uint8Array(new SharedArrayBuffer(bytes.length)); c.set(bytes); c[r.int(0, Math.max(0, c.length - 1))] ^= 1 << r.int(0, 7); bytes = c; break; }
    case 7: dims[4] = r.pick([0, 6, 7, 3, 17, -1]); break;
    case 8: dimsArray = r.pick([dims, new Float32Array(dims), Float64Array.from(dims.slice(0, 5)), null]); break; // dims of the wrong type or length
    default: break; // unchanged
  }
  const d = [bytes, dimsArray || Float64Array.from(dims)];
  return { d: r.bool(0.05) ? { bytes, dims } : d, dims };
}

// ---- matrix ops: matmul, the packed gate and the FFN, sync and async ---------------------------------------
// The package's own float64 reference (lib/reference/matrix.ts), in this file's argument order.
function refMatmul(a, b, m, k, n, transB, transA = false, add = undefined) {
  return require(path.join(ROOT, 'dist', 'lib', 'reference', 'matrix.js')).matmul(a, b, { m, k, n, transB, transA, add });
}
function matrixClose(y, want, label) {
  if (realLength(y) !== want.length) return `${label}: result length ${realLength(y)}, want ${want.length}`;
  let num = 0, den = 0, maxRef = 0;
  for (let i = 0; i < want.length; i++) { num += (y[i] - want[i]) ** 2; den += want[i] ** 2; maxRef = Math.max(maxRef, Math.abs(want[i])); }
  for (let i = 0; i < want.length; i++) {
    if (!(Math.abs(y[i] - want[i]) <= 1e-4 * maxRef)) return `${label}: element ${i} = ${y[i]}, want ${want[i]} (max|ref| ${maxRef})`;
  }
  // The norm bar (1e-5, README's Accuracy) assumes enough outputs for cancellation in one dot product not to
  // dominate the norm; a handful of outputs (a single row of N = 1, say) can be ill-conditioned in
  // float32, so below 16 outputs the norm bar is 1e-4 (the element bar above still holds).
  const normBar = want.length >= 16 ? 1e-5 : 1e-4;
  if (den > 0 && Math.sqrt(num / den) > normBar) return `${label}: relative error ${Math.sqrt(num / den)} > ${normBar}`;
  return null;
}
function randMat(ctx, n, label, kind) {
  // SWIGLU_FUZZ_PLAIN_WEIGHTS=1: no SharedArrayBuffer-backed weights (to look past that known bug)
  if (!kind && /wGate|wUp|wDown/.test(label) && process.env.SWIGLU_FUZZ_PLAIN_WEIGHTS === '1') kind = 'offset';
  const a = ctx.array(n, label, kind);
  for (let i = 0; i < realLength(a); i++) a[i] = ctx.rng.normal() * 0.5;
  return a;
}

function shapeFault(ctx, dims) {
  // returns [key, value, faultClass] or null
  const r = ctx.rng;
  const key = r.pick(Object.keys(dims));
  return r.pick([
    () => [key, r.pick([-1, 1.5, NaN, Infinity, 2 ** 53, 2 ** 31, 2 ** 32 + 1]), 'RangeError'],
    () => [key, r.pick(['4', null, true, {}]), 'TypeError'],
    () => [key, undefined, 'TypeError'],
    () => [key, dims[key] + 1, 'RangeError'],
  ])();
}

function genMatmul(ctx, name, fn, isAsync) {
  const r = ctx.rng;
  const m = r.weighted([[1, 0], [6, r.int(1, 9)], [2, r.int(10, 40)]]);
  const k = r.weighted([[6, r.int(1, 40)], [1, r.int(41, 300)]]);
  const n = r.weighted([[6, r.int(1, 40)], [1, r.int(41, 200)]]);
  const transB = r.pick([undefined, true, false]);
  const a = randMat(ctx, m * k, 'a'), b = randMat(ctx, k * n, 'b');
  const dims = { m, k, n };
  const faults = [];
  let o = { m, k, n };
  if (transB !== undefined) o.transB = transB;
  const transA = r.bool(0.2) ? r.pick([true, false]) : undefined;
  if (transA !== undefined) o.transA = transA;
  if (r.bool(0.15)) { const [key, v, f] = shapeFault(ctx, dims); o[key] = v; if (!(key === 'm' && v === m + 1 && false)) faults.push(f); }
  let out;
  const oc = r.weighted([[4, 'none'], [3, 'fresh'], [1, 'wronglen'], [1, 'overlap'], [1, 'wrongtype']]);
  if (oc === 'fresh') out = ctx.array(m * n, 'out');
  else if (oc === 'wronglen') { out = ctx.array(m * n + 1, 'out'); faults.push('RangeError'); }
  else if (oc === 'overlap' && m * n > 1 && m * k > 1) { out = new Float32Array(a.buffer, a.byteOffset + 4, Math.min(m * n, a.length - 1)); if (out.length === m * n) faults.push('RangeError'); else faults.push('RangeError'); }
  else if (oc === 'wrongtype') { out = new Float64Array(m * n); faults.push('TypeError'); }
  if (out !== undefined) o.out = out;
  // accumulate: out += A·B (out's values before the call are part of the expected result); without out, a TypeError
  const accumulate = r.bool(0.15);
  if (accumulate) { o.accumulate = true; if (out === undefined) faults.push('TypeError'); }
  if (r.bool(0.05)) { o.bogus = 1; faults.push('TypeError'); }
  const as = snap(a), bs = snap(b);
  // (finite starting values: the accuracy check compares against max|ref|, which a NaN in out would poison)
  if (accumulate && out instanceof Float32Array) for (let i = 0; i < out.length; i++) out[i] = r.float() - 0.5;
  const outBefore = accumulate && out instanceof Float32Array && out.length === m * n ? snap(out) : undefined;
  const detachLater = isAsync && r.bool(0.2) ? r.pick(['a', 'b', 'out']) : null;
  const expect = expectOf(faults);
  return {
    desc: `${name}(${a.__desc}, ${b.__desc}, ${describeObj(o)})${detachLater ? ` then detach ${detachLater} while it runs` : ''}`,
    expect: detachLater ? (expect === 'ok' ? 'okOrError' : expect) : expect,
    run: () => {
      const p = fn(a, b, o);
      if (detachLater) { const v = { a, b, out }[detachLater]; if (isF32(v)) ctx.detach(v); }
      return p;
    },
    check: (y) => {
      if (out !== undefined && y !== out) return 'did not return options.out';
      if (detachLater) return null;
      return matrixClose(y, refMatmul(as, bs, m, k, n, transB === true, transA === true, outBefore), name);
    },
  };
}

function genPacked(ctx, name, fn, isAsync) {
  const { rng: r, lib } = ctx;
  const sg = lib.sg;
  const ffn = /ffn/i.test(name);
  // gluMatmul / ffn: any fused activation, and for ffn a plain MLP (no gate) too; the SwiGLU names: silu GLUs.
  const general = /^(gluMatmul|ffn)/.test(name);
  const activation = general ? r.pick(['silu', 'gelu', 'gelu-tanh', 'relu', 'sigmoid', 'identity']) : undefined;
  const gated = !(general && ffn && r.bool(0.4));
  const inF = r.weighted([[5, r.int(1, 48)], [1, r.int(49, 200)]]);
  const outF = r.weighted([[5, r.int(1, 48)], [1, r.int(49, 200)]]);
  const rows = r.weighted([[1, 0], [5, r.int(1, 6)], [2, r.int(7, 40)]]);
  const layout = r.pick([undefined, 'out-in', 'in-out']);
  const wg = randMat(ctx, inF * outF, 'wGate'), wu = randMat(ctx, inF * outF, 'wUp');
  const wd = ffn ? randMat(ctx, inF * outF, 'wDown') : null;
  const faults = [];
  let packed;
  try {
    const po = { inFeatures: inF, [ffn ? 'hiddenFeatures' : 'outFeatures']: outF };
    if (layout) po.layout = layout;
    if (activation) po.activation = activation;
    packed = ffn ? sg.packFfn({ ...(gated ? { gate: wg } : {}), up: wu, down: wd, ...po }) : sg.packGate(wg, wu, po);
  } catch (e) {
    return { desc: `${ffn ? 'packFfn' : 'packGate'} of a valid shape ${inF}x${outF} threw`, expect: 'ok', run: () => { throw e; }, check: () => null };
  }
  let xLen = rows * inF;
  const xr = r.float();
  if (xr < 0.06 && inF > 1) { xLen += r.int(1, inF - 1); faults.push('RangeError'); }
  const x = randMat(ctx, xLen, 'x');
  const xs = snap(x);
  const outW = ffn ? inF : outF;
  let out;
  const oc = r.weighted([[4, 'none'], [3, 'fresh'], [1, 'wronglen'], [1, 'same']]);
  if (oc === 'fresh') out = ctx.array(rows * outW, 'out');
  else if (oc === 'wronglen') { out = ctx.array(rows * outW + 1, 'out'); faults.push('RangeError'); }
  else if (oc === 'same' && inF === outW) out = x; // in place: allowed when the shapes agree
  const disposeWhen = r.weighted([[6, 'never'], [1, 'before'], [isAsync ? 2 : 0, 'during']]);
  const detachLater = isAsync && r.bool(0.15) ? r.pick(['x', 'out']) : null;
  const wrongPacked = r.bool(0.05);
  // What the op is given: the pack, a structured clone of it (what a worker_thread receives from
  // postMessage: valid however the sender's handle is disposed), or such a clone with one thing forged.
  const form = wrongPacked ? 'wrong' : r.weighted([[10, 'pack'], [3, 'clone'], [4, 'forged']]);
  let arg = packed, forgery = null;
  if (form === 'clone' || form === 'forged') arg = structuredClone(packed);
  if (form === 'forged') forgery = forgeClone(r, arg, ffn);
  let expect = expectOf(faults);
  if (disposeWhen === 'before' && form === 'pack') expect = faults.length ? 'errorOrDisposed' : 'disposed';
  if (forgery && forgery.expect) expect = forgery.expect === 'okOrError' ? (faults.length ? 'error' : 'okOrError') : forgery.expect;
  if (detachLater && expect === 'ok') expect = 'okOrError';
  if (wrongPacked) expect = 'TypeError';
  const o = out === undefined ? undefined : { out };
  if (wrongPacked) arg = r.pick([{}, null, new Float32Array(4), { byteLength: 4, dispose() {} }]);
  const shown = `${ffn ? 'PackedFfn' : 'PackedGate'}(${inF}x${outF}${layout ? ',' + layout : ''}${activation ? ',' + activation : ''}${gated ? '' : ',plain'})`;
  return {
    desc: `${name}(${x.__desc}, ${wrongPacked ? 'not-a-pack' : form === 'clone' ? `clone of ${shown}` : forgery ? `clone of ${shown} with ${forgery.desc}` : shown}${o ? ', {out: ' + (out === x ? 'x' : out.__desc) + '}' : ''})` +
      `${disposeWhen !== 'never' ? ` disposed ${disposeWhen}` : ''}${detachLater ? ` detach ${detachLater} while it runs` : ''}`,
    expect,
    run: () => {
      if (disposeWhen === 'before') packed.dispose();
      const p = o ? fn(x, arg, o) : fn(x, arg);
      if (disposeWhen === 'during') packed.dispose();
      if (detachLater) { const v = detachLater === 'x' ? x : out; if (isF32(v)) ctx.detach(v); }
      return p;
    },
    check: (y) => {
      if (disposeWhen === 'never') packed.dispose();
      if (out !== undefined && y !== out) return 'did not return options.out';
      if (detachLater) return null;
      const R = require(path.join(ROOT, 'dist', 'lib', 'reference', 'matrix.js'));
      const want = ffn
        ? R.ffn(xs, { ...(gated ? { gate: snap(wg) } : {}), up: snap(wu), down: snap(wd), inFeatures: inF, hiddenFeatures: outF, layout, activation })
        : R.gluMatmul(xs, snap(wg), snap(wu), { inFeatures: inF, outFeatures: outF, layout, activation });
      return matrixClose(y, want, name);
    },
    cleanup: () => { try { packed.dispose(); } catch { /* already */ } },
  };
}

// gluMatmulBackward / ffnBackward (GLU and plain) and their async twins: valid calls (any fused activation,
// either layout, rows 0..40, any input kind, options.out or not) must match the float64 reference's
// gradients within the matrix bars (and return options.out when given); one injected fault (a wrong length
// of x, a weight, the upstream gradient or an output; a weight or output of the wrong type; a missing
// output; dx over x; a bad option) must be its error class; an input detached while the async form runs
// may reject.
function genMatrixBackward(ctx, name, fn, isAsync) {
  const r = ctx.rng;
  const ffn = name.startsWith('ffn');
  const activation = r.pick([undefined, 'silu', 'gelu', 'gelu-tanh', 'relu', 'sigmoid', 'identity']);
  const gated = !ffn || r.bool(0.6);
  const inF = r.weighted([[5, r.int(1, 40)], [1, r.int(41, 120)]]);
  const outF = r.weighted([[5, r.int(1, 40)], [1, r.int(41, 120)]]);
  const rows = r.weighted([[1, 0], [5, r.int(1, 6)], [2, r.int(7, 40)]]);
  const layout = r.pick([undefined, 'out-in', 'in-out']);
  const faults = [];
  const len = (n, label) => {
    if (r.bool(0.04)) { faults.push('RangeError'); return n + r.pick([1, inF]); }
    return n;
  };
  const weight = (label) => {
    if (r.bool(0.03)) { faults.push('TypeError'); return r.pick([new Float64Array(inF * outF), new Uint16Array(inF * outF), Array.from({ length: inF * outF }, () => 0)]); }
    return randMat(ctx, len(inF * outF, label), label);
  };
  const x = randMat(ctx, rows * inF + (r.bool(0.04) && inF > 1 ? (faults.push('RangeError'), r.int(1, inF - 1)) : 0), 'x');
  const wg = gated ? weight('wGate') : undefined;
  const wu = weight('wUp');
  const wd = ffn ? weight('wDown') : undefined;
  const g = randMat(ctx, len(rows * (ffn ? inF : outF), ffn ? 'dy' : 'dh'), ffn ? 'dy' : 'dh');
  const o = { inFeatures: inF, [ffn ? 'hiddenFeatures' : 'outFeatures']: outF };
  if (layout) o.layout = layout;
  if (activation) o.activation = activation;
  const of = r.float();
  if (of < 0.03) { o.activation = r.pick(['mish', 'tanh', 1]); faults.push(typeof o.activation === 'number' ? 'TypeError' : 'RangeError'); }
  else if (of < 0.06) { o.bogus = 1; faults.push('TypeError'); }
  else if (of < 0.09) { const [key, v, f] = shapeFault(ctx, { inFeatures: inF }); o[key] = v; faults.push(f); }
  // options.out: the caller's arrays (any kind of view), sometimes with one fault
  const keys = ffn ? (gated ? ['dx', 'dGate', 'dUp', 'dDown'] : ['dx', 'dUp', 'dDown']) : ['dx', 'dWGate', 'dWUp'];
  let out;
  if (r.bool(0.3)) {
    out = {};
    for (const k of keys) out[k] = ctx.array(k === 'dx' ? rows * inF : inF * outF, `out.${k}`);
    const f = r.float();
    const victim = r.pick(keys);
    if (f < 0.1) { out[victim] = ctx.array(realLength(out[victim]) + 1, `out.${victim}`); faults.push('RangeError'); }
    else if (f < 0.15) { delete out[victim]; faults.push('TypeError'); }
    else if (f < 0.2) { out[victim] = new Float64Array(realLength(out[victim])); faults.push('TypeError'); }
    else if (f < 0.25 && realLength(x) > 0) { out.dx = x; faults.push('RangeError'); }
    o.out = out;
  }
  const weights = ffn ? { ...(gated ? { gate: wg } : {}), up: wu, down: wd } : null;
  const snaps = { x: snap(x), g: isF32(g) ? snap(g) : g, wg: isF32(wg) ? snap(wg) : wg, wu: isF32(wu) ? snap(wu) : wu, wd: isF32(wd) ? snap(wd) : wd };
  const detachLater = isAsync && r.bool(0.15) ? r.pick(['x', ffn ? 'dy' : 'dh', 'wUp']) : null;
  let expect = expectOf(faults);
  if (detachLater && expect === 'ok') expect = 'okOrError';
  return {
    desc: `${name}(${x.__desc}, ${ffn ? `{${gated ? 'gate, ' : ''}up, down}` : 'wGate, wUp'} ${inF}x${outF}, ${g.__desc}, ${describeObj({ ...o, out: out && Object.keys(out).join('/') })})${detachLater ? ` detach ${detachLater} while it runs` : ''}`,
    expect,
    run: () => {
      const p = ffn ? fn(x, weights, g, o) : fn(x, wg, wu, g, o);
      if (detachLater) { const v = { x, dy: g, dh: g, wUp: wu }[detachLater]; if (isF32(v)) ctx.detach(v); }
      return p;
    },
    check: (res) => {
      if (out !== undefined && res !== out) return 'did not return options.out';
      if (detachLater) return null;
      const R = require(path.join(ROOT, 'dist', 'lib', 'reference', 'index.js'));
      const want = ffn
        ? R.ffnBackward(snaps.x, { ...(gated ? { gate: snaps.wg } : {}), up: snaps.wu, down: snaps.wd }, snaps.g, { inFeatures: inF, hiddenFeatures: outF, layout, activation })
        : R.gluMatmulBackward(snaps.x, snaps.wg, snaps.wu, snaps.g, { inFeatures: inF, outFeatures: outF, layout, activation });
      if (Object.keys(res).sort().join() !== [...keys].sort().join()) return `result keys ${Object.keys(res)}, want ${keys}`;
      for (const k of keys) {
        const bad = matrixClose(res[k], want[k], `${name} ${k}`);
        if (bad) return bad;
      }
      return null;
    },
  };
}

// One thing forged in `c`, a structured clone of a pack (changed in place); returns what the op must do
// with it and a description. Every forgery but an exact copy of the bytes is refused: a buffer of the
// wrong kind or length, fields that disagree with the header the buffer holds, or bytes that hold no
// pack. A copy of the bytes is a pack again only if V8 placed it at the same offset from a 64-byte line.
// expect null: the clone is still exactly the pack's.
function forgeClone(r, c, ffn) {
  const outName = ffn ? 'hiddenFeatures' : 'outFeatures';
  const len = c.buffer.byteLength;
  const other = (list, v) => r.pick(list.filter((e) => e !== v));
  const what = r.pick(['short', 'long', 'fresh', 'plain', 'none', 'copy', 'dims', 'swap', 'dimType', 'dimValue',
    'dtype', 'dtypeValue', 'dtypeType', 'activation', 'activationValue', 'activationType', 'kind', 'kindType', ...(ffn ? ['gated', 'gatedType'] : [])]);
  switch (what) {
    case 'short': c.buffer = new SharedArrayBuffer(len - r.int(1, Math.min(64, len))); return { expect: 'RangeError', desc: 'a shorter buffer' };
    case 'long': c.buffer = new SharedArrayBuffer(len + r.int(1, 64)); return { expect: 'RangeError', desc: 'a longer buffer' };
    case 'fresh': c.buffer = new SharedArrayBuffer(len); return { expect: 'TypeError', desc: 'a new buffer of the same length' };
    case 'plain': { const b = new ArrayBuffer(len); new Uint8Array(b).set(new Uint8Array(c.buffer)); c.buffer = b; return { expect: 'TypeError', desc: 'an ArrayBuffer copy' }; }
    case 'none': delete c.buffer; return { expect: 'TypeError', desc: 'no buffer' };
    case 'copy': { const b = new SharedArrayBuffer(len); new Uint8Array(b).set(new Uint8Array(c.buffer)); c.buffer = b; return { expect: 'okOrError', desc: 'a copy of the buffer' }; }
    case 'dims': {
      const k = r.pick(['inFeatures', outName]), v = c[k];
      let n = v + r.pick([-17, -1, 1, 16, 32]);
      if (n < 1) n = v + 1;
      c[k] = n;
      return { expect: 'RangeError', desc: `${k} ${v} -> ${n}` };
    }
    case 'swap': { // a square pack swapped is the same pack
      const t = c.inFeatures;
      c.inFeatures = c[outName];
      c[outName] = t;
      return { expect: c.inFeatures === c[outName] ? null : 'RangeError', desc: `inFeatures and ${outName} swapped` };
    }
    case 'dimType': c[r.pick(['inFeatures', outName])] = r.pick(['3', null, undefined, 5n, {}]); return { expect: 'TypeError', desc: 'a dimension not a number' };
    case 'dimValue': c[r.pick(['inFeatures', outName])] = r.pick([0, -1, 1.5, NaN, Infinity, 2 ** 53]); return { expect: 'RangeError', desc: 'a dimension out of range' };
    case 'dtype': c.dtype = other(['f32', 'bf16', 'f16'], c.dtype); return { expect: 'RangeError', desc: `dtype ${c.dtype}` };
    case 'dtypeValue': c.dtype = r.pick(['f64', 'F32', '']); return { expect: 'RangeError', desc: `dtype '${c.dtype}'` };
    case 'dtypeType': c.dtype = r.pick([0, null, undefined]); return { expect: 'TypeError', desc: 'dtype not a string' };
    case 'activation': c.activation = other(['silu', 'gelu', 'gelu-tanh', 'relu', 'sigmoid', 'identity'], c.activation); return { expect: 'RangeError', desc: `activation ${c.activation}` };
    case 'activationValue': c.activation = r.pick(['tanh', 'swish', 'SILU']); return { expect: 'RangeError', desc: `activation '${c.activation}'` };
    case 'activationType': c.activation = r.pick([3, null, undefined]); return { expect: 'TypeError', desc: 'activation not a string' };
    case 'kind': c.kind = ffn ? 'PackedGate' : 'PackedFfn'; return { expect: 'TypeError', desc: 'the other kind' };
    case 'kindType': c.kind = r.pick(['Packed', undefined, 1]); return { expect: 'TypeError', desc: 'no kind' };
    case 'gated': c.gated = !c.gated; return { expect: 'RangeError', desc: 'gated flipped' };
    case 'gatedType': c.gated = r.pick(['yes', 1, undefined]); return { expect: 'TypeError', desc: 'gated not a boolean' };
  }
  throw new Error(`forgeClone: ${what}`);
}

// toBf16 / toF16 / fromBf16 / fromF16: valid calls (any input kind, out at an offset or absent) must give the
// reference's bits and leave the bytes around out alone; one injected fault (wrong type, out length, an out
// sharing bytes with x) must be its error class.
function genConvert(ctx, name, fn) {
  const r = ctx.rng;
  const C = ctx.lib.sg.reference.convert;
  const narrow = name.startsWith('to');
  const n = ctx.length(true);
  let x;
  if (narrow) {
    x = ctx.array(n, 'x');
    ctx.fill(x, r.weighted([[3, 'bits'], [1, 'specials'], [1, 'wide']]));
  } else {
    x = new Uint16Array(n);
    for (let i = 0; i < n; i++) x[i] = r.u32() & 0xffff;
  }
  const Out = narrow ? Uint16Array : Float32Array;
  const pad = 3;
  const host = new Out(n + 2 * pad).fill(narrow ? 0xabcd : 7);
  let out = r.bool(0.6) ? host.subarray(pad, pad + n) : undefined;
  let fault = null;
  const roll = r.float();
  if (roll < 0.05) { out = new Out(n + r.int(1, 5)); fault = 'RangeError'; }
  else if (roll < 0.1) { out = narrow ? new Float32Array(n) : new Uint16Array(n); fault = 'TypeError'; }
  else if (roll < 0.14 && n > 0) { // out over x's own bytes
    const bytes = (narrow ? 2 : 4) * n;
    if (x.byteLength >= bytes && !(x.buffer instanceof SharedArrayBuffer) && x.byteOffset % Out.BYTES_PER_ELEMENT === 0) {
      out = new Out(x.buffer, x.byteOffset, n);
      fault = 'RangeError';
    }
  } else if (roll < 0.16) { x = narrow ? new Uint16Array(n) : ctx.array(n, 'x'); fault = 'TypeError'; }
  // the reference reads a byte copy of x (a copy through JS numbers could change a NaN's bits)
  const ref = fault ? null : narrow ? C[name](new Float32Array(new Uint8Array(x.buffer, x.byteOffset, 4 * n).slice().buffer)) : C[name](x);
  const arg = out === undefined ? (r.bool(0.5) ? undefined : {}) : { out };
  return {
    desc: `${name}(${narrow ? (x.__desc || `F32(${n})`) : `U16(${n})`}${out ? `, {out: ${out.constructor.name}(${out.length})}` : ''})${fault ? ` [${fault}]` : ''}`,
    expect: fault || 'ok',
    run: () => fn(x, arg),
    check: (y) => {
      if (out && y !== out) return 'did not return out';
      const got = narrow ? y : new Uint32Array(y.buffer, y.byteOffset, y.length);
      const w = narrow ? ref : new Uint32Array(ref.buffer);
      for (let i = 0; i < n; i++) if (got[i] !== w[i]) return `at ${i}: got 0x${got[i].toString(16)}, want 0x${w[i].toString(16)}`;
      if (out) for (let i = 0; i < pad; i++) if (!Object.is(host[i], host[0]) || !Object.is(host[pad + n + i], host[0])) return 'wrote outside out';
      return null;
    },
  };
}

// loadSafetensors: a small valid file (random tensors), then sometimes a few random bytes changed or the
// file cut: it must parse (each tensor inside the data, its length its shape's) or throw RangeError/TypeError.
function genSafetensors(ctx, name, fn) {
  const r = ctx.rng;
  const DT = { F32: 4, BF16: 2, F16: 2, I32: 4, U8: 1, F64: 8 };
  const header = {};
  let at = 0;
  for (let t = r.int(0, 4); t > 0; t--) {
    const dtype = r.pick(Object.keys(DT));
    const shape = Array.from({ length: r.int(0, 3) }, () => r.int(0, 5));
    const bytes = shape.reduce((a, b) => a * b, 1) * DT[dtype];
    header[`t${t}`] = { dtype, shape, data_offsets: [at, at + bytes] };
    at += bytes;
  }
  if (r.bool(0.3)) header.__metadata__ = { format: 'pt' };
  const json = Buffer.from(JSON.stringify(header) + ' '.repeat(r.int(0, 7)));
  let file = Buffer.alloc(8 + json.length + at);
  file.writeBigUInt64LE(BigInt(json.length), 0);
  json.copy(file, 8);
  for (let i = 8 + json.length; i < file.length; i++) file[i] = r.u32() & 0xff;
  const mutated = r.bool(0.5);
  if (mutated) {
    if (r.bool(0.8)) for (let k = r.int(1, 4); k > 0; k--) file[r.int(0, file.length - 1)] = r.u32() & 0xff;
    else file = file.subarray(0, r.int(0, file.length));
  }
  const shift = r.int(0, 3); // misaligned copies of the same file
  const bytes = new Uint8Array(file.length + shift).subarray(shift);
  bytes.set(file);
  const input = r.bool(0.2) ? bytes.slice().buffer : bytes;
  return {
    desc: `${name}(<${bytes.length}-byte file at offset ${shift}${mutated ? ', mutated' : ''}>)`,
    expect: mutated ? 'okOrError' : 'ok',
    run: () => fn(input),
    check: (t) => {
      const end = 8 + Number(Buffer.from(bytes.buffer, bytes.byteOffset, 8).readBigUInt64LE(0));
      let covered = 0;
      for (const k of Object.keys(t)) {
        const { dtype, shape, data } = t[k];
        if (data.byteLength !== shape.reduce((a, b) => a * b, 1) * DT[dtype] && DT[dtype]) return `${k}: ${data.byteLength} bytes for shape ${shape} ${dtype}`;
        if (data.buffer === bytes.buffer && (data.byteOffset < bytes.byteOffset + end || data.byteOffset + data.byteLength > bytes.byteOffset + bytes.length)) return `${k}: a view outside the data`;
        covered += data.byteLength;
      }
      return covered === bytes.length - end ? null : `tensors cover ${covered} of ${bytes.length - end} data bytes`;
    },
  };
}

// Any exported function the fuzzer has no model for yet: garbage in, no crash out.
function genUnknown(ctx, name, fn) {
  const r = ctx.rng;
  const g = () => r.pick([() => ctx.array(r.int(0, 64), 'a'), () => r.int(-1, 64), () => ({ m: r.int(0, 4), k: r.int(0, 4), n: r.int(0, 4) }),
    () => undefined, () => null, () => 'x', () => new Uint16Array(r.int(0, 16)), () => ({ inFeatures: r.int(1, 4), outFeatures: r.int(1, 4) })])();
  const args = Array.from({ length: r.int(0, 4) }, g);
  return { desc: `${name}(<${args.length} fuzzed args>)`, expect: 'any', allowError: true, run: () => fn(...args), check: () => null };
}

const RUNTIME = ['isa', 'runnableIsas', 'setNumThreads', 'getNumThreads'];
const NOT_FUZZED = new Set(['reference']);

function generate(seed, index, lib, opts) {
  const rng = new Rng(seed, index);
  const ctx = new Ctx(rng, lib, opts);
  const sg = lib.sg;
  // the ISA and thread count this call runs with (every runnable ISA gets fuzzed)
  const isas = lib.binding.runnableIsas();
  const isa = rng.pick(isas);
  const threads = rng.weighted([[4, 1], [4, 2], [1, 3], [1, 8]]);
  lib.binding._testing.setIsa(isa);
  lib.binding.setNumThreads(threads);
  const fnNames = Object.keys(sg).filter((k) => typeof sg[k] === 'function' && !NOT_FUZZED.has(k));
  const isGrad = (k) => k.endsWith('Backward') && (UNARY[k.slice(0, -8)] || GLU[k.slice(0, -8)]);
  const weights = fnNames.map((k) => [UNARY[k] ? 3 : GLU[k] ? 5 : isGrad(k) ? 2 : RUNTIME.includes(k) ? 0.5 : /matmul|ffn/i.test(k) ? 6 : /^pack/.test(k) ? 0 : 1, k]);
  weights.push([8, '@binding']);
  const name = rng.weighted(weights);
  let call;
  if (name === '@binding') call = genBinding(ctx);
  else if (UNARY[name]) call = genUnary(ctx, name, sg[name]);
  else if (GLU[name]) call = genGlu(ctx, name, sg[name]);
  else if (isGrad(name) && UNARY[name.slice(0, -8)]) call = genBackward(ctx, name, sg[name]);
  else if (isGrad(name)) call = genGluBackward(ctx, name, sg[name]);
  else if (RUNTIME.includes(name)) call = genRuntime(ctx, name, sg[name]);
  else if (/^matmul(Async)?$/.test(name)) call = genMatmul(ctx, name, sg[name], name.endsWith('Async'));
  else if (/^(swigluMatmul|swigluFfn|gluMatmul|ffn)(Async)?$/.test(name)) call = genPacked(ctx, name, sg[name], name.endsWith('Async'));
  else if (/^(gluMatmulBackward|ffnBackward)(Async)?$/.test(name)) call = genMatrixBackward(ctx, name, sg[name], name.endsWith('Async'));
  else if (/^(toBf16|toF16|fromBf16|fromF16)$/.test(name)) call = genConvert(ctx, name, sg[name]);
  else if (name === 'loadSafetensors') call = genSafetensors(ctx, name, sg[name]);
  else call = genUnknown(ctx, name, sg[name]);
  call.desc = `[isa=${isa} threads=${threads}] ${call.desc}`;
  call.ctx = ctx;
  return call;
}

// Runs one call; returns null or a failure message.
async function execute(call) {
  let y, err, threw = false;
  try {
    y = call.run();
    if (y && typeof y.then === 'function') y = await y;
  } catch (e) {
    threw = true;
    err = e;
  }
  const guard = call.ctx.checkGuards();
  if (guard) return `memory outside the arrays changed: ${guard}`;
  const cls = threw ? (err instanceof RangeError ? 'RangeError' : err instanceof TypeError ? 'TypeError' : err instanceof Error ? 'Error' : 'non-Error') : 'ok';
  const msg = threw ? `${cls}: ${err && err.message}` : '';
  const disposedErr = threw && /dispos/i.test(msg);
  try {
    switch (call.expect) {
      case 'ok': return threw ? `threw on a valid call: ${msg}` : call.check(y);
      case 'okOrError': return threw ? (cls === 'TypeError' || cls === 'RangeError' ? null : `threw ${msg}`) : call.check(y);
      case 'TypeError':
      case 'RangeError':
        if (!threw) return `returned on an invalid call (expected ${call.expect})`;
        return cls === call.expect ? null : `threw ${msg}; expected a ${call.expect}`;
      case 'error': return !threw ? 'returned on an invalid call' : cls === 'TypeError' || cls === 'RangeError' ? null : `threw ${msg}`;
      case 'disposed': case 'errorOrDisposed':
        if (!threw) return 'used a disposed pack without an error';
        return cls === 'TypeError' || cls === 'RangeError' || disposedErr ? null : `threw ${msg}`;
      case 'any':
        if (!threw) return null;
        if (cls === 'TypeError' || cls === 'RangeError') return null;
        if (call.allowError && cls === 'Error') return null;
        return `threw ${msg}`;
    }
  } finally {
    if (call.cleanup) call.cleanup();
  }
  return null;
}

// ---- child: runs calls [start, start+calls) ----------------------------------------------------------
async function childMain(a) {
  const lib = loadLib();
  const fd = a.progress ? fs.openSync(a.progress, 'w') : -1;
  const pbuf = Buffer.alloc(16);
  const stats = { calls: 0, ok: 0, threw: 0, byExpect: {}, failures: [] };
  for (let i = a.start; i < a.start + a.calls; i++) {
    if (fd >= 0) { pbuf.fill(32); pbuf.write(String(i)); fs.writeSync(fd, pbuf, 0, 16, 0); }
    const call = generate(a.seed, i, lib, { big: true });
    if (a.verbose) process.stderr.write(`${i} ${call.desc}\n`);
    const fail = await execute(call);
    stats.calls++;
    stats.byExpect[call.expect] = (stats.byExpect[call.expect] || 0) + 1;
    if (fail) {
      stats.failures.push({ seed: a.seed, index: i, call: call.desc, failure: fail });
      if (stats.failures.length >= a.maxFailures) break;
    }
  }
  if (a.huge) {
    const msg = hugeCheck(lib);
    if (msg) stats.failures.push({ seed: a.seed, index: -1, call: 'huge in-place relu', failure: msg });
  }
  process.stdout.write(JSON.stringify(stats) + '\n');
}

// One valid in-place op over more than 2^31 floats (8 GiB, committed): index arithmetic past int32.
function hugeCheck(lib) {
  const n = 2 ** 31 + 77;
  const x = new Float32Array(new ArrayBuffer(n * 4));
  const spots = [0, 1, 2 ** 31 - 1, 2 ** 31, 2 ** 31 + 1, n - 1];
  for (const s of spots) x[s] = -(s % 7) - 1;
  x[n - 2] = 5;
  const t0 = Date.now();
  lib.sg.relu(x, { out: x });
  for (const s of spots) if (x[s] !== 0) return `relu at ${s}: ${x[s]}`;
  if (x[n - 2] !== 5) return 'relu at n-2';
  process.stderr.write(`huge in-place relu over ${n} floats: ${Date.now() - t0} ms\n`);
  return null;
}

async function replayMain(a) {
  const lib = loadLib();
  const call = generate(a.seed, a.replay, lib, { big: true });
  console.log(`seed ${a.seed} call ${a.replay}: ${call.desc}\nexpect: ${call.expect}`);
  const fail = await execute(call);
  console.log(fail ? `FAIL: ${fail}` : 'ok');
  process.exitCode = fail ? 1 : 0;
}

// ---- parent ----------------------------------------------------------------------------------------
function describeCall(seed, index) {
  // regenerate in a child (the call description needs the library loaded; the parent stays clean)
  try {
    const { execFileSync } = require('node:child_process');
    return execFileSync(process.execPath, [__filename, '--seed', String(seed), '--replay', String(index)], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 60000 }).split('\n')[0];
  } catch (e) {
    return (e.stdout || '').split('\n')[0] + ' (the replay crashed too)';
  }
}

async function parentMain(a) {
  const t0 = Date.now();
  const shards = [];
  for (let s = 0; s * a.shard < a.calls; s++) shards.push({ start: s * a.shard, calls: Math.min(a.shard, a.calls - s * a.shard) });
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'swiglu-fuzz-'));
  const total = { calls: 0, byExpect: {}, failures: [], crashes: [] };
  let next = 0;
  const runShard = (sh) => new Promise((resolve) => {
    const progress = path.join(tmp, `p${sh.start}`);
    const args = [__filename, '--child', '--seed', String(a.seed), '--start', String(sh.start), '--calls', String(sh.calls), '--progress', progress, '--max-failures', String(a.maxFailures)];
    if (a.huge && sh.start === 0) args.push('--huge');
    const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '', err = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => { err += d; if (err.length > 1e6) err = err.slice(-5e5); });
    const limit = (a.timeout || Math.max(120, sh.calls * 0.02)) * 1000;
    const timer = setTimeout(() => child.kill('SIGKILL'), limit);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      const last = fs.existsSync(progress) ? Number(fs.readFileSync(progress, 'utf8').trim()) : sh.start;
      const line = out.trim().split('\n').pop();
      let stats = null;
      try { stats = JSON.parse(line); } catch { /* crashed */ }
      if (code === 0 && stats) {
        total.calls += stats.calls;
        for (const [k, v] of Object.entries(stats.byExpect)) total.byExpect[k] = (total.byExpect[k] || 0) + v;
        total.failures.push(...stats.failures);
        if (err.trim()) process.stderr.write(err);
      } else {
        const how = signal ? `killed by ${signal}${signal === 'SIGKILL' ? ` (timeout ${limit / 1000} s?)` : ''}` : code === 3 ? 'exit code 3: an error in the fuzzer itself' : `exit code ${code}`;
        total.calls += Math.max(0, last - sh.start);
        total.crashes.push({ seed: a.seed, index: last, how, call: describeCall(a.seed, last), stderr: err.slice(-4000) });
      }
      resolve();
    });
  });
  const workers = Array.from({ length: Math.min(a.jobs, shards.length) }, async () => {
    while (next < shards.length) await runShard(shards[next++]);
  });
  await Promise.all(workers);
  fs.rmSync(tmp, { recursive: true, force: true });
  const secs = ((Date.now() - t0) / 1000).toFixed(1);
  console.log(`swiglu fuzz: seed ${a.seed}, ${total.calls} calls in ${secs} s (${Object.entries(total.byExpect).map(([k, v]) => `${k} ${v}`).join(', ')})`);
  for (const f of total.failures) console.log(`FAIL seed ${f.seed} call ${f.index}: ${f.failure}\n     ${f.call}\n     replay: node scripts/fuzz.js --seed ${f.seed} --replay ${f.index}`);
  for (const c of total.crashes) {
    console.log(`CRASH seed ${c.seed} call ${c.index} (${c.how})\n     ${c.call}\n     replay: node scripts/fuzz.js --seed ${c.seed} --replay ${c.index}\n--- child stderr (tail) ---\n${c.stderr}\n---`);
  }
  if (total.failures.length || total.crashes.length) {
    console.log(`swiglu fuzz: ${total.failures.length} failure(s), ${total.crashes.length} crash(es)`);
    process.exitCode = 1;
  } else {
    console.log('swiglu fuzz: no failures');
  }
}

if (require.main === module) {
  let a;
  try { a = parseArgs(process.argv.slice(2)); } catch (e) { console.error(`fuzz.js: ${e.message}`); process.exit(2); }
  const main = a.child ? childMain : a.replay >= 0 ? replayMain : parentMain;
  main(a).catch((e) => { console.error(e && e.stack || e); process.exit(3); });
}

module.exports = { Rng, generate, execute, ulpError, GLU, unaryModels };
