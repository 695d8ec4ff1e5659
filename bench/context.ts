// What every subcommand shares in one run: resolved settings, the progress display, the report being
// filled, and the roofline figures measured on demand once per run (copy bandwidth at a size and
// thread count, DRAM read bandwidth and the FMA peak per thread count).
import { sg, testing } from './api';
import { Options } from './args';
import { copyBandwidth } from './copy';
import { MachineInfo, PeakFigure, measurePeak } from './machine';
import { Progress } from './progress';
import { Report, SCHEMA_VERSION } from './report/types';
import { Stat, TimingOptions, stat } from './timing';
import { loadOrt, ortVersion } from './peers/ort';

/** The DRAM read probe's buffer: 8× this machine's 32 MiB L3, so no pass is served from cache. */
export const DRAM_READ_MIB = 256;

export interface Context {
  opts: Options;
  threads: number[];
  isas: string[];
  timing: TimingOptions;
  progress: Progress;
  report: Report;
  /**
   * Median copy GB/s at `elements` floats on `threads` threads. Measured anew on each call (so that a
   * row's ratio compares figures taken seconds apart on this noisy machine, not minutes); the first
   * figure per size and thread count is also recorded in report.roofline.copy (recordCopy).
   */
  copyAt(elements: number, threads: number): Promise<number>;
  /** Records a copy figure measured elsewhere in report.roofline.copy, if none is there yet for that size and thread count. */
  recordCopy(elements: number, threads: number, gbPerSec: Stat): void;
  /** Median DRAM read GB/s at `threads` (measured once per run; null when the addon has no probe). */
  dramReadAt(threads: number): number | null;
  /** The FMA peak figure at `threads` for the active ISA (measured once per run). */
  peakAt(threads: number): PeakFigure;
  /** Runs fn once per selected ISA with that ISA's kernels switched in. */
  forEachIsa(fn: (isa: string) => Promise<void>): Promise<void>;
  useOrt: boolean;
}

export function createContext(opts: Options, info: MachineInfo, timing: TimingOptions, progress: Progress, command: string, version: string): Context {
  const threads = opts.threads ?? [...new Set([1, info.cores])];
  const isas = opts.isa ?? [info.isa];
  const useOrt = opts.peers && loadOrt() !== null;
  const report: Report = {
    schemaVersion: SCHEMA_VERSION,
    tool: 'swiglu-bench',
    version,
    command,
    startedAt: new Date().toISOString(),
    durationSec: 0,
    machine: info,
    settings: { threads, isas, repeat: timing.repeat, warmup: timing.warmup, minSampleMs: timing.minSampleMs, spinWaitUs: sg.getSpinWait(), pauseMs: opts.pause },
    peers: { onnxruntime: useOrt ? ortVersion() : null },
    roofline: { copy: [], fmaPeak: [], dramRead: [] },
    openblas: null,
    onednn: null,
    elementwise: [],
    roundTrip: [],
    gate: [],
    ffn: [],
    verdicts: [],
    notes: [],
  };
  const recorded = new Set<string>();
  const ctx: Context = {
    opts,
    threads,
    isas,
    timing,
    progress,
    report,
    useOrt,
    async copyAt(elements, th) {
      const s = await copyBandwidth(elements, th, timing);
      ctx.recordCopy(elements, th, s);
      return s.median;
    },
    recordCopy(elements, th, s) {
      const key = `${elements}/${th}`;
      if (recorded.has(key)) return;
      report.roofline.copy.push({ level: `n=${elements}`, elements, workingSetBytes: 8 * elements, threads: th, gbPerSec: s });
      recorded.add(key);
    },
    dramReadAt(th) {
      let f = report.roofline.dramRead.find((r) => r.threads === th);
      if (!f) {
        const passes = Math.max(3, timing.repeat);
        f = { threads: th, bufferBytes: DRAM_READ_MIB << 20, gbPerSec: stat(testing.readBandwidth(DRAM_READ_MIB, th, passes)) };
        report.roofline.dramRead.push(f);
      }
      return f.gbPerSec.median;
    },
    peakAt(th) {
      // Per thread count and ISA: the probe runs the active kernels' widest FMA.
      const isa = sg.isa();
      let p = report.roofline.fmaPeak.find((f) => f.threads === th && (f.isa ?? isa) === isa);
      if (!p) {
        const saved = sg.getNumThreads();
        [p] = measurePeak([th], timing, { tick() {}, start() {}, stop() {}, note() {} });
        sg.setNumThreads(saved);
        report.roofline.fmaPeak.push(p);
      }
      return p;
    },
    async forEachIsa(fn) {
      const original = sg.isa();
      try {
        for (const isa of isas) {
          testing.setIsa(isa);
          await fn(isa);
        }
      } finally {
        testing.setIsa(original);
      }
    },
  };
  return ctx;
}
