// The performance bars (docs/bench.md, "The performance bars"), checked on the figures of this run.
// Every bar is relative to this machine: a fraction of its FMA peak, copy bandwidth or DRAM read
// bandwidth, or a ratio to another implementation, each measured in the same run, so that an AVX2
// laptop and an AVX-512 server are judged by their own limits. Each check is a Verdict in the report;
// each row lists the ids checked on it and gets 'meets' or 'below bar'.
import { ElementwiseRow, GemmRow, Report, Verdict } from './report/types';

/** The in-cache size of the bars (1 thread); the default call form is timed there too. */
export const IN_CACHE_ELEMENTS = 1e5;
/** Past the caches: sizes held against the roofline min(copy, the op's own in-cache rate). */
export const LARGE_ELEMENTS = 1e7;
export const SOURCE = 'the performance bars';

/**
 * In cache (1e5 elements, 1 thread): Gelem/s ≥ the 1-thread FMA peak (GFLOP/s, same run, same kernels)
 * ÷ this, per op. The bar scales with the core's vector width and FMA pipes, not with one machine.
 */
export const PEAK_DIVISOR: Record<string, number> = { silu: 51, sigmoid: 51, tanh: 51, gelu: 77, 'gelu-tanh': 77 };
export const X_PLAIN_JS = 50;
export const X_ONNXRUNTIME = 2;
export const PCT_ROOFLINE = 90;
export const PCT_OUT_FORM = 80;
export const ROUND_TRIP_US = 1;
export const GATE_PCT_PEAK = 90;
export const GATE_PCT_DRAM = 90;
export const BF16_SPEEDUP = 1.8;
/** A GEGLU / ReGLU fused gate's time within this many % of the SwiGLU gate's (same shape, run). */
export const GLU_ACT_PCT = 5;
/** The fused gate against OpenBLAS's two-sgemm gate (gate --openblas): OpenBLAS time ÷ ours at least this. */
export function openblasTarget(m: number): { target: number; text: string } | null {
  if (m >= 256) return { target: 1 / 0.92, text: 'our time ≤ 0.92× OpenBLAS’s two-sgemm gate' };
  if (m === 64) return { target: 1.5, text: '≥ 1.5× faster than OpenBLAS’s two-sgemm gate' };
  if (m === 8) return { target: 2, text: '≥ 2× faster than OpenBLAS’s two-sgemm gate' };
  if (m === 1) return { target: 1, text: 'at least as fast as OpenBLAS’s two sgemv' };
  return null;
}

/** The fused gate against oneDNN's fused-epilogue gate (gate --onednn): oneDNN time ÷ ours at least this, at every M. */
export const X_ONEDNN = 1;

const fmt = (v: number) => (v >= 100 ? v.toFixed(0) : v >= 10 ? v.toFixed(1) : v.toFixed(2));
const sizeText = (n: number) => (Number.isInteger(Math.log10(n)) ? `1e${Math.log10(n)}` : String(n));

export function judge(r: Report): void {
  const out: Verdict[] = [];
  type Row = Pick<ElementwiseRow | GemmRow, 'bars' | 'verdict'>;
  const add = (v: Omit<Verdict, 'source'>, row?: Row) => {
    out.push({ ...v, source: SOURCE });
    if (row && v.meets !== null) {
      row.bars.push(v.id);
      row.verdict = row.verdict === 'below bar' || !v.meets ? 'below bar' : 'meets';
    }
  };
  const atLeast = (value: number | null, target: number) => (value === null ? null : value >= target);
  const multiIsa = new Set([...r.elementwise, ...r.gate, ...r.ffn].map((e) => e.isa)).size > 1;
  const peak1 = (isa: string) => {
    const p = r.roofline.fmaPeak.find((f) => f.threads === 1 && (f.isa === undefined || f.isa === isa));
    return p?.gflopsPerSec ? p.gflopsPerSec.median : null;
  };
  for (const row of r.elementwise) {
    if (row.kind !== 'activation') continue;
    const tag = multiIsa ? `/${row.isa}` : '';
    const isaText = multiIsa ? ` ${row.isa}` : '';
    if (row.elements === IN_CACHE_ELEMENTS && row.threads === 1) {
      const divisor = PEAK_DIVISOR[row.op];
      if (divisor !== undefined) {
        const peak = peak1(row.isa);
        const target = peak === null ? 0 : peak / divisor;
        add(
          {
            id: `in-cache/${row.op}${tag}`,
            bar: peak === null
              ? `${row.op} ≥ the 1-thread FMA peak ÷ ${divisor} at 1e5, 1 thread${isaText} (no peak measured in this run)`
              : `${row.op} ≥ 1-thread FMA peak ${fmt(peak)} GFLOP/s ÷ ${divisor} = ${fmt(target)} Gelem/s at 1e5, 1 thread${isaText}`,
            value: row.swiglu.median,
            target,
            unit: 'Gelem/s',
            meets: peak === null ? null : row.swiglu.median >= target,
          },
          row,
        );
      }
      if (row.xPlainJs !== null) {
        add({ id: `x-plain-js/${row.op}${tag}`, bar: `${row.op} ≥ ${X_PLAIN_JS}× the plain-JS loop at 1e5, 1 thread${isaText}`, value: row.xPlainJs, target: X_PLAIN_JS, unit: '×', meets: atLeast(row.xPlainJs, X_PLAIN_JS) }, row);
      }
      if (row.xOnnxruntime !== null) {
        add({ id: `x-onnxruntime/${row.op}${tag}`, bar: `${row.op} ≥ ${X_ONNXRUNTIME}× onnxruntime-node (session.run) at 1e5, 1 thread${isaText}`, value: row.xOnnxruntime, target: X_ONNXRUNTIME, unit: '×', meets: atLeast(row.xOnnxruntime, X_ONNXRUNTIME) }, row);
      }
      if (row.pctOfOutForm !== null) {
        add({ id: `default-form/${row.op}${tag}`, bar: `${row.op}(x) without out ≥ ${PCT_OUT_FORM} % of ${row.op}(x, {out}) at 1e5, 1 thread${isaText} (a new result per call)`, value: row.pctOfOutForm, target: PCT_OUT_FORM, unit: '%', meets: atLeast(row.pctOfOutForm, PCT_OUT_FORM) }, row);
      }
    }
    if (row.elements >= LARGE_ELEMENTS && row.inCache && row.copyGbPerSec) {
      const copy = row.copyGbPerSec / row.bytesPerElement;
      const own = row.inCache.gelemPerSec;
      const bound = copy <= own ? `the copy ${fmt(copy)} Gelem/s` : `its own in-cache rate ${fmt(own)} Gelem/s (at ${sizeText(row.inCache.elements)}, ${row.threads}T)`;
      add(
        {
          id: `roofline/${row.op}/${row.threads}T${tag}`,
          bar: `${row.op} ≥ ${PCT_ROOFLINE} % of min(copy, own in-cache rate) = ${bound} at ${sizeText(row.elements)}, ${row.threads} thread(s)${isaText}`,
          value: row.pctOfRoofline,
          target: PCT_ROOFLINE,
          unit: '%',
          meets: atLeast(row.pctOfRoofline, PCT_ROOFLINE),
        },
        row,
      );
    }
  }
  for (const rt of r.roundTrip) {
    if (rt.impl !== 'swiglu') continue;
    const v = rt.microsPerCall.median;
    add({ id: 'round-trip', bar: `16-element ${rt.op} call ≤ ${ROUND_TRIP_US} µs JS→native→JS`, value: v, target: ROUND_TRIP_US, unit: 'µs', meets: v <= ROUND_TRIP_US });
  }
  // The M = 1 bandwidth bar is about weights streamed from DRAM: only checked when they exceed twice the
  // largest cache (smaller weights stay cached between calls and beat DRAM, which says nothing).
  const llc = Math.max(0, ...r.machine.caches.map((c) => c.bytes));
  for (const row of r.gate) {
    const act = row.activation && row.activation !== 'silu' ? row.activation : null;
    const id = `${row.m}x${row.k}x${row.n}/${row.dtype}${act ? `/${act}` : ''}/${row.threads}T${multiIsa ? `/${row.isa}` : ''}`;
    const where = `(${row.m}×${row.k}×${row.n} ${row.dtype}${act ? ` ${act}` : ''}, ${row.threads}T${multiIsa ? ` ${row.isa}` : ''})`;
    // GEGLU and ReGLU (gate --activation): the same GEMM with another epilogue, so within 5 % of SwiGLU's time.
    if (act === 'gelu' || act === 'gelu-tanh' || act === 'relu') {
      const same = (o: typeof row) => o.m === row.m && o.k === row.k && o.n === row.n && o.dtype === row.dtype && o.threads === row.threads && o.isa === row.isa;
      const silu = r.gate.find((o) => same(o) && (o.activation ?? 'silu') === 'silu');
      if (silu) {
        const x = silu.fused.ms.median / row.fused.ms.median;
        add({ id: `gate-act/${id}`, bar: `fused ${act} gate within ${GLU_ACT_PCT} % of the SwiGLU gate's time ${where} (value: SwiGLU time ÷ this)`, value: x, target: 1 - GLU_ACT_PCT / 100, unit: '×', meets: x >= 1 - GLU_ACT_PCT / 100 }, row);
      }
    }
    if (row.m >= 256 && row.pctOfPeak !== null) {
      add({ id: `gate-peak/${id}`, bar: `fused gate ≥ ${GATE_PCT_PEAK} % of the FMA peak at M ≥ 256 ${where}`, value: row.pctOfPeak, target: GATE_PCT_PEAK, unit: '%', meets: row.pctOfPeak >= GATE_PCT_PEAK }, row);
    }
    if (row.m === 1 && row.pctOfDramRead !== null && row.weightBytes > 2 * llc) {
      add({ id: `gate-dram/${id}`, bar: `fused gate at M = 1 ≥ ${GATE_PCT_DRAM} % of DRAM read bandwidth on the weight bytes ${where}`, value: row.pctOfDramRead, target: GATE_PCT_DRAM, unit: '%', meets: row.pctOfDramRead >= GATE_PCT_DRAM }, row);
    }
    // Likewise bf16 vs f32: weights that fit the cache would race an L3-resident bf16 pack against a
    // DRAM-bound f32 one (2048×5632: 46 vs 92 MB, a 2.8× "speed-up" that is only cache).
    if (row.m === 1 && row.dtype === 'bf16' && row.weightBytes > 2 * llc) {
      const f32 = r.gate.find((o) => o.m === 1 && o.k === row.k && o.n === row.n && o.dtype === 'f32' && o.activation === row.activation && o.threads === row.threads && o.isa === row.isa);
      if (f32) {
        const x = f32.fused.ms.median / row.fused.ms.median;
        add({ id: `gate-bf16/${id}`, bar: `bf16 weights ≥ ${BF16_SPEEDUP}× faster than f32 at M = 1 ${where}`, value: x, target: BF16_SPEEDUP, unit: '×', meets: x >= BF16_SPEEDUP }, row);
      }
    }
  }
  // OpenBLAS (gate --openblas): the C++ harness's rows, both gates timed round-robin in one process; a 16-bit
  // row is ours on bf16/f16 weights against OpenBLAS on the f32 weights they were rounded from.
  const ob = r.openblas;
  const obMultiIsa = new Set(ob?.rows.map((o) => o.isa) ?? []).size > 1;
  for (const o of ob?.rows ?? []) {
    const t = openblasTarget(o.m);
    if (!t) continue;
    const tag = obMultiIsa ? `/${o.isa}` : '';
    add({
      id: `openblas/${o.m}x${o.k}x${o.n}/${o.dtype === 'f32' ? '' : `${o.dtype}/`}${o.threads}T${tag}`,
      bar: `fused gate ${t.text} at M = ${o.m} (${o.m}×${o.k}×${o.n} ${o.dtype === 'f32' ? 'f32' : `${o.dtype} weights, OpenBLAS on their f32 originals`}, ${o.threads}T ${o.isa}, OpenBLAS core ${ob!.core ?? '?'}; value: OpenBLAS time ÷ ours)`,
      value: o.xOpenblas,
      target: t.target,
      unit: '×',
      meets: o.xOpenblas >= t.target,
    });
  }
  // oneDNN (gate --onednn): gate.cc's rows beside this run's fused gate rows, f32, same ISA width.
  const od = r.onednn;
  const odMultiIsa = new Set(od?.rows.map((o) => o.isa) ?? []).size > 1;
  for (const o of od?.rows ?? []) {
    const tag = odMultiIsa ? `/${o.isa}` : '';
    add({
      id: `onednn/${o.m}x${o.k}x${o.n}/${o.threads}T${tag}`,
      bar: `fused gate at least as fast as oneDNN's fused-epilogue gate (2 matmul primitives, swish and binary-mul post-ops) at M = ${o.m} (${o.m}×${o.k}×${o.n} f32, ${o.threads}T ${o.isa}, oneDNN ${od!.version ?? '?'} isa ${o.onednnIsa ?? '?'}; value: oneDNN time ÷ ours)`,
      value: o.xOnednn,
      target: X_ONEDNN,
      unit: '×',
      meets: o.xOnednn >= X_ONEDNN,
    });
  }
  r.verdicts = out;
}
