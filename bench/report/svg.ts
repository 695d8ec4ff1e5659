// The chart (--svg FILE): small multiples, one panel per op, throughput against size on log–log axes.
// Series: swiglu per thread count (solid), the plain-JS loop (grey, dashed), onnxruntime-node per thread
// count (dashed), and the roofline (the copy bandwidth measured in the run, as Gelem/s for that op's
// bytes per element; thin dotted). Gate/FFN rows get panels of GFLOP/s against M per K×N, with the FMA
// peak as the roofline. Hand-written SVG: the npm charting libraries either need a DOM (chartist,
// plotly.js → jsdom) or a native canvas (chartjs-node-canvas), and d3-scale/d3-shape are ESM-only and
// would replace only the few lines of log-scale arithmetic below. Zero dependencies, plain SVG 1.1.
import { Report } from './types';
import { num, sizeLabel } from './text';

interface Series {
  name: string;
  color: string;
  dash?: string;
  width?: number;
  points: Array<[number, number]>;
}
interface Panel {
  title: string;
  xLabel: string;
  yLabel: string;
  series: Series[];
}

const THREAD_COLORS = ['#1f5fbf', '#0a9a6a', '#7b3fbf', '#b0306a'];
const ORT_COLORS = ['#e07b00', '#c0392b', '#8e5a00', '#a04000'];

function esc(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

function byX(points: Array<[number, number]>): Array<[number, number]> {
  return points.filter(([x, y]) => x > 0 && y > 0 && Number.isFinite(y)).sort((a, b) => a[0] - b[0]);
}

function elementwisePanels(r: Report): Panel[] {
  const panels: Panel[] = [];
  const isas = [...new Set(r.elementwise.map((e) => e.isa))];
  const isa = isas.includes(r.machine.isa) ? r.machine.isa : isas[0];
  const rows = r.elementwise.filter((e) => e.isa === isa);
  const ops = [...new Set(rows.map((e) => `${e.kind}:${e.op}`))];
  const threads = [...new Set(rows.map((e) => e.threads))].sort((a, b) => a - b);
  for (const key of ops) {
    const [kind, op] = key.split(':');
    const mine = rows.filter((e) => e.kind === kind && e.op === op);
    const series: Series[] = [];
    threads.forEach((t, i) => {
      const at = mine.filter((e) => e.threads === t);
      series.push({ name: `copy roofline ${t}T`, color: THREAD_COLORS[i % 4], dash: '2 3', width: 1.2, points: byX(at.map((e) => [e.elements, (e.copyGbPerSec ?? 0) / e.bytesPerElement])) });
    });
    series.push({ name: 'plain JS', color: '#888888', dash: '6 4', points: byX(mine.filter((e) => e.threads === threads[0]).map((e) => [e.elements, e.plainJs?.median ?? 0])) });
    threads.forEach((t, i) => {
      const at = mine.filter((e) => e.threads === t);
      if (at.some((e) => e.onnxruntime)) {
        series.push({ name: `onnxruntime ${t}T`, color: ORT_COLORS[i % 4], dash: '7 3', points: byX(at.map((e) => [e.elements, e.onnxruntime?.median ?? 0])) });
      }
    });
    threads.forEach((t, i) => {
      const at = mine.filter((e) => e.threads === t);
      series.push({ name: `swiglu ${t}T`, color: THREAD_COLORS[i % 4], width: 2.6, points: byX(at.map((e) => [e.elements, e.swiglu.median])) });
    });
    panels.push({ title: kind === 'glu' ? `${op} (GLU)` : op, xLabel: 'elements', yLabel: 'Gelem/s', series });
  }
  return panels;
}

function gemmPanels(r: Report): Panel[] {
  const panels: Panel[] = [];
  for (const kind of ['gate', 'ffn'] as const) {
    const rows = r[kind].filter((g) => g.isa === (r[kind].some((x) => x.isa === r.machine.isa) ? r.machine.isa : r[kind][0].isa));
    const shapes = [...new Set(rows.map((g) => `${g.k}x${g.n}/${g.dtype}`))];
    const threads = [...new Set(rows.map((g) => g.threads))].sort((a, b) => a - b);
    for (const s of shapes) {
      const mine = rows.filter((g) => `${g.k}x${g.n}/${g.dtype}` === s);
      const series: Series[] = [];
      threads.forEach((t, i) => {
        const p = r.roofline.fmaPeak.find((f) => f.threads === t)?.gflopsPerSec?.median;
        const ms = mine.filter((g) => g.threads === t).map((g) => g.m);
        if (p && ms.length) series.push({ name: `FMA peak ${t}T`, color: THREAD_COLORS[i % 4], dash: '2 3', width: 1.2, points: byX([[Math.min(...ms), p], [Math.max(...ms), p]]) });
      });
      threads.forEach((t, i) => {
        const at = mine.filter((g) => g.threads === t);
        if (at.some((g) => g.unfused)) series.push({ name: `unfused ${t}T`, color: '#888888', dash: i ? '3 3' : '6 4', points: byX(at.map((g) => [g.m, g.unfused?.gflopsPerSec.median ?? 0])) });
        if (at.some((g) => g.onnxruntime)) series.push({ name: `onnxruntime ${t}T`, color: ORT_COLORS[i % 4], dash: '7 3', points: byX(at.map((g) => [g.m, g.onnxruntime?.gflopsPerSec.median ?? 0])) });
        series.push({ name: `swiglu ${t}T`, color: THREAD_COLORS[i % 4], width: 2.6, points: byX(at.map((g) => [g.m, g.fused.gflopsPerSec.median])) });
      });
      const [kn, dtype] = s.split('/');
      panels.push({ title: `${kind} K×N=${kn.replace('x', '×')} ${dtype}`, xLabel: 'M (rows)', yLabel: 'GFLOP/s', series });
    }
  }
  return panels;
}

function decades(lo: number, hi: number): number[] {
  const out: number[] = [];
  for (let e = Math.floor(Math.log10(lo)); e <= Math.ceil(Math.log10(hi)); e++) out.push(10 ** e);
  return out;
}

function tickLabel(v: number, isX: boolean): string {
  if (isX) return v >= 1000 ? sizeLabel(v) : String(v);
  return v >= 1 ? String(v) : num(v, 1);
}

const PW = 300; // panel plot width
const PH = 170;
const ML = 48; // margins inside a panel cell
const MT = 26;
const CW = ML + PW + 18;
const CH = MT + PH + 40;

function renderPanel(p: Panel, ox: number, oy: number): string {
  const pts = p.series.flatMap((s) => s.points);
  if (pts.length === 0) return '';
  const xs = pts.map((q) => q[0]);
  const ys = pts.map((q) => q[1]);
  let [x0, x1] = [Math.min(...xs), Math.max(...xs)];
  if (x0 === x1) [x0, x1] = [x0 / 2, x1 * 2];
  const y0 = 10 ** Math.floor(Math.log10(Math.min(...ys)));
  const y1 = 10 ** Math.ceil(Math.log10(Math.max(...ys)) + 1e-9);
  const lx0 = Math.log10(x0);
  const lx1 = Math.log10(x1);
  const X = (v: number) => ox + ML + ((Math.log10(v) - lx0) / (lx1 - lx0)) * PW;
  const Y = (v: number) => oy + MT + PH - ((Math.log10(v) - Math.log10(y0)) / (Math.log10(y1) - Math.log10(y0))) * PH;
  const g: string[] = [];
  g.push(`<g>`);
  g.push(`<text x="${ox + ML}" y="${oy + 17}" class="title">${esc(p.title)}</text>`);
  g.push(`<rect x="${ox + ML}" y="${oy + MT}" width="${PW}" height="${PH}" class="frame"/>`);
  for (const v of decades(y0, y1).filter((v) => v >= y0 && v <= y1)) {
    g.push(`<line x1="${ox + ML}" x2="${ox + ML + PW}" y1="${Y(v).toFixed(1)}" y2="${Y(v).toFixed(1)}" class="grid"/>`);
    g.push(`<text x="${ox + ML - 5}" y="${(Y(v) + 4).toFixed(1)}" class="tick" text-anchor="end">${tickLabel(v, false)}</text>`);
  }
  const xt = [...new Set([...decades(x0, x1).filter((v) => v >= x0 * 0.999 && v <= x1 * 1.001), ...xs])].sort((a, b) => a - b);
  for (const v of xt) {
    g.push(`<line x1="${X(v).toFixed(1)}" x2="${X(v).toFixed(1)}" y1="${oy + MT}" y2="${oy + MT + PH}" class="grid"/>`);
    g.push(`<text x="${X(v).toFixed(1)}" y="${oy + MT + PH + 14}" class="tick" text-anchor="middle">${tickLabel(v, true)}</text>`);
  }
  g.push(`<text x="${ox + ML + PW / 2}" y="${oy + MT + PH + 30}" class="axis" text-anchor="middle">${esc(p.xLabel)}</text>`);
  g.push(`<text transform="translate(${ox + 12},${oy + MT + PH / 2}) rotate(-90)" class="axis" text-anchor="middle">${esc(p.yLabel)}</text>`);
  for (const s of p.series) {
    if (!s.points.length) continue;
    const d = s.points.map(([x, y], i) => `${i ? 'L' : 'M'}${X(x).toFixed(1)},${Y(y).toFixed(1)}`).join(' ');
    const dash = s.dash ? ` stroke-dasharray="${s.dash}"` : '';
    g.push(`<path d="${d}" fill="none" stroke="${s.color}" stroke-width="${s.width ?? 1.8}"${dash}><title>${esc(s.name)}</title></path>`);
    if (!s.dash) for (const [x, y] of s.points) g.push(`<circle cx="${X(x).toFixed(1)}" cy="${Y(y).toFixed(1)}" r="3" fill="${s.color}"><title>${esc(`${s.name}: ${num(y)} ${p.yLabel} at ${x}`)}</title></circle>`);
  }
  g.push(`</g>`);
  return g.join('\n');
}

export function renderSvg(r: Report): string {
  const panels = [...elementwisePanels(r), ...gemmPanels(r)].filter((p) => p.series.some((s) => s.points.length));
  const cols = Math.min(3, Math.max(1, panels.length));
  const rows = Math.max(1, Math.ceil(panels.length / cols));
  // Legend: every distinct series name, in first-seen order.
  const legend = new Map<string, Series>();
  for (const p of panels) for (const s of p.series) if (!legend.has(s.name)) legend.set(s.name, s);
  const legendItems = [...legend.values()];
  const perLine = Math.max(1, Math.floor((cols * CW - 20) / 150));
  const legendH = 18 * Math.ceil(legendItems.length / perLine) + 8;
  const headH = 52;
  const W = cols * CW + 20;
  const H = headH + legendH + rows * CH + 10;
  const m = r.machine;
  const parts: string[] = [];
  parts.push(`<?xml version="1.0" encoding="UTF-8"?>`);
  parts.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="DejaVu Sans, Helvetica, Arial, sans-serif">`);
  parts.push(`<style>.title{font-size:13px;font-weight:bold;fill:#222}.tick{font-size:10px;fill:#555}.axis{font-size:10px;fill:#333}.frame{fill:#fcfcfc;stroke:#999;stroke-width:1}.grid{stroke:#e3e3e3;stroke-width:1}.legend{font-size:11px;fill:#222}.head{font-size:15px;font-weight:bold;fill:#111}.sub{font-size:11px;fill:#444}</style>`);
  parts.push(`<rect width="${W}" height="${H}" fill="#ffffff"/>`);
  parts.push(`<text x="14" y="22" class="head">swiglu ${esc(r.version)}: throughput vs size (log–log; higher is better)</text>`);
  parts.push(`<text x="14" y="40" class="sub">${esc(`${m.cpu}, ${m.cores} cores, kernels ${r.settings.isas.join('/')}, Node ${m.node}; median of ${r.settings.repeat}; roofline = copy bandwidth (elementwise) or FMA peak (GEMM) measured in the same run`)}</text>`);
  legendItems.forEach((s, i) => {
    const x = 14 + (i % perLine) * 150;
    const y = headH + 6 + Math.floor(i / perLine) * 18;
    const dash = s.dash ? ` stroke-dasharray="${s.dash}"` : '';
    parts.push(`<line x1="${x}" x2="${x + 26}" y1="${y}" y2="${y}" stroke="${s.color}" stroke-width="${s.width ?? 1.8}"${dash}/>`);
    parts.push(`<text x="${x + 32}" y="${y + 4}" class="legend">${esc(s.name)}</text>`);
  });
  panels.forEach((p, i) => {
    parts.push(renderPanel(p, 10 + (i % cols) * CW, headH + legendH + Math.floor(i / cols) * CH));
  });
  if (panels.length === 0) parts.push(`<text x="14" y="${headH + legendH + 20}" class="sub">no throughput figures in this run</text>`);
  parts.push(`</svg>`);
  return parts.join('\n') + '\n';
}
