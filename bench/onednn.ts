// gate --onednn: the fused gate against oneDNN's fused-epilogue gate (two f32 matmul primitives, a swish
// post-op on X·Wgᵀ and a binary-mul post-op on X·Wuᵀ, weights reordered once into the primitive's
// layout). Dev-only: oneDNN is never a dependency of the package. The oneDNN side is a standalone C++
// program (bench/onednn/gate.cc, built here with `g++ -O2 -fopenmp … -ldnnl` on first use) run as a child
// once per ISA and thread count, with ONEDNN_MAX_CPU_ISA (AVX2 beside our AVX2 kernels, AVX512_CORE
// beside AVX-512) and OMP_NUM_THREADS (the Debian build runs on OpenMP) set on that child only. Its
// rows are compared with this run's own f32 SwiGLU gate rows of the same shape, thread count and ISA.
// A missing g++, libdnnl or gate.cc, or a program that fails, is one note and no rows: never a failed run.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Shape } from './args';
import type { GemmRow, OnednnRow, OnednnRun } from './report/types';

/** oneDNN's ISA cap of the same vector width as our kernels, per ISA. */
export const ONEDNN_ISA: Record<string, string> = { avx2: 'AVX2', avx512: 'AVX512_CORE' };

const ROOT = path.resolve(__dirname, '..', '..');
export const SOURCE_FILE = path.join(ROOT, 'bench', 'onednn', 'gate.cc');
export const INSTALL_HINT = 'apt-get install -y g++ libdnnl-dev';

/** One timed row of gate.cc. */
export interface OnednnProgramRow {
  k: number;
  n: number;
  m: number;
  threads: number;
  ms: number;
  gflops: number;
  relErr: number | null; // null: run with --no-check
  ok: boolean; // checked within 1e-5 relative Frobenius (or unchecked)
}

/**
 * gate.cc's output: a first line `oneDNN 2.6.3 (hash) runtime OMP isa avx2 threads 1`, a heading, and
 * rows `KxN M thr | ms GFLOP/s | rel-err ok|FAIL` (or `| - unchecked`). Anything else (ONEDNN_VERBOSE
 * lines, warnings) is skipped.
 */
export function parseOnednnGate(text: string): { version: string | null; runtime: string | null; isa: string | null; threads: number | null; rows: OnednnProgramRow[] } {
  const head = /^oneDNN (\S+) .*?runtime (\S+) isa (\S+) threads (\d+)/m.exec(text);
  const rows: OnednnProgramRow[] = [];
  for (const line of text.split('\n')) {
    const m = /^\s*(\d+)x(\d+)\s+(\d+)\s+(\d+)\s*\|\s*(\S+)\s+(\S+)\s*\|\s*(\S+)\s+(ok|FAIL|unchecked)\s*$/.exec(line);
    if (!m) continue;
    const [k, n, mm, threads, ms, gflops] = m.slice(1, 7).map(Number);
    if (![k, n, mm, threads, ms, gflops].every(Number.isFinite) || !(ms > 0)) continue;
    const relErr = m[8] === 'unchecked' ? null : Number(m[7]);
    rows.push({ k, n, m: mm, threads, ms, gflops, relErr: relErr !== null && Number.isFinite(relErr) ? relErr : null, ok: m[8] !== 'FAIL' });
  }
  return { version: head?.[1] ?? null, runtime: head?.[2] ?? null, isa: head?.[3] ?? null, threads: head ? Number(head[4]) : null, rows };
}

/**
 * Pairs oneDNN's rows with this run's fused SwiGLU gate rows (f32, same M, K, N, threads and ISA):
 * value = oneDNN time ÷ ours (> 1: ours is faster). Rows that failed oneDNN's check are left out.
 */
export function compareOnednn(gate: GemmRow[], onednn: OnednnProgramRow[], isa: string, onednnIsa: string | null): OnednnRow[] {
  const out: OnednnRow[] = [];
  for (const o of onednn) {
    if (!o.ok) continue;
    const ours = gate.find(
      (g) => g.kind === 'gate' && g.dtype === 'f32' && (g.activation ?? 'silu') === 'silu' && g.isa === isa && g.m === o.m && g.k === o.k && g.n === o.n && g.threads === o.threads,
    );
    if (!ours) continue;
    const oursMs = ours.fused.ms.median;
    out.push({ m: o.m, k: o.k, n: o.n, threads: o.threads, isa, onednnIsa, oursMs, onednnMs: o.ms, xOnednn: o.ms / oursMs, relErr: o.relErr });
  }
  return out;
}

/** Where the program is: $SWIGLU_ONEDNN_GATE if set, else built from gate.cc into $BUILD_DIR or /tmp/swiglu-onednn. */
function ensureProgram(env: NodeJS.ProcessEnv): { program: string | null; why: string | null } {
  if (env.SWIGLU_ONEDNN_GATE) {
    return fs.existsSync(env.SWIGLU_ONEDNN_GATE) ? { program: env.SWIGLU_ONEDNN_GATE, why: null } : { program: null, why: `SWIGLU_ONEDNN_GATE=${env.SWIGLU_ONEDNN_GATE} does not exist` };
  }
  if (!fs.existsSync(SOURCE_FILE)) return { program: null, why: `${SOURCE_FILE} not found (a dev-only file of the repository, not in the npm package)` };
  const dir = env.BUILD_DIR || '/tmp/swiglu-onednn';
  const program = path.join(dir, 'onednn_gate');
  try {
    if (fs.existsSync(program) && fs.statSync(program).mtimeMs >= fs.statSync(SOURCE_FILE).mtimeMs) return { program, why: null };
    fs.mkdirSync(dir, { recursive: true });
  } catch (err) {
    return { program: null, why: `cannot use ${dir}: ${(err as Error).message}` };
  }
  const r = spawnSync('g++', ['-O2', '-fopenmp', '-o', program, SOURCE_FILE, '-ldnnl'], { encoding: 'utf8', timeout: 5 * 60_000 });
  if (r.error) return { program: null, why: `g++ not runnable (${r.error.message}; ${INSTALL_HINT})` };
  if (r.status !== 0) {
    const first = (r.stderr || '').split('\n').find((l) => /error/.test(l)) ?? (r.stderr || '').trim().split('\n')[0] ?? '';
    return { program: null, why: `g++ could not build ${path.relative(process.cwd(), SOURCE_FILE)} against libdnnl (${INSTALL_HINT}): ${first.trim()}` };
  }
  return { program, why: null };
}

/** Runs the oneDNN gate for these shapes, thread counts and ISAs and compares it with the run's gate rows. */
export function runOnednn(
  shapes: Shape[],
  threads: number[],
  isas: string[],
  gate: GemmRow[],
  timing: { repeat: number; minSampleMs: number },
  note: (s: string) => void,
  env: NodeJS.ProcessEnv = process.env,
): OnednnRun {
  const run: OnednnRun = { program: null, version: null, isaCap: null, rows: [], notes: [], skipped: null };
  const built = ensureProgram(env);
  if (!built.program) {
    run.skipped = `oneDNN comparison skipped: ${built.why}`;
    return run;
  }
  run.program = built.program;
  const kn = [...new Set(shapes.map((s) => `${s.k}x${s.n}`))];
  const ms = [...new Set(shapes.map((s) => s.m))];
  const wanted = new Set(shapes.map((s) => `${s.m}x${s.k}x${s.n}`));
  const caps: string[] = [];
  for (const isa of isas) {
    const cap = ONEDNN_ISA[isa];
    if (!cap) {
      run.notes.push(`oneDNN comparison: no oneDNN ISA cap of the same width as ${isa}; not compared`);
      continue;
    }
    caps.push(cap);
    for (const t of threads) {
      const childEnv: NodeJS.ProcessEnv = { ...env, ONEDNN_MAX_CPU_ISA: cap, OMP_NUM_THREADS: String(t) };
      delete childEnv.ONEDNN_VERBOSE;
      delete childEnv.DNNL_VERBOSE;
      const args = ['--shapes', kn.join(','), '--m', ms.join(','), '--repeat', String(timing.repeat), '--min-sample-ms', String(timing.minSampleMs)];
      note(`onednn: ONEDNN_MAX_CPU_ISA=${cap} OMP_NUM_THREADS=${t} ${path.relative(process.cwd(), built.program) || built.program} ${args.join(' ')}`);
      const r = spawnSync(built.program, args, { env: childEnv, encoding: 'utf8', timeout: 30 * 60_000, maxBuffer: 16 << 20 });
      // Exit 1 with rows is a failed check (rows marked FAIL, dropped below); anything else is a failed run.
      const parsed = r.error ? null : parseOnednnGate(r.stdout || '');
      if (!parsed || !parsed.rows.length || (r.status !== 0 && r.status !== 1)) {
        const why = r.error ? r.error.message : `exit ${r.status}${r.signal ? ` (${r.signal})` : ''}: ${(r.stderr || '').trim().split('\n')[0]}`;
        run.skipped = `oneDNN comparison skipped for ${isa} ${t}T: ${built.program} ${args.join(' ')} failed: ${why}`;
        continue;
      }
      run.version ??= parsed.version && `${parsed.version}${parsed.runtime ? ` (${parsed.runtime})` : ''}`;
      if (parsed.threads !== null && parsed.threads !== t) run.notes.push(`oneDNN comparison: OMP_NUM_THREADS=${t} but oneDNN ran ${parsed.threads} threads`);
      for (const f of parsed.rows.filter((o) => !o.ok)) {
        run.notes.push(`oneDNN gate ${f.m}×${f.k}×${f.n} ${t}T under ${cap}: result off the float64 reference (relative Frobenius ${f.relErr}); row not compared`);
      }
      const rows = compareOnednn(
        gate,
        parsed.rows.filter((o) => wanted.has(`${o.m}x${o.k}x${o.n}`)),
        isa,
        parsed.isa,
      );
      run.rows.push(...rows);
    }
  }
  run.isaCap = caps.length ? caps.join(', ') : null;
  if (!run.rows.length && !run.skipped) run.skipped = 'oneDNN comparison: no row to compare (it needs f32 SwiGLU gate rows of the same shapes)';
  return run;
}
