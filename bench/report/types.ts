// The results of one run: what --json prints (schema documented in docs/bench.md) and what the table,
// Markdown and SVG renderers read. Bump SCHEMA_VERSION on any incompatible change.
import type { Stat } from '../timing';
import type { CopyFigure, MachineInfo, PeakFigure } from '../machine';

export const SCHEMA_VERSION = 2;

/** DRAM read bandwidth (the addon's readBandwidth probe), once per run and thread count; each M ≤ 8 gate row
 * is held against its own probe taken around its samples (GemmRow.dramReadBracket). */
export interface ReadFigure {
  threads: number;
  bufferBytes: number;
  gbPerSec: Stat;
}

export interface Verdict {
  id: string; // stable key, e.g. "in-cache/silu", "copy/silu/2T", "round-trip"
  bar: string; // the bar in words, e.g. "≥ 5 Gelem/s at 1e5, 1 thread"
  value: number | null; // the measured figure the bar is checked on (null: not measured)
  target: number;
  unit: string;
  meets: boolean | null; // null: could not be checked in this run
  source: string; // where the bar comes from: "the performance bars" (docs/bench.md)
}

export interface ElementwiseRow {
  kind: 'activation' | 'glu';
  op: string;
  elements: number; // outputs per call
  threads: number;
  isa: string;
  bytesPerElement: number; // 8 for activations (read x, write out), 12 for GLU (gate, up, out)
  swiglu: Stat; // Gelem/s
  gbPerSec: number; // median Gelem/s × bytesPerElement
  copyGbPerSec: number | null; // copy bandwidth measured in this run at this size and thread count
  pctOfCopy: number | null; // gbPerSec / copyGbPerSec × 100
  plainJs: Stat | null; // Gelem/s of the plain-JS loop (single-threaded; same figure on every thread row)
  xPlainJs: number | null; // swiglu.median / plainJs.median
  onnxruntime: Stat | null; // Gelem/s of onnxruntime-node session.run, end to end
  xOnnxruntime: number | null;
  defaultForm: Stat | null; // Gelem/s of the same call without options.out (a new result per call); 1e5, 1 thread rows
  pctOfOutForm: number | null; // defaultForm.median / swiglu.median × 100
  defaultFormFaultsPerCall: number | null; // minor page faults of the process per default-form call, over its samples
  // n ≥ 1e7: the op's own in-cache rate at this thread count, measured in this run (1 thread: the 1e5 row;
  // T threads: T × 1e5 elements, at least 3e5 so that the call is split over the threads)
  inCache: { elements: number; gelemPerSec: number } | null;
  pctOfRoofline: number | null; // n ≥ 1e7: swiglu.median / min(copyGbPerSec / bytesPerElement, inCache) × 100
  verdict: 'meets' | 'below bar' | null; // all bars checked on this row (null: none apply)
  bars: string[]; // ids of the verdicts checked on this row
}

export interface RoundTripRow {
  impl: 'swiglu' | 'swiglu-binding' | 'onnxruntime';
  op: string;
  elements: number;
  microsPerCall: Stat;
}

export interface GemmRow {
  kind: 'gate' | 'ffn';
  m: number;
  k: number;
  n: number; // gate: outFeatures (hidden); ffn: hiddenFeatures
  dtype: string;
  activation: string; // the fused activation (silu: SwiGLU)
  threads: number;
  isa: string;
  flop: number; // per call: 4·M·K·N for the gate, 6·M·K·N for the FFN
  weightBytes: number;
  fused: { ms: Stat; gflopsPerSec: Stat };
  peakInterleaved: Stat | null; // GFLOP/s of the FMA probe run after each timed sample, as long as it
  pctOfPeak: number | null; // fused median GFLOP/s / peakInterleaved.median (else / the run's best peak sample) × 100
  weightGbPerSec: number; // weight bytes / median time (the M = 1 figure of merit)
  dramReadBracket: Stat | null; // GB/s of the DRAM read probe run right before and after this row's samples (M ≤ 8)
  pctOfDramRead: number | null; // weightGbPerSec / dramReadBracket.median (else the run's DRAM read figure) × 100 (M ≤ 8 rows)
  unfused: { ms: Stat; gflopsPerSec: Stat } | null; // 2×matmul + swiglu (+ matmul), the package's own unfused path
  xUnfused: number | null; // unfused.ms / fused.ms (speed-up of fusing)
  onnxruntime: { ms: Stat; gflopsPerSec: Stat } | null;
  xOnnxruntime: number | null;
  verdict: 'meets' | 'below bar' | null;
  bars: string[];
}

/**
 * One row of the C++ harness's OpenBLAS comparison (gate --openblas): same process, interleaved. OpenBLAS
 * always runs on f32 weights; a bf16 or f16 row times our gate on the 16-bit weights rounded from them.
 */
export interface OpenblasRow {
  m: number;
  k: number;
  n: number;
  dtype: string; // our gate's weights: f32, bf16 or f16
  threads: number;
  isa: string;
  oursMs: number; // the fused gate, median
  openblasMs: number; // two sgemm (two sgemv at M = 1) + the SiLU·up loop, median
  xOpenblas: number; // openblasMs / oursMs (> 1: ours is faster)
}

export interface OpenblasRun {
  harness: string | null; // the gemm_bench binary run, null when none was found
  coretype: string | null; // OPENBLAS_CORETYPE set on the harness process
  core: string | null; // the core OpenBLAS reported
  rows: OpenblasRow[];
  skipped: string | null; // why there are no rows (missing harness or libopenblas, harness failure)
}

/** One row of the oneDNN comparison (gate --onednn): f32, oneDNN's gate (bench/onednn/gate.cc) beside this run's gate row. */
export interface OnednnRow {
  m: number;
  k: number;
  n: number;
  threads: number;
  isa: string; // our kernels; oneDNN ran capped to the same width (ONEDNN_MAX_CPU_ISA)
  onednnIsa: string | null; // the ISA oneDNN reported using (dnnl_get_effective_cpu_isa)
  oursMs: number; // the fused gate: median over the rounds of gemm_bench (else this run's gate row)
  onednnMs: number; // the two matmul primitives with fused post-ops: median over the rounds of gate.cc's medians
  xOnednn: number; // onednnMs / oursMs (> 1: ours is faster)
  relErr: number | null; // oneDNN's result vs float64, relative Frobenius (≤ 1e-5, else the row is dropped)
  rounds: number; // alternating rounds of gemm_bench and gate.cc behind the figures; 0: ours from the gate row
}

export interface OnednnRun {
  program: string | null; // the gate.cc binary run, null when it could not be built or found
  version: string | null; // e.g. "2.6.3 (OMP)"
  isaCap: string | null; // ONEDNN_MAX_CPU_ISA values used
  ours: string | null; // where our figures come from: gemm_bench alternating with gate.cc, or the gate rows
  rows: OnednnRow[];
  notes: string[]; // rows dropped (failed check), thread-count mismatches
  skipped: string | null; // why there are no rows (no g++ / libdnnl, program failure)
}

export interface Report {
  schemaVersion: number;
  tool: 'swiglu-bench';
  version: string;
  command: string;
  startedAt: string;
  durationSec: number;
  machine: MachineInfo;
  settings: { threads: number[]; isas: string[]; repeat: number; warmup: number; minSampleMs: number; spinWaitUs: number; pauseMs: number };
  peers: { onnxruntime: string | null };
  roofline: { copy: CopyFigure[]; fmaPeak: PeakFigure[]; dramRead: ReadFigure[] };
  elementwise: ElementwiseRow[];
  roundTrip: RoundTripRow[];
  gate: GemmRow[];
  ffn: GemmRow[];
  openblas: OpenblasRun | null; // gate --openblas only
  onednn: OnednnRun | null; // gate --onednn only
  verdicts: Verdict[];
  notes: string[];
}
