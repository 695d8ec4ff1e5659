// Timing and statistics. A figure is `repeat` timed samples after `warmup` untimed ones; each sample
// runs the call enough times to last at least `minSampleMs` (so that timer resolution and call jitter
// do not dominate tiny sizes), and yields seconds per call. We report the median and the spread
// (min, max, interquartile range) of the rate derived from each sample.
import { performance } from 'node:perf_hooks';

export interface Stat {
  median: number;
  min: number;
  max: number;
  q1: number;
  q3: number;
  samples: number;
}

export interface TimingOptions {
  repeat: number;
  warmup: number;
  /** Lower bound on one sample's duration. */
  minSampleMs: number;
  /**
   * An idle pause before every sample, in ms (--pause; see timeCalls): every sample is then one call,
   * timed as a server sees a sporadic request.
   */
  pauseMs?: number;
}

function quantile(sorted: number[], q: number): number {
  if (sorted.length === 1) return sorted[0];
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo);
}

export function stat(values: number[]): Stat {
  const s = [...values].sort((a, b) => a - b);
  return {
    median: quantile(s, 0.5),
    min: s[0],
    max: s[s.length - 1],
    q1: quantile(s, 0.25),
    q3: quantile(s, 0.75),
    samples: s.length,
  };
}

/** Applies f to every field of a Stat (e.g. seconds per call → elements per second). Order-reversing f swap min/max. */
export function mapStat(s: Stat, f: (v: number) => number): Stat {
  const a = { median: f(s.median), min: f(s.min), max: f(s.max), q1: f(s.q1), q3: f(s.q3), samples: s.samples };
  if (a.min > a.max) [a.min, a.max, a.q1, a.q3] = [a.max, a.min, a.q3, a.q1];
  return a;
}

/** How many calls make one sample last minSampleMs (at least 1). */
function calibrate(once: () => number, minSampleMs: number): number {
  let iters = 1;
  for (;;) {
    const t0 = performance.now();
    for (let i = 0; i < iters; i++) once();
    const ms = performance.now() - t0;
    if (ms >= minSampleMs || iters >= 1 << 24) return iters;
    iters = ms <= 0.01 ? iters * 16 : Math.min(iters * 16, Math.ceil((iters * minSampleMs * 1.1) / ms));
  }
}

/** Seconds per call of a synchronous function, one value per timed sample. */
export function timeSync(fn: () => unknown, o: TimingOptions, after?: (sampleSeconds: number, timed: boolean) => void): number[] {
  const iters = calibrate(() => (fn(), 0), o.minSampleMs);
  const out: number[] = [];
  for (let s = 0; s < o.warmup + o.repeat; s++) {
    const t0 = performance.now();
    for (let i = 0; i < iters; i++) fn();
    const total = (performance.now() - t0) / 1e3;
    if (s >= o.warmup) out.push(total / iters);
    // Untimed work interleaved with the samples (the gate's FMA-peak probe), told how long the sample took.
    after?.(total, s >= o.warmup);
  }
  return out;
}

/**
 * Seconds per call of a synchronous function as timeSync, or, with o.pauseMs > 0, one call per sample,
 * each after that many ms in which the event loop sleeps (a timer, as a server waits for its next
 * request): the clocks, caches and sleeping pool helpers a call then meets are those an idle spell
 * leaves, which back-to-back calls never see.
 */
export async function timeCalls(fn: () => unknown, o: TimingOptions, after?: (sampleSeconds: number, timed: boolean) => void): Promise<number[]> {
  const pause = o.pauseMs ?? 0;
  if (pause <= 0) return timeSync(fn, o, after);
  const out: number[] = [];
  for (let s = 0; s < o.warmup + o.repeat; s++) {
    await new Promise((r) => setTimeout(r, pause));
    const t0 = performance.now();
    fn();
    const sec = (performance.now() - t0) / 1e3;
    if (s >= o.warmup) out.push(sec);
    after?.(sec, s >= o.warmup);
  }
  return out;
}

/** Seconds per call of an asynchronous function (awaited one at a time), one value per timed sample. */
export async function timeAsync(fn: () => Promise<unknown>, o: TimingOptions): Promise<number[]> {
  const pause = o.pauseMs ?? 0;
  let iters = 1;
  while (pause === 0) {
    const t0 = performance.now();
    for (let i = 0; i < iters; i++) await fn();
    const ms = performance.now() - t0;
    if (ms >= o.minSampleMs || iters >= 1 << 20) break;
    iters = ms <= 0.01 ? iters * 16 : Math.min(iters * 16, Math.ceil((iters * o.minSampleMs * 1.1) / ms));
  }
  const out: number[] = [];
  for (let s = 0; s < o.warmup + o.repeat; s++) {
    if (pause > 0) await new Promise((r) => setTimeout(r, pause));
    const t0 = performance.now();
    for (let i = 0; i < iters; i++) await fn();
    const sec = (performance.now() - t0) / 1e3 / iters;
    if (s >= o.warmup) out.push(sec);
  }
  return out;
}

/** Rate statistics (work / second) from seconds-per-call samples. */
export function rate(secondsPerCall: number[], work: number): Stat {
  return stat(secondsPerCall.map((s) => work / s));
}
