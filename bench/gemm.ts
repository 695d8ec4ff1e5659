// `gate` and `ffn`: the fused SwiGLU gate H = SiLU(X·Wg) ⊙ (X·Wu) (and the whole FFN, Y = H·Wd) in
// GFLOP/s and % of the FMA peak measured in the same run, beside the package's own unfused path
// (2 × matmul + swiglu [+ matmul]) and onnxruntime-node (MatMul, MatMul, Sigmoid, Mul, Mul [, MatMul]).
import { sg, testing } from './api';
import { Dtype, FusedActivation, Shape } from './args';
import { Context, DRAM_READ_MIB } from './context';
import { GLU, inputs } from './ops';
import { OrtRunner, gateGraph } from './peers/ort';
import { GemmRow } from './report/types';
import { Stat, mapStat, stat, timeAsync, timeCalls } from './timing';

export const QUICK_SHAPES: Shape[] = [1, 64, 256].map((m) => ({ m, k: 1024, n: 2816 }));
export const FULL_SHAPES: Shape[] = [
  [1024, 2816],
  [2048, 5632],
  [4096, 11008],
].flatMap(([k, n]) => [1, 8, 64, 512].map((m) => ({ m, k, n })));

const BYTES: Record<Dtype, number> = { f32: 4, bf16: 2, f16: 2 };

/** The elementwise GLU op the fused epilogue of `act` replaces (the unfused path's third step): the GLU row gated by `act`. */
function unfusedGlu(act: FusedActivation): (g: Float32Array, u: Float32Array, out: Float32Array) => void {
  const op = GLU.find((o) => o.act === act);
  if (!op) throw new Error(`swiglu-bench: no GLU op is gated by ${act}`);
  return op.native;
}

function bf16Bits(w: Float32Array): Uint16Array {
  const u = new Uint32Array(w.buffer, w.byteOffset, w.length);
  const out = new Uint16Array(w.length);
  for (let i = 0; i < w.length; i++) {
    const v = u[i];
    out[i] = (v + 0x7fff + ((v >>> 16) & 1)) >>> 16; // round to nearest even (inputs are finite)
  }
  return out;
}

function f16Bits(w: Float32Array): Uint16Array {
  const f = new Float32Array(1);
  const u = new Uint32Array(f.buffer);
  const out = new Uint16Array(w.length);
  for (let i = 0; i < w.length; i++) {
    f[0] = w[i];
    const x = u[0];
    const sign = (x >>> 16) & 0x8000;
    const e = ((x >>> 23) & 0xff) - 127 + 15;
    let m = x & 0x7fffff;
    if (e <= 0) {
      // subnormal half (weights here are never below 2^-24 in magnitude except exact zeros)
      m = (m | 0x800000) >>> (1 - e);
      out[i] = sign | ((m + 0x1000) >>> 13);
    } else if (e >= 31) out[i] = sign | 0x7c00;
    else out[i] = sign | ((e << 10) + ((m + 0x1000) >>> 13));
  }
  return out;
}

function weights(w: Float32Array, dtype: Dtype): Float32Array | Uint16Array {
  return dtype === 'f32' ? w : dtype === 'bf16' ? bf16Bits(w) : f16Bits(w);
}

/** [rows × cols] → [cols × rows]. */
function transpose(w: Float32Array, rows: number, cols: number): Float32Array {
  const t = new Float32Array(w.length);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) t[c * rows + r] = w[r * cols + c];
  return t;
}

function relErr(a: Float32Array, b: Float32Array): number {
  let num = 0;
  let den = 0;
  for (let i = 0; i < a.length; i++) {
    num += (a[i] - b[i]) ** 2;
    den += b[i] ** 2;
  }
  return Math.sqrt(num / Math.max(den, 1e-30));
}

const msAndFlops = (secs: number[], flop: number) => ({
  ms: mapStat(stat(secs), (s) => s * 1e3),
  gflopsPerSec: stat(secs.map((s) => flop / s / 1e9)),
});

export async function runGemm(ctx: Context, kind: 'gate' | 'ffn', defaults: Shape[]): Promise<void> {
  const shapes = ctx.opts.shapes ?? defaults;
  const dtypes: Dtype[] = ctx.opts.dtype ?? ['f32'];
  const acts: FusedActivation[] = ctx.opts.activation ?? ['silu'];
  const ffn = kind === 'ffn';
  ctx.progress.start(ctx.isas.length * shapes.length * dtypes.length * acts.length * ctx.threads.length);
  await ctx.forEachIsa(async (isa) => {
    for (const { m, k, n } of shapes) {
      // nn.Linear layout: Wg, Wu are [n × k] (out × in); Wd is [k × n]. Scaled to keep activations O(1).
      const x = inputs(m * k, 5);
      const scale = 1 / Math.sqrt(k);
      const wg = inputs(n * k, 9).map((v) => v * scale * 0.1);
      const wu = inputs(n * k, 13).map((v) => v * scale * 0.1);
      const wd = ffn ? inputs(k * n, 17).map((v) => (v * 0.1) / Math.sqrt(n)) : undefined;
      const flop = (ffn ? 6 : 4) * m * k * n;
      const outLen = ffn ? m * k : m * n;
      for (const dtype of dtypes) for (const activation of acts) {
        const asDtype = (w: Float32Array) => weights(w, dtype);
        let packed: { dispose(): void };
        let fused: () => unknown;
        const out = new Float32Array(outLen);
        if (ffn) {
          const p = sg.packFfn({ gate: asDtype(wg), up: asDtype(wu), down: asDtype(wd!), inFeatures: k, hiddenFeatures: n, dtype, activation });
          [packed, fused] = [p, () => sg.ffn(x, p, { out })];
        } else {
          const p = sg.packGate(asDtype(wg), asDtype(wu), { inFeatures: k, outFeatures: n, dtype, activation });
          [packed, fused] = [p, () => sg.gluMatmul(x, p, { out })];
        }
        const gluOp = unfusedGlu(activation);
        // The unfused path, f32 weights: the package's matmul twice, swiglu, (matmul).
        const g = new Float32Array(m * n);
        const u = new Float32Array(m * n);
        const h = new Float32Array(m * n);
        const y = new Float32Array(outLen);
        const unfused = () => {
          sg.matmul(x, wg, { m, k, n, transB: true, out: g });
          sg.matmul(x, wu, { m, k, n, transB: true, out: u });
          gluOp(g, u, h);
          if (ffn) sg.matmul(h, wd!, { m, k: n, n: k, transB: true, out: y });
        };
        for (const th of ctx.threads) {
          ctx.progress.tick(`${kind} ${m}x${k}x${n} ${dtype} ${activation} ${th}T ${isa}`);
          sg.setNumThreads(th);
          // The FMA-peak probe runs right after every timed sample of the fused call, for as long as that
          // sample took, on the same threads: both see the same clock, neighbours and vCPU state (on this
          // VM two cores sustain ~525 GFLOP/s under a long load where a short burst reaches ~545).
          const probes: number[] = [];
          const probe = testing.fmaPeak;
          // M ≤ 8 is bound by the weight stream: its roofline is the DRAM read probe, taken right before and
          // right after the row's samples (three passes each) rather than once per run: on this VM the
          // bandwidth drifts by tens of % from one minute to the next.
          const readProbe = m <= 8 ? () => testing.readBandwidth(DRAM_READ_MIB, th, 3) : null;
          const readBefore = readProbe ? readProbe() : [];
          // With --pause the probe runs after the row instead: a probe between a call and the next one's
          // pause leaves the cores and the pool's helpers busy-warm, which is what the pause is there to undo.
          const paused = (ctx.timing.pauseMs ?? 0) > 0;
          const f = msAndFlops(
            await timeCalls(fused, ctx.timing, (secs, timed) => {
              if (timed && !paused) probes.push(probe(Math.min(Math.max(secs, 0.005), 10), th));
            }),
            flop,
          );
          if (paused) for (let i = 0; i < 3; i++) probes.push(probe(0.02, th));
          const dramBracket = readProbe ? stat([...readBefore, ...readProbe()]) : null;
          const peakInterleaved = probes.length ? stat(probes) : null;
          let uf: GemmRow['unfused'] = null;
          if (dtype === 'f32') {
            uf = msAndFlops(await timeCalls(unfused, ctx.timing), flop);
            const err = relErr(out, ffn ? y : h);
            if (!(err <= 1e-4)) ctx.report.notes.push(`${kind} ${m}x${k}x${n} ${isa}: fused and unfused differ (relative error ${err.toExponential(2)})`);
          }
          let ort: GemmRow['onnxruntime'] = null;
          if (ctx.useOrt) {
            try {
              const graph = gateGraph(m, k, n, transpose(wg, n, k), transpose(wu, n, k), wd && transpose(wd, k, n));
              const r = await OrtRunner.create(graph, { X: x }, th);
              if (r) {
                ort = msAndFlops(await timeAsync(() => r.run(), ctx.timing), flop);
                await r.release();
              }
            } catch (err) {
              ctx.report.notes.push(`onnxruntime-node could not run ${kind} ${m}x${k}x${n}: ${(err as Error).message.split('\n')[0]}`);
            }
          }
          const peak = ctx.peakAt(th);
          const weightBytes = (ffn ? 3 : 2) * k * n * BYTES[dtype];
          const weightGbPerSec = weightBytes / (f.ms.median / 1e3) / 1e9;
          const dramOnce = m <= 8 ? ctx.dramReadAt(th) : null; // also fills the machine section's roofline
          const dram = dramBracket ? dramBracket.median : dramOnce;
          const ratio = (other: { ms: Stat } | null) => (other ? other.ms.median / f.ms.median : null);
          const row: GemmRow = {
            kind,
            m,
            k,
            n,
            dtype,
            activation,
            threads: th,
            isa,
            flop,
            weightBytes,
            fused: f,
            peakInterleaved,
            // Against the interleaved probe's median when there is one (see above), else the run's best peak sample.
            pctOfPeak: peakInterleaved
              ? (100 * f.gflopsPerSec.median) / peakInterleaved.median
              : peak.gflopsPerSec
                ? (100 * f.gflopsPerSec.median) / peak.gflopsPerSec.max
                : null,
            weightGbPerSec,
            dramReadBracket: dramBracket,
            pctOfDramRead: dram ? (100 * weightGbPerSec) / dram : null,
            unfused: uf,
            xUnfused: ratio(uf),
            onnxruntime: ort,
            xOnnxruntime: ratio(ort),
            verdict: null,
            bars: [],
          };
          (ffn ? ctx.report.ffn : ctx.report.gate).push(row);
        }
        packed.dispose();
      }
    }
  });
  ctx.progress.stop();
}
