// gate --openblas: the fused gate against OpenBLAS's two-sgemm gate, side by side. Dev-only: OpenBLAS is
// never a dependency of the package. The comparison runs in the C++ harness (native/tools/gemm_bench.cc,
// `--openblas`), which dlopens libopenblas and times both gates round-robin in one process on the same
// inputs; this file finds the harness, runs it once per ISA with OPENBLAS_CORETYPE set on that child
// process only (Haswell kernels beside our AVX2 ones, SkylakeX beside AVX-512), and reads its table.
// A missing harness or libopenblas, or a harness that fails, is one note and no rows: never a failed run.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { DTYPES, type Dtype, type Shape } from './args';
import type { OpenblasRow, OpenblasRun } from './report/types';

/** OpenBLAS kernels of the same vector width as ours, per ISA. */
export const CORETYPE: Record<string, string> = { avx2: 'Haswell', avx512: 'SkylakeX' };

const ROOT = path.resolve(__dirname, '..', '..');

/** Where a built harness may be: $SWIGLU_GEMM_BENCH, then the build directories the docs and run.sh use. */
export function harnessCandidates(env: NodeJS.ProcessEnv = process.env): string[] {
  return [
    env.SWIGLU_GEMM_BENCH,
    path.join(ROOT, 'build', 'tools', 'gemm_bench'),
    path.join(ROOT, 'build', 'gemm_bench'),
    path.join(env.BUILD_DIR || '/tmp/swiglu-gemm-bench', 'gemm_bench'),
  ].filter((p): p is string => !!p);
}

/**
 * The rows of gemm_bench's gate table that have an OpenBLAS figure. A row reads
 * `KxN dtype M thr | fused-ms GFLOP/s %peak %DRAM | unfused-ms fus/unf | OBLAS-ms OB/ours | probe %best`;
 * OBLAS-ms is 0 when OpenBLAS did not run. A bf16 or f16 row's OpenBLAS figure is the same gate on the
 * f32 weights the 16-bit ones were rounded from (OpenBLAS has no 16-bit GEMM).
 */
export function parseGemmBench(text: string, isa: string): { core: string | null; rows: OpenblasRow[] } {
  const core = /OpenBLAS core (\S+)/.exec(text)?.[1] ?? null;
  const rows: OpenblasRow[] = [];
  for (const line of text.split('\n')) {
    const parts = line.split('|').map((p) => p.trim().split(/\s+/));
    if (parts.length < 4) continue;
    const [shape, dtype, mText, thText] = parts[0];
    const kn = /^(\d+)x(\d+)$/.exec(shape ?? '');
    if (!kn || !(DTYPES as readonly string[]).includes(dtype)) continue;
    const oursMs = Number(parts[1][0]);
    const openblasMs = Number(parts[3][0]);
    const m = Number(mText);
    const threads = Number(thText);
    if (![oursMs, openblasMs, m, threads].every(Number.isFinite) || !(oursMs > 0) || !(openblasMs > 0)) continue;
    rows.push({ m, k: Number(kn[1]), n: Number(kn[2]), dtype, threads, isa, oursMs, openblasMs, xOpenblas: openblasMs / oursMs });
  }
  return { core, rows };
}

/** Runs the harness for these shapes, thread counts, ISAs and weight dtypes (16-bit rows against OpenBLAS on f32). */
export function runOpenblas(shapes: Shape[], threads: number[], isas: string[], dtypes: Dtype[], note: (s: string) => void): OpenblasRun {
  const harness = harnessCandidates().find((p) => fs.existsSync(p)) ?? null;
  const run: OpenblasRun = { harness, coretype: null, core: null, rows: [], skipped: null };
  if (!harness) {
    run.skipped =
      'OpenBLAS comparison skipped: no gemm_bench harness found (build it: cmake -S . -B build/tools -DCMAKE_BUILD_TYPE=Release && cmake --build build/tools --target gemm_bench)';
    return run;
  }
  const kn = [...new Set(shapes.map((s) => `${s.k}x${s.n}`))];
  const ms = [...new Set(shapes.map((s) => s.m))];
  const wanted = new Set(shapes.map((s) => `${s.m}x${s.k}x${s.n}`));
  const coretypes: string[] = [];
  for (const isa of isas) {
    const coretype = CORETYPE[isa];
    const env = { ...process.env };
    if (coretype) env.OPENBLAS_CORETYPE = coretype;
    else delete env.OPENBLAS_CORETYPE;
    note(`openblas: ${path.relative(process.cwd(), harness) || harness} --isa ${isa}${coretype ? ` (OPENBLAS_CORETYPE=${coretype})` : ''}`);
    const args = ['--openblas', '--isa', isa, '--dtype', dtypes.join(','), '--shapes', kn.join(','), '--m', ms.join(','), '--threads', threads.join(',')];
    const r = spawnSync(harness, args, { env, encoding: 'utf8', timeout: 30 * 60_000, maxBuffer: 16 << 20 });
    if (r.error || r.status !== 0) {
      const why = r.error ? r.error.message : `exit ${r.status}${r.signal ? ` (${r.signal})` : ''}: ${(r.stderr || '').trim().split('\n')[0]}`;
      run.skipped = `OpenBLAS comparison skipped for ${isa}: ${harness} ${args.join(' ')} failed: ${why}`;
      continue;
    }
    if (/OpenBLAS not found/.test(r.stderr)) {
      run.skipped = 'OpenBLAS comparison skipped: libopenblas not found by the harness (apt-get install -y libopenblas-dev)';
      break;
    }
    const parsed = parseGemmBench(r.stdout, isa);
    run.core = run.core ? `${run.core}, ${parsed.core ?? '?'}` : parsed.core;
    if (coretype) coretypes.push(coretype);
    run.rows.push(...parsed.rows.filter((o) => wanted.has(`${o.m}x${o.k}x${o.n}`)));
  }
  run.coretype = coretypes.length ? coretypes.join(', ') : null;
  if (!run.rows.length && !run.skipped) run.skipped = 'OpenBLAS comparison: the harness printed no rows with an OpenBLAS figure';
  return run;
}
