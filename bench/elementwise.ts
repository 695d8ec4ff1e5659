// `activations` and `glu`: Gelem/s and GB/s per op, size and thread count, as a % of the copy bandwidth
// measured in the same run at the same size and threads, beside the plain-JS loop and onnxruntime-node.
import { sg } from './api';
import { Context } from './context';
import { GLU, GluOp, UNARY, UnaryOp, inputs, select } from './ops';
import { OrtRunner, gluGraph, unaryGraph } from './peers/ort';
import { ElementwiseRow } from './report/types';
import { CopyProbe } from './copy';
import { Stat, TimingOptions, rate, stat, timeCalls } from './timing';
import { performance } from 'node:perf_hooks';
import { IN_CACHE_ELEMENTS, LARGE_ELEMENTS } from './verdicts';

export const DEFAULT_SIZES = [1e3, 1e5, 1e7];
export const ALL_ACTIVATIONS = UNARY.map((o) => o.name);
export const QUICK_ACTIVATIONS = ['silu', 'sigmoid', 'tanh', 'gelu', 'gelu-tanh'];
export const ALL_GLU = GLU.map((o) => o.name);

/**
 * The size at which an op's in-cache rate on `threads` threads is measured: 1e5 on one thread; T × 1e5
 * on T, but at least 3e5, since the addon keeps calls under 2^18 elements on the calling thread (a
 * 1e5-element row on 2 threads runs on one) — still in cache (2.4 MB of x + out on 2 threads).
 */
export function inCacheElements(threads: number): number {
  return threads <= 1 ? IN_CACHE_ELEMENTS : Math.max(IN_CACHE_ELEMENTS * threads, 3e5);
}
type Kind = 'activation' | 'glu';

interface Bound {
  name: string;
  ortGraph: ReturnType<typeof unaryGraph>;
  native(): void;
  fresh(): void; // the default call form (no out)
  js(): void;
  inputs: Record<string, Float32Array>;
}

function bindUnary(op: UnaryOp, n: number): Bound {
  const x = inputs(n, 7);
  const out = new Float32Array(n);
  return { name: op.name, ortGraph: unaryGraph(op.name, n), native: () => op.native(x, out), fresh: () => op.fresh(x), js: () => op.js(x, out), inputs: { X: x } };
}

function bindGlu(op: GluOp, n: number): Bound {
  const g = inputs(n, 7);
  const u = inputs(n, 11);
  const out = new Float32Array(n);
  return { name: op.name, ortGraph: gluGraph(op.act, n), native: () => op.native(g, u, out), fresh: () => op.fresh(g, u), js: () => op.js(g, u, out), inputs: { G: g, U: u } };
}

/** Calls fn back to back for about `seconds` (at least once); seconds per call and how many calls. */
function sampleFor(fn: () => void, seconds: number): { secondsPerCall: number; calls: number } {
  const t0 = performance.now();
  let calls = 0;
  do {
    fn();
    calls++;
  } while ((performance.now() - t0) / 1e3 < seconds);
  return { secondsPerCall: (performance.now() - t0) / 1e3 / calls, calls };
}

/**
 * Minor page faults of the whole process so far (getrusage: every thread, V8's GC helpers included).
 * Counted around the default form's samples: a new result on pages the C allocator has just taken back
 * from the kernel faults each of them in again inside the call, which is most of the difference from
 * the out form where that happens (docs/tuning-log.md, "The default call form").
 */
const minorFaults = () => process.resourceUsage().minorPageFault;

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
  const inCacheRates = new Map<string, { elements: number; gelemPerSec: number }>();
  /** The op's in-cache Gelem/s at `th` threads in this run: its row at that size if there is one, else measured now. */
  const inCacheRate = async (op: UnaryOp | GluOp, th: number, isa: string) => {
    const elements = inCacheElements(th);
    const key = `${op.name}/${th}/${isa}`;
    let f = inCacheRates.get(key);
    if (!f) {
      const row = ctx.report.elementwise.find((e) => e.kind === kind && e.op === op.name && e.elements === elements && e.threads === th && e.isa === isa);
      let gelem = row?.swiglu.median;
      if (gelem === undefined) {
        const b = unary ? bindUnary(op as UnaryOp, elements) : bindGlu(op as GluOp, elements);
        sg.setNumThreads(th);
        gelem = rate(await timeCalls(b.native, ctx.timing), elements / 1e9).median;
      }
      f = { elements, gelemPerSec: gelem };
      inCacheRates.set(key, f);
    }
    return f;
  };
  await ctx.forEachIsa(async (isa) => {
    // The in-cache bars are fractions of the 1-thread FMA peak of the kernels in use, measured in this run.
    if (unary && sizes.includes(IN_CACHE_ELEMENTS) && ctx.threads.includes(1)) ctx.peakAt(1);
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
          // At 1e5 on 1 thread the default call form (a new result per call) is timed too, one sample as
          // long as each sample of the out form right after it, so that both see the same machine state.
          const withDefault = n === IN_CACHE_ELEMENTS && th === 1;
          const paused = (ctx.timing.pauseMs ?? 0) > 0;
          const freshSecs: number[] = [];
          let freshFaults = 0;
          let freshCalls = 0;
          let ours: Stat;
          try {
            ours = rate(
              await timeCalls(b.native, ctx.timing, (secs, timed) => {
                if (probe && timed) copies.push(probe.sampleFor(secs));
                if (withDefault && !paused) {
                  const f0 = minorFaults();
                  const s = sampleFor(b.fresh, secs);
                  if (timed) {
                    freshSecs.push(s.secondsPerCall);
                    freshFaults += minorFaults() - f0;
                    freshCalls += s.calls;
                  }
                }
              }),
              n / 1e9,
            );
          } finally {
            await probe?.close();
          }
          if (withDefault && paused) {
            const f0 = minorFaults();
            freshSecs.push(...(await timeCalls(b.fresh, ctx.timing)));
            freshFaults = minorFaults() - f0;
            freshCalls = ctx.timing.warmup + ctx.timing.repeat; // one call per sample, warm-up samples counted too
          }
          const defaultForm = freshSecs.length ? rate(freshSecs, n / 1e9) : null;
          // Past the caches the roofline is the lower of the copy and the op's own in-cache rate on as many
          // threads: an op bound by its arithmetic is judged by its arithmetic.
          const inCache = unary && n >= LARGE_ELEMENTS ? await inCacheRate(op, th, isa) : null;
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
            defaultForm,
            pctOfOutForm: defaultForm ? (100 * defaultForm.median) / ours.median : null,
            defaultFormFaultsPerCall: freshCalls > 0 ? freshFaults / freshCalls : null,
            inCache,
            pctOfRoofline: inCache && copy > 0 ? (100 * ours.median) / Math.min(copy / bpe, inCache.gelemPerSec) : null,
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
