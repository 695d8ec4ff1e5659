// Human-readable output: aligned plain-text tables (default) or Markdown (--md). Same sections in both:
// the run, the roofline, elementwise, round trip, gate/FFN, the bars, notes.
import { Report, Verdict } from './types';
import type { Stat } from '../timing';

export function num(v: number | null | undefined, digits = 3): string {
  if (v === null || v === undefined || !Number.isFinite(v)) return '—';
  const a = Math.abs(v);
  if (a >= 10 ** digits) return v.toFixed(0);
  if (a === 0) return '0';
  const d = Math.max(0, digits - 1 - Math.floor(Math.log10(a)));
  return v.toFixed(Math.min(d, 6));
}

export function spread(s: Stat | null | undefined): string {
  if (!s) return '—';
  return `${num(s.median)} (${num(s.min, 2)}–${num(s.max, 2)})`;
}

export function sizeLabel(n: number): string {
  if (n >= 1000 && Number.isInteger(Math.log10(n))) return `1e${Math.log10(n)}`;
  return String(n);
}

function bytesLabel(b: number): string {
  if (b >= 1 << 30) return `${num(b / (1 << 30))} GiB`;
  if (b >= 1 << 20) return `${num(b / (1 << 20))} MiB`;
  if (b >= 1 << 10) return `${num(b / (1 << 10))} KiB`;
  return `${b} B`;
}

type Cell = string;
const NUMERIC = /^(—|-?[0-9][0-9.,e+]*)( \([^)]*\))?( \S+)?$/;

function table(headers: string[], rows: Cell[][], md: boolean): string {
  if (md) {
    const align = headers.map((_, i) => (rows.length && rows.every((r) => NUMERIC.test(r[i])) ? '---:' : '---'));
    return [`| ${headers.join(' | ')} |`, `|${align.join('|')}|`, ...rows.map((r) => `| ${r.join(' | ')} |`)].join('\n');
  }
  const w = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: Cell[], head: boolean) =>
    cells.map((c, i) => (!head && NUMERIC.test(c) ? c.padStart(w[i]) : c.padEnd(w[i]))).join('  ').trimEnd();
  return [line(headers, true), w.map((n) => '-'.repeat(n)).join('  '), ...rows.map((r) => line(r, false))].join('\n');
}

function heading(text: string, md: boolean): string {
  return md ? `### ${text}` : `== ${text} ==`;
}

function verdictCell(v: 'meets' | 'below bar' | null): string {
  return v ?? '';
}

function describeVerdict(v: Verdict): Cell[] {
  const fig = v.value === null ? '—' : `${num(v.value)} ${v.unit}`;
  return [v.bar, fig, v.meets === null ? 'not measured' : v.meets ? 'meets' : 'below bar'];
}

export function renderText(r: Report, md: boolean): string {
  const out: string[] = [];
  const m = r.machine;
  out.push(
    md ? `## swiglu-bench ${r.version}` : `swiglu-bench ${r.version}`,
    '',
    `${md ? '- ' : ''}command: ${md ? '`' : ''}${r.command}${md ? '`' : ''}`,
    `${md ? '- ' : ''}machine: ${m.cpu}${m.family != null ? ` (CPU family ${m.family}, model ${m.model ?? '?'})` : ''}, ${m.cores} cores, ${m.platform}, Node ${m.node}, load average ${m.loadAverage?.join(' ') ?? '?'} at start; kernels: ${r.settings.isas.join(', ')} (runnable: ${m.runnableIsas.join(', ')})`,
    `${md ? '- ' : ''}peers: plain-JS loop; onnxruntime-node ${r.peers.onnxruntime ?? 'not installed'}`,
    `${md ? '- ' : ''}figures: median (min–max) of ${r.settings.repeat} samples after ${r.settings.warmup} warm-up${r.settings.pauseMs ? `, each one call after ${r.settings.pauseMs} ms of idle` : `, each ≥ ${r.settings.minSampleMs} ms`}; pool spin wait ${r.settings.spinWaitUs ? `${r.settings.spinWaitUs} µs` : 'off'}; ${r.startedAt}, ${num(r.durationSec)} s`,
    '',
  );
  const multiIsa = r.settings.isas.length > 1;

  const dramRead = r.roofline.dramRead ?? [];
  if (r.roofline.copy.length || r.roofline.fmaPeak.length || dramRead.length) {
    out.push(heading('roofline (copy = Float32Array.prototype.set, GB/s counting read + write)', md), '');
    if (r.roofline.copy.length) {
      out.push(
        table(
          ['level / size', 'floats per array', 'working set', 'threads', 'copy GB/s', 'Gelem/s at 8 B/elem'],
          r.roofline.copy.map((c) => [c.level.startsWith('n=') ? `n=${sizeLabel(c.elements)}` : c.level, String(c.elements), bytesLabel(c.workingSetBytes), String(c.threads), spread(c.gbPerSec), num(c.gbPerSec.median / 8)]),
          md,
        ),
        '',
      );
    }
    if (dramRead.length) {
      out.push(
        table(
          ['threads', 'DRAM read GB/s', 'buffer'],
          dramRead.map((f) => [String(f.threads), spread(f.gbPerSec), bytesLabel(f.bufferBytes)]),
          md,
        ),
        '',
      );
    }
    if (r.roofline.fmaPeak.length) {
      out.push(
        table(
          ['threads', 'FMA peak GFLOP/s', 'source'],
          r.roofline.fmaPeak.map((p) => [String(p.threads), spread(p.gflopsPerSec), p.source + (p.note ? ` (${p.note})` : '')]),
          md,
        ),
        '',
      );
    }
  }

  for (const kind of ['activation', 'glu'] as const) {
    const rows = r.elementwise.filter((e) => e.kind === kind);
    if (!rows.length) continue;
    const ort = rows.some((e) => e.onnxruntime);
    const fresh = rows.some((e) => e.defaultForm);
    const roof = rows.some((e) => e.pctOfRoofline !== null && e.pctOfRoofline !== undefined);
    const headers = [
      'op', 'n', 'thr', ...(multiIsa ? ['isa'] : []), 'Gelem/s (min–max)', 'GB/s', '% copy', ...(roof ? ['% roofline'] : []),
      'plain JS Gelem/s', '× JS', ...(ort ? ['onnxruntime Gelem/s', '× ort'] : []), ...(fresh ? ['no-out Gelem/s', '% of out', 'no-out faults/call'] : []), 'verdict',
    ];
    out.push(heading(kind === 'activation' ? 'activations' : 'GLU (two-input form)', md), '');
    out.push(
      table(
        headers,
        rows.map((e) => [
          e.op,
          sizeLabel(e.elements),
          String(e.threads),
          ...(multiIsa ? [e.isa] : []),
          spread(e.swiglu),
          num(e.gbPerSec),
          num(e.pctOfCopy),
          ...(roof ? [num(e.pctOfRoofline)] : []),
          num(e.plainJs?.median),
          num(e.xPlainJs),
          ...(ort ? [num(e.onnxruntime?.median), num(e.xOnnxruntime)] : []),
          ...(fresh ? [num(e.defaultForm?.median), num(e.pctOfOutForm), num(e.defaultFormFaultsPerCall)] : []),
          verdictCell(e.verdict),
        ]),
        md,
      ),
      '',
    );
  }

  if (r.roundTrip.length) {
    out.push(heading('call round trip (16 elements, 1 thread)', md), '');
    const label: Record<string, string> = { swiglu: 'swiglu public API', 'swiglu-binding': 'swiglu raw binding', onnxruntime: 'onnxruntime-node session.run' };
    out.push(table(['path', 'op', 'µs per call (min–max)'], r.roundTrip.map((t) => [label[t.impl], t.op, spread(t.microsPerCall)]), md), '');
  }

  for (const kind of ['gate', 'ffn'] as const) {
    const rows = r[kind];
    if (!rows.length) continue;
    const ort = rows.some((g) => g.onnxruntime);
    const acts = rows.some((g) => (g.activation ?? 'silu') !== 'silu');
    out.push(heading(kind === 'gate' ? (acts ? 'fused gate act(X·Wg)⊙(X·Wu)' : 'fused gate SiLU(X·Wg)⊙(X·Wu)') : acts ? 'FFN' : 'SwiGLU FFN', md), '');
    out.push(
      table(
        ['M×K×N', 'dtype', ...(acts ? ['act'] : []), 'thr', ...(multiIsa ? ['isa'] : []), 'ms (min–max)', 'GFLOP/s', '% peak', 'weights GB/s', '% DRAM read', 'unfused ms', '× unfused', ...(ort ? ['onnxruntime ms', '× ort'] : []), 'verdict'],
        rows.map((g) => [
          `${g.m}×${g.k}×${g.n}`,
          g.dtype,
          ...(acts ? [g.activation ?? 'silu'] : []),
          String(g.threads),
          ...(multiIsa ? [g.isa] : []),
          spread(g.fused.ms),
          num(g.fused.gflopsPerSec.median),
          num(g.pctOfPeak),
          num(g.weightGbPerSec),
          num(g.pctOfDramRead),
          num(g.unfused?.ms.median),
          num(g.xUnfused),
          ...(ort ? [num(g.onnxruntime?.ms.median), num(g.xOnnxruntime)] : []),
          verdictCell(g.verdict),
        ]),
        md,
      ),
      '',
    );
  }

  const ob = r.openblas;
  if (ob && ob.rows.length) {
    out.push(heading(`fused gate vs OpenBLAS (C++ harness, one process, OpenBLAS on f32 weights; OpenBLAS core ${ob.core ?? '?'}${ob.coretype ? `, OPENBLAS_CORETYPE=${ob.coretype}` : ''})`, md), '');
    out.push(
      table(
        ['M×K×N', 'weights', 'thr', 'isa', 'ours ms', 'OpenBLAS ms', 'OpenBLAS ÷ ours'],
        ob.rows.map((o) => [`${o.m}×${o.k}×${o.n}`, o.dtype, String(o.threads), o.isa, num(o.oursMs), num(o.openblasMs), num(o.xOpenblas)]),
        md,
      ),
      '',
    );
  }

  const od = r.onednn;
  if (od && od.rows.length) {
    out.push(heading(`fused gate vs oneDNN (bench/onednn/gate.cc, f32, fused-epilogue matmul primitives; oneDNN ${od.version ?? '?'}${od.isaCap ? `, ONEDNN_MAX_CPU_ISA=${od.isaCap}` : ''}; ours: ${od.ours ?? '?'})`, md), '');
    out.push(
      table(
        ['M×K×N', 'thr', 'isa', 'oneDNN isa', 'ours ms', 'oneDNN ms', 'oneDNN ÷ ours', 'oneDNN vs f64'],
        od.rows.map((o) => [`${o.m}×${o.k}×${o.n}`, String(o.threads), o.isa, o.onednnIsa ?? '?', num(o.oursMs), num(o.onednnMs), num(o.xOnednn), o.relErr === null ? '–' : o.relErr.toExponential(1)]),
        md,
      ),
      '',
    );
  }

  if (r.verdicts.length) {
    out.push(heading('the performance bars (docs/bench.md), on this machine’s own figures', md), '');
    out.push(table(['bar', 'this run', 'verdict'], r.verdicts.map(describeVerdict), md), '');
    const below = r.verdicts.filter((v) => v.meets === false).length;
    out.push(`${r.verdicts.length - below} of ${r.verdicts.length} bars met${below ? `, ${below} below` : ''}.`, '');
  }
  if (r.notes.length) {
    out.push(heading('notes', md), '', ...r.notes.map((n) => `- ${n}`), '');
  }
  return out.join('\n');
}
