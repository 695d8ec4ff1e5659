// Copy bandwidth: the roofline for elementwise ops. The copy is Float32Array.prototype.set between two
// same-typed, non-overlapping arrays, which V8 performs with memmove (native speed, libc's vectorised
// copy), so it measures the memory system rather than JavaScript. With T threads, T − 1 worker threads
// and the main thread each copy their own slice, held in that thread's own ArrayBuffers (V8 copies
// SharedArrayBuffer-backed arrays with relaxed atomics, far slower than memmove, so only the control
// words are shared); a sample starts when the main thread releases the workers and ends when the last
// slice is done (Atomics wait/notify, no spinning).
// Bytes are counted as an elementwise op counts them: 4 read + 4 written per element.
import { Worker } from 'node:worker_threads';
import { performance } from 'node:perf_hooks';
import { Stat, TimingOptions, stat } from './timing';

const WORKER_SOURCE = `
const { workerData, parentPort } = require('node:worker_threads');
const { ctl, length } = workerData;
const c = new Int32Array(ctl);
const s = new Float32Array(length);
const d = new Float32Array(length).fill(1);
for (let i = 0; i < length; i++) s[i] = i & 1023;
let gen = 0;
parentPort.postMessage('ready');
for (;;) {
  Atomics.wait(c, 0, gen);
  gen = Atomics.load(c, 0);
  if (gen < 0) break;
  const reps = Atomics.load(c, 1);
  for (let r = 0; r < reps; r++) d.set(s);
  if (Atomics.add(c, 2, 1) + 1 === Atomics.load(c, 3)) Atomics.notify(c, 2);
}
`;

export class CopyProbe {
  private workers: Worker[] = [];
  private ctl: Int32Array;
  private mySrc: Float32Array;
  private myDst: Float32Array;
  private perCopy = 0; // seconds per copy, learnt by sampleFor

  private constructor(readonly elements: number, readonly threads: number) {
    this.ctl = new Int32Array(new SharedArrayBuffer(16));
    const mine = Math.min(Math.ceil(elements / threads), elements);
    this.mySrc = new Float32Array(mine);
    this.myDst = new Float32Array(mine).fill(1); // touch every page
    for (let i = 0; i < mine; i++) this.mySrc[i] = i & 1023;
    this.ctl[3] = threads - 1;
  }

  static async create(elements: number, threads: number): Promise<CopyProbe> {
    const p = new CopyProbe(elements, threads);
    const per = Math.ceil(elements / threads);
    const ready: Promise<unknown>[] = [];
    for (let t = 1; t < threads; t++) {
      const begin = Math.min(t * per, elements);
      const end = Math.min(begin + per, elements);
      const w = new Worker(WORKER_SOURCE, {
        eval: true,
        workerData: { ctl: p.ctl.buffer, length: end - begin },
      });
      ready.push(new Promise((resolve, reject) => (w.once('message', resolve), w.once('error', reject))));
      p.workers.push(w);
    }
    await Promise.all(ready);
    return p;
  }

  /** Seconds for `reps` copies of the whole array, split over the threads. */
  private run(reps: number): number {
    const c = this.ctl;
    const t0 = performance.now();
    if (this.workers.length > 0) {
      Atomics.store(c, 1, reps);
      Atomics.store(c, 2, 0);
      Atomics.add(c, 0, 1);
      Atomics.notify(c, 0);
    }
    for (let r = 0; r < reps; r++) this.myDst.set(this.mySrc);
    if (this.workers.length > 0) {
      for (;;) {
        const done = Atomics.load(c, 2);
        if (done >= this.workers.length) break;
        Atomics.wait(c, 2, done, 1000);
      }
    }
    return (performance.now() - t0) / 1e3;
  }

  /** GB/s (read + write bytes) per sample. */
  measure(o: TimingOptions): Stat {
    let reps = 1;
    for (;;) {
      const s = this.run(reps);
      if (s * 1e3 >= o.minSampleMs || reps >= 1 << 24) break;
      reps = Math.min(reps * 16, Math.max(reps + 1, Math.ceil((reps * o.minSampleMs * 1.1) / Math.max(s * 1e3, 1e-3))));
    }
    const bytes = 8 * this.elements * reps;
    const gbps: number[] = [];
    for (let i = 0; i < o.warmup + o.repeat; i++) {
      const s = this.run(reps);
      if (i >= o.warmup) gbps.push(bytes / s / 1e9);
    }
    return stat(gbps);
  }

  /**
   * One sample of about `seconds` (at least one copy), in GB/s: for interleaving with another
   * measurement, so that both see the same machine state sample by sample.
   */
  sampleFor(seconds: number): number {
    if (this.perCopy === 0) this.perCopy = Math.max(this.run(1), 1e-7); // also faults the arrays in
    const reps = Math.max(1, Math.round(seconds / this.perCopy));
    const s = this.run(reps);
    this.perCopy = s / reps;
    return (8 * this.elements * reps) / s / 1e9;
  }

  async close(): Promise<void> {
    if (this.workers.length === 0) return;
    Atomics.store(this.ctl, 0, -1);
    Atomics.notify(this.ctl, 0);
    await Promise.all(this.workers.map((w) => w.terminate()));
    this.workers = [];
  }
}

/** Copy bandwidth (GB/s, read + write) for an array of `elements` floats on `threads` threads. */
export async function copyBandwidth(elements: number, threads: number, o: TimingOptions): Promise<Stat> {
  const probe = await CopyProbe.create(elements, threads);
  try {
    return probe.measure(o);
  } finally {
    await probe.close();
  }
}
