// gate --onednn: the fused gate against oneDNN's fused-epilogue gate (two f32 matmul primitives, a swish
// post-op on X·Wgᵀ and a binary-mul post-op on X·Wuᵀ, weights reordered once into the primitive's
// layout). Dev-only: oneDNN is never a dependency of the package. The oneDNN side is a standalone C++
// program (bench/onednn/gate.cc, built here with `g++ -O2 -fopenmp … -ldnnl` on first use) run as a child
// once per ISA and thread count, with ONEDNN_MAX_CPU_ISA (AVX2 beside our AVX2 kernels, AVX512_CORE
// beside AVX-512) and OMP_NUM_THREADS (the Debian build runs on OpenMP) set on that child only. Its
// Ours: when the C++ harness (native/tools/gemm_bench.cc, the same kernels) is built, it runs alternately
// with the oneDNN program, `rounds` times per ISA and thread count, and each side's figure is the median
// over the rounds (on a machine shared with other jobs, figures taken minutes apart differ by 2× and
// more, the alternation puts both under the same load); without the harness, this run's own f32 SwiGLU
// gate rows of the same shape, thread count and ISA, timed before the oneDNN program ran, and a note says so.
// A missing g++, libdnnl or gate.cc, or a program that fails, is one note and no rows: never a failed run.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Shape } from './args';
import { harnessCandidates } from './openblas';
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
    out.push({ m: o.m, k: o.k, n: o.n, threads: o.threads, isa, onednnIsa, oursMs, onednnMs: o.ms, xOnednn: o.ms / oursMs, relErr: o.relErr, rounds: 0 });
  }
  return out;
}

/** The fused-gate ms of gemm_bench's f32 rows (`KxN dtype M thr | fused-ms ...`), with or without OpenBLAS figures. */
export function parseHarnessFused(text: string): Array<{ k: number; n: number; m: number; threads: number; ms: number }> {
  const out: Array<{ k: number; n: number; m: number; threads: number; ms: number }> = [];
  for (const line of text.split('\n')) {
    const m = /^\s*(\d+)x(\d+)\s+f32\s+(\d+)\s+(\d+)\s*\|\s*(\S+)/.exec(line);
    if (!m) continue;
    const [k, n, mm, threads, ms] = m.slice(1, 6).map(Number);
    if ([k, n, mm, threads, ms].every(Number.isFinite) && ms > 0) out.push({ k, n, m: mm, threads, ms });
  }
  return out;
}

const median = (v: number[]) => {
  const s = [...v].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

/**
 * Rounds of alternating runs → rows: per (M, K, N, threads), the median of our ms and of oneDNN's over the
 * rounds in which both have the row (a oneDNN row that failed its check in any round is left out).
 */
export function combineRounds(
  rounds: Array<{ ours: Array<{ k: number; n: number; m: number; threads: number; ms: number }>; onednn: OnednnProgramRow[] }>,
  isa: string,
  onednnIsa: string | null,
): OnednnRow[] {
  const key = (o: { m: number; k: number; n: number; threads: number }) => `${o.m}x${o.k}x${o.n}/${o.threads}`;
  const acc = new Map<string, { row: OnednnProgramRow; ours: number[]; onednn: number[]; failed: boolean }>();
  for (const r of rounds) {
    const ours = new Map(r.ours.map((o) => [key(o), o.ms]));
    for (const o of r.onednn) {
      const a = acc.get(key(o)) ?? { row: o, ours: [], onednn: [], failed: false };
      acc.set(key(o), a);
      if (!o.ok) a.failed = true;
      const mine = ours.get(key(o));
      if (mine === undefined) continue;
      a.ours.push(mine);
      a.onednn.push(o.ms);
      if (o.relErr !== null && (a.row.relErr === null || o.relErr > a.row.relErr)) a.row = o;
    }
  }
  const out: OnednnRow[] = [];
  for (const a of acc.values()) {
    if (a.failed || !a.ours.length) continue;
    const oursMs = median(a.ours);
    const onednnMs = median(a.onednn);
    out.push({ m: a.row.m, k: a.row.k, n: a.row.n, threads: a.row.threads, isa, onednnIsa, oursMs, onednnMs, xOnednn: onednnMs / oursMs, relErr: a.row.relErr, rounds: a.ours.length });
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

/** Runs the oneDNN gate for these shapes, thread counts and ISAs, alternately with the C++ harness when built. */
export function runOnednn(
  shapes: Shape[],
  threads: number[],
  isas: string[],
  gate: GemmRow[],
  timing: { repeat: number; minSampleMs: number },
  note: (s: string) => void,
  env: NodeJS.ProcessEnv = process.env,
  rounds = 3,
): OnednnRun {
  const run: OnednnRun = { program: null, version: null, isaCap: null, ours: null, rows: [], notes: [], skipped: null };
  const built = ensureProgram(env);
  if (!built.program) {
    run.skipped = `oneDNN comparison skipped: ${built.why}`;
    return run;
  }
  run.program = built.program;
  const harness = harnessCandidates(env).find((p) => fs.existsSync(p)) ?? null;
  run.ours = harness
    ? `gemm_bench (${harness}), alternating with the oneDNN program, median of ${rounds} rounds`
    : "this run's gate rows (timed before the oneDNN program; build gemm_bench for alternating rounds)";
  if (!harness) run.notes.push('oneDNN comparison: no gemm_bench harness, so ours are the gate rows timed before oneDNN ran (on a busy machine the ratio follows the load; build build/tools/gemm_bench to alternate)');
  const kn = [...new Set(shapes.map((s) => `${s.k}x${s.n}`))];
  const ms = [...new Set(shapes.map((s) => s.m))];
  const wanted = new Set(shapes.map((s) => `${s.m}x${s.k}x${s.n}`));
  const caps: string[] = [];
  const rel = (p: string) => path.relative(process.cwd(), p) || p;
  for (const isa of isas) {
    const cap = ONEDNN_ISA[isa];
    if (!cap) {
      run.notes.push(`oneDNN comparison: no oneDNN ISA cap of the same width as ${isa}; not compared`);
      continue;
    }
    caps.push(cap);
    for (const t of threads) {
      // OMP_WAIT_POLICY=PASSIVE (unless set): OpenMP's threads sleep between calls, as our pool's helpers
      // do with --spin-wait 0 (below); with libgomp's default spinning, 2-thread calls on 2 vCPUs shared
      // with other jobs took 10× longer.
      const childEnv: NodeJS.ProcessEnv = { ...env, ONEDNN_MAX_CPU_ISA: cap, OMP_NUM_THREADS: String(t), OMP_WAIT_POLICY: env.OMP_WAIT_POLICY || 'PASSIVE' };
      delete childEnv.ONEDNN_VERBOSE;
      delete childEnv.DNNL_VERBOSE;
      const args = ['--shapes', kn.join(','), '--m', ms.join(','), '--repeat', String(harness ? Math.max(1, Math.ceil(timing.repeat / rounds)) : timing.repeat), '--min-sample-ms', String(timing.minSampleMs)];
      // --no-probes: our calls back to back, as the oneDNN program makes its own, so both find the weights
      // where their previous call left them (with the harness's interleaved read probe between calls, ours
      // came from DRAM while oneDNN's stayed in L3 wherever they fit: 1024 x 2816 at M = 1).
      // --spin-wait 0 under PASSIVE: both sides' threads sleep between calls (our package default lets the
      // helpers poll between calls of a burst, which OpenMP would do only without PASSIVE).
      const hArgs = ['--isa', isa, '--dtype', 'f32', '--shapes', kn.join(','), '--m', ms.join(','), '--threads', String(t), '--no-probes'];
      if (childEnv.OMP_WAIT_POLICY === 'PASSIVE') hArgs.push('--spin-wait', '0');
      const done: Array<{ ours: ReturnType<typeof parseHarnessFused>; onednn: OnednnProgramRow[] }> = [];
      let onednnIsa: string | null = null;
      let failed: string | null = null;
      for (let r = 0; r < (harness ? rounds : 1) && !failed; r++) {
        let ours: ReturnType<typeof parseHarnessFused> = [];
        if (harness) {
          note(`onednn: round ${r + 1}/${rounds}: ${rel(harness)} ${hArgs.join(' ')}`);
          const h = spawnSync(harness, hArgs, { env, encoding: 'utf8', timeout: 30 * 60_000, maxBuffer: 16 << 20 });
          ours = h.error || h.status !== 0 ? [] : parseHarnessFused(h.stdout || '');
          if (!ours.length) {
            failed = `oneDNN comparison skipped for ${isa} ${t}T: ${harness} ${hArgs.join(' ')} failed: ${h.error ? h.error.message : `exit ${h.status}`}`;
            break;
          }
        }
        note(`onednn: ${harness ? `round ${r + 1}/${rounds}: ` : ''}ONEDNN_MAX_CPU_ISA=${cap} OMP_NUM_THREADS=${t} OMP_WAIT_POLICY=${childEnv.OMP_WAIT_POLICY} ${rel(built.program)} ${args.join(' ')}`);
        const c = spawnSync(built.program, args, { env: childEnv, encoding: 'utf8', timeout: 30 * 60_000, maxBuffer: 16 << 20 });
        // Exit 1 with rows is a failed check (rows marked FAIL, dropped); anything else is a failed run.
        const parsed = c.error ? null : parseOnednnGate(c.stdout || '');
        if (!parsed || !parsed.rows.length || (c.status !== 0 && c.status !== 1)) {
          const why = c.error ? c.error.message : `exit ${c.status}${c.signal ? ` (${c.signal})` : ''}: ${(c.stderr || '').trim().split('\n')[0]}`;
          failed = `oneDNN comparison skipped for ${isa} ${t}T: ${built.program} ${args.join(' ')} failed: ${why}`;
          break;
        }
        run.version ??= parsed.version && `${parsed.version}${parsed.runtime ? ` (${parsed.runtime})` : ''}`;
        onednnIsa = parsed.isa;
        if (parsed.threads !== null && parsed.threads !== t) run.notes.push(`oneDNN comparison: OMP_NUM_THREADS=${t} but oneDNN ran ${parsed.threads} threads`);
        for (const f of parsed.rows.filter((o) => !o.ok)) {
          run.notes.push(`oneDNN gate ${f.m}×${f.k}×${f.n} ${t}T under ${cap}: result off the float64 reference (relative Frobenius ${f.relErr}); row not compared`);
        }
        done.push({ ours, onednn: parsed.rows.filter((o) => wanted.has(`${o.m}x${o.k}x${o.n}`)) });
      }
      if (failed) {
        run.skipped = failed;
        continue;
      }
      run.rows.push(...(harness ? combineRounds(done, isa, onednnIsa) : compareOnednn(gate, done[0]?.onednn ?? [], isa, onednnIsa)));
    }
  }
  run.isaCap = caps.length ? caps.join(', ') : null;
  if (!run.rows.length && !run.skipped) run.skipped = 'oneDNN comparison: no row to compare (without gemm_bench it needs f32 SwiGLU gate rows of the same shapes)';
  return run;
}
