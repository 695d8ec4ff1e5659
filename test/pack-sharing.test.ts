// Packs shared with worker_threads (lib/packs.ts, native/addon/packs.h): real workers receive packs by
// workerData and by postMessage and pass them straight to the ops; their results are bit-identical to
// the main thread's; what they received stays valid when the sender disposes its handle (before the
// worker even starts, and while it computes) and when the thread that made the pack is gone; the
// memory is the sender's, not a copy; forged or edited clones are TypeErrors/RangeErrors in the main
// thread and in a worker. `using` disposes a pack. Runs the compiled library (dist/lib, as the
// workers load it), so main thread and workers run the same code.
import * as fs from 'node:fs';
import { createRequire } from 'node:module';
import * as path from 'node:path';
import * as v8 from 'node:v8';
import * as vm from 'node:vm';
import { Worker } from 'node:worker_threads';
import { afterAll, describe, expect, it } from 'vitest';
import { rand, sameBits } from './helpers/matrix';

type Lib = typeof import('../lib');
const ROOT = path.resolve(__dirname, '..');
const LIB = path.join(ROOT, 'dist', 'lib', 'index.js');
const BUILT = fs.existsSync(LIB);
const sg: Lib = BUILT ? createRequire(__filename)(LIB) : (undefined as never);
const WORKER = path.join(__dirname, 'helpers', 'pack-worker.js');
// A full GC of this thread (test processes run without --expose-gc): a handle dropped here must not take
// memory that another thread still reads.
v8.setFlagsFromString('--expose-gc');
const gc = vm.runInNewContext('gc') as () => void;

type Reply = { id: number; started?: boolean; results?: Record<string, Float32Array>; error?: { name: string; message: string }; [k: string]: unknown };

/** A worker of test/helpers/pack-worker.js and a request/reply channel to it. */
class PackWorker {
  readonly worker: Worker;
  #next = 0;
  #pending = new Map<number, { resolve: (r: Reply) => void; started?: () => void }>();
  constructor(packs?: Record<string, unknown>) {
    this.worker = new Worker(WORKER, { workerData: { lib: LIB, packs } });
    this.worker.on('message', (r: Reply) => {
      const p = this.#pending.get(r.id);
      if (!p) return;
      if (r.started) return p.started?.();
      this.#pending.delete(r.id);
      p.resolve(r);
    });
    this.worker.on('error', (e) => {
      for (const p of this.#pending.values()) p.resolve({ id: -1, error: { name: 'WorkerError', message: String(e) } });
    });
  }
  /** Sends a request; resolves to the reply (its error, if any, rethrown). onStarted: when a 'run' has its first async ops in flight. */
  async request(msg: Record<string, unknown>, onStarted?: () => void): Promise<Reply> {
    const id = this.#next++;
    const r = await new Promise<Reply>((resolve) => {
      this.#pending.set(id, { resolve, started: onStarted });
      this.worker.postMessage({ id, ...msg });
    });
    if (r.error) throw new Error(`worker: ${r.error.name}: ${r.error.message}`);
    return r;
  }
  terminate(): Promise<number> {
    return this.worker.terminate();
  }
}

const workers: PackWorker[] = [];
function spawn(packs?: Record<string, unknown>): PackWorker {
  const w = new PackWorker(packs);
  workers.push(w);
  return w;
}
afterAll(async () => {
  await Promise.all(workers.map((w) => w.terminate()));
});

const K = 67, H = 45, ROWS = 5;
function bits16(n: number, seed: number, to: (f: Float32Array) => Uint16Array): Uint16Array {
  return to(rand(n, seed, -0.5, 1));
}
/** The packs these tests share: gates and FFNs of each dtype, GLU and plain, several activations. */
function makePacks() {
  const w = (seed: number) => rand(K * H, seed, -0.5, 1);
  return {
    gate: sg.packGate(w(1), w(2), { inFeatures: K, outFeatures: H }),
    gateBf16: sg.packGate(bits16(K * H, 3, sg.toBf16), bits16(K * H, 4, sg.toBf16), { inFeatures: K, outFeatures: H, dtype: 'bf16', activation: 'gelu' }),
    ffn: sg.packFfn({ gate: w(5), up: w(6), down: w(7), inFeatures: K, hiddenFeatures: H }),
    mlpF16: sg.packFfn({ up: bits16(K * H, 8, sg.toF16), down: bits16(K * H, 9, sg.toF16), inFeatures: K, hiddenFeatures: H, dtype: 'f16', activation: 'relu', layout: 'in-out' }),
  };
}
type Packs = ReturnType<typeof makePacks>;

/** What the main thread computes with a pack, in every form the worker computes (pack-worker.js runAll). */
async function mainResults(p: Packs[keyof Packs], x: Float32Array): Promise<Record<string, Float32Array>> {
  if (p instanceof sg.PackedGate) {
    const r: Record<string, Float32Array> = { gluMatmul: sg.gluMatmul(x, p), gluMatmulAsync: await sg.gluMatmulAsync(x, p) };
    if (p.activation === 'silu') Object.assign(r, { swigluMatmul: sg.swigluMatmul(x, p), swigluMatmulAsync: await sg.swigluMatmulAsync(x, p) });
    return r;
  }
  const r: Record<string, Float32Array> = { ffn: sg.ffn(x, p), ffnAsync: await sg.ffnAsync(x, p) };
  if (p.activation === 'silu' && p.gated) Object.assign(r, { swigluFfn: sg.swigluFfn(x, p), swigluFfnAsync: await sg.swigluFfnAsync(x, p) });
  return r;
}

function expectSameResults(got: Record<string, Float32Array> | undefined, want: Record<string, Float32Array>, label: string): void {
  expect(Object.keys(got ?? {}).sort(), label).toEqual(Object.keys(want).sort());
  for (const k of Object.keys(want)) expect(sameBits(got![k], want[k]), `${label}: ${k}`).toBe(true);
}

describe.skipIf(!BUILT)('packs shared with worker_threads', () => {
  const x = rand(ROWS * K, 99, -1, 1);

  it('four workers (workerData and postMessage) compute bit-identical results to the main thread', async () => {
    const packs = makePacks();
    const want: Record<string, Record<string, Float32Array>> = {};
    for (const [name, p] of Object.entries(packs)) want[name] = await mainResults(p, x);
    const byData = [spawn(packs), spawn(packs)];
    const byMessage = [spawn(), spawn()];
    for (const w of byMessage) for (const [name, pack] of Object.entries(packs)) await w.request({ cmd: 'keep', name, pack });
    await Promise.all(
      [...byData, ...byMessage].flatMap((w, i) =>
        Object.keys(packs).map(async (name) => expectSameResults((await w.request({ cmd: 'run', packName: name, x })).results, want[name], `worker ${i}, ${name}`)),
      ),
    );
    // a pack passed in the request itself, the way a one-off job would send it
    expectSameResults((await byMessage[0].request({ cmd: 'run', pack: packs.ffn, x })).results, want.ffn, 'pack in the request');
    for (const p of Object.values(packs)) p.dispose();
  });

  it('what a worker received stays valid after the sender disposes its handle, before the worker starts and while it computes', async () => {
    const packs = makePacks();
    const want: Record<string, Record<string, Float32Array>> = {};
    for (const [name, p] of Object.entries(packs)) want[name] = await mainResults(p, x);
    // disposed right after new Worker(): the worker has not even started when the handle goes
    const early = spawn(packs);
    for (const p of Object.values(packs)) p.dispose();
    expect(() => sg.ffn(x, packs.ffn)).toThrow(/ffn: packed \(a PackedFfn\) has been disposed/);
    for (const name of Object.keys(packs)) expectSameResults((await early.request({ cmd: 'run', packName: name, x })).results, want[name], `early, ${name}`);

    // disposed while three workers run rounds of sync and async ops on them, with GCs forced meanwhile
    const again = makePacks();
    const busy = [spawn(again), spawn(again), spawn(again)];
    let started = 0;
    let allStarted = () => {};
    const startedAll = new Promise<void>((resolve) => (allStarted = resolve));
    const names = ['gate', 'ffn', 'mlpF16'] as const;
    const runs = busy.flatMap((w, i) =>
      names.map(async (name) => {
        const r = await w.request({ cmd: 'run', packName: name, x, rounds: 6 }, () => ++started === busy.length * names.length && allStarted());
        expectSameResults(r.results, want[name], `busy ${i}, ${name}`);
      }),
    );
    await Promise.race([startedAll, Promise.all(runs)]);
    for (const p of Object.values(again)) p.dispose();
    gc();
    await Promise.all(runs);
  });

  it('a pack made in a worker outlives that worker', async () => {
    const maker = spawn();
    const wg = rand(K * H, 11), wu = rand(K * H, 12), wd = rand(K * H, 13);
    const { pack } = await maker.request({ cmd: 'pack', ffn: true, weights: { gate: wg, up: wu, down: wd }, options: { inFeatures: K, hiddenFeatures: H } });
    await maker.terminate();
    gc();
    const mine = sg.packFfn({ gate: wg, up: wu, down: wd, inFeatures: K, hiddenFeatures: H });
    const received = pack as import('../lib').ClonedPackedFfn;
    expect(received.kind).toBe('PackedFfn');
    expect(sameBits(sg.ffn(x, received), sg.ffn(x, mine))).toBe(true);
    expect(sameBits(await sg.swigluFfnAsync(x, received), sg.swigluFfn(x, mine))).toBe(true);
    // and passed on to a third thread
    expectSameResults((await spawn().request({ cmd: 'run', pack: received, x })).results, await mainResults(mine, x), 'passed on');
    mine.dispose();
  });

  it('the memory is shared, not copied: a byte written after the send is what the worker reads', async () => {
    const p = sg.packGate(rand(K * H, 21), rand(K * H, 22), { inFeatures: K, outFeatures: H });
    const w = spawn({ p });
    const bytes = new Uint8Array(p.buffer!);
    const last = bytes.length - 1, before = bytes[last];
    Atomics.store(bytes, last, before ^ 0xa5);
    const seen = (await w.request({ cmd: 'byte', packName: 'p', index: last })).value;
    Atomics.store(bytes, last, before);
    expect(seen).toBe(before ^ 0xa5);
    // what crosses is the pack's data fields and its SharedArrayBuffer, nothing else
    const clone = structuredClone(p) as Record<string, unknown>;
    expect(Object.keys(clone).sort()).toEqual(['activation', 'buffer', 'dtype', 'inFeatures', 'kind', 'outFeatures']);
    expect(clone.buffer).toBeInstanceOf(SharedArrayBuffer);
    expect((clone.buffer as SharedArrayBuffer).byteLength).toBe(p.byteLength);
    p.dispose();
    expect(p.buffer).toBeUndefined();
  });

  it('forged and edited clones are TypeErrors or RangeErrors, in a worker as in the main thread', async () => {
    const gate = sg.packGate(rand(K * H, 31), rand(K * H, 32), { inFeatures: K, outFeatures: H, activation: 'gelu' });
    const ffn = sg.packFfn({ up: rand(K * H, 33), down: rand(K * H, 34), inFeatures: K, hiddenFeatures: H, activation: 'relu' });
    const want: Record<string, string> = {
      'buffer of the wrong length': 'RangeError',
      'new buffer of the right length': 'TypeError',
      'an ArrayBuffer': 'TypeError',
      'inFeatures edited': 'RangeError',
      'activation edited': 'RangeError',
      'dtype edited': 'RangeError',
      'no kind': 'TypeError',
      'a plain object': 'TypeError',
    };
    const w = spawn();
    for (const p of [gate, ffn]) {
      const { outcomes } = (await w.request({ cmd: 'forged', pack: p, x })) as unknown as { outcomes: Record<string, { name: string; message: string }> };
      for (const [name, cls] of Object.entries(want)) expect(outcomes[name]?.name, `${p.kind}, ${name}: ${outcomes[name]?.message}`).toBe(cls);
      // the worker is alive and its clone still good
      expect((await w.request({ cmd: 'run', pack: p, x })).results).toBeDefined();
    }
    // the same in the main thread, with the messages
    const c = structuredClone(gate);
    expect(sameBits(sg.gluMatmul(x, c), sg.gluMatmul(x, gate))).toBe(true);
    expect(() => sg.gluMatmul(x, { ...c, buffer: new SharedArrayBuffer(c.buffer!.byteLength + 1) })).toThrow(/gluMatmul: packed\.buffer must be \d+ bytes long for a PackedGate of inFeatures 67, outFeatures 45, dtype 'f32'; got \d+/);
    expect(() => sg.gluMatmul(x, { ...c, buffer: new SharedArrayBuffer(c.buffer!.byteLength) })).toThrow(/gluMatmul: packed\.buffer holds no pack made by this build of swiglu/);
    expect(() => sg.gluMatmul(x, { ...c, buffer: new ArrayBuffer(8) as never })).toThrow(/gluMatmul: packed\.buffer must be a SharedArrayBuffer, got ArrayBuffer/);
    expect(() => sg.gluMatmul(x, { ...c, activation: 'silu' })).toThrow(/gluMatmul: packed's fields do not match the pack in its buffer .*'silu'.*'gelu'/);
    expect(() => sg.gluMatmul(x, { ...c, inFeatures: 1.5 })).toThrow(RangeError);
    expect(() => sg.gluMatmul(x, { ...c, dtype: undefined as never })).toThrow(/packed\.dtype must be one of 'f32', 'bf16', 'f16', got undefined/);
    expect(() => sg.swigluMatmul(x, structuredClone(ffn) as never)).toThrow(/swigluMatmul: packed must be a PackedGate, got a PackedFfn/);
    expect(() => sg.ffn(x, { ...structuredClone(ffn), gated: true })).toThrow(RangeError);
    gate.dispose();
    expect(() => sg.gluMatmul(x, structuredClone(gate))).toThrow(/gluMatmul: packed \(a PackedGate\) has no buffer: it was disposed before it was sent/);
    // the clone made before the dispose still computes
    expect(sameBits(sg.gluMatmul(x, c), (await w.request({ cmd: 'run', pack: c, x })).results!.gluMatmul)).toBe(true);
    ffn.dispose();
  });

  it('`using` disposes a pack at the end of its scope', () => {
    let outer: import('../lib').PackedGate | undefined;
    {
      using p = sg.packGate(rand(K * H, 41), rand(K * H, 42), { inFeatures: K, outFeatures: H });
      outer = p;
      expect(p.disposed).toBe(false);
    }
    expect(outer.disposed).toBe(true);
    expect(typeof Symbol.dispose).toBe('symbol');
    expect(typeof (outer as unknown as Record<symbol, unknown>)[Symbol.dispose]).toBe('function');
  });
});
