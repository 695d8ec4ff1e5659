// `swiglu-bench train` output: aligned text or Markdown tables, and the SVG of the loss curves.
import { num } from '../report/text';
import { ArmResult, CurvePoint, TrainReport } from './experiment';

function table(headers: string[], rows: string[][], md: boolean): string {
  const numeric = (c: string) => /^(—|[-+]?[0-9][0-9.,e+\-]*( ± [0-9.]+)?%?)$/.test(c);
  if (md) {
    const align = headers.map((_, i) => (rows.length && rows.every((r) => numeric(r[i])) ? '---:' : '---'));
    return [`| ${headers.join(' | ')} |`, `|${align.join('|')}|`, ...rows.map((r) => `| ${r.join(' | ')} |`)].join('\n');
  }
  const w = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[], head: boolean) => cells.map((c, i) => (!head && numeric(c) ? c.padStart(w[i]) : c.padEnd(w[i]))).join('  ').trimEnd();
  return [line(headers, true), w.map((n) => '-'.repeat(n)).join('  '), ...rows.map((r) => line(r, false))].join('\n');
}

const f3 = (v: number | null | undefined) => (v === null || v === undefined || !Number.isFinite(v) ? '—' : v.toFixed(3));
const pct = (v: number) => `${(100 * v).toFixed(1)}%`;
const mean = (xs: number[]) => xs.reduce((s, v) => s + v, 0) / xs.length;
const signed = (v: number) => (v >= 0 ? `+${v.toFixed(3)}` : v.toFixed(3));

/** The mean curve over an arm's seeds (the points every run has, by step). */
export function meanCurve(a: ArmResult, key: 'valLoss' | 'trainLoss'): Array<[number, number]> {
  const steps = a.runs[0]?.curve.map((p) => p.step) ?? [];
  return steps
    .filter((s) => a.runs.every((r) => r.curve.some((p) => p.step === s)))
    .map((s) => [s, mean(a.runs.map((r) => (r.curve.find((p) => p.step === s) as CurvePoint)[key]))]);
}

export function renderTrainText(r: TrainReport, md: boolean): string {
  const h = (t: string) => (md ? `### ${t}` : `== ${t} ==`);
  const c = r.config;
  const out: string[] = [];
  out.push(h('swiglu-bench train'));
  out.push(
    [
      `machine: ${r.machine.cpu} (family ${r.machine.family ?? '?'}, model ${r.machine.model ?? '?'}), ${r.machine.cores} cores, ${r.machine.isa}, ${r.machine.threads} threads, Node ${r.machine.node}`,
      `model: ${c.layers} layers, width ${c.width}, ${c.heads} heads, context ${c.context}, batch ${c.batch}, ${c.steps} steps, lr ${c.lr} (warmup ${c.warmup}, cosine to 10 %), AdamW wd ${c.weightDecay}, clip ${c.clip}; preset ${c.preset}`,
      `corpus: ${r.corpus.name}, ${r.corpus.chars} characters, vocabulary ${r.corpus.vocab}; validation = the last ${r.corpus.valChars} (curve: ${c.evalWindows} fixed windows, final: ${c.finalWindows})`,
      `seeds: ${c.seeds.join(', ')} (data order fixed by data seed ${c.dataSeed}: the same batches for every arm)`,
      `FFN backward: ${Object.entries(r.backwardOps).map(([k, v]) => `${k} ${v.source}`).join(', ')}`,
      `${num(r.totalSeconds)} s in all`,
    ].join(md ? '  \n' : '\n'),
  );
  out.push('');
  out.push(h('final validation loss (nats/char), mean ± sd over seeds'));
  out.push(
    table(
      ['arm', 'hidden', 'params', 'vs relu', 'val loss', 'ppl', 'bits/char', 'dead units', 'ms/step', 'GFLOP/s'],
      r.arms.map((a) => [
        a.name,
        String(a.hidden),
        String(a.params),
        `${(100 * a.paramsVsBaseline).toFixed(2)}%`,
        a.finalValLoss.sd === null ? f3(a.finalValLoss.mean) : `${f3(a.finalValLoss.mean)} ± ${a.finalValLoss.sd.toFixed(3)}`,
        f3(mean(a.runs.map((q) => q.finalValPerplexity))),
        f3(mean(a.runs.map((q) => q.finalValBitsPerChar))),
        pct(mean(a.runs.map((q) => q.deadFraction))),
        num(mean(a.runs.map((q) => q.stepMs))),
        num(mean(a.runs.map((q) => q.gflopsPerSec))),
      ]),
      md,
    ),
  );
  if (r.paired.length) {
    out.push('');
    out.push(h(`paired differences of the final validation loss (arm − ${r.paired[0].baseline}, same seed), 95 % t interval`));
    out.push(
      table(
        ['arm', 'n', 'mean diff', 'sd', '95% interval'],
        r.paired.map((p) => [p.arm, String(p.n), signed(p.meanDiff), p.sd === null ? '—' : p.sd.toFixed(3), p.ci95 ? `${signed(p.ci95[0])} … ${signed(p.ci95[1])}` : '— (one seed)']),
        md,
      ),
    );
  }
  out.push('');
  out.push(h('runs'));
  out.push(
    table(
      ['arm', 'seed', 'start val', 'final val', 'ppl', `reaches ${r.baseline ?? '—'} final at`, 'dead by layer', 'gate/pre never > 0', 'grad norm', 'FFN grad norm by layer', 'ms/step'],
      r.arms.flatMap((a) =>
        a.runs.map((q) => {
          const last = q.curve[q.curve.length - 1];
          return [
            a.name,
            String(q.seed),
            f3(q.startValLoss),
            f3(q.finalValLoss),
            f3(q.finalValPerplexity),
            q.reachBaseline ? `step ${q.reachBaseline.step}, ${num(q.reachBaseline.seconds)} s` : r.baseline ? 'not reached' : '—',
            q.deadFractionByLayer.map(pct).join(' '),
            pct(q.neverPositiveFraction),
            f3(last.gradNorm),
            (last.ffnGradNorm ?? []).map((v) => v.toFixed(3)).join(' '),
            num(q.stepMs),
          ];
        }),
      ),
      md,
    ),
  );
  out.push('');
  out.push(h('validation loss curves (mean over seeds; fixed windows)'));
  const curves = r.arms.map((a) => meanCurve(a, 'valLoss'));
  const steps = curves[0]?.map((p) => p[0]) ?? [];
  out.push(table(['step', ...r.arms.map((a) => a.name)], steps.map((s, i) => [String(s), ...curves.map((cv) => f3(cv[i]?.[1]))]), md));
  out.push('');
  out.push(
    `dead units: FFN units whose activation output is non-zero (GLU: whose gate activation is > 0) on < 0.1 % of the ${c.finalWindows} final validation windows' tokens; ` +
      "'gate/pre never > 0' applies the pre-activation > 0 test to every arm. Grad norms: before clipping, mean over the last curve window. " +
      'GFLOP/s: 3 × the forward FLOP of a step (attention counted in full) / the step time.',
  );
  return out.join('\n');
}

// ---- SVG ----

const COLORS: Record<string, string> = { relu: '#7a7a7a', gelu: '#e07b00', swiglu: '#1f5fbf', geglu: '#0a9a6a' };

function esc(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

function niceTicks(lo: number, hi: number, n = 5): number[] {
  const span = hi - lo || 1;
  const step0 = span / n;
  const mag = 10 ** Math.floor(Math.log10(step0));
  const step = [1, 2, 2.5, 5, 10].map((k) => k * mag).find((s) => s >= step0) as number;
  const out: number[] = [];
  for (let v = Math.ceil(lo / step) * step; v <= hi + 1e-9; v += step) out.push(Number(v.toFixed(10)));
  return out;
}

export function renderTrainSvg(r: TrainReport): string {
  const PW = 380;
  const PH = 240;
  const ML = 52;
  const MT = 30;
  const CW = ML + PW + 24;
  const CH = MT + PH + 44;
  const keys: Array<['valLoss' | 'trainLoss', string]> = [
    ['valLoss', 'validation loss (nats/char, fixed windows)'],
    ['trainLoss', 'training loss (nats/char, mean per window)'],
  ];
  const W = CW * keys.length + 10;
  const H = CH + 40;
  const g: string[] = [];
  g.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif">`);
  g.push('<style>.t{font-size:13px;font-weight:600}.k{font-size:10px;fill:#444}.a{font-size:11px;fill:#222}.grid{stroke:#e4e4e4}.frame{fill:none;stroke:#999}</style>');
  g.push(`<rect width="${W}" height="${H}" fill="white"/>`);
  keys.forEach(([key, title], pi) => {
    const ox = pi * CW + 5;
    const pts = r.arms.flatMap((a) => a.runs.flatMap((q) => q.curve.filter((p) => p.step > 0).map((p) => [p.step, p[key]] as [number, number])));
    const start = mean(r.arms.flatMap((a) => a.runs.map((q) => q.curve[0][key])));
    if (!pts.length) return;
    const xMax = Math.max(...pts.map((p) => p[0]));
    const yLo = Math.min(...pts.map((p) => p[1]));
    // The first point (≈ ln vocab) would squash everything else: the axis stops a little above the
    // highest point after step 0, or at the start if that is lower.
    const yHi = Math.min(Math.max(...pts.map((p) => p[1])), start);
    const pad = (yHi - yLo) * 0.05 || 0.1;
    const [y0, y1] = [yLo - pad, yHi + pad];
    const X = (v: number) => ox + ML + (v / xMax) * PW;
    const Y = (v: number) => MT + PH - ((Math.min(Math.max(v, y0), y1) - y0) / (y1 - y0)) * PH;
    g.push(`<text x="${ox + ML}" y="20" class="t">${esc(title)}</text>`);
    g.push(`<rect x="${ox + ML}" y="${MT}" width="${PW}" height="${PH}" class="frame"/>`);
    for (const v of niceTicks(y0, y1)) {
      g.push(`<line x1="${ox + ML}" x2="${ox + ML + PW}" y1="${Y(v).toFixed(1)}" y2="${Y(v).toFixed(1)}" class="grid"/>`);
      g.push(`<text x="${ox + ML - 5}" y="${(Y(v) + 4).toFixed(1)}" class="k" text-anchor="end">${num(v)}</text>`);
    }
    for (const v of niceTicks(0, xMax)) {
      g.push(`<text x="${X(v).toFixed(1)}" y="${MT + PH + 15}" class="k" text-anchor="middle">${v}</text>`);
    }
    g.push(`<text x="${ox + ML + PW / 2}" y="${MT + PH + 32}" class="a" text-anchor="middle">step</text>`);
    const path = (p: Array<[number, number]>) => p.filter(([s]) => s > 0).map(([x, y], i) => `${i ? 'L' : 'M'}${X(x).toFixed(1)},${Y(y).toFixed(1)}`).join(' ');
    for (const a of r.arms) {
      const color = COLORS[a.name] ?? '#000';
      for (const q of a.runs) {
        g.push(`<path d="${path(q.curve.map((p) => [p.step, p[key]]))}" fill="none" stroke="${color}" stroke-width="0.9" stroke-opacity="0.55"><title>${esc(`${a.name} seed ${q.seed}`)}</title></path>`);
      }
      g.push(`<path d="${path(meanCurve(a, key))}" fill="none" stroke="${color}" stroke-width="2.6"><title>${esc(`${a.name} mean of ${a.runs.length} seeds`)}</title></path>`);
    }
  });
  const c = r.config;
  let lx = 5 + ML;
  for (const a of r.arms) {
    g.push(`<line x1="${lx}" x2="${lx + 22}" y1="${CH + 12}" y2="${CH + 12}" stroke="${COLORS[a.name] ?? '#000'}" stroke-width="2.6"/>`);
    g.push(`<text x="${lx + 27}" y="${CH + 16}" class="a">${esc(`${a.name} (${f3(a.finalValLoss.mean)})`)}</text>`);
    lx += 130;
  }
  g.push(
    `<text x="${5 + ML}" y="${CH + 34}" class="k">${esc(`${c.layers} layers, d ${c.width}, ${c.heads} heads, context ${c.context}, batch ${c.batch}, ${c.steps} steps, seeds ${c.seeds.join(',')} (thin), mean (bold); ${r.corpus.name}`)}</text>`,
  );
  g.push('</svg>');
  return `${g.join('\n')}\n`;
}
