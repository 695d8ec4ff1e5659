// `activations` and `glu`: Gelem/s and GB/s per op, size and thread count, as a % of the copy bandwidth
// measured in the same run at the same size and threads, beside the plain-JS loop and onnxruntime-node.
import { sg } from './api';
import { Context } from './context';
import { GLU, GluOp, UNARY, UnaryOp, inputs, select } from './ops';
import { OrtRunner, gluGraph, unaryGraph } from './peers/ort';
import { ElementwiseRow } from './report/types';
import { CopyProbe } from './copy';
import { Stat, TimingOptions, rate, stat, timeCalls } from './timing';

export const DEFAULT_SIZES = [1e3, 1e5, 1e7];
export const ALL_ACTIVATIONS = UNARY.map((o) => o.name);
export const QUICK_ACTIVATIONS = ['silu', 'sigmoid', 'tanh', 'gelu', 'gelu-tanh'];
export const ALL_GLU = GLU.map((o) => o.name);

type Kind = 'activation' | 'glu';

interface Bound {
  name: string;
  ortGraph: ReturnType<typeof unaryGraph>;
  native(): void;
  js(): void;
  inputs: Record<string, Float32Array>;
}

function bindUnary(op: UnaryOp, n: number): Bound {
  const x = inputs(n, 7);
  const out = new Float32Array(n);
  return { name: op.name, ortGraph: unaryGraph(op.name, n), native: () => op.native(x, out), js: () => op.js(x, out), inputs: { X: x } };
}

function bindGlu(op: GluOp, n: number): Bound {
  const g = inputs(n, 7);
  const u = inputs(n, 11);
  const out = new Float32Array(n);
  return { name: op.name, ortGraph: gluGraph(op.act, n), native: () => op.native(g, u, out), js: () => op.js(g, u, out), inputs: { G: g, U: u } };
}

/** The plain-JS loop is slow at large sizes: fewer, single-call samples there (it is not the figure under test). */
function jsTiming(t: TimingOptions, n: number): TimingOptions {
  return n >= 1e6 ? { repeat: Math.min(t.repeat, 3), warmup: Math.min(t.warmup, 1), minSampleMs: 1 } : t;
}

export async function runElementwise(ctx: Context, kind: Kind, defaults: string[]): Promise<void> {
  const unary = kind === 'activation';
  const ops = unary ? select(UNARY, ctx.opts.ops, defaults) : select(GLU, ctx.opts.ops, defaults);
  const sizes = ctx.opts.sizes ?? DEFAULT_SIZES;
  const bpe = unary ? 8 : 12;
  const steps = ctx.isas.length * ops.length * sizes.length * ctx.threads.length;
  ctx.progress.start(steps);
  const jsCache = new Map<string, Stat>();
  await ctx.forEachIsa(async (isa) => {
    for (const n of sizes) {
      for (const op of ops) {
        const b = unary ? bindUnary(op as UnaryOp, n) : bindGlu(op as GluOp, n);
        for (const th of ctx.threads) {
          ctx.progress.tick(`${kind} ${op.name} n=${n} ${th}T ${isa}`);
          // The copy roofline for this row is measured at the same element count and threads: the working
          // set of an activation (x + out) is that of the copy; a GLU's is 1.5× larger, close enough to
          // sit in the same cache level at the sizes the bench uses. In cache it is measured right before
          // the row. Past the caches (n >= 1e6) a copy sample as long as each timed sample of the op runs
          // right after it, and the row's roofline is their median: on this VM the two vCPUs sometimes
          // share one L3 and sometimes sit on two (the 2-thread copy at 1e7 then reads ~100 GB/s instead
          // of ~48), and a copy taken once before the row could come from the other state than the row.
          const interleave = n >= 1e6;
          let copy = interleave ? 0 : await ctx.copyAt(n, th);
          sg.setNumThreads(th);
          const probe = interleave ? await CopyProbe.create(n, th) : null;
          const copies: number[] = [];
          let ours: Stat;
          try {
            ours = rate(
              await timeCalls(b.native, ctx.timing, (secs, timed) => {
                if (probe && timed) copies.push(probe.sampleFor(secs));
              }),
              n / 1e9,
            );
          } finally {
            await probe?.close();
          }
          if (copies.length) {
            const s = stat(copies);
            ctx.recordCopy(n, th, s);
            copy = s.median;
          }
          let js = jsCache.get(`${op.name}/${n}`);
          if (!js) {
            js = rate(await timeCalls(b.js, jsTiming(ctx.timing, n)), n / 1e9);
            jsCache.set(`${op.name}/${n}`, js);
          }
          let ort: Stat | null = null;
          if (ctx.useOrt && b.ortGraph) {
            try {
              const r = await OrtRunner.create(b.ortGraph, b.inputs, th);
              if (r) {
                ort = (await r.time(n / 1e9, n >= 1e6 ? jsTiming(ctx.timing, n) : ctx.timing)).rate;
                await r.release();
              }
            } catch (err) {
              ctx.report.notes.push(`onnxruntime-node could not run ${op.name} at n=${n}: ${(err as Error).message.split('\n')[0]}`);
            }
          }
          const gbps = ours.median * bpe;
          const row: ElementwiseRow = {
            kind,
            op: op.name,
            elements: n,
            threads: th,
            isa,
            bytesPerElement: bpe,
            swiglu: ours,
            gbPerSec: gbps,
            copyGbPerSec: copy,
            pctOfCopy: copy > 0 ? (100 * gbps) / copy : null,
            plainJs: js,
            xPlainJs: js ? ours.median / js.median : null,
            onnxruntime: ort,
            xOnnxruntime: ort ? ours.median / ort.median : null,
            verdict: null,
            bars: [],
          };
          ctx.report.elementwise.push(row);
        }
      }
    }
  });
  ctx.progress.stop();
}
