// `machine`: the roofline of this machine, measured now. Copy bandwidth per cache level (the working
// set is half the level's size: L1, L2 and L3 per thread for private levels, L3 shared; DRAM far beyond
// L3) and the FP32 FMA peak, from the addon's probe `fmaPeak(seconds, threads)` (lib/testing.ts).
import * as fs from 'node:fs';
import * as os from 'node:os';
import { copyBandwidth } from './copy';
import { Progress } from './progress';
import { Stat, TimingOptions, stat } from './timing';
import { sg, testing } from './api';

export interface CacheInfo {
  level: string; // 'L1d', 'L2', 'L3'
  bytes: number;
  shared: boolean; // shared by all cores (per-thread working sets then split it)
}

export interface CopyFigure {
  level: string; // 'L1', 'L2', 'L3', 'DRAM', or 'n=…' for a bench size
  elements: number; // floats per array (src and dst each)
  workingSetBytes: number; // src + dst
  threads: number;
  gbPerSec: Stat;
}

export interface PeakFigure {
  threads: number;
  /** The kernels active when it was measured (the probe runs the active ISA's widest FMA). */
  isa?: string;
  gflopsPerSec: Stat | null;
  source: 'fmaPeak';
  note?: string;
}

export interface MachineInfo {
  /** The model name as lscpu prints it (/proc/cpuinfo `model name`, else Node's os.cpus()). */
  cpu: string;
  /** /proc/cpuinfo `cpu family` and `model` (x86; null where the kernel does not say). */
  family: number | null;
  model: number | null;
  cores: number;
  caches: CacheInfo[];
  node: string;
  platform: string;
  isa: string;
  runnableIsas: string[];
  /** os.loadavg() when the run started: other work on the machine makes every figure noisier. */
  loadAverage: number[];
}

function readCaches(): CacheInfo[] {
  const out: CacheInfo[] = [];
  const base = '/sys/devices/system/cpu/cpu0/cache';
  try {
    for (const d of fs.readdirSync(base).filter((n) => n.startsWith('index'))) {
      const rd = (f: string) => fs.readFileSync(`${base}/${d}/${f}`, 'utf8').trim();
      const type = rd('type');
      if (type === 'Instruction') continue;
      const level = Number(rd('level'));
      const m = /^(\d+)([KMG]?)/.exec(rd('size'));
      if (!m) continue;
      const bytes = Number(m[1]) * ({ '': 1, K: 1024, M: 1 << 20, G: 1 << 30 } as Record<string, number>)[m[2]];
      let shared = false;
      try {
        shared = rd('shared_cpu_list').includes(',') || rd('shared_cpu_list').includes('-');
      } catch {
        shared = level >= 3;
      }
      out.push({ level: level === 1 ? 'L1d' : `L${level}`, bytes, shared });
    }
  } catch {
    /* not Linux: defaults below */
  }
  if (out.length === 0) {
    out.push({ level: 'L1d', bytes: 32 << 10, shared: false }, { level: 'L2', bytes: 1 << 20, shared: false }, { level: 'L3', bytes: 16 << 20, shared: true });
  }
  return out.sort((a, b) => a.bytes - b.bytes);
}

/** The first processor's `model name`, `cpu family` and `model` from /proc/cpuinfo (Linux x86). */
export function parseCpuinfo(text: string): { name: string | null; family: number | null; model: number | null } {
  const block = text.split(/\n\s*\n/)[0] ?? '';
  const field = (key: string) => new RegExp(`^${key}\\s*:\\s*(.*)$`, 'm').exec(block)?.[1].trim() ?? null;
  const int = (v: string | null) => (v !== null && /^\d+$/.test(v) ? Number(v) : null);
  return { name: field('model name'), family: int(field('cpu family')), model: int(field('model')) };
}

function readCpuinfo(): ReturnType<typeof parseCpuinfo> {
  try {
    return parseCpuinfo(fs.readFileSync('/proc/cpuinfo', 'utf8'));
  } catch {
    return { name: null, family: null, model: null };
  }
}

export function machineInfo(): MachineInfo {
  const ci = readCpuinfo();
  return {
    cpu: ci.name ?? os.cpus()[0]?.model ?? 'unknown',
    family: ci.family,
    model: ci.model,
    cores: os.availableParallelism ? os.availableParallelism() : os.cpus().length,
    caches: readCaches(),
    node: process.version,
    platform: `${process.platform}-${process.arch}`,
    isa: sg.isa(),
    runnableIsas: sg.runnableIsas(),
    loadAverage: os.loadavg().map((v) => Math.round(v * 100) / 100),
  };
}

/** Working sets for the cache-level copy figures: floats per array (src and dst each), per thread count. */
export function levelSizes(caches: CacheInfo[], threads: number, dramBytesPerArray: number): Array<{ level: string; elements: number }> {
  const sizes = caches.map((c) => {
    const total = c.shared ? c.bytes / 2 : (c.bytes / 2) * threads; // half the level, on each core for private ones
    return { level: c.level.replace('L1d', 'L1'), elements: Math.max(256, Math.floor(total / 8)) };
  });
  const l3 = caches[caches.length - 1]?.bytes ?? 16 << 20;
  sizes.push({ level: 'DRAM', elements: Math.floor(Math.max(dramBytesPerArray, 8 * l3) / 4) });
  return sizes;
}

export async function measureCopyLevels(
  info: MachineInfo,
  threads: number[],
  t: TimingOptions,
  dramBytesPerArray: number,
  progress: Progress,
): Promise<CopyFigure[]> {
  const out: CopyFigure[] = [];
  for (const th of threads) {
    for (const { level, elements } of levelSizes(info.caches, th, dramBytesPerArray)) {
      progress.tick(`copy ${level} ${th}T`);
      out.push({ level, elements, workingSetBytes: 8 * elements, threads: th, gbPerSec: await copyBandwidth(elements, th, t) });
    }
  }
  return out;
}

/** The FP32 FMA peak in GFLOP/s at each thread count (see the header for the sources). */
export function measurePeak(threads: number[], t: TimingOptions, progress: Progress): PeakFigure[] {
  const out: PeakFigure[] = [];
  for (const th of threads) {
    progress.tick(`FMA peak ${th}T`);
    sg.setNumThreads(th);
    const vals: number[] = [];
    for (let i = 0; i < t.warmup + t.repeat; i++) {
      const v = testing.fmaPeak(Math.max(0.05, t.minSampleMs / 1e3), th); // GFLOP/s
      if (i >= t.warmup) vals.push(v);
    }
    out.push({ threads: th, isa: sg.isa(), gflopsPerSec: stat(vals), source: 'fmaPeak' });
  }
  return out;
}
