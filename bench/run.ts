// One run of swiglu-bench after its arguments parsed: loads the addon (through ./api), checks the
// arguments that depend on it, runs the subcommand, judges the bars, and returns the report.
import { Options, UsageError } from './args';
import { Context, createContext } from './context';
import { ALL_ACTIVATIONS, ALL_GLU, QUICK_ACTIVATIONS, runElementwise } from './elementwise';
import { FULL_SHAPES, QUICK_SHAPES, runGemm } from './gemm';
import { machineInfo, measureCopyLevels, measurePeak } from './machine';
import { GLU, UNARY, select } from './ops';
import { createProgress } from './progress';
import { Report } from './report/types';
import { runOpenblas } from './openblas';
import { runOnednn } from './onednn';
import { runRoundTrip } from './roundtrip';
import { TimingOptions } from './timing';
import { judge } from './verdicts';
import { raw, sg } from './api';
import { packageVersion } from './version';

/** Default timing: the quick tour trades samples for time; the subcommands take more. */
function timingFor(o: Options): TimingOptions {
  const quick = o.command === 'all';
  return { repeat: o.repeat ?? (quick ? 5 : 9), warmup: o.warmup ?? (quick ? 1 : 2), minSampleMs: quick ? 10 : 20, pauseMs: o.pause };
}

/** Checks that need the addon (thread limit, runnable ISAs, op names) before anything runs. */
export function validate(o: Options): void {
  for (const t of o.threads ?? []) {
    if (t > raw.maxThreads) throw new UsageError(`--threads: ${t} is more than this build allows (${raw.maxThreads})`);
  }
  const runnable = raw.runnableIsas() as string[];
  for (const isa of o.isa ?? []) {
    if (!runnable.includes(isa)) throw new UsageError(`--isa: ${isa} cannot run on this CPU (runnable: ${runnable.join(', ')})`);
  }
  if (o.ops) {
    const known = new Set([...UNARY, ...GLU].map((x) => x.name));
    if (o.command === 'activations') select(UNARY, o.ops, []);
    else if (o.command === 'glu') select(GLU, o.ops, []);
    else if (o.command === 'all') for (const n of o.ops) if (!known.has(n)) select([...UNARY, ...GLU], [n], []);
  }
  const gemm = o.command === 'gate' || o.command === 'ffn';
  if ((gemm || o.command === 'machine') && o.ops) throw new UsageError(`--ops does not apply to ${o.command}`);
  if ((gemm || o.command === 'machine') && o.sizes) throw new UsageError(`--sizes does not apply to ${o.command} (use --shapes)`);
  if (!gemm && o.command !== 'all' && o.shapes) throw new UsageError(`--shapes applies to gate and ffn, not ${o.command}`);
  if (!gemm && o.command !== 'all' && o.dtype) throw new UsageError(`--dtype applies to gate and ffn, not ${o.command} (activations are float32)`);
  if (!gemm && o.activation) throw new UsageError(`--activation applies to gate and ffn, not ${o.command}`);
}

async function runAll(ctx: Context): Promise<void> {
  const o = ctx.opts;
  const unary = o.ops ? o.ops.filter((n) => UNARY.some((u) => u.name === n) || n === 'swish' || n === 'geluTanh') : QUICK_ACTIVATIONS;
  const glu = o.ops ? o.ops.filter((n) => GLU.some((g) => g.name === n)) : ['swiglu'];
  if (unary.length) await runElementwise({ ...ctx, opts: { ...o, ops: unary } }, 'activation', unary);
  if (glu.length) await runElementwise({ ...ctx, opts: { ...o, ops: glu } }, 'glu', glu);
  await runRoundTrip(ctx);
  for (const th of ctx.threads) ctx.peakAt(th);
  await runGemm(ctx, 'gate', QUICK_SHAPES);
}

export async function run(o: Options, argv: string[]): Promise<Report> {
  const progress = createProgress();
  const info = machineInfo();
  const t0 = Date.now();
  if (o.spinWait !== null) sg.setSpinWait(o.spinWait);
  const ctx = createContext(o, info, timingFor(o), progress, ['swiglu-bench', ...argv].join(' '), packageVersion());
  if (o.pause > 0) {
    ctx.report.notes.push(
      `--pause ${o.pause}: every call timed alone after ${o.pause} ms of idle; the rooflines (copy, FMA peak, DRAM read) ` +
        'are measured back to back, and the performance bars are defined for back-to-back calls: read the verdicts as indications',
    );
  }
  if (o.peers && !ctx.useOrt) ctx.report.notes.push('onnxruntime-node is not installed: no onnxruntime columns (see docs/bench.md to add it)');
  switch (o.command) {
    case 'machine': {
      progress.start(ctx.threads.length * (info.caches.length + 2));
      ctx.report.roofline.copy.push(...(await measureCopyLevels(info, ctx.threads, ctx.timing, 256 << 20, progress)));
      ctx.report.roofline.fmaPeak.push(...measurePeak(ctx.threads, ctx.timing, progress));
      progress.stop();
      if (ctx.report.roofline.fmaPeak.some((p) => p.source !== 'fmaPeak')) {
        ctx.report.notes.push('FMA peak: the addon has no fmaPeak() probe; the figure is a matmul lower bound or unavailable');
      }
      break;
    }
    case 'activations':
      await runElementwise(ctx, 'activation', ALL_ACTIVATIONS);
      await runRoundTrip(ctx);
      break;
    case 'glu':
      await runElementwise(ctx, 'glu', ALL_GLU);
      break;
    case 'gate':
      await runGemm(ctx, 'gate', FULL_SHAPES);
      if (o.openblas) {
        const ob = runOpenblas(o.shapes ?? FULL_SHAPES, ctx.threads, ctx.isas, o.dtype ?? ['f32'], (s) => progress.note(`swiglu-bench: ${s}`));
        ctx.report.openblas = ob;
        if (ob.skipped) {
          ctx.report.notes.push(ob.skipped);
          progress.note(`swiglu-bench: ${ob.skipped}`);
        }
      }
      if (o.onednn) {
        const od = runOnednn(o.shapes ?? FULL_SHAPES, ctx.threads, ctx.isas, ctx.report.gate, ctx.timing, (s) => progress.note(`swiglu-bench: ${s}`));
        ctx.report.onednn = od;
        ctx.report.notes.push(...od.notes);
        if (od.skipped) {
          ctx.report.notes.push(od.skipped);
          progress.note(`swiglu-bench: ${od.skipped}`);
        }
      }
      break;
    case 'ffn':
      await runGemm(ctx, 'ffn', FULL_SHAPES.filter((s) => s.k <= 2048));
      break;
    case 'all':
      await runAll(ctx);
      break;
  }
  ctx.report.durationSec = (Date.now() - t0) / 1e3;
  judge(ctx.report);
  return ctx.report;
}

