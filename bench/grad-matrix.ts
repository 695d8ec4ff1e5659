// `swiglu-bench grad --matrix`: the fused backward passes beside their forwards and beside the same
// gradients composed from the package's unfused ops, in one run, as ratios (README, Training: ffnBackward
// within 2.3x of ffn at M >= 256, d = 1024, hidden 2816, and >= 2x faster than the composition; the
// same for gluMatmulBackward against gluMatmul). For every ISA, thread count and M the three calls of a
// kind are timed in alternating samples (one call each; the calls last milliseconds) and the medians
// kept, so a slow spell on a shared machine hits all three alike.
//   forward:  ffn(x, packed) / gluMatmul(x, packed), the pack made once outside the timing (weights
//             fixed: the forward's best case);
//   backward: ffnBackward / gluMatmulBackward from the raw weights (their packing included);
//   unfused:  matmul for G and U, the elementwise forward for H (the FFN's dWd needs it), matmul for dH,
//             the *Backward GLU op (or the activation's Backward op) for dG and dU, matmul with transA
//             for every weight gradient, and dx = dG·Wg then += dU·Wu (accumulate).
import { performance } from 'node:perf_hooks';
import * as sg from '../lib';
import { binding } from '../lib/binding';

type F32 = Float32Array;
type Kind = 'ffn' | 'mlp' | 'glu';
const KINDS: Kind[] = ['ffn', 'mlp', 'glu'];
const BAR_FORWARD = 2.3;
const BAR_UNFUSED = 2;

interface MatrixOptions {
  isas: string[];
  kinds: Kind[];
  ms: number[];
  threads: number[];
  d: number;
  hidden: number;
  activation: sg.FusedActivation;
  samples: number;
  md: boolean;
}

export const GRAD_MATRIX_USAGE = `usage: swiglu-bench grad --matrix [--isa a,b] [--kinds ffn,mlp,glu] [--m 256,512] [--threads 1,2]
                          [--d 1024] [--hidden 2816] [--activation silu] [--samples 5] [--md]
  ffnBackward (GLU 'ffn' and plain 'mlp') and gluMatmulBackward ('glu') against their forward (ffn,
  gluMatmul: backward/forward, bar <= ${BAR_FORWARD}) and against the same gradients composed from unfused ops
  (unfused/backward, bar >= ${BAR_UNFUSED}); medians of alternating samples, one call each`;

function list(v: string): number[] {
  return v.split(',').map((s) => {
    const n = Number(s);
    if (!Number.isInteger(n) || n < 1) throw new Error(`${s} is not a positive integer`);
    return n;
  });
}

export function parseGradMatrix(argv: string[]): MatrixOptions {
  const o: MatrixOptions = {
    isas: binding.runnableIsas().filter((i) => i !== 'scalar'),
    kinds: ['ffn', 'glu'],
    ms: [256, 512],
    threads: [1, 2],
    d: 1024,
    hidden: 2816,
    activation: 'silu',
    samples: 5,
    md: false,
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const val = () => {
      if (i + 1 >= argv.length) throw new Error(`${a} needs a value`);
      return argv[++i];
    };
    if (a === '--isa') o.isas = val().split(',');
    else if (a === '--kinds') o.kinds = val().split(',') as Kind[];
    else if (a === '--m') o.ms = list(val());
    else if (a === '--threads') o.threads = list(val());
    else if (a === '--d') [o.d] = list(val());
    else if (a === '--hidden') [o.hidden] = list(val());
    else if (a === '--activation') o.activation = val() as sg.FusedActivation;
    else if (a === '--samples') [o.samples] = list(val());
    else if (a === '--md') o.md = true;
    else throw new Error(`unknown option ${a}`);
  }
  for (const k of o.kinds) if (!KINDS.includes(k)) throw new Error(`unknown kind ${k} (ffn, mlp, glu)`);
  for (const isa of o.isas) if (!binding.runnableIsas().includes(isa as never)) throw new Error(`ISA ${isa} cannot run here`);
  if (!['silu', 'gelu', 'gelu-tanh', 'relu', 'sigmoid', 'identity'].includes(o.activation)) throw new Error(`unknown activation ${o.activation}`);
  return o;
}

function inputs(n: number, seed: number, scale: number): F32 {
  const x = new Float32Array(n);
  let s = seed;
  for (let i = 0; i < n; i++) {
    s = (s * 1103515245 + 12345) >>> 0;
    x[i] = ((s / 2 ** 32) * 2 - 1) * scale;
  }
  return x;
}

/** The GLU backward op and the activation's backward of a fused activation (package defaults). */
function gluBackward(act: sg.FusedActivation): (g: F32, u: F32, dh: F32) => sg.GluGradients {
  switch (act) {
    case 'silu':
      return (g, u, dh) => sg.swigluBackward(g, u, dh);
    case 'gelu':
      return (g, u, dh) => sg.gegluBackward(g, u, dh);
    case 'gelu-tanh':
      return (g, u, dh) => sg.gegluBackward(g, u, dh, { approximate: 'tanh' });
    case 'relu':
      return (g, u, dh) => sg.regluBackward(g, u, dh);
    case 'sigmoid':
      return (g, u, dh) => sg.gluBackward(g, u, dh);
    case 'identity':
      return (g, u, dh) => sg.bilinearBackward(g, u, dh);
  }
}
function gluForward(act: sg.FusedActivation): (g: F32, u: F32) => F32 {
  switch (act) {
    case 'silu':
      return (g, u) => sg.swiglu(g, u);
    case 'gelu':
      return (g, u) => sg.geglu(g, u);
    case 'gelu-tanh':
      return (g, u) => sg.geglu(g, u, { approximate: 'tanh' });
    case 'relu':
      return (g, u) => sg.reglu(g, u);
    case 'sigmoid':
      return (g, u) => sg.glu(g, u);
    case 'identity':
      return (g, u) => sg.bilinear(g, u);
  }
}
function actForward(act: sg.FusedActivation): (x: F32) => F32 {
  switch (act) {
    case 'silu':
      return (x) => sg.silu(x);
    case 'gelu':
      return (x) => sg.gelu(x);
    case 'gelu-tanh':
      return (x) => sg.gelu(x, { approximate: 'tanh' });
    case 'relu':
      return (x) => sg.relu(x);
    case 'sigmoid':
      return (x) => sg.sigmoid(x);
    case 'identity':
      return (x) => x.slice();
  }
}
function actBackward(act: sg.FusedActivation): (x: F32, dy: F32) => F32 {
  switch (act) {
    case 'silu':
      return (x, dy) => sg.siluBackward(x, dy);
    case 'gelu':
      return (x, dy) => sg.geluBackward(x, dy);
    case 'gelu-tanh':
      return (x, dy) => sg.geluBackward(x, dy, { approximate: 'tanh' });
    case 'relu':
      return (x, dy) => sg.reluBackward(x, dy);
    case 'sigmoid':
      return (x, dy) => sg.sigmoidBackward(x, dy);
    case 'identity':
      return (_x, dy) => dy.slice();
  }
}

/** The three calls of one kind at one M (weights nn.Linear 'out-in'). */
function calls(kind: Kind, m: number, d: number, h: number, act: sg.FusedActivation) {
  const x = inputs(m * d, 1, 1);
  const wg = inputs(h * d, 2, 0.03);
  const wu = inputs(h * d, 3, 0.03);
  const wd = inputs(d * h, 4, 0.02);
  const dy = inputs(m * d, 5, 1);
  const dh = inputs(m * h, 6, 1);
  const glu = gluBackward(act);
  // x·W for W [h][d] (out-in) and the weight gradient gᵀ·x in that layout.
  const proj = (w: F32) => sg.matmul(x, w, { m, k: d, n: h, transB: true });
  const wgrad = (g: F32) => sg.matmul(g, x, { m: h, k: m, n: d, transA: true });
  const back = (g: F32, w: F32, acc?: F32) => sg.matmul(g, w, { m, k: h, n: d, ...(acc ? { accumulate: true, out: acc } : {}) });
  if (kind === 'glu') {
    const packed = sg.packGate(wg, wu, { inFeatures: d, outFeatures: h, activation: act });
    return {
      forward: () => void sg.gluMatmul(x, packed),
      backward: () => void sg.gluMatmulBackward(x, wg, wu, dh, { inFeatures: d, outFeatures: h, activation: act }),
      unfused: () => {
        const { dGate, dUp } = glu(proj(wg), proj(wu), dh);
        wgrad(dGate);
        wgrad(dUp);
        back(dUp, wu, back(dGate, wg));
      },
      flops: 12 * m * d * h, // G, U, dx (2 x 2 M d h each) and dWg, dWu (2 M d h each)
      dispose: () => packed.dispose(),
    };
  }
  const gated = kind === 'ffn';
  const weights = gated ? { gate: wg, up: wu, down: wd } : { up: wu, down: wd };
  const packed = sg.packFfn({ ...weights, inFeatures: d, hiddenFeatures: h, activation: act });
  const f = actForward(act);
  const fb = actBackward(act);
  return {
    forward: () => void sg.ffn(x, packed),
    backward: () => void sg.ffnBackward(x, weights, dy, { inFeatures: d, hiddenFeatures: h, activation: act }),
    unfused: () => {
      const u = proj(wu);
      const g = gated ? proj(wg) : null;
      const hh = g ? gluForward(act)(g, u) : f(u);
      const dH = sg.matmul(dy, wd, { m, k: d, n: h }); // Wd [d][h]: dH = dy·Wd
      sg.matmul(dy, hh, { m: d, k: m, n: h, transA: true }); // dWd [d][h] = dyᵀ·H
      if (g) {
        const { dGate, dUp } = glu(g, u, dH);
        wgrad(dGate);
        wgrad(dUp);
        back(dUp, wu, back(dGate, wg));
      } else {
        const dU = fb(u, dH);
        wgrad(dU);
        back(dU, wu);
      }
    },
    flops: (gated ? 16 : 10) * m * d * h, // the forward's 6 (4) M d h, recomputed, and dH, dWd, dx, dW (2 M d h each)
    dispose: () => packed.dispose(),
  };
}

function median(v: number[]): number {
  const s = [...v].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

/** Medians (ms) of `samples` alternating samples of each fn, after one warm-up call each. */
function alternating(fns: Array<() => void>, samples: number): number[] {
  for (const fn of fns) fn();
  const t: number[][] = fns.map(() => []);
  for (let s = 0; s < samples; s++) {
    fns.forEach((fn, i) => {
      const t0 = performance.now();
      fn();
      t[i].push(performance.now() - t0);
    });
  }
  return t.map(median);
}

export function gradMatrixMain(argv: string[]): number {
  let o: MatrixOptions;
  try {
    if (argv.includes('--help')) {
      process.stdout.write(`${GRAD_MATRIX_USAGE}\n`);
      return 0;
    }
    o = parseGradMatrix(argv);
  } catch (err) {
    process.stderr.write(`swiglu-bench grad --matrix: ${err instanceof Error ? err.message : String(err)}\n${GRAD_MATRIX_USAGE}\n`);
    return 2;
  }
  const saved = { isa: binding.isa(), threads: sg.getNumThreads() };
  const rows: string[][] = [];
  let below = 0;
  try {
    for (const isa of o.isas) {
      binding._testing.setIsa(isa);
      for (const threads of o.threads) {
        sg.setNumThreads(threads);
        for (const kind of o.kinds) {
          for (const m of o.ms) {
            const c = calls(kind, m, o.d, o.hidden, o.activation);
            const [fwd, bwd, unf] = alternating([c.forward, c.backward, c.unfused], o.samples);
            c.dispose();
            const rf = bwd / fwd;
            const ru = unf / bwd;
            const ok = rf <= BAR_FORWARD && ru >= BAR_UNFUSED;
            if (!ok) below++;
            const name = kind === 'glu' ? 'gluMatmulBackward' : kind === 'ffn' ? 'ffnBackward (GLU)' : 'ffnBackward (plain)';
            rows.push([
              name,
              isa,
              String(threads),
              String(m),
              fwd.toFixed(1),
              bwd.toFixed(1),
              unf.toFixed(1),
              (c.flops / bwd / 1e6).toFixed(0),
              `${rf.toFixed(2)}x${rf <= BAR_FORWARD ? '' : ' (below)'}`,
              `${ru.toFixed(2)}x${ru >= BAR_UNFUSED ? '' : ' (below)'}`,
            ]);
            process.stderr.write('.');
          }
        }
      }
    }
  } finally {
    binding._testing.setIsa(saved.isa);
    sg.setNumThreads(saved.threads);
  }
  process.stderr.write('\n');
  const head = ['op', 'isa', 'threads', 'M', 'forward ms', 'backward ms', 'unfused ms', 'backward GFLOP/s', `backward/forward (<= ${BAR_FORWARD})`, `unfused/backward (>= ${BAR_UNFUSED})`];
  const title = `fused backward: d = ${o.d}, hidden ${o.hidden}, ${o.activation}, weights 'out-in', medians of ${o.samples} alternating samples; ${below} row(s) below a bar`;
  if (o.md) {
    const lines = [`${title}\n`, `| ${head.join(' | ')} |`, `|${head.map(() => '---').join('|')}|`, ...rows.map((r) => `| ${r.join(' | ')} |`)];
    process.stdout.write(`${lines.join('\n')}\n`);
  } else {
    const w = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
    const fmt = (r: string[]) => r.map((c, i) => (i < 2 ? c.padEnd(w[i]) : c.padStart(w[i]))).join('  ');
    process.stdout.write(`${title}\n${fmt(head)}\n${rows.map(fmt).join('\n')}\n`);
  }
  return 0;
}
